/*
 * vwap_reversion.c - the seed's MID strategy (strategy_mid.py): VWAP mean reversion.
 *
 * Per symbol and UTC day:
 *   VWAP      the session VWAP (tbot_vwap_t) of the bars that start at or after
 *             vwap_start on the bar's UTC date, the current bar included.
 *   analysis  [start_time, + analysis_minutes): nothing is signalled (the seed's "minutes
 *             before the trade signal is evaluated").
 *   breakout  [end of analysis, + breakout_minutes), one entry per symbol and day: a bar
 *             that closes at least threshold_pct below the VWAP gives ENTER BUY, one at
 *             least threshold_pct above gives ENTER SELL. The target is the VWAP, the stop
 *             stop_pct beyond the close. An entry whose target pays less than
 *             min_reward_risk times its risk is not taken (the host would reject it); a
 *             later bar of the window may still qualify.
 *   position  EXIT when a bar closes through the stop, when it closes at or across the
 *             VWAP (the VWAP touch), or when monitoring_minutes have passed since the
 *             entry bar closed. Also at session_end and on a new UTC day.
 * The seed confirms these entries with the ADX and Bollinger filters: pair it with
 * adx_filter and bollinger_confluence (tags = "vwap_reversion").
 */
#include <tbot_indicators.h>
#include <tbot_plugin_support.h>

enum {
    P_START,
    P_ANALYSIS,
    P_BREAKOUT,
    P_MONITORING,
    P_THRESHOLD,
    P_STOP,
    P_VWAP_START,
    P_MIN_RR,
    P_SIDES,
    P_COUNT
};

static const tbs_param_spec_t vr_specs[P_COUNT] = {
    {"start_time", TBS_TIME, "START_TIME_MID", "15:30", NULL},
    {"analysis_minutes", TBS_INT, "MID_ANALYSIS_TIME", "10", NULL},
    {"breakout_minutes", TBS_INT, "MID_BREAKOUT_TIME", "10", NULL},
    {"monitoring_minutes", TBS_INT, "MID_MONITORING_TIME", "45", NULL},
    {"threshold_pct", TBS_DECIMAL, "STRAT_MID_VWAP_THRESHOLD", "0.02", NULL},
    {"stop_pct", TBS_DECIMAL, NULL, "0.015", NULL},
    {"vwap_start", TBS_TIME, "START_TIME_OPEN", "14:30", NULL},
    {"min_reward_risk", TBS_DECIMAL, "MIN_REWARD_RISK", "1.5", NULL},
    {"sides", TBS_CHOICE, NULL, "both", TBS_SIDES_CHOICES},
};

#define TAG "vwap_reversion"

typedef struct vr_symbol {
    char symbol[TBOT_SYMBOL_CAP]; /* first member: see tbs_symbol_slot */
    int64_t day;
    tbot_vwap_t vwap;
    int has_vwap; /* a bar at or after vwap_start was pushed today */
    int traded;
    int position; /* 1 long, -1 short, 0 flat */
    double stop;
    int64_t entered_ns;
} vr_symbol_t;

typedef struct vwap_reversion {
    const tbot_host_t *host;
    tbs_param_value_t values[P_COUNT];
    double host_min_rr;
    int symbol_count;
    vr_symbol_t symbols[TBS_MAX_SYMBOLS];
} vwap_reversion_t;

#define V(s, k) ((s)->values[k])

static void *vr_create(const tbot_host_t *host, const tbot_params_t *params, char *err,
                       uint32_t err_cap) {
    vwap_reversion_t *s = calloc(1, sizeof *s);
    if (s == NULL) {
        tbot_copy_string(err, err_cap, "out of memory");
        return NULL;
    }
    s->host = host;
    if (!tbs_load_params(host, params, vr_specs, P_COUNT, s->values, err, err_cap)) {
        free(s);
        return NULL;
    }
    s->host_min_rr = tbs_host_min_reward_risk(host);
    if (host != NULL && host->log != NULL) {
        char line[TBS_MSG_CAP];
        snprintf(line, sizeof line,
                 "vwap_reversion created: start_time=%s analysis=%lld breakout=%lld "
                 "monitoring=%lld threshold_pct=%g stop_pct=%g vwap_start=%s",
                 V(s, P_START).text, V(s, P_ANALYSIS).i, V(s, P_BREAKOUT).i,
                 V(s, P_MONITORING).i, V(s, P_THRESHOLD).d, V(s, P_STOP).d,
                 V(s, P_VWAP_START).text);
        host->log(host->host_ctx, TBOT_LOG_INFO, line);
    }
    return s;
}

static void vr_destroy(void *instance) {
    free(instance); /* tbot_vwap_t holds no buffer */
}

static int vr_params_invalid(const vwap_reversion_t *s, char *msg, size_t cap) {
    const tbs_param_spec_t *p = vr_specs;
    const tbs_param_value_t *v = s->values;
    if (tbs_check_range(p, v, P_ANALYSIS, 1, 0, 390, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_BREAKOUT, 1, 0, 390, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_MONITORING, 1, 0, 390, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_THRESHOLD, 0, 1, 0.5, 1, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_STOP, 0, 1, 0.5, 1, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_MIN_RR, 0, 0, 20, 0, msg, cap)) return 1;
    if (v[P_START].i + v[P_ANALYSIS].i + v[P_BREAKOUT].i > 24 * 60) {
        snprintf(msg, cap,
                 "start_time (%s) plus analysis_minutes (%lld) and breakout_minutes (%lld) must "
                 "end by 24:00 UTC: the windows are anchored on the bar's UTC date",
                 v[P_START].text, v[P_ANALYSIS].i, v[P_BREAKOUT].i);
        return 1;
    }
    if (v[P_VWAP_START].i > v[P_START].i) {
        snprintf(msg, cap,
                 "vwap_start (%s) must not be after start_time (%s): the VWAP must exist before "
                 "the strategy signals",
                 v[P_VWAP_START].text, v[P_START].text);
        return 1;
    }
    if (tbs_check_min_reward_risk(p, v, P_MIN_RR, s->host_min_rr, msg, cap)) return 1;
    return 0;
}

static tbot_status_t vr_self_check(void *instance, char *reason, uint32_t reason_cap) {
    char msg[TBS_MSG_CAP];
    return tbs_self_check(vr_params_invalid(instance, msg, sizeof msg), msg, reason, reason_cap);
}

static tbot_status_t vr_session_start(void *instance, const tbot_session_t *session, char *err,
                                      uint32_t err_cap) {
    vwap_reversion_t *s = instance;
    (void)session;
    (void)err;
    (void)err_cap;
    memset(s->symbols, 0, sizeof s->symbols);
    s->symbol_count = 0;
    return TBOT_OK;
}

static void vr_exit(vr_symbol_t *st, const tbot_intent_sink_t *sink, double price,
                    const char *why) {
    tbs_exit(sink, TAG, st->symbol, &st->position, price, why);
}

static tbot_status_t vr_session_end(void *instance, const tbot_session_t *session,
                                    const tbot_intent_sink_t *sink, char *err, uint32_t err_cap) {
    vwap_reversion_t *s = instance;
    (void)session;
    (void)err;
    (void)err_cap;
    if (sink == NULL || sink->emit == NULL) return TBOT_OK;
    for (int k = 0; k < s->symbol_count; k++) {
        if (s->symbols[k].position != 0) vr_exit(&s->symbols[k], sink, 0.0, "session_end");
    }
    return TBOT_OK;
}

/* Stop, then the VWAP touch, then the timeout. */
static void vr_manage(const vwap_reversion_t *s, vr_symbol_t *st, const tbot_bar_t *bar,
                      int64_t end, const tbot_intent_sink_t *sink) {
    double close = bar->close, vwap = st->vwap.value;
    int long_side = st->position > 0;
    if (long_side ? close <= st->stop : close >= st->stop) {
        vr_exit(st, sink, close, "stop");
    } else if (st->has_vwap && (long_side ? close >= vwap : close <= vwap)) {
        vr_exit(st, sink, close, "vwap_touch");
    } else if (end >= st->entered_ns + V(s, P_MONITORING).i * TBS_NS_PER_MINUTE) {
        vr_exit(st, sink, close, "timeout");
    }
}

static void vr_try_entry(const vwap_reversion_t *s, vr_symbol_t *st, const tbot_bar_t *bar,
                         int64_t end, const tbot_intent_sink_t *sink) {
    double close = bar->close, vwap = st->vwap.value;
    double threshold = V(s, P_THRESHOLD).d, stop_pct = V(s, P_STOP).d;
    double deviation = (close - vwap) / vwap;
    int side = 0;
    if (deviation <= -threshold && tbs_allows_long(V(s, P_SIDES).i)) side = 1;
    if (deviation >= threshold && tbs_allows_short(V(s, P_SIDES).i)) side = -1;
    if (side == 0) return;
    double stop = side > 0 ? close * (1.0 - stop_pct) : close * (1.0 + stop_pct);
    double reward = fabs(vwap - close), risk = fabs(close - stop);
    if (reward < V(s, P_MIN_RR).d * risk) return; /* the VWAP is too close to pay */
    /* Half confidence at the threshold, full at twice it. */
    double confidence = 0.5 + 0.5 * tbs_clamp01((fabs(deviation) - threshold) / threshold);
    char tag[TBOT_TAG_CAP];
    tbs_tag(tag, sizeof tag, TAG, side > 0 ? "long" : "short");
    st->traded = 1;
    if (tbs_emit(sink, TBOT_INTENT_ENTER, side > 0 ? TBOT_SIDE_BUY : TBOT_SIDE_SELL, st->symbol,
                 close, stop, vwap, confidence, tag) != TBOT_OK) {
        return;
    }
    st->position = side;
    st->stop = stop;
    st->entered_ns = end;
}

static tbot_status_t vr_on_bar(void *instance, const tbot_bar_t *bar,
                               const tbot_intent_sink_t *sink, char *err, uint32_t err_cap) {
    vwap_reversion_t *s = instance;
    char msg[TBS_MSG_CAP];
    if (vr_params_invalid(s, msg, sizeof msg)) {
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
    vr_symbol_t *st = tbs_symbol_slot(s->symbols, sizeof s->symbols[0], &s->symbol_count,
                                      bar->symbol, &is_new, err, err_cap);
    if (st == NULL) return TBOT_ERR_INVALID_ARGUMENT;

    int64_t day = tbs_day(bar->start_ns);
    if (is_new || day != st->day) {
        if (!is_new && st->position != 0) vr_exit(st, sink, bar->open, "new_day");
        char keep[TBOT_SYMBOL_CAP];
        memcpy(keep, st->symbol, sizeof keep);
        memset(st, 0, sizeof *st);
        memcpy(st->symbol, keep, sizeof keep);
        st->day = day;
        (void)tbot_vwap_init(&st->vwap); /* cannot fail on a valid pointer */
    }
    if (bar->start_ns >= tbs_anchor(bar->start_ns, V(s, P_VWAP_START).i) &&
        tbot_vwap_push(&st->vwap, bar->high, bar->low, bar->close, bar->volume)) {
        st->has_vwap = 1;
    }

    int64_t end = tbs_bar_end(s->host, bar);
    if (st->position != 0) {
        vr_manage(s, st, bar, end, sink);
        return TBOT_OK;
    }
    int64_t start = tbs_anchor(bar->start_ns, V(s, P_START).i);
    int64_t analysis_end = start + V(s, P_ANALYSIS).i * TBS_NS_PER_MINUTE;
    int64_t breakout_end = analysis_end + V(s, P_BREAKOUT).i * TBS_NS_PER_MINUTE;
    if (bar->start_ns >= analysis_end && bar->start_ns < breakout_end && st->has_vwap &&
        !st->traded) {
        vr_try_entry(s, st, bar, end, sink);
    }
    return TBOT_OK;
}

static const tbot_strategy_api_t vr_functions = {
    .size = sizeof(tbot_strategy_api_t),
    .session_start = vr_session_start,
    .on_bar = vr_on_bar,
    .session_end = vr_session_end,
};

static const tbot_plugin_descriptor_t vr_descriptor = {
    .abi_major = TBOT_ABI_VERSION_MAJOR,
    .abi_minor = TBOT_ABI_VERSION_MINOR,
    .size = sizeof(tbot_plugin_descriptor_t),
    .kind = TBOT_KIND_STRATEGY,
    .id = "vwap_reversion",
    .name = "VWAP mean reversion",
    .version = "1.0.0",
    .description = "Fades a close threshold_pct away from the session VWAP back to it; exits "
                   "at the VWAP touch, the stop or after monitoring_minutes.",
    .create = vr_create,
    .destroy = vr_destroy,
    .self_check = vr_self_check,
    .get_extension = NULL,
    .functions = &vr_functions,
};

TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry(void) {
    return &vr_descriptor;
}
