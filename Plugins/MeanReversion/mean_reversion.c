/*
 * mean_reversion.c - "Strategy 3: Mean Reversion" of the redesign seed's signal engine,
 * for range-bound days, on whatever bars the host delivers.
 *
 * Per symbol, ENTER BUY on a bar close when all hold (sides long or both):
 *   1. RSI(rsi_period) < oversold, or the close is at or below the lower Bollinger band
 *      (bb_period, bb_k);
 *   2. ADX(adx_period) < max_adx (a weak trend, likely a range);
 *   3. the close is near support: within support_pct of the lowest low of the previous
 *      support_lookback bars;
 *   4. a bullish RSI divergence (when require_divergence is true): this bar's low is
 *      below every low of the previous divergence_lookback bars, while its RSI is above
 *      the RSI of the bar that held the lowest of those lows;
 *   5. the bar ends before exit_time, and the middle band pays at least
 *      min_reward_risk times the risk.
 * Stop stop_pct below the support (or below this bar's low when it undercut the
 * support); target the middle band. ENTER SELL is the mirror (sides short or both):
 * RSI > overbought or the close at or above the upper band, near the resistance (the
 * highest high of the previous support_lookback bars), a bearish divergence.
 * Exits on a bar close: through the stop; back to the middle band (its current value);
 * RSI at or past exit_rsi (a short: at or below 100 - exit_rsi); the first bar ending
 * at or after exit_time (UTC, the seed's "close by 3:15 PM"); and at session_end.
 * Nothing is emitted until every indicator is warm; state resets at session start.
 */
#include <tbot_indicators.h>
#include <tbot_plugin_support.h>

enum {
    P_RSI_PERIOD,
    P_OVERSOLD,
    P_OVERBOUGHT,
    P_EXIT_RSI,
    P_BB_PERIOD,
    P_BB_K,
    P_ADX_PERIOD,
    P_MAX_ADX,
    P_SUPPORT_LOOKBACK,
    P_SUPPORT_PCT,
    P_DIV_LOOKBACK,
    P_REQUIRE_DIV,
    P_STOP,
    P_EXIT_TIME,
    P_MIN_RR,
    P_SIDES,
    P_COUNT
};

static const tbs_param_spec_t mr_specs[P_COUNT] = {
    {"rsi_period", TBS_INT, NULL, "14", NULL},
    {"oversold", TBS_DECIMAL, NULL, "30", NULL},
    {"overbought", TBS_DECIMAL, NULL, "70", NULL},
    {"exit_rsi", TBS_DECIMAL, NULL, "50", NULL},
    {"bb_period", TBS_INT, NULL, "20", NULL},
    {"bb_k", TBS_DECIMAL, NULL, "2.0", NULL},
    {"adx_period", TBS_INT, NULL, "14", NULL},
    {"max_adx", TBS_DECIMAL, NULL, "20", NULL},
    {"support_lookback", TBS_INT, NULL, "20", NULL},
    {"support_pct", TBS_DECIMAL, NULL, "0.003", NULL},
    {"divergence_lookback", TBS_INT, NULL, "10", NULL},
    {"require_divergence", TBS_CHOICE, NULL, "true", "false|true"},
    {"stop_pct", TBS_DECIMAL, NULL, "0.01", NULL},
    {"exit_time", TBS_TIME, NULL, "20:15", NULL},
    {"min_reward_risk", TBS_DECIMAL, "MIN_REWARD_RISK", "1.5", NULL},
    {"sides", TBS_CHOICE, NULL, "long", TBS_SIDES_CHOICES},
};

#define TAG "mean_reversion"

/* One previous bar, for the divergence test. */
typedef struct mr_past {
    double low, high, rsi;
} mr_past_t;

typedef struct mr_symbol {
    char symbol[TBOT_SYMBOL_CAP]; /* first member: see tbs_symbol_slot */
    int ready;
    tbot_rsi_t rsi;
    tbot_bbands_t bands;
    tbot_adx_t adx;
    tbot_lowest_t support;    /* lows */
    tbot_highest_t resistance; /* highs */
    int levels_warm;          /* after the previous bar's push */
    mr_past_t *past;          /* ring of the previous divergence_lookback bars */
    long long past_count;     /* bars stored so far (the ring is full at the lookback) */
    int position;             /* 1 long, -1 short, 0 flat */
    double stop;
} mr_symbol_t;

typedef struct mean_reversion {
    const tbot_host_t *host;
    tbs_param_value_t values[P_COUNT];
    double host_min_rr;
    int symbol_count;
    mr_symbol_t symbols[TBS_MAX_SYMBOLS];
} mean_reversion_t;

#define V(s, k) ((s)->values[k])

static void mr_free_symbol(mr_symbol_t *st) {
    tbot_rsi_free(&st->rsi);
    tbot_bbands_free(&st->bands);
    tbot_adx_free(&st->adx);
    tbot_lowest_free(&st->support);
    tbot_highest_free(&st->resistance);
    free(st->past);
    st->past = NULL;
    st->ready = 0;
}

static void mr_clear(mean_reversion_t *s) {
    for (int k = 0; k < s->symbol_count; k++) mr_free_symbol(&s->symbols[k]);
    memset(s->symbols, 0, sizeof s->symbols);
    s->symbol_count = 0;
}

static int mr_setup_symbol(const mean_reversion_t *s, mr_symbol_t *st) {
    double k = V(s, P_BB_K).d;
    int ok = tbot_rsi_init(&st->rsi, (int)V(s, P_RSI_PERIOD).i) == 0;
    ok = (tbot_bbands_init(&st->bands, (int)V(s, P_BB_PERIOD).i, k, k) == 0) && ok;
    ok = (tbot_adx_init(&st->adx, (int)V(s, P_ADX_PERIOD).i) == 0) && ok;
    ok = (tbot_lowest_init(&st->support, (int)V(s, P_SUPPORT_LOOKBACK).i) == 0) && ok;
    ok = (tbot_highest_init(&st->resistance, (int)V(s, P_SUPPORT_LOOKBACK).i) == 0) && ok;
    st->past = calloc((size_t)V(s, P_DIV_LOOKBACK).i, sizeof *st->past);
    if (!ok || st->past == NULL) {
        mr_free_symbol(st);
        return 0;
    }
    st->ready = 1;
    return 1;
}

static void *mr_create(const tbot_host_t *host, const tbot_params_t *params, char *err,
                       uint32_t err_cap) {
    mean_reversion_t *s = calloc(1, sizeof *s);
    if (s == NULL) {
        tbot_copy_string(err, err_cap, "out of memory");
        return NULL;
    }
    s->host = host;
    if (!tbs_load_params(host, params, mr_specs, P_COUNT, s->values, err, err_cap)) {
        free(s);
        return NULL;
    }
    s->host_min_rr = tbs_host_min_reward_risk(host);
    if (host != NULL && host->log != NULL) {
        char line[TBS_MSG_CAP];
        snprintf(line, sizeof line,
                 "mean_reversion created: rsi=%lld (%g/%g) bb=%lld/%g max_adx=%g "
                 "require_divergence=%s exit_time=%s sides=%s",
                 V(s, P_RSI_PERIOD).i, V(s, P_OVERSOLD).d, V(s, P_OVERBOUGHT).d,
                 V(s, P_BB_PERIOD).i, V(s, P_BB_K).d, V(s, P_MAX_ADX).d,
                 V(s, P_REQUIRE_DIV).text, V(s, P_EXIT_TIME).text, V(s, P_SIDES).text);
        host->log(host->host_ctx, TBOT_LOG_INFO, line);
    }
    return s;
}

static void mr_destroy(void *instance) {
    mean_reversion_t *s = instance;
    if (s == NULL) return;
    mr_clear(s);
    free(s);
}

static int mr_params_invalid(const mean_reversion_t *s, char *msg, size_t cap) {
    const tbs_param_spec_t *p = mr_specs;
    const tbs_param_value_t *v = s->values;
    if (tbs_check_range(p, v, P_RSI_PERIOD, 2, 0, 1000, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_OVERSOLD, 0, 1, 50, 1, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_OVERBOUGHT, 50, 1, 100, 1, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_BB_PERIOD, 2, 0, 1000, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_BB_K, 0, 1, 10, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_ADX_PERIOD, 2, 0, 1000, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_MAX_ADX, 0, 1, 100, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_SUPPORT_LOOKBACK, 1, 0, 1000, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_SUPPORT_PCT, 0, 0, 0.1, 1, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_DIV_LOOKBACK, 1, 0, 1000, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_STOP, 0, 1, 0.5, 1, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_MIN_RR, 0, 0, 20, 0, msg, cap)) return 1;
    if (!(v[P_EXIT_RSI].d > v[P_OVERSOLD].d && v[P_EXIT_RSI].d < v[P_OVERBOUGHT].d)) {
        snprintf(msg, cap, "exit_rsi (%s) must be above oversold (%s) and below overbought (%s)",
                 v[P_EXIT_RSI].text, v[P_OVERSOLD].text, v[P_OVERBOUGHT].text);
        return 1;
    }
    if (tbs_check_min_reward_risk(p, v, P_MIN_RR, s->host_min_rr, msg, cap)) return 1;
    return 0;
}

static tbot_status_t mr_self_check(void *instance, char *reason, uint32_t reason_cap) {
    char msg[TBS_MSG_CAP];
    return tbs_self_check(mr_params_invalid(instance, msg, sizeof msg), msg, reason, reason_cap);
}

static tbot_status_t mr_session_start(void *instance, const tbot_session_t *session, char *err,
                                      uint32_t err_cap) {
    (void)session;
    (void)err;
    (void)err_cap;
    mr_clear(instance);
    return TBOT_OK;
}

static void mr_exit(mr_symbol_t *st, const tbot_intent_sink_t *sink, double price,
                    const char *why) {
    tbs_exit(sink, TAG, st->symbol, &st->position, price, why);
}

static tbot_status_t mr_session_end(void *instance, const tbot_session_t *session,
                                    const tbot_intent_sink_t *sink, char *err, uint32_t err_cap) {
    mean_reversion_t *s = instance;
    (void)session;
    (void)err;
    (void)err_cap;
    if (sink == NULL || sink->emit == NULL) return TBOT_OK;
    for (int k = 0; k < s->symbol_count; k++) {
        if (s->symbols[k].position != 0) mr_exit(&s->symbols[k], sink, 0.0, "session_end");
    }
    return TBOT_OK;
}

/* The divergence test over the ring of previous bars: for a long, this low undercuts
 * the lowest previous low while this RSI is above that bar's RSI (the earliest such
 * bar on a tie); a short mirrors it on the highs. */
static int mr_divergence(const mean_reversion_t *s, const mr_symbol_t *st, const tbot_bar_t *bar,
                         double rsi, int long_side) {
    long long n = V(s, P_DIV_LOOKBACK).i;
    if (st->past_count < n) return 0;
    long long oldest = st->past_count % n; /* ring slot of the oldest stored bar */
    const mr_past_t *best = NULL;
    for (long long k = 0; k < n; k++) {
        const mr_past_t *p = &st->past[(oldest + k) % n];
        if (best == NULL || (long_side ? p->low < best->low : p->high > best->high)) best = p;
    }
    if (best == NULL || !isfinite(best->rsi)) return 0;
    return long_side ? bar->low < best->low && rsi > best->rsi
                     : bar->high > best->high && rsi < best->rsi;
}

static void mr_manage(const mean_reversion_t *s, mr_symbol_t *st, const tbot_bar_t *bar,
                      int64_t end, const tbot_intent_sink_t *sink) {
    double close = bar->close, middle = st->bands.middle, rsi = st->rsi.value;
    double exit_rsi = V(s, P_EXIT_RSI).d;
    int long_side = st->position > 0;
    if (long_side ? close <= st->stop : close >= st->stop) {
        mr_exit(st, sink, close, "stop");
    } else if (isfinite(middle) && (long_side ? close >= middle : close <= middle)) {
        mr_exit(st, sink, close, "middle_band");
    } else if (isfinite(rsi) && (long_side ? rsi >= exit_rsi : rsi <= 100.0 - exit_rsi)) {
        mr_exit(st, sink, close, "rsi_exit");
    } else if (end >= tbs_anchor(bar->start_ns, V(s, P_EXIT_TIME).i)) {
        mr_exit(st, sink, close, "time_exit");
    }
}

static void mr_try_entry(const mean_reversion_t *s, mr_symbol_t *st, const tbot_bar_t *bar,
                         double support, double resistance, const tbot_intent_sink_t *sink) {
    double close = bar->close, rsi = st->rsi.value, adx = st->adx.adx;
    double near = V(s, P_SUPPORT_PCT).d, stop_pct = V(s, P_STOP).d;
    int require_div = V(s, P_REQUIRE_DIV).i == 1;
    if (!(adx < V(s, P_MAX_ADX).d)) return;
    int side = 0;
    double stop = 0.0;
    if (tbs_allows_long(V(s, P_SIDES).i) &&
        (rsi < V(s, P_OVERSOLD).d || close <= st->bands.lower) &&
        fabs(close - support) <= near * support &&
        (!require_div || mr_divergence(s, st, bar, rsi, 1))) {
        side = 1;
        stop = (bar->low < support ? bar->low : support) * (1.0 - stop_pct);
    } else if (tbs_allows_short(V(s, P_SIDES).i) &&
               (rsi > V(s, P_OVERBOUGHT).d || close >= st->bands.upper) &&
               fabs(close - resistance) <= near * resistance &&
               (!require_div || mr_divergence(s, st, bar, rsi, 0))) {
        side = -1;
        stop = (bar->high > resistance ? bar->high : resistance) * (1.0 + stop_pct);
    }
    if (side == 0) return;
    double target = st->bands.middle;
    double reward = side > 0 ? target - close : close - target;
    double risk = fabs(close - stop);
    if (!(reward > 0.0) || reward < V(s, P_MIN_RR).d * risk) return; /* does not pay */
    double oversold = V(s, P_OVERSOLD).d;
    double depth = side > 0 ? (oversold - rsi) / oversold
                            : (rsi - V(s, P_OVERBOUGHT).d) / (100.0 - V(s, P_OVERBOUGHT).d);
    double confidence = 0.5 + 0.5 * tbs_clamp01(depth);
    char tag[TBOT_TAG_CAP];
    tbs_tag(tag, sizeof tag, TAG, side > 0 ? "long" : "short");
    if (tbs_emit(sink, TBOT_INTENT_ENTER, side > 0 ? TBOT_SIDE_BUY : TBOT_SIDE_SELL, st->symbol,
                 close, stop, target, confidence, tag) != TBOT_OK) {
        return;
    }
    st->position = side;
    st->stop = stop;
}

static tbot_status_t mr_on_bar(void *instance, const tbot_bar_t *bar,
                               const tbot_intent_sink_t *sink, char *err, uint32_t err_cap) {
    mean_reversion_t *s = instance;
    char msg[TBS_MSG_CAP];
    if (mr_params_invalid(s, msg, sizeof msg)) {
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
    mr_symbol_t *st = tbs_symbol_slot(s->symbols, sizeof s->symbols[0], &s->symbol_count,
                                      bar->symbol, &is_new, err, err_cap);
    if (st == NULL) return TBOT_ERR_INVALID_ARGUMENT;
    if (is_new && !mr_setup_symbol(s, st)) {
        s->symbol_count--; /* give the slot back; the next bar tries again */
        tbot_copy_string(err, err_cap, "cannot set up the indicators: out of memory");
        return TBOT_ERR_INTERNAL;
    }

    /* Support and resistance of the previous bars, read before this bar joins them. */
    int levels_warm = st->levels_warm;
    double support = st->support.value, resistance = st->resistance.value;
    int rsi_warm = tbot_rsi_push(&st->rsi, bar->close);
    int bands_warm = tbot_bbands_push(&st->bands, bar->close);
    int adx_warm = tbot_adx_push(&st->adx, bar->high, bar->low, bar->close);
    st->levels_warm = tbot_lowest_push(&st->support, bar->low);
    (void)tbot_highest_push(&st->resistance, bar->high);

    int64_t end = tbs_bar_end(s->host, bar);
    if (st->position != 0) {
        mr_manage(s, st, bar, end, sink);
    } else if (levels_warm && rsi_warm && bands_warm && adx_warm &&
               end < tbs_anchor(bar->start_ns, V(s, P_EXIT_TIME).i)) {
        mr_try_entry(s, st, bar, support, resistance, sink);
    }

    /* This bar joins the divergence ring after the decision: the ring holds previous bars. */
    long long n = V(s, P_DIV_LOOKBACK).i;
    mr_past_t *slot = &st->past[st->past_count % n];
    slot->low = bar->low;
    slot->high = bar->high;
    slot->rsi = rsi_warm ? st->rsi.value : NAN;
    st->past_count++;
    return TBOT_OK;
}

static const tbot_strategy_api_t mr_functions = {
    .size = sizeof(tbot_strategy_api_t),
    .session_start = mr_session_start,
    .on_bar = mr_on_bar,
    .session_end = mr_session_end,
};

static const tbot_plugin_descriptor_t mr_descriptor = {
    .abi_major = TBOT_ABI_VERSION_MAJOR,
    .abi_minor = TBOT_ABI_VERSION_MINOR,
    .size = sizeof(tbot_plugin_descriptor_t),
    .kind = TBOT_KIND_STRATEGY,
    .id = "mean_reversion",
    .name = "Mean reversion",
    .version = "1.0.0",
    .description = "Buys an oversold close near support in a weak trend with a bullish RSI "
                   "divergence; exits at the middle band, RSI 50, the stop or exit_time.",
    .create = mr_create,
    .destroy = mr_destroy,
    .self_check = mr_self_check,
    .get_extension = NULL,
    .functions = &mr_functions,
};

TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry(void) {
    return &mr_descriptor;
}
