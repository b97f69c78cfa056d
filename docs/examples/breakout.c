/*
 * breakout.c - a strategy plugin in C: "close above the previous high".
 *
 * Per symbol: ENTER BUY when a bar closes above the previous bar's high (by at least
 * min_gap_pct), stop at the breakout bar's low, target `reward` times that risk above
 * the close. EXIT SELL when a bar closes below the previous bar's low while long, and
 * for every symbol still long when the session ends.
 *
 * Built against PluginAPI/include/tbot_plugin.h alone, from the repository root:
 *   cc -std=c11 -Wall -Wextra -shared -fPIC -fvisibility=hidden -I PluginAPI/include \
 *      docs/examples/breakout.c -o /tmp/libbreakout.so
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tbot_plugin.h>

#define MAX_SYMBOLS 64

typedef struct symbol_state {
    char symbol[TBOT_SYMBOL_CAP];
    int has_prev;     /* prev_high and prev_low hold the previous bar */
    double prev_high;
    double prev_low;
    int is_long;      /* an ENTER was emitted and no EXIT since */
} symbol_state_t;

typedef struct breakout {
    const tbot_host_t *host; /* host-owned, valid until destroy returns */
    double reward;           /* target distance in multiples of the risk */
    double min_gap_pct;      /* how far above the previous high the close must be */
    int symbol_count;
    symbol_state_t symbols[MAX_SYMBOLS];
} breakout_t;

/* ---- parameters and lifecycle -------------------------------------------- */

/* The whole text must be a finite number. */
static int parse_decimal(const char *text, double *out) {
    char *end = NULL;
    if (text == NULL || text[0] == '\0') return 0;
    double value = strtod(text, &end);
    if (*end != '\0' || !isfinite(value)) return 0;
    *out = value;
    return 1;
}

static void *breakout_create(const tbot_host_t *host, const tbot_params_t *params, char *err,
                             uint32_t err_cap) {
    char msg[TBOT_REASON_CAP];
    breakout_t *b = calloc(1, sizeof *b);
    if (b == NULL) {
        tbot_copy_string(err, err_cap, "out of memory");
        return NULL;
    }
    b->host = host;
    b->reward = 2.0;
    b->min_gap_pct = 0.0;
    /* params and its strings are valid only during create: copy what you keep. */
    for (uint32_t i = 0; params != NULL && i < params->count; i++) {
        const char *key = params->items[i].key ? params->items[i].key : "";
        const char *value = params->items[i].value ? params->items[i].value : "";
        double *target = NULL;
        if (strcmp(key, "reward") == 0) target = &b->reward;
        if (strcmp(key, "min_gap_pct") == 0) target = &b->min_gap_pct;
        if (target == NULL) {
            snprintf(msg, sizeof msg, "unknown parameter '%s'", key);
        } else if (!parse_decimal(value, target)) {
            snprintf(msg, sizeof msg, "invalid value '%s' for %s: expected a decimal", value, key);
        } else {
            continue;
        }
        tbot_copy_string(err, err_cap, msg);
        free(b);
        return NULL;
    }
    snprintf(msg, sizeof msg, "breakout_c created: reward=%g min_gap_pct=%g", b->reward,
             b->min_gap_pct);
    host->log(host->host_ctx, TBOT_LOG_INFO, msg);
    return b;
}

static void breakout_destroy(void *instance) {
    free(instance);
}

/* Called once after create, before anything else: reject unusable parameters. */
static tbot_status_t breakout_self_check(void *instance, char *reason, uint32_t reason_cap) {
    const breakout_t *b = instance;
    if (!(b->reward > 0.0 && b->reward <= 10.0)) {
        tbot_copy_string(reason, reason_cap, "reward must be greater than 0 and at most 10");
        return TBOT_ERR_INVALID_ARGUMENT;
    }
    if (!(b->min_gap_pct >= 0.0 && b->min_gap_pct < 0.1)) {
        tbot_copy_string(reason, reason_cap, "min_gap_pct must be at least 0 and less than 0.1");
        return TBOT_ERR_INVALID_ARGUMENT;
    }
    return TBOT_OK;
}

/* ---- strategy ------------------------------------------------------------ */

static tbot_status_t breakout_session_start(void *instance, const tbot_session_t *session,
                                            char *err, uint32_t err_cap) {
    breakout_t *b = instance;
    (void)session;
    (void)err;
    (void)err_cap;
    memset(b->symbols, 0, sizeof b->symbols);
    b->symbol_count = 0;
    return TBOT_OK;
}

static symbol_state_t *state_for(breakout_t *b, const char *symbol) {
    for (int i = 0; i < b->symbol_count; i++) {
        if (strcmp(b->symbols[i].symbol, symbol) == 0) return &b->symbols[i];
    }
    if (b->symbol_count == MAX_SYMBOLS) return NULL;
    symbol_state_t *st = &b->symbols[b->symbol_count++];
    tbot_copy_string(st->symbol, sizeof st->symbol, symbol);
    return st;
}

/* Fills an intent in our own memory; the sink copies it before emit returns.
 * A malformed intent comes back as TBOT_ERR_INVALID_ARGUMENT: the host has logged
 * and dropped it, and the callers below carry on. */
static tbot_status_t emit(const tbot_intent_sink_t *sink, tbot_intent_action_t action,
                          tbot_side_t side, const char *symbol, double entry, double stop,
                          double target, double confidence, const char *tag) {
    tbot_intent_t intent;
    memset(&intent, 0, sizeof intent);
    intent.size = sizeof intent;
    intent.action = action;
    intent.side = side;
    intent.rank = 1; /* one candidate per call; equal ranks keep emit order */
    tbot_copy_string(intent.symbol, sizeof intent.symbol, symbol);
    intent.entry_price = entry;
    intent.stop_price = stop;
    intent.target_price = target;
    intent.confidence = confidence;
    tbot_copy_string(intent.tag, sizeof intent.tag, tag);
    return sink->emit(sink->sink_ctx, &intent);
}

static tbot_status_t breakout_on_bar(void *instance, const tbot_bar_t *bar,
                                     const tbot_intent_sink_t *sink, char *err,
                                     uint32_t err_cap) {
    breakout_t *b = instance;
    symbol_state_t *st = state_for(b, bar->symbol);
    if (st == NULL) {
        tbot_copy_string(err, err_cap, "too many symbols for one session (limit 64)");
        return TBOT_ERR_INVALID_ARGUMENT;
    }
    if (st->has_prev) {
        if (!st->is_long && bar->close > st->prev_high * (1.0 + b->min_gap_pct)) {
            double risk = bar->close - bar->low;
            /* A close 1% above the previous high is full confidence. */
            double confidence = (bar->close - st->prev_high) / st->prev_high * 100.0;
            if (confidence > 1.0) confidence = 1.0;
            (void)emit(sink, TBOT_INTENT_ENTER, TBOT_SIDE_BUY, st->symbol, bar->close, bar->low,
                 bar->close + b->reward * risk, confidence, "close_above_prev_high");
            st->is_long = 1;
        } else if (st->is_long && bar->close < st->prev_low) {
            (void)emit(sink, TBOT_INTENT_EXIT, TBOT_SIDE_SELL, st->symbol, bar->close, 0.0, 0.0, 1.0,
                 "close_below_prev_low");
            st->is_long = 0;
        }
    }
    st->prev_high = bar->high;
    st->prev_low = bar->low;
    st->has_prev = 1;
    return TBOT_OK;
}

/* Exits every symbol still long, at market, in the order the symbols were first seen. */
static tbot_status_t breakout_session_end(void *instance, const tbot_session_t *session,
                                          const tbot_intent_sink_t *sink, char *err,
                                          uint32_t err_cap) {
    breakout_t *b = instance;
    (void)session;
    (void)err;
    (void)err_cap;
    for (int i = 0; i < b->symbol_count; i++) {
        symbol_state_t *st = &b->symbols[i];
        if (!st->is_long) continue;
        (void)emit(sink, TBOT_INTENT_EXIT, TBOT_SIDE_SELL, st->symbol, 0.0, 0.0, 0.0, 1.0,
             "session_end");
        st->is_long = 0;
    }
    return TBOT_OK;
}

/* ---- descriptor and entry ------------------------------------------------ */

static const tbot_strategy_api_t breakout_functions = {
    .size = sizeof(tbot_strategy_api_t),
    .session_start = breakout_session_start,
    .on_bar = breakout_on_bar,
    .session_end = breakout_session_end,
};

static const tbot_plugin_descriptor_t breakout_descriptor = {
    .abi_major = TBOT_ABI_VERSION_MAJOR,
    .abi_minor = TBOT_ABI_VERSION_MINOR,
    .size = sizeof(tbot_plugin_descriptor_t),
    .kind = TBOT_KIND_STRATEGY,
    .id = "breakout_c",
    .name = "Breakout (C example)",
    .version = "1.0.0",
    .description = "Buys a close above the previous high; exits a close below the previous low.",
    .create = breakout_create,
    .destroy = breakout_destroy,
    .self_check = breakout_self_check,
    .get_extension = NULL, /* no optional capabilities */
    .functions = &breakout_functions,
};

/* The only exported symbol (TBOT_EXPORT; everything else is hidden). */
TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry(void) {
    return &breakout_descriptor;
}
