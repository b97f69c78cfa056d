/*
 * technical_breakout.c - "Strategy 2: Technical Breakout" of the redesign seed's signal
 * engine, on whatever bars the host delivers (the seed's "20-day high" is a lookback
 * of `lookback` bars).
 *
 * Per symbol, ENTER BUY on a bar close when all hold (sides long or both):
 *   1. close > the highest high of the previous `lookback` bars;
 *   2. volume > volume_multiple x the mean volume of the previous volume_period bars;
 *   3. ADX(adx_period) > min_adx (a strong trend);
 *   4. the MACD line (macd_fast, macd_slow, macd_signal) crossed above its signal line
 *      within the last cross_within bars (1 = on this bar);
 *   5. close > SMA(sma_slow) and SMA(sma_fast) > SMA(sma_slow) (an uptrend).
 * ENTER SELL is the mirror (sides short or both): below the lowest low, MACD crossing
 * down, close < SMA(sma_slow) and SMA(sma_fast) < SMA(sma_slow).
 * Stop stop_pct beyond the entry close, target target_pct beyond it. Exits on a bar
 * close: through the stop, through the target; once a close has gained breakeven_r
 * times the initial risk, the stop moves to the entry price (the seed's "move SL to
 * breakeven after 1R"); and at session_end. The seed's swing-high target and
 * swing-low stop are not used: the levels are the fixed percentages.
 * Nothing is emitted until every indicator is warm; state resets at session start.
 */
#include <tbot_indicators.h>
#include <tbot_plugin_support.h>

enum {
    P_LOOKBACK,
    P_VOLUME_PERIOD,
    P_VOLUME_MULTIPLE,
    P_ADX_PERIOD,
    P_MIN_ADX,
    P_MACD_FAST,
    P_MACD_SLOW,
    P_MACD_SIGNAL,
    P_CROSS_WITHIN,
    P_SMA_FAST,
    P_SMA_SLOW,
    P_STOP,
    P_TARGET,
    P_BREAKEVEN,
    P_SIDES,
    P_COUNT
};

static const tbs_param_spec_t tb_specs[P_COUNT] = {
    {"lookback", TBS_INT, NULL, "20", NULL},
    {"volume_period", TBS_INT, NULL, "20", NULL},
    {"volume_multiple", TBS_DECIMAL, NULL, "2.0", NULL},
    {"adx_period", TBS_INT, NULL, "14", NULL},
    {"min_adx", TBS_DECIMAL, NULL, "25", NULL},
    {"macd_fast", TBS_INT, NULL, "12", NULL},
    {"macd_slow", TBS_INT, NULL, "26", NULL},
    {"macd_signal", TBS_INT, NULL, "9", NULL},
    {"cross_within", TBS_INT, NULL, "3", NULL},
    {"sma_fast", TBS_INT, NULL, "20", NULL},
    {"sma_slow", TBS_INT, NULL, "50", NULL},
    {"stop_pct", TBS_DECIMAL, NULL, "0.012", NULL},
    {"target_pct", TBS_DECIMAL, NULL, "0.025", NULL},
    {"breakeven_r", TBS_DECIMAL, NULL, "1.0", NULL},
    {"sides", TBS_CHOICE, NULL, "long", TBS_SIDES_CHOICES},
};

#define TAG "technical_breakout"
#define NEVER (1LL << 40) /* bars since a cross that has not happened */

typedef struct tb_symbol {
    char symbol[TBOT_SYMBOL_CAP]; /* first member: see tbs_symbol_slot */
    int ready;                    /* indicators set up */
    tbot_highest_t highest;       /* highs */
    tbot_lowest_t lowest;         /* lows */
    tbot_sma_t volume;            /* volumes */
    tbot_adx_t adx;
    tbot_macd_t macd;
    tbot_sma_t sma_fast, sma_slow; /* closes */
    int extremes_warm, volume_warm; /* after the previous bar's push */
    int has_histogram;
    double histogram;             /* previous bar's MACD - signal */
    long long since_up, since_down; /* bars since the MACD crossed up / down */
    int position;                 /* 1 long, -1 short, 0 flat */
    double entry, stop, initial_stop, target;
} tb_symbol_t;

typedef struct technical_breakout {
    const tbot_host_t *host;
    tbs_param_value_t values[P_COUNT];
    double host_min_rr;
    int symbol_count;
    tb_symbol_t symbols[TBS_MAX_SYMBOLS];
} technical_breakout_t;

#define V(s, k) ((s)->values[k])

static void tb_free_symbol(tb_symbol_t *st) {
    tbot_highest_free(&st->highest);
    tbot_lowest_free(&st->lowest);
    tbot_sma_free(&st->volume);
    tbot_adx_free(&st->adx);
    tbot_macd_free(&st->macd);
    tbot_sma_free(&st->sma_fast);
    tbot_sma_free(&st->sma_slow);
    st->ready = 0;
}

static void tb_clear(technical_breakout_t *s) {
    for (int k = 0; k < s->symbol_count; k++) tb_free_symbol(&s->symbols[k]);
    memset(s->symbols, 0, sizeof s->symbols);
    s->symbol_count = 0;
}

static int tb_setup_symbol(const technical_breakout_t *s, tb_symbol_t *st) {
    int ok = tbot_highest_init(&st->highest, (int)V(s, P_LOOKBACK).i) == 0;
    ok = (tbot_lowest_init(&st->lowest, (int)V(s, P_LOOKBACK).i) == 0) && ok;
    ok = (tbot_sma_init(&st->volume, (int)V(s, P_VOLUME_PERIOD).i) == 0) && ok;
    ok = (tbot_adx_init(&st->adx, (int)V(s, P_ADX_PERIOD).i) == 0) && ok;
    ok = (tbot_macd_init(&st->macd, (int)V(s, P_MACD_FAST).i, (int)V(s, P_MACD_SLOW).i,
                         (int)V(s, P_MACD_SIGNAL).i) == 0) && ok;
    ok = (tbot_sma_init(&st->sma_fast, (int)V(s, P_SMA_FAST).i) == 0) && ok;
    ok = (tbot_sma_init(&st->sma_slow, (int)V(s, P_SMA_SLOW).i) == 0) && ok;
    if (!ok) {
        tb_free_symbol(st);
        return 0;
    }
    st->since_up = st->since_down = NEVER;
    st->ready = 1;
    return 1;
}

static void *tb_create(const tbot_host_t *host, const tbot_params_t *params, char *err,
                       uint32_t err_cap) {
    technical_breakout_t *s = calloc(1, sizeof *s);
    if (s == NULL) {
        tbot_copy_string(err, err_cap, "out of memory");
        return NULL;
    }
    s->host = host;
    if (!tbs_load_params(host, params, tb_specs, P_COUNT, s->values, err, err_cap)) {
        free(s);
        return NULL;
    }
    s->host_min_rr = tbs_host_min_reward_risk(host);
    if (host != NULL && host->log != NULL) {
        char line[TBS_MSG_CAP];
        snprintf(line, sizeof line,
                 "technical_breakout created: lookback=%lld min_adx=%g macd=%lld/%lld/%lld "
                 "sma=%lld/%lld sides=%s",
                 V(s, P_LOOKBACK).i, V(s, P_MIN_ADX).d, V(s, P_MACD_FAST).i,
                 V(s, P_MACD_SLOW).i, V(s, P_MACD_SIGNAL).i, V(s, P_SMA_FAST).i,
                 V(s, P_SMA_SLOW).i, V(s, P_SIDES).text);
        host->log(host->host_ctx, TBOT_LOG_INFO, line);
    }
    return s;
}

static void tb_destroy(void *instance) {
    technical_breakout_t *s = instance;
    if (s == NULL) return;
    tb_clear(s);
    free(s);
}

static int tb_params_invalid(const technical_breakout_t *s, char *msg, size_t cap) {
    const tbs_param_spec_t *p = tb_specs;
    const tbs_param_value_t *v = s->values;
    if (tbs_check_range(p, v, P_LOOKBACK, 1, 0, 1000, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_VOLUME_PERIOD, 1, 0, 1000, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_VOLUME_MULTIPLE, 0, 0, 100, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_ADX_PERIOD, 2, 0, 1000, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_MIN_ADX, 0, 0, 100, 1, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_MACD_FAST, 2, 0, 1000, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_MACD_SLOW, 2, 0, 1000, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_MACD_SIGNAL, 1, 0, 1000, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_CROSS_WITHIN, 1, 0, 1000, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_SMA_FAST, 1, 0, 1000, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_SMA_SLOW, 2, 0, 1000, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_STOP, 0, 1, 0.5, 1, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_TARGET, 0, 1, 0.5, 1, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_BREAKEVEN, 0, 0, 100, 0, msg, cap)) return 1;
    if (v[P_MACD_FAST].i >= v[P_MACD_SLOW].i) {
        snprintf(msg, cap, "macd_fast (%lld) must be less than macd_slow (%lld)",
                 v[P_MACD_FAST].i, v[P_MACD_SLOW].i);
        return 1;
    }
    if (v[P_SMA_FAST].i >= v[P_SMA_SLOW].i) {
        snprintf(msg, cap, "sma_fast (%lld) must be less than sma_slow (%lld)", v[P_SMA_FAST].i,
                 v[P_SMA_SLOW].i);
        return 1;
    }
    if (v[P_TARGET].d < s->host_min_rr * v[P_STOP].d) {
        snprintf(msg, cap,
                 "target_pct (%s) must be at least MIN_REWARD_RISK (%g) times stop_pct (%s): "
                 "the host rejects entries whose target pays less",
                 v[P_TARGET].text, s->host_min_rr, v[P_STOP].text);
        return 1;
    }
    return 0;
}

static tbot_status_t tb_self_check(void *instance, char *reason, uint32_t reason_cap) {
    char msg[TBS_MSG_CAP];
    return tbs_self_check(tb_params_invalid(instance, msg, sizeof msg), msg, reason, reason_cap);
}

static tbot_status_t tb_session_start(void *instance, const tbot_session_t *session, char *err,
                                      uint32_t err_cap) {
    (void)session;
    (void)err;
    (void)err_cap;
    tb_clear(instance);
    return TBOT_OK;
}

static void tb_exit(tb_symbol_t *st, const tbot_intent_sink_t *sink, double price,
                    const char *why) {
    tbs_exit(sink, TAG, st->symbol, &st->position, price, why);
}

static tbot_status_t tb_session_end(void *instance, const tbot_session_t *session,
                                    const tbot_intent_sink_t *sink, char *err, uint32_t err_cap) {
    technical_breakout_t *s = instance;
    (void)session;
    (void)err;
    (void)err_cap;
    if (sink == NULL || sink->emit == NULL) return TBOT_OK;
    for (int k = 0; k < s->symbol_count; k++) {
        if (s->symbols[k].position != 0) tb_exit(&s->symbols[k], sink, 0.0, "session_end");
    }
    return TBOT_OK;
}

/* Stop (at breakeven once moved), target, then the breakeven move for the next bars. */
static void tb_manage(const technical_breakout_t *s, tb_symbol_t *st, const tbot_bar_t *bar,
                      const tbot_intent_sink_t *sink) {
    double close = bar->close;
    int long_side = st->position > 0;
    if (long_side ? close <= st->stop : close >= st->stop) {
        tb_exit(st, sink, close, st->stop == st->entry ? "breakeven_stop" : "stop");
        return;
    }
    if (long_side ? close >= st->target : close <= st->target) {
        tb_exit(st, sink, close, "target");
        return;
    }
    double r = V(s, P_BREAKEVEN).d, risk = fabs(st->entry - st->initial_stop);
    if (r > 0.0 && st->stop != st->entry) {
        if (long_side ? close >= st->entry + r * risk : close <= st->entry - r * risk) {
            st->stop = st->entry;
        }
    }
}

static tbot_status_t tb_on_bar(void *instance, const tbot_bar_t *bar,
                               const tbot_intent_sink_t *sink, char *err, uint32_t err_cap) {
    technical_breakout_t *s = instance;
    char msg[TBS_MSG_CAP];
    if (tb_params_invalid(s, msg, sizeof msg)) {
        tbot_copy_string(err, err_cap, msg);
        return TBOT_ERR_INVALID_ARGUMENT;
    }
    tbot_status_t status = tbs_check_bar(bar, err, err_cap);
    if (status != TBOT_OK) return status;
    if (sink == NULL || sink->emit == NULL) {
        tbot_copy_string(err, err_cap, "on_bar needs a sink");
        return TBOT_ERR_INVALID_ARGUMENT;
    }
    int is_new = 0;
    tb_symbol_t *st = tbs_symbol_slot(s->symbols, sizeof s->symbols[0], &s->symbol_count,
                                      bar->symbol, &is_new, err, err_cap);
    if (st == NULL) return TBOT_ERR_INVALID_ARGUMENT;
    if (is_new && !tb_setup_symbol(s, st)) {
        s->symbol_count--; /* give the slot back; the next bar tries again */
        tbot_copy_string(err, err_cap, "cannot set up the indicators: out of memory");
        return TBOT_ERR_INTERNAL;
    }

    /* The previous bars' extremes and mean volume, read before this bar joins them. */
    int extremes_warm = st->extremes_warm, volume_warm = st->volume_warm;
    double prior_high = st->highest.value, prior_low = st->lowest.value;
    double prior_volume = st->volume.value;
    st->extremes_warm = tbot_highest_push(&st->highest, bar->high);
    (void)tbot_lowest_push(&st->lowest, bar->low);
    st->volume_warm = tbot_sma_push(&st->volume, bar->volume);
    int adx_warm = tbot_adx_push(&st->adx, bar->high, bar->low, bar->close);
    int macd_warm = tbot_macd_push(&st->macd, bar->close);
    int fast_warm = tbot_sma_push(&st->sma_fast, bar->close);
    int slow_warm = tbot_sma_push(&st->sma_slow, bar->close);
    if (macd_warm) {
        double h = st->macd.histogram;
        if (st->has_histogram) {
            st->since_up = st->histogram <= 0.0 && h > 0.0 ? 0 : st->since_up + 1;
            st->since_down = st->histogram >= 0.0 && h < 0.0 ? 0 : st->since_down + 1;
            if (st->since_up > NEVER) st->since_up = NEVER;
            if (st->since_down > NEVER) st->since_down = NEVER;
        }
        st->histogram = h;
        st->has_histogram = 1;
    }

    if (st->position != 0) {
        tb_manage(s, st, bar, sink);
        return TBOT_OK;
    }
    if (!(extremes_warm && volume_warm && adx_warm && macd_warm && fast_warm && slow_warm)) {
        return TBOT_OK; /* warming up */
    }
    double close = bar->close, adx = st->adx.adx;
    double fast = st->sma_fast.value, slow = st->sma_slow.value;
    int volume_ok = bar->volume > V(s, P_VOLUME_MULTIPLE).d * prior_volume;
    int trend = adx > V(s, P_MIN_ADX).d;
    long long within = V(s, P_CROSS_WITHIN).i;
    int side = 0;
    if (tbs_allows_long(V(s, P_SIDES).i) && close > prior_high && volume_ok && trend &&
        st->since_up < within && close > slow && fast > slow) {
        side = 1;
    } else if (tbs_allows_short(V(s, P_SIDES).i) && close < prior_low && volume_ok && trend &&
               st->since_down < within && close < slow && fast < slow) {
        side = -1;
    }
    if (side == 0) return TBOT_OK;
    double stop_pct = V(s, P_STOP).d, target_pct = V(s, P_TARGET).d;
    double stop = side > 0 ? close * (1.0 - stop_pct) : close * (1.0 + stop_pct);
    double target = side > 0 ? close * (1.0 + target_pct) : close * (1.0 - target_pct);
    /* Half confidence at min_adx, full 25 points above it. */
    double confidence = 0.5 + 0.5 * tbs_clamp01((adx - V(s, P_MIN_ADX).d) / 25.0);
    char tag[TBOT_TAG_CAP];
    tbs_tag(tag, sizeof tag, TAG, side > 0 ? "long" : "short");
    if (tbs_emit(sink, TBOT_INTENT_ENTER, side > 0 ? TBOT_SIDE_BUY : TBOT_SIDE_SELL, st->symbol,
                 close, stop, target, confidence, tag) != TBOT_OK) {
        return TBOT_OK;
    }
    st->position = side;
    st->entry = close;
    st->stop = st->initial_stop = stop;
    st->target = target;
    return TBOT_OK;
}

static const tbot_strategy_api_t tb_functions = {
    .size = sizeof(tbot_strategy_api_t),
    .session_start = tb_session_start,
    .on_bar = tb_on_bar,
    .session_end = tb_session_end,
};

static const tbot_plugin_descriptor_t tb_descriptor = {
    .abi_major = TBOT_ABI_VERSION_MAJOR,
    .abi_minor = TBOT_ABI_VERSION_MINOR,
    .size = sizeof(tbot_plugin_descriptor_t),
    .kind = TBOT_KIND_STRATEGY,
    .id = "technical_breakout",
    .name = "Technical breakout",
    .version = "1.0.0",
    .description = "Buys a close above the lookback high on volume, with ADX, a fresh MACD "
                   "cross and an SMA uptrend; fixed stop and target, breakeven after 1R.",
    .create = tb_create,
    .destroy = tb_destroy,
    .self_check = tb_self_check,
    .get_extension = NULL,
    .functions = &tb_functions,
};

TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry(void) {
    return &tb_descriptor;
}
