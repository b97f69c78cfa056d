/*
 * sma_cross.c - moving-average crossover strategy written in C.
 *
 * Emits ENTER BUY when the fast SMA crosses above the slow SMA and EXIT SELL when
 * it crosses below. The averages are exact (tbot_indicators.h's tbot_xsma_t sums the
 * quoted prices as integers), so two averages that are mathematically equal compare
 * equal. Crossover rule: a cross fires when fast - slow becomes non-zero with the
 * opposite sign of its last non-zero value; an exact tie neither fires nor resets.
 * `size` (whole shares, 0 = let the host size) caps the entry through max_quantity.
 * The Swift plugin in Plugins/SMACrossSwift implements the same rules with the same
 * header, so both produce identical intents.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tbot_indicators.h>
#include <tbot_plugin.h>

#define MAX_SYMBOLS 64
#define MAX_SLOW 1000

/* on_bar runs for every bar: its rare branches are kept out of it (they would make it save
 * registers and reserve a message buffer on every call) and its common one inside it. */
#if defined(__GNUC__) || defined(__clang__)
#define RARE __attribute__((noinline, cold))
#define HOT __attribute__((always_inline))
#else
#define RARE
#define HOT
#endif

/* Rolling state of one symbol: both exact averages, O(1) per bar. */
typedef struct symbol_state {
    char symbol[TBOT_SYMBOL_CAP];
    tbot_xsma_t fast;
    tbot_xsma_t slow;
    int last_sign; /* sign of the last non-zero fast - slow; 0 before the first */
} symbol_state_t;

typedef struct sma_cross {
    const tbot_host_t *host;
    long long fast;
    long long slow;
    double stop_pct;
    double target_pct;
    long long size; /* whole shares per entry; 0 = the host sizes */
    int params_ok;  /* params_invalid found nothing: parameters only change in create */
    int last;       /* index of the last bar's symbol, -1 before the first */
    uint32_t last_id; /* the host's number for that symbol (bar symbol_id, ABI 1.3); 0: none */
    int symbol_count;
    symbol_state_t symbols[MAX_SYMBOLS];
} sma_cross_t;

/* ---- parameters --------------------------------------------------------- */

/* Strict parsers, matching Swift's Int64(_:) and Double(_:): the whole text must be
 * consumed and no leading blanks are skipped. */
static int parse_int(const char *text, long long *out) {
    char *end = NULL;
    if (text == NULL || text[0] == '\0' || isspace((unsigned char)text[0])) return 0;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (errno != 0 || *end != '\0') return 0;
    *out = value;
    return 1;
}

/* Underflow is not an error (it parses to 0 or a subnormal, as Swift's Double(_:)
 * does); overflow yields infinity, which isfinite rejects. */
static int parse_decimal(const char *text, double *out) {
    char *end = NULL;
    if (text == NULL || text[0] == '\0' || isspace((unsigned char)text[0])) return 0;
    double value = strtod(text, &end);
    if (*end != '\0' || !isfinite(value)) return 0;
    *out = value;
    return 1;
}

static int apply_param(sma_cross_t *s, const char *key, const char *value, char *err,
                       uint32_t err_cap) {
    char msg[TBOT_REASON_CAP];
    int ok;
    const char *expected = "a decimal";
    if (strcmp(key, "fast") == 0) {
        expected = "an integer";
        ok = parse_int(value, &s->fast);
    } else if (strcmp(key, "slow") == 0) {
        expected = "an integer";
        ok = parse_int(value, &s->slow);
    } else if (strcmp(key, "size") == 0) {
        expected = "an integer";
        ok = parse_int(value, &s->size);
    } else if (strcmp(key, "stop_pct") == 0) {
        ok = parse_decimal(value, &s->stop_pct);
    } else if (strcmp(key, "target_pct") == 0) {
        ok = parse_decimal(value, &s->target_pct);
    } else {
        snprintf(msg, sizeof msg, "unknown parameter '%s' (value '%s')", key, value);
        tbot_copy_string(err, err_cap, msg);
        return 0;
    }
    if (!ok) {
        snprintf(msg, sizeof msg, "invalid value '%s' for %s: expected %s", value, key, expected);
        tbot_copy_string(err, err_cap, msg);
    }
    return ok;
}

/* ---- lifecycle ---------------------------------------------------------- */

/* Writes why the parameters are unusable, or returns 0 when they are fine. create keeps
 * the verdict for on_bar (which must never run on bad parameters); self_check reports it. */
static int params_invalid(const sma_cross_t *s, char *msg, size_t cap) {
    if (s->fast < 1) {
        snprintf(msg, cap, "fast (%lld) must be at least 1", s->fast);
    } else if (s->slow <= s->fast) {
        snprintf(msg, cap, "slow (%lld) must be greater than fast (%lld)", s->slow, s->fast);
    } else if (s->slow > MAX_SLOW) {
        snprintf(msg, cap, "slow (%lld) must be at most %d", s->slow, MAX_SLOW);
    } else if (!(s->stop_pct > 0.0 && s->stop_pct < 0.5)) {
        snprintf(msg, cap, "stop_pct (%g) must be greater than 0 and less than 0.5", s->stop_pct);
    } else if (!(s->target_pct > 0.0 && s->target_pct < 1.0)) {
        snprintf(msg, cap, "target_pct (%g) must be greater than 0 and less than 1",
                 s->target_pct);
    } else if (s->size < 0 || s->size > 1000000000LL) {
        snprintf(msg, cap, "size (%lld) must be from 0 (the host sizes) to 1000000000 shares", s->size);
    } else {
        return 0;
    }
    return 1;
}

static void *sma_create(const tbot_host_t *host, const tbot_params_t *params, char *err,
                        uint32_t err_cap) {
    sma_cross_t *s = calloc(1, sizeof *s);
    if (s == NULL) {
        tbot_copy_string(err, err_cap, "out of memory");
        return NULL;
    }
    s->host = host;
    s->fast = 5;
    s->slow = 20;
    s->stop_pct = 0.01;
    s->target_pct = 0.02;
    for (uint32_t i = 0; params != NULL && i < params->count; i++) {
        const tbot_param_t *p = &params->items[i];
        if (!apply_param(s, p->key ? p->key : "", p->value ? p->value : "", err, err_cap)) {
            free(s);
            return NULL;
        }
    }
    char reason[TBOT_REASON_CAP];
    s->params_ok = !params_invalid(s, reason, sizeof reason);
    s->last = -1;
    if (host != NULL && host->log != NULL) {
        char line[128];
        snprintf(line, sizeof line, "sma_cross_c created: fast=%lld slow=%lld size=%lld", s->fast, s->slow,
                 s->size);
        host->log(host->host_ctx, TBOT_LOG_INFO, line);
    }
    return s;
}

static void reset_symbols(sma_cross_t *s) {
    for (int i = 0; i < s->symbol_count; i++) {
        tbot_xsma_free(&s->symbols[i].fast);
        tbot_xsma_free(&s->symbols[i].slow);
    }
    /* Only the slots in use: a new symbol's slot is set up in full when it is added, and
     * clearing all MAX_SYMBOLS of them cost more than a day of bars' bookkeeping. */
    memset(s->symbols, 0, (size_t)s->symbol_count * sizeof s->symbols[0]);
    s->symbol_count = 0;
    s->last = -1;
    s->last_id = 0;
}

static void sma_destroy(void *instance) {
    sma_cross_t *s = instance;
    if (s == NULL) return;
    reset_symbols(s);
    free(s);
}

static tbot_status_t sma_self_check(void *instance, char *reason, uint32_t reason_cap) {
    char msg[TBOT_REASON_CAP];
    if (params_invalid(instance, msg, sizeof msg)) {
        tbot_copy_string(reason, reason_cap, msg);
        return TBOT_ERR_INVALID_ARGUMENT;
    }
    return TBOT_OK;
}

/* ---- strategy ----------------------------------------------------------- */

static tbot_status_t sma_session_start(void *instance, const tbot_session_t *session, char *err,
                                       uint32_t err_cap) {
    (void)session;
    (void)err;
    (void)err_cap;
    reset_symbols(instance);
    return TBOT_OK;
}

static tbot_status_t sma_session_end(void *instance, const tbot_session_t *session,
                                     const tbot_intent_sink_t *sink, char *err, uint32_t err_cap) {
    (void)instance;
    (void)session;
    (void)sink;
    (void)err;
    (void)err_cap;
    return TBOT_OK; /* crossovers only; the host flattens what is left */
}

/* True when `symbol` is the stored name (NUL-terminated within TBOT_SYMBOL_CAP). Inline:
 * stops at the first difference, so it never reads past the end of `symbol`. */
static inline int same_symbol(const char *stored, const char *symbol) {
    for (int i = 0;; i++) {
        if (stored[i] != symbol[i]) return 0;
        if (stored[i] == '\0') return 1;
    }
}

/* Finds or adds the state of `symbol` into *out. */
static tbot_status_t state_for(sma_cross_t *s, const char *symbol, symbol_state_t **out,
                               char *err, uint32_t err_cap) {
    char msg[TBOT_REASON_CAP];
    for (int i = 0; i < s->symbol_count; i++) {
        if (strcmp(s->symbols[i].symbol, symbol) == 0) {
            *out = &s->symbols[i];
            return TBOT_OK;
        }
    }
    if (s->symbol_count == MAX_SYMBOLS) {
        snprintf(msg, sizeof msg, "too many symbols: %s would be number %d, the limit is %d",
                 symbol, MAX_SYMBOLS + 1, MAX_SYMBOLS);
        tbot_copy_string(err, err_cap, msg);
        return TBOT_ERR_INVALID_ARGUMENT;
    }
    symbol_state_t *st = &s->symbols[s->symbol_count];
    if (tbot_xsma_init(&st->fast, (int)s->fast) != 0 || tbot_xsma_init(&st->slow, (int)s->slow) != 0) {
        tbot_xsma_free(&st->fast);
        tbot_xsma_free(&st->slow);
        tbot_copy_string(err, err_cap, "out of memory");
        return TBOT_ERR_INTERNAL;
    }
    st->last_sign = 0;
    tbot_copy_string(st->symbol, sizeof st->symbol, symbol);
    s->symbol_count++;
    *out = st;
    return TBOT_OK;
}

/* Emits the cross the bar just made. Returns TBOT_OK: a rejected intent is the host's to
 * log, and the strategy's state is still right. */
RARE static tbot_status_t emit_cross(const sma_cross_t *s, const tbot_intent_sink_t *sink,
                                     const symbol_state_t *st, int up, double close) {
    tbot_intent_t intent;
    memset(&intent, 0, sizeof intent);
    intent.size = sizeof intent;
    intent.action = up ? TBOT_INTENT_ENTER : TBOT_INTENT_EXIT;
    intent.side = up ? TBOT_SIDE_BUY : TBOT_SIDE_SELL;
    intent.rank = 1;
    tbot_copy_string(intent.symbol, sizeof intent.symbol, st->symbol);
    intent.entry_price = close;
    if (up) {
        intent.stop_price = close * (1.0 - s->stop_pct);
        intent.target_price = close * (1.0 + s->target_pct);
        intent.max_quantity = s->size * TBOT_QTY_SCALE;
    }
    /* 1% of separation between the averages is full confidence. */
    double fast = tbot_xsma_mean(&st->fast), slow = tbot_xsma_mean(&st->slow);
    double confidence = fabs(fast - slow) / slow * 100.0;
    intent.confidence = confidence < 1.0 ? confidence : 1.0;
    tbot_copy_string(intent.tag, sizeof intent.tag, up ? "sma_cross_up" : "sma_cross_down");
    (void)sink->emit(sink->sink_ctx, &intent);
    return TBOT_OK;
}

/* One bar for the symbol of `st`: both averages move; a cross is emitted. The rare work
 * is a tail call, so the bar path keeps nothing live across a call. */
HOT static inline tbot_status_t advance(const sma_cross_t *s, symbol_state_t *st, const tbot_bar_t *bar,
                                    const tbot_intent_sink_t *sink) {
    /* Both averages take the same exact price: converted once. The rule reads only the
     * sums; the double means are computed when a cross is emitted. */
    int64_t close = tbot_price_fixed(bar->close);
    int warm = tbot_xsma_push_sum(&st->fast, close);
    warm = tbot_xsma_push_sum(&st->slow, close) && warm;
    if (!warm) return TBOT_OK;

    int sign = tbot_xsma_compare(&st->fast, &st->slow);
    if (sign == 0) return TBOT_OK; /* an exact tie neither fires nor resets */
    int crossed = st->last_sign != 0 && sign != st->last_sign;
    st->last_sign = sign;
    return crossed ? emit_cross(s, sink, st, sign > 0, bar->close) : TBOT_OK;
}

/* A bar whose symbol is not the last bar's: its state (checked for length, found or
 * added) becomes the last one. */
/* The bar's symbol_id when the host's bar has the field (ABI 1.3), else 0. */
HOT static inline uint32_t bar_symbol_id(const tbot_bar_t *bar) {
    return TBOT_HAS_FIELD(bar, tbot_bar_t, symbol_id) ? bar->symbol_id : 0;
}

RARE static tbot_status_t advance_other(sma_cross_t *s, const tbot_bar_t *bar, const tbot_intent_sink_t *sink,
                                        char *err, uint32_t err_cap) {
    if (strlen(bar->symbol) >= TBOT_SYMBOL_CAP) {
        char msg[TBOT_REASON_CAP];
        snprintf(msg, sizeof msg, "symbol %s is longer than %d bytes", bar->symbol, TBOT_SYMBOL_CAP - 1);
        tbot_copy_string(err, err_cap, msg);
        return TBOT_ERR_INVALID_ARGUMENT;
    }
    symbol_state_t *st = NULL;
    tbot_status_t found = state_for(s, bar->symbol, &st, err, err_cap);
    if (found != TBOT_OK) return found;
    s->last = (int)(st - s->symbols);
    s->last_id = bar_symbol_id(bar);
    return advance(s, st, bar, sink);
}

/* Why on_bar cannot run: bad parameters first (it must never run on them), then a
 * missing argument. */
RARE static tbot_status_t refuse_bar(const sma_cross_t *s, char *err, uint32_t err_cap) {
    char msg[TBOT_REASON_CAP];
    if (!s->params_ok) {
        params_invalid(s, msg, sizeof msg);
        tbot_copy_string(err, err_cap, msg);
    } else {
        tbot_copy_string(err, err_cap, "on_bar needs a bar with a symbol and a sink");
    }
    return TBOT_ERR_INVALID_ARGUMENT;
}

static tbot_status_t sma_on_bar(void *instance, const tbot_bar_t *bar,
                                const tbot_intent_sink_t *sink, char *err, uint32_t err_cap) {
    sma_cross_t *s = instance;
    if (!s->params_ok || bar == NULL || bar->symbol == NULL || sink == NULL || sink->emit == NULL) {
        return refuse_bar(s, err, err_cap);
    }
    /* A replay usually repeats the last bar's symbol: the host's number for it says so
     * (ABI 1.3); without one, one short comparison of the names. No search either way. */
    uint32_t id = bar_symbol_id(bar);
    if (s->last >= 0) {
        if (id != 0 && id == s->last_id) return advance(s, &s->symbols[s->last], bar, sink);
        if ((id == 0 || s->last_id == 0) && same_symbol(s->symbols[s->last].symbol, bar->symbol)) {
            s->last_id = id;
            return advance(s, &s->symbols[s->last], bar, sink);
        }
    }
    return advance_other(s, bar, sink, err, err_cap);
}

/* ---- descriptor --------------------------------------------------------- */

static const tbot_strategy_api_t sma_functions = {
    .size = sizeof(tbot_strategy_api_t),
    .session_start = sma_session_start,
    .on_bar = sma_on_bar,
    .session_end = sma_session_end,
};

static const tbot_plugin_descriptor_t sma_descriptor = {
    .abi_major = TBOT_ABI_VERSION_MAJOR,
    .abi_minor = TBOT_ABI_VERSION_MINOR,
    .size = sizeof(tbot_plugin_descriptor_t),
    .kind = TBOT_KIND_STRATEGY,
    .id = "sma_cross_c",
    .name = "SMA cross (C)",
    .version = "1.0.0",
    .description = "Buys when the fast SMA crosses above the slow SMA, exits when it crosses below.",
    .create = sma_create,
    .destroy = sma_destroy,
    .self_check = sma_self_check,
    .get_extension = NULL,
    .functions = &sma_functions,
};

TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry(void);

TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry(void) {
    return &sma_descriptor;
}
