/*
 * bollinger_confluence.c - the seed's bollinger_confluence.py: an entry needs the price
 * to have touched or crossed the Bollinger band (period, k standard deviations) on its
 * side.
 *
 * The host delivers every bar through TBOT_EXT_FILTER_BARS; the filter keeps Bollinger
 * bands of the closes per symbol (tbot_bbands_t, population standard deviation, reset at
 * each session start) and remembers the last bar whose low touched the lower band
 * (low <= lower) and whose high touched the upper band (high >= upper), the bands of
 * that same bar. An entry passes when the touch on its side happened within the last
 * touch_bars bars of its symbol (1 = the current bar):
 *   mode reversion (the seed's use, with the VWAP reversion): BUY needs the lower band,
 *                  SELL the upper band;
 *   mode breakout: BUY needs the upper band, SELL the lower band.
 * Before the bands are warm (period bars) or without any bar of the symbol, `no_data`
 * decides (as in adx_filter). `tags` limits the filter to intents whose tag starts with
 * a listed prefix (empty = every entry). Exits always pass.
 */
#include <tbot_indicators.h>
#include <tbot_plugin_support.h>

enum { P_PERIOD, P_K, P_TOUCH_BARS, P_MODE, P_TAGS, P_NO_DATA, P_COUNT };

#define MODE_REVERSION 0
#define MODE_BREAKOUT 1

static const tbs_param_spec_t bb_specs[P_COUNT] = {
    {"period", TBS_INT, NULL, "20", NULL},
    {"k", TBS_DECIMAL, NULL, "2.0", NULL},
    {"touch_bars", TBS_INT, NULL, "1", NULL},
    {"mode", TBS_CHOICE, NULL, "reversion", "reversion|breakout"},
    {"tags", TBS_TEXT, NULL, "", NULL},
    {"no_data", TBS_CHOICE, NULL, "error", TBS_NO_DATA_CHOICES},
};

/* The last touch of one band. */
typedef struct bb_touch {
    long long bar;  /* number of the bar (1 = first of the session); 0 = never */
    double price;   /* its low (lower band) or high (upper band) */
    double band;    /* the band at that bar */
} bb_touch_t;

typedef struct bb_symbol {
    char symbol[TBOT_SYMBOL_CAP]; /* first member: see tbs_symbol_slot */
    tbot_bbands_t bands;
    long long bars;
    int warm;
    double last_low, last_high;
    bb_touch_t lower, upper;
} bb_symbol_t;

typedef struct bollinger {
    tbs_param_value_t values[P_COUNT];
    tbs_prefixes_t prefixes;
    int tags_invalid;
    char tags_problem[TBS_MSG_CAP];
    int symbol_count;
    bb_symbol_t symbols[TBS_MAX_SYMBOLS];
} bollinger_t;

static void bb_clear(bollinger_t *b) {
    for (int k = 0; k < b->symbol_count; k++) tbot_bbands_free(&b->symbols[k].bands);
    memset(b->symbols, 0, sizeof b->symbols);
    b->symbol_count = 0;
}

static void *bb_create(const tbot_host_t *host, const tbot_params_t *params, char *err,
                       uint32_t err_cap) {
    bollinger_t *b = calloc(1, sizeof *b);
    if (b == NULL) {
        tbot_copy_string(err, err_cap, "out of memory");
        return NULL;
    }
    if (!tbs_load_params(host, params, bb_specs, P_COUNT, b->values, err, err_cap)) {
        free(b);
        return NULL;
    }
    b->tags_invalid = !tbs_parse_prefixes("tags", b->values[P_TAGS].text, &b->prefixes,
                                          b->tags_problem, sizeof b->tags_problem);
    return b;
}

static void bb_destroy(void *instance) {
    bollinger_t *b = instance;
    if (b == NULL) return;
    bb_clear(b);
    free(b);
}

static int bb_params_invalid(const bollinger_t *b, char *msg, size_t cap) {
    const tbs_param_spec_t *p = bb_specs;
    const tbs_param_value_t *v = b->values;
    if (tbs_check_range(p, v, P_PERIOD, 2, 0, 1000, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_K, 0, 1, 10, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_TOUCH_BARS, 1, 0, 1000, 0, msg, cap)) return 1;
    if (b->tags_invalid) {
        snprintf(msg, cap, "%s", b->tags_problem);
        return 1;
    }
    return 0;
}

static tbot_status_t bb_self_check(void *instance, char *reason, uint32_t reason_cap) {
    char msg[TBS_MSG_CAP];
    return tbs_self_check(bb_params_invalid(instance, msg, sizeof msg), msg, reason, reason_cap);
}

/* ---- the bar feed (TBOT_EXT_FILTER_BARS) --------------------------------- */

static tbot_status_t bb_session_start(void *instance, const tbot_session_t *session, char *err,
                                      uint32_t err_cap) {
    (void)session;
    (void)err;
    (void)err_cap;
    bb_clear(instance);
    return TBOT_OK;
}

static tbot_status_t bb_on_bar(void *instance, const tbot_bar_t *bar, char *err,
                               uint32_t err_cap) {
    bollinger_t *b = instance;
    char msg[TBS_MSG_CAP];
    if (bb_params_invalid(b, msg, sizeof msg)) {
        tbot_copy_string(err, err_cap, msg);
        return TBOT_ERR_INVALID_ARGUMENT;
    }
    tbot_status_t status = tbs_check_bar(bar, err, err_cap);
    if (status != TBOT_OK) return status;
    int is_new = 0;
    bb_symbol_t *st = tbs_symbol_slot(b->symbols, sizeof b->symbols[0], &b->symbol_count,
                                      bar->symbol, &is_new, err, err_cap);
    if (st == NULL) return TBOT_ERR_INVALID_ARGUMENT;
    if (is_new) {
        double k = b->values[P_K].d;
        if (tbot_bbands_init(&st->bands, (int)b->values[P_PERIOD].i, k, k) != 0) {
            b->symbol_count--; /* give the slot back; the next bar tries again */
            tbot_copy_string(err, err_cap, "cannot set up the Bollinger bands: out of memory");
            return TBOT_ERR_INTERNAL;
        }
    }
    st->warm = tbot_bbands_push(&st->bands, bar->close);
    st->bars++;
    st->last_low = bar->low;
    st->last_high = bar->high;
    if (st->warm) {
        if (bar->low <= st->bands.lower) {
            st->lower.bar = st->bars;
            st->lower.price = bar->low;
            st->lower.band = st->bands.lower;
        }
        if (bar->high >= st->bands.upper) {
            st->upper.bar = st->bars;
            st->upper.price = bar->high;
            st->upper.band = st->bands.upper;
        }
    }
    return TBOT_OK;
}

static const tbot_filter_bars_t bb_bars = {
    .size = sizeof(tbot_filter_bars_t),
    .on_bar = bb_on_bar,
    .session_start = bb_session_start,
};

static const void *bb_get_extension(void *instance, const char *extension_id) {
    (void)instance;
    if (extension_id != NULL && strcmp(extension_id, TBOT_EXT_FILTER_BARS) == 0) return &bb_bars;
    return NULL;
}

/* ---- evaluate ------------------------------------------------------------ */

static bb_symbol_t *bb_find(bollinger_t *b, const char *symbol) {
    for (int k = 0; k < b->symbol_count; k++) {
        if (strncmp(b->symbols[k].symbol, symbol, TBOT_SYMBOL_CAP) == 0) return &b->symbols[k];
    }
    return NULL;
}

static tbot_status_t bb_evaluate(void *instance, const tbot_intent_t *intent,
                                 const tbot_market_context_t *context, tbot_verdict_t *verdict,
                                 char *reason, uint32_t reason_cap) {
    bollinger_t *b = instance;
    char msg[TBS_MSG_CAP];
    tbot_status_t status = TBOT_OK;
    (void)context;
    if (tbs_filter_preamble(&b->prefixes, b->values[P_TAGS].text, intent, verdict, reason,
                            reason_cap, &status)) {
        return status;
    }
    if (bb_params_invalid(b, msg, sizeof msg)) {
        tbot_copy_string(reason, reason_cap, msg);
        return TBOT_ERR_INVALID_ARGUMENT;
    }
    if (intent->side != TBOT_SIDE_BUY && intent->side != TBOT_SIDE_SELL) {
        snprintf(msg, sizeof msg, "unknown intent side %d", (int)intent->side);
        tbot_copy_string(reason, reason_cap, msg);
        return TBOT_ERR_INVALID_ARGUMENT;
    }
    long long period = b->values[P_PERIOD].i, touch_bars = b->values[P_TOUCH_BARS].i;
    const char *k = b->values[P_K].text;
    long long policy = b->values[P_NO_DATA].i;
    bb_symbol_t *st = bb_find(b, intent->symbol);
    if (st == NULL) {
        snprintf(msg, sizeof msg, "no bars of %.*s yet: Bollinger bands (%lld, %s) unknown",
                 TBOT_SYMBOL_CAP, intent->symbol, period, k);
        return tbs_no_data(policy, msg, verdict, reason, reason_cap);
    }
    if (!st->warm) {
        snprintf(msg, sizeof msg, "Bollinger bands (%lld, %s) of %s are warming up: %lld of %lld "
                 "bars", period, k, st->symbol, st->bars, period);
        return tbs_no_data(policy, msg, verdict, reason, reason_cap);
    }
    int buy = intent->side == TBOT_SIDE_BUY;
    int wants_lower = (b->values[P_MODE].i == MODE_REVERSION) == buy;
    const bb_touch_t *touch = wants_lower ? &st->lower : &st->upper;
    const char *band_name = wants_lower ? "lower" : "upper";
    const char *price_name = wants_lower ? "low" : "high";
    const char *side_name = buy ? "BUY" : "SELL";
    long long ago = touch->bar > 0 ? st->bars - touch->bar : -1;
    if (touch->bar > 0 && ago < touch_bars) {
        *verdict = TBOT_VERDICT_ALLOW;
        if (ago == 0) {
            snprintf(msg, sizeof msg, "%s %s %.4f touched the %s band %.4f (BB %lld, %s): %s "
                     "confirmed", st->symbol, price_name, touch->price, band_name, touch->band,
                     period, k, side_name);
        } else {
            snprintf(msg, sizeof msg, "%s %s %.4f touched the %s band %.4f (BB %lld, %s) %lld "
                     "bar(s) ago: %s confirmed", st->symbol, price_name, touch->price, band_name,
                     touch->band, period, k, ago, side_name);
        }
    } else {
        *verdict = TBOT_VERDICT_BLOCK;
        double band = wants_lower ? st->bands.lower : st->bands.upper;
        double price = wants_lower ? st->last_low : st->last_high;
        snprintf(msg, sizeof msg, "%s did not touch the %s band in the last %lld bar(s): %s "
                 "%.4f, %s band %.4f (BB %lld, %s); no confluence for a %s", st->symbol,
                 band_name, touch_bars, price_name, price, band_name, band, period, k,
                 side_name);
    }
    tbot_copy_string(reason, reason_cap, msg);
    return TBOT_OK;
}

static const tbot_filter_api_t bb_functions = {
    .size = sizeof(tbot_filter_api_t),
    .evaluate = bb_evaluate,
};

static const tbot_plugin_descriptor_t bb_descriptor = {
    .abi_major = TBOT_ABI_VERSION_MAJOR,
    .abi_minor = TBOT_ABI_VERSION_MINOR,
    .size = sizeof(tbot_plugin_descriptor_t),
    .kind = TBOT_KIND_FILTER,
    .id = "bollinger_confluence",
    .name = "Bollinger band confluence",
    .version = "1.0.0",
    .description = "Lets an entry pass only when the price touched the Bollinger band on its "
                   "side within touch_bars bars; exits always pass.",
    .create = bb_create,
    .destroy = bb_destroy,
    .self_check = bb_self_check,
    .get_extension = bb_get_extension,
    .functions = &bb_functions,
};

TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry(void) {
    return &bb_descriptor;
}
