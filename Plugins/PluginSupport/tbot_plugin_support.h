/*
 * tbot_plugin_support.h - helpers shared by the bundled strategy and filter plugins
 * (Plugins/OpenRangeBreakout, VWAPReversion, CloseMomentum, TechnicalBreakout,
 * MeanReversion, ADXFilter, BollingerConfluence, VIXGatekeeper).
 *
 * Header-only and static: every plugin compiles its own copy, so a plugin still
 * exports nothing but its entry. Not part of the ABI; a third-party plugin needs
 * only tbot_plugin.h.
 *
 * Parameters: each plugin describes its parameters in a table (name, kind, config key,
 * seed default). tbs_load_params fills the values in this order of precedence:
 *   1. the manifest's [params] (the plugin's create parameters),
 *   2. the runtime configuration key, read through host->config_get,
 *   3. the seed's default.
 * Parsing is strict (the whole text, no blanks), as in sma_cross.c and price_band.c:
 * a value that does not parse makes create fail with the parameter, the value and the
 * expected form. Range rules are checked by each plugin's self_check with
 * tbs_check_range, whose message names the parameter, its value, where the value
 * came from (when not the manifest) and the rule.
 */
#ifndef TBOT_PLUGIN_SUPPORT_H
#define TBOT_PLUGIN_SUPPORT_H

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tbot_plugin.h>

#define TBS_MAX_SYMBOLS 64
#define TBS_TEXT_CAP 256
#define TBS_MSG_CAP 1024 /* room for any message before it is cut to the host's buffer */
#define TBS_MAX_PREFIXES 16
#define TBS_NS_PER_SECOND 1000000000LL
#define TBS_NS_PER_MINUTE 60000000000LL
#define TBS_NS_PER_DAY 86400000000000LL

/* ---- parameter tables ---------------------------------------------------- */

#define TBS_INT 1     /* integer; value in .i */
#define TBS_DECIMAL 2 /* finite decimal; value in .d */
#define TBS_TIME 3    /* UTC "HH:MM" (H:MM accepted); minutes after midnight in .i */
#define TBS_CHOICE 4  /* one of spec.choices ("a|b|c"); index in .i */
#define TBS_TEXT 5    /* free text (at most TBS_TEXT_CAP - 1 bytes); in .text */

typedef struct tbs_param_spec {
    const char *name;       /* manifest key */
    int kind;               /* TBS_* */
    const char *config_key; /* runtime configuration fallback; NULL for none */
    const char *fallback;   /* the seed's default, as text */
    const char *choices;    /* TBS_CHOICE: '|'-separated words; else NULL */
} tbs_param_spec_t;

typedef struct tbs_param_value {
    char text[TBS_TEXT_CAP]; /* the value as written, for messages */
    const char *source;      /* "params", the config key, or "default" */
    long long i;
    double d;
} tbs_param_value_t;

/* Strict parsers, matching Swift's Int64(_:) and Double(_:): the whole text must be
 * consumed and no leading blanks are skipped. */
static inline int tbs_parse_int(const char *text, long long *out) {
    char *end = NULL;
    if (text == NULL || text[0] == '\0' || isspace((unsigned char)text[0])) return 0;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (errno != 0 || *end != '\0') return 0;
    *out = value;
    return 1;
}

static inline int tbs_parse_decimal(const char *text, double *out) {
    char *end = NULL;
    if (text == NULL || text[0] == '\0' || isspace((unsigned char)text[0])) return 0;
    double value = strtod(text, &end);
    if (*end != '\0' || !isfinite(value)) return 0;
    *out = value;
    return 1;
}

/* "HH:MM" or "H:MM", 00:00 to 23:59, as the configuration's START_TIME_* keys. */
static inline int tbs_parse_time(const char *text, long long *minutes) {
    size_t len = text == NULL ? 0 : strlen(text);
    if (len != 4 && len != 5) return 0;
    size_t colon = len - 3;
    if (text[colon] != ':') return 0;
    for (size_t k = 0; k < len; k++) {
        if (k != colon && !isdigit((unsigned char)text[k])) return 0;
    }
    long long hour = 0, minute = (text[colon + 1] - '0') * 10 + (text[colon + 2] - '0');
    for (size_t k = 0; k < colon; k++) hour = hour * 10 + (text[k] - '0');
    if (hour > 23 || minute > 59) return 0;
    *minutes = hour * 60 + minute;
    return 1;
}

/* Index of `text` among the '|'-separated `choices`, or -1. */
static inline int tbs_choice_index(const char *choices, const char *text) {
    int index = 0;
    const char *p = choices;
    size_t len = strlen(text);
    while (p != NULL && *p != '\0') {
        const char *bar = strchr(p, '|');
        size_t word = bar ? (size_t)(bar - p) : strlen(p);
        if (word == len && strncmp(p, text, len) == 0) return index;
        index++;
        p = bar ? bar + 1 : NULL;
    }
    return -1;
}

/* Parses `text` into *value per spec. Returns 0 with the expected form in `expected`. */
static inline int tbs_parse_value(const tbs_param_spec_t *spec, const char *text,
                                  tbs_param_value_t *value, char *expected, size_t cap) {
    int ok = 0;
    switch (spec->kind) {
    case TBS_INT:
        ok = tbs_parse_int(text, &value->i);
        snprintf(expected, cap, "an integer");
        break;
    case TBS_DECIMAL:
        ok = tbs_parse_decimal(text, &value->d);
        snprintf(expected, cap, "a decimal");
        break;
    case TBS_TIME:
        ok = tbs_parse_time(text, &value->i);
        snprintf(expected, cap, "a UTC time HH:MM from 00:00 to 23:59");
        break;
    case TBS_CHOICE: {
        int index = tbs_choice_index(spec->choices, text);
        ok = index >= 0;
        value->i = index;
        char words[TBS_TEXT_CAP];
        tbot_copy_string(words, sizeof words, spec->choices);
        for (char *c = words; *c; c++) {
            if (*c == '|') *c = ',';
        }
        snprintf(expected, cap, "one of %s", words);
        break;
    }
    case TBS_TEXT:
        ok = strlen(text) < TBS_TEXT_CAP;
        snprintf(expected, cap, "text of at most %d bytes", TBS_TEXT_CAP - 1);
        break;
    default:
        snprintf(expected, cap, "a known kind of parameter");
        break;
    }
    if (ok) tbot_copy_string(value->text, sizeof value->text, text);
    return ok;
}

/* Fills values[0..count) from the manifest params, else the config key, else the
 * default (see the top of this file). Returns 0 with a message in err on failure:
 * an unknown or repeated manifest key, or a value that does not parse. */
static inline int tbs_load_params(const tbot_host_t *host, const tbot_params_t *params,
                                  const tbs_param_spec_t *specs, int count,
                                  tbs_param_value_t *values, char *err, uint32_t err_cap) {
    char msg[TBS_MSG_CAP];
    char expected[TBS_TEXT_CAP];
    int given[64];
    if (count > 64) {
        tbot_copy_string(err, err_cap, "internal error: more than 64 parameters");
        return 0;
    }
    memset(given, 0, sizeof given);
    for (uint32_t n = 0; params != NULL && n < params->count; n++) {
        const char *key = params->items[n].key ? params->items[n].key : "";
        const char *text = params->items[n].value ? params->items[n].value : "";
        int found = -1;
        for (int k = 0; k < count; k++) {
            if (strcmp(specs[k].name, key) == 0) found = k;
        }
        if (found < 0) {
            snprintf(msg, sizeof msg, "unknown parameter '%s' (value '%s')", key, text);
            tbot_copy_string(err, err_cap, msg);
            return 0;
        }
        if (given[found]) {
            snprintf(msg, sizeof msg, "parameter '%s' is given twice", key);
            tbot_copy_string(err, err_cap, msg);
            return 0;
        }
        if (!tbs_parse_value(&specs[found], text, &values[found], expected, sizeof expected)) {
            snprintf(msg, sizeof msg, "invalid value '%s' for %s: expected %s", text, key, expected);
            tbot_copy_string(err, err_cap, msg);
            return 0;
        }
        values[found].source = "params";
        given[found] = 1;
    }
    for (int k = 0; k < count; k++) {
        if (given[k]) continue;
        const tbs_param_spec_t *spec = &specs[k];
        if (spec->config_key != NULL && host != NULL && host->config_get != NULL) {
            char text[TBS_TEXT_CAP];
            uint32_t len = 0;
            tbot_status_t status = host->config_get(host->host_ctx, spec->config_key, text,
                                                    sizeof text, &len);
            if (status == TBOT_OK) {
                if (!tbs_parse_value(spec, text, &values[k], expected, sizeof expected)) {
                    snprintf(msg, sizeof msg,
                             "invalid value '%s' for %s in the configuration (parameter %s): "
                             "expected %s",
                             text, spec->config_key, spec->name, expected);
                    tbot_copy_string(err, err_cap, msg);
                    return 0;
                }
                values[k].source = spec->config_key;
                continue;
            }
            if (status != TBOT_ERR_NOT_FOUND) {
                snprintf(msg, sizeof msg,
                         "cannot read %s from the configuration (status %d, length %u)",
                         spec->config_key, (int)status, (unsigned)len);
                tbot_copy_string(err, err_cap, msg);
                return 0;
            }
        }
        if (!tbs_parse_value(spec, spec->fallback, &values[k], expected, sizeof expected)) {
            snprintf(msg, sizeof msg, "internal error: default '%s' of %s is not %s",
                     spec->fallback, spec->name, expected);
            tbot_copy_string(err, err_cap, msg);
            return 0;
        }
        values[k].source = "default";
    }
    return 1;
}

/* "name (text)" or "name (text, from CONFIG_KEY)" for a rule message. */
static inline void tbs_describe(const tbs_param_spec_t *spec, const tbs_param_value_t *value,
                                char *out, size_t cap) {
    int from_config = value->source != NULL && strcmp(value->source, "params") != 0 &&
                      strcmp(value->source, "default") != 0;
    if (from_config) {
        snprintf(out, cap, "%s (%s, from %s)", spec->name, value->text, value->source);
    } else {
        snprintf(out, cap, "%s (%s)", spec->name, value->text);
    }
}

/* Range rule for an INT or DECIMAL parameter. `lo_open`/`hi_open` make a bound strict;
 * a NAN bound is not checked. Writes "name (value) must be ..." and returns 1 when
 * the value breaks the rule; returns 0 when it holds. */
static inline int tbs_check_range(const tbs_param_spec_t *specs, const tbs_param_value_t *values,
                                  int index, double lo, int lo_open, double hi, int hi_open,
                                  char *msg, size_t cap) {
    const tbs_param_spec_t *spec = &specs[index];
    double v = spec->kind == TBS_INT ? (double)values[index].i : values[index].d;
    int lo_ok = isnan(lo) || (lo_open ? v > lo : v >= lo);
    int hi_ok = isnan(hi) || (hi_open ? v < hi : v <= hi);
    if (lo_ok && hi_ok) return 0;
    char who[TBS_TEXT_CAP * 2];
    tbs_describe(spec, &values[index], who, sizeof who);
    const char *lo_word = lo_open ? "greater than" : "at least";
    const char *hi_word = hi_open ? "less than" : "at most";
    if (!isnan(lo) && !isnan(hi)) {
        snprintf(msg, cap, "%s must be %s %g and %s %g", who, lo_word, lo, hi_word, hi);
    } else if (!isnan(lo)) {
        snprintf(msg, cap, "%s must be %s %g", who, lo_word, lo);
    } else {
        snprintf(msg, cap, "%s must be %s %g", who, hi_word, hi);
    }
    return 1;
}

/* A strategy's reward:risk parameter against the host's MIN_REWARD_RISK: below it, every
 * entry would be refused by the host, so self_check fails early with the reason. */
static inline int tbs_check_min_reward_risk(const tbs_param_spec_t *specs, const tbs_param_value_t *values,
                                            int index, double minimum, char *msg, size_t cap) {
    if (values[index].d >= minimum) return 0;
    snprintf(msg, cap,
             "%s (%s) must be at least MIN_REWARD_RISK (%g): the host rejects entries whose "
             "target pays less",
             specs[index].name, values[index].text, minimum);
    return 1;
}

/* MIN_REWARD_RISK as the host's risk engine applies it; 1.5 (its default) when the
 * configuration does not say. A strategy checks its reward_risk against it in
 * self_check, so a manifest that could never pass the host's rule fails early. */
static inline double tbs_host_min_reward_risk(const tbot_host_t *host) {
    char text[64];
    uint32_t len = 0;
    double value = 1.5;
    if (host != NULL && host->config_get != NULL &&
        host->config_get(host->host_ctx, "MIN_REWARD_RISK", text, sizeof text, &len) == TBOT_OK) {
        double parsed;
        if (tbs_parse_decimal(text, &parsed)) value = parsed;
    }
    return value;
}

/* ---- sides --------------------------------------------------------------- */

/* The `sides` choice every strategy offers: which directions it may signal. Bearish
 * signals are ENTER SELL intents; the host's risk engine routes them (SHORT_TYPE_*). */
#define TBS_SIDES_CHOICES "both|long|short"
#define TBS_SIDES_BOTH 0
#define TBS_SIDES_LONG 1
#define TBS_SIDES_SHORT 2

static inline int tbs_allows_long(long long sides) { return sides != TBS_SIDES_SHORT; }
static inline int tbs_allows_short(long long sides) { return sides != TBS_SIDES_LONG; }

/* ---- time ---------------------------------------------------------------- */

/* UTC day number of a timestamp (floor division, also right before 1970). */
static inline int64_t tbs_day(int64_t ns) {
    int64_t day = ns / TBS_NS_PER_DAY;
    if (ns % TBS_NS_PER_DAY < 0) day--;
    return day;
}

/* The instant `minute_of_day` minutes after midnight UTC of the day holding `ns`. */
static inline int64_t tbs_anchor(int64_t ns, long long minute_of_day) {
    return tbs_day(ns) * TBS_NS_PER_DAY + (int64_t)minute_of_day * TBS_NS_PER_MINUTE;
}

/* When a bar became known: its end, start + interval. With an unknown interval (0) the
 * host clock, which reads the bar's end while a bar is delivered. */
static inline int64_t tbs_bar_end(const tbot_host_t *host, const tbot_bar_t *bar) {
    if (bar->interval_seconds > 0) {
        return bar->start_ns + (int64_t)bar->interval_seconds * TBS_NS_PER_SECOND;
    }
    if (host != NULL && host->now_ns != NULL) return host->now_ns(host->host_ctx);
    return bar->start_ns;
}

/* "HH:MM" UTC of a timestamp, for messages and tags. */
static inline void tbs_format_time(int64_t ns, char *out, size_t cap) {
    int64_t minute = (ns - tbs_day(ns) * TBS_NS_PER_DAY) / TBS_NS_PER_MINUTE;
    snprintf(out, cap, "%02d:%02d", (int)(minute / 60), (int)(minute % 60));
}

/* ---- bars and symbols ---------------------------------------------------- */

/* Checks what every on_bar needs. Returns TBOT_OK or an error with a message. */
static inline tbot_status_t tbs_check_bar(const tbot_bar_t *bar, char *err, uint32_t err_cap) {
    char msg[TBS_MSG_CAP];
    if (bar == NULL || bar->symbol == NULL) {
        tbot_copy_string(err, err_cap, "on_bar needs a bar with a symbol");
        return TBOT_ERR_INVALID_ARGUMENT;
    }
    if (strlen(bar->symbol) >= TBOT_SYMBOL_CAP) {
        snprintf(msg, sizeof msg, "symbol %.40s... is longer than %d bytes", bar->symbol,
                 TBOT_SYMBOL_CAP - 1);
        tbot_copy_string(err, err_cap, msg);
        return TBOT_ERR_INVALID_ARGUMENT;
    }
    if (!isfinite(bar->open) || !isfinite(bar->high) || !isfinite(bar->low) ||
        !isfinite(bar->close) || !isfinite(bar->volume) || bar->close <= 0.0 ||
        bar->high < bar->low || bar->volume < 0.0) {
        snprintf(msg, sizeof msg,
                 "bar of %s is not usable: open %g high %g low %g close %g volume %g",
                 bar->symbol, bar->open, bar->high, bar->low, bar->close, bar->volume);
        tbot_copy_string(err, err_cap, msg);
        return TBOT_ERR_INVALID_ARGUMENT;
    }
    return TBOT_OK;
}

/* Finds or adds the per-symbol state of `symbol` in an array of `stride`-byte structs
 * whose first member is `char symbol[TBOT_SYMBOL_CAP]`. A new slot is zeroed, named
 * and returned with *is_new = 1. Returns NULL (with a message) once TBS_MAX_SYMBOLS
 * symbols are held. */
static inline void *tbs_symbol_slot(void *base, size_t stride, int *count, const char *symbol,
                                    int *is_new, char *err, uint32_t err_cap) {
    char msg[TBS_MSG_CAP];
    for (int k = 0; k < *count; k++) {
        char *slot = (char *)base + (size_t)k * stride;
        if (strcmp(slot, symbol) == 0) {
            *is_new = 0;
            return slot;
        }
    }
    if (*count == TBS_MAX_SYMBOLS) {
        snprintf(msg, sizeof msg, "too many symbols: %s would be number %d, the limit is %d",
                 symbol, TBS_MAX_SYMBOLS + 1, TBS_MAX_SYMBOLS);
        tbot_copy_string(err, err_cap, msg);
        return NULL;
    }
    char *slot = (char *)base + (size_t)(*count) * stride;
    memset(slot, 0, stride);
    tbot_copy_string(slot, TBOT_SYMBOL_CAP, symbol);
    (*count)++;
    *is_new = 1;
    return slot;
}

/* ---- intents ------------------------------------------------------------- */

static inline double tbs_clamp01(double x) {
    if (!(x > 0.0)) return 0.0;
    return x < 1.0 ? x : 1.0;
}

/* Emits one intent built on the stack; the sink copies it. max_quantity stays 0: a
 * strategy never sizes. Returns the sink's status (TBOT_ERR_INVALID_ARGUMENT when the
 * host dropped a malformed intent). */
static inline tbot_status_t tbs_emit(const tbot_intent_sink_t *sink, tbot_intent_action_t action,
                                     tbot_side_t side, const char *symbol, double entry,
                                     double stop, double target, double confidence,
                                     const char *tag) {
    tbot_intent_t intent;
    memset(&intent, 0, sizeof intent);
    intent.size = sizeof intent;
    intent.action = action;
    intent.side = side;
    intent.rank = 1;
    tbot_copy_string(intent.symbol, sizeof intent.symbol, symbol);
    intent.entry_price = entry;
    intent.stop_price = stop;
    intent.target_price = target;
    intent.confidence = tbs_clamp01(confidence);
    tbot_copy_string(intent.tag, sizeof intent.tag, tag);
    intent.max_quantity = 0;
    return sink->emit(sink->sink_ctx, &intent);
}

/* "<prefix>_<suffix>" into out. */
static inline void tbs_tag(char *out, size_t cap, const char *prefix, const char *suffix) {
    snprintf(out, cap, "%s_%s", prefix, suffix);
}

/* Closes a strategy's own position: EXIT on the opposite side, tagged "<prefix>_<why>",
 * and marks it flat. `position` is 1 long, -1 short. */
static inline void tbs_exit(const tbot_intent_sink_t *sink, const char *prefix, const char *symbol,
                            int *position, double price, const char *why) {
    char tag[TBOT_TAG_CAP];
    tbs_tag(tag, sizeof tag, prefix, why);
    (void)tbs_emit(sink, TBOT_INTENT_EXIT, *position > 0 ? TBOT_SIDE_SELL : TBOT_SIDE_BUY, symbol,
                   price, 0.0, 0.0, 1.0, tag);
    *position = 0;
}

/* self_check's answer from a plugin's parameter check: `invalid` with its message `msg`. */
static inline tbot_status_t tbs_self_check(int invalid, const char *msg, char *reason,
                                           uint32_t reason_cap) {
    if (!invalid) return TBOT_OK;
    tbot_copy_string(reason, reason_cap, msg);
    return TBOT_ERR_INVALID_ARGUMENT;
}

/* ---- filters ------------------------------------------------------------- */

/* The `tags` parameter of a filter: comma-separated tag prefixes; empty = every intent. */
typedef struct tbs_prefixes {
    int count;
    char items[TBS_MAX_PREFIXES][TBOT_TAG_CAP];
} tbs_prefixes_t;

/* Splits `text` at commas, trimming blanks around each prefix. Returns 0 with a
 * message (naming `name`) for an empty item, an over-long prefix or too many. */
static inline int tbs_parse_prefixes(const char *name, const char *text, tbs_prefixes_t *out,
                                     char *msg, size_t cap) {
    memset(out, 0, sizeof *out);
    const char *p = text;
    while (*p == ' ' || *p == '\t') p++;
    if (*p == '\0') return 1;
    for (;;) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        const char *a = p, *b = end;
        while (a < b && (*a == ' ' || *a == '\t')) a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t')) b--;
        size_t len = (size_t)(b - a);
        if (len == 0) {
            snprintf(msg, cap, "%s (%s) must be a comma-separated list of tag prefixes without "
                     "empty items", name, text);
            return 0;
        }
        if (len >= TBOT_TAG_CAP) {
            snprintf(msg, cap, "%s (%s): each tag prefix must be at most %d bytes", name, text,
                     TBOT_TAG_CAP - 1);
            return 0;
        }
        if (out->count == TBS_MAX_PREFIXES) {
            snprintf(msg, cap, "%s (%s) must list at most %d tag prefixes", name, text,
                     TBS_MAX_PREFIXES);
            return 0;
        }
        memcpy(out->items[out->count], a, len);
        out->items[out->count][len] = '\0';
        out->count++;
        if (comma == NULL) break;
        p = comma + 1;
    }
    return 1;
}

/* True when the filter judges an intent with this tag: no prefixes, or one matches. */
static inline int tbs_tag_covered(const tbs_prefixes_t *prefixes, const char *tag) {
    if (prefixes->count == 0) return 1;
    for (int k = 0; k < prefixes->count; k++) {
        size_t len = strlen(prefixes->items[k]);
        if (strncmp(tag, prefixes->items[k], len) == 0) return 1;
    }
    return 0;
}

/* What a filter does when it has no data to judge an intent (no VIX series, no bars
 * of the symbol, indicators still warming up): the `no_data` parameter. */
#define TBS_NO_DATA_CHOICES "error|allow|block"
#define TBS_NO_DATA_ERROR 0 /* return TBOT_ERR_NOT_FOUND: the host warns and allows */
#define TBS_NO_DATA_ALLOW 1
#define TBS_NO_DATA_BLOCK 2

/* Applies the no_data policy with `why` as the message or reason. */
static inline tbot_status_t tbs_no_data(long long policy, const char *why, tbot_verdict_t *verdict,
                                        char *reason, uint32_t reason_cap) {
    char msg[TBS_MSG_CAP];
    if (policy == TBS_NO_DATA_ALLOW) {
        snprintf(msg, sizeof msg, "%s; allowed (no_data = allow)", why);
        *verdict = TBOT_VERDICT_ALLOW;
    } else if (policy == TBS_NO_DATA_BLOCK) {
        snprintf(msg, sizeof msg, "%s; blocked (no_data = block)", why);
        *verdict = TBOT_VERDICT_BLOCK;
    } else {
        tbot_copy_string(reason, reason_cap, why);
        return TBOT_ERR_NOT_FOUND;
    }
    tbot_copy_string(reason, reason_cap, msg);
    return TBOT_OK;
}

/* The common start of every filter's evaluate: argument checks, exits always pass,
 * intents whose tag is not covered pass. Returns 1 when the caller must return
 * *status now; 0 when the intent is an entry the filter must judge. */
static inline int tbs_filter_preamble(const tbs_prefixes_t *prefixes, const char *tags_text,
                                      const tbot_intent_t *intent, tbot_verdict_t *verdict,
                                      char *reason, uint32_t reason_cap, tbot_status_t *status) {
    char msg[TBS_MSG_CAP];
    if (intent == NULL || verdict == NULL) {
        tbot_copy_string(reason, reason_cap, "evaluate needs an intent and a verdict");
        *status = TBOT_ERR_INVALID_ARGUMENT;
        return 1;
    }
    if (intent->action == TBOT_INTENT_EXIT) {
        *verdict = TBOT_VERDICT_ALLOW;
        tbot_copy_string(reason, reason_cap, "exits are never gated");
        *status = TBOT_OK;
        return 1;
    }
    if (intent->action != TBOT_INTENT_ENTER) {
        snprintf(msg, sizeof msg, "unknown intent action %d", (int)intent->action);
        tbot_copy_string(reason, reason_cap, msg);
        *status = TBOT_ERR_INVALID_ARGUMENT;
        return 1;
    }
    if (!tbs_tag_covered(prefixes, intent->tag)) {
        snprintf(msg, sizeof msg, "tag '%.*s' is not covered by tags (%s): not gated",
                 TBOT_TAG_CAP, intent->tag, tags_text);
        *verdict = TBOT_VERDICT_ALLOW;
        tbot_copy_string(reason, reason_cap, msg);
        *status = TBOT_OK;
        return 1;
    }
    return 0;
}

#endif /* TBOT_PLUGIN_SUPPORT_H */
