/*
 * close_momentum.c - the seed's CLOSE strategy (strategy_close.py): end-of-day
 * momentum or fade.
 *
 * Per symbol and UTC day, with windows anchored at start_time on the bar's UTC date:
 *   analysis  [start, start + analysis_minutes): the window's first open, last close,
 *             high and low. Its move is (last close - first open) / first open.
 *   breakout  [end of analysis, + breakout_minutes), one entry per symbol and day, the
 *             first rule that matches on a bar close:
 *     momentum (mode momentum or both): the move is at least min_move_pct and the bar
 *             closes above the analysis high: ENTER BUY; the move is at most
 *             -min_move_pct and the bar closes below the analysis low: ENTER SELL.
 *     fade     (mode fade or both): the bar's high spikes above the analysis high by
 *             more than spike_pct and it closes back below that high: ENTER SELL; the
 *             mirror (low spike, close back above the low): ENTER BUY.
 *   position  EXIT when a bar closes through the fixed stop (stop_pct from the entry
 *             close), when monitoring_minutes have passed since the entry bar closed,
 *             or at the hard exit: the first bar that ends at or after exit_time.
 *             Also at session_end and on a new UTC day.
 * The seed gates every close entry on VIX > STRAT_CLOSE_VIX_THRESHOLD: pair this
 * strategy with the vix_gatekeeper filter (tags = "close_momentum"); a strategy sees
 * no VIX. Target = reward_risk times the stop distance, for the host's reward:risk
 * rule; the seed's exits are the stop, the timeout and the hard exit.
 */
#include <tbot_plugin_support.h>

enum {
    P_START,
    P_ANALYSIS,
    P_BREAKOUT,
    P_MONITORING,
    P_EXIT_TIME,
    P_MODE,
    P_MIN_MOVE,
    P_SPIKE,
    P_STOP,
    P_REWARD,
    P_SIDES,
    P_COUNT
};

#define MODE_BOTH 0
#define MODE_MOMENTUM 1
#define MODE_FADE 2

static const tbs_param_spec_t cm_specs[P_COUNT] = {
    {"start_time", TBS_TIME, "START_TIME_CLOSE", "19:30", NULL},
    {"analysis_minutes", TBS_INT, "CLOSE_ANALYSIS_TIME", "10", NULL},
    {"breakout_minutes", TBS_INT, "CLOSE_BREAKOUT_TIME", "10", NULL},
    {"monitoring_minutes", TBS_INT, "CLOSE_MONITORING_TIME", "30", NULL},
    {"exit_time", TBS_TIME, NULL, "20:50", NULL},
    {"mode", TBS_CHOICE, NULL, "both", "both|momentum|fade"},
    {"min_move_pct", TBS_DECIMAL, NULL, "0.002", NULL},
    {"spike_pct", TBS_DECIMAL, NULL, "0.001", NULL},
    {"stop_pct", TBS_DECIMAL, NULL, "0.02", NULL},
    {"reward_risk", TBS_DECIMAL, NULL, "2.0", NULL},
    {"sides", TBS_CHOICE, NULL, "both", TBS_SIDES_CHOICES},
};

#define TAG "close_momentum"

typedef struct cm_symbol {
    char symbol[TBOT_SYMBOL_CAP]; /* first member: see tbs_symbol_slot */
    int64_t day;
    int window_bars; /* bars in the analysis window so far */
    double first_open, last_close, high, low;
    int traded;
    int position; /* 1 long, -1 short, 0 flat */
    double stop;
    int64_t entered_ns;
} cm_symbol_t;

typedef struct close_momentum {
    const tbot_host_t *host;
    tbs_param_value_t values[P_COUNT];
    double min_reward_risk;
    int symbol_count;
    cm_symbol_t symbols[TBS_MAX_SYMBOLS];
} close_momentum_t;

#define V(s, k) ((s)->values[k])

static void *cm_create(const tbot_host_t *host, const tbot_params_t *params, char *err,
                       uint32_t err_cap) {
    close_momentum_t *s = calloc(1, sizeof *s);
    if (s == NULL) {
        tbot_copy_string(err, err_cap, "out of memory");
        return NULL;
    }
    s->host = host;
    if (!tbs_load_params(host, params, cm_specs, P_COUNT, s->values, err, err_cap)) {
        free(s);
        return NULL;
    }
    s->min_reward_risk = tbs_host_min_reward_risk(host);
    if (host != NULL && host->log != NULL) {
        char line[TBS_MSG_CAP];
        snprintf(line, sizeof line,
                 "close_momentum created: start_time=%s analysis=%lld breakout=%lld "
                 "monitoring=%lld exit_time=%s mode=%s",
                 V(s, P_START).text, V(s, P_ANALYSIS).i, V(s, P_BREAKOUT).i,
                 V(s, P_MONITORING).i, V(s, P_EXIT_TIME).text, V(s, P_MODE).text);
        host->log(host->host_ctx, TBOT_LOG_INFO, line);
    }
    return s;
}

static void cm_destroy(void *instance) {
    free(instance);
}

static int cm_params_invalid(const close_momentum_t *s, char *msg, size_t cap) {
    const tbs_param_spec_t *p = cm_specs;
    const tbs_param_value_t *v = s->values;
    if (tbs_check_range(p, v, P_ANALYSIS, 1, 0, 390, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_BREAKOUT, 1, 0, 390, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_MONITORING, 1, 0, 390, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_MIN_MOVE, 0, 0, 0.5, 1, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_SPIKE, 0, 0, 0.5, 1, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_STOP, 0, 1, 0.5, 1, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_REWARD, 0, 1, 20, 0, msg, cap)) return 1;
    long long breakout_end = v[P_START].i + v[P_ANALYSIS].i + v[P_BREAKOUT].i;
    if (breakout_end > 24 * 60) {
        snprintf(msg, cap,
                 "start_time (%s) plus analysis_minutes (%lld) and breakout_minutes (%lld) must "
                 "end by 24:00 UTC: the windows are anchored on the bar's UTC date",
                 v[P_START].text, v[P_ANALYSIS].i, v[P_BREAKOUT].i);
        return 1;
    }
    if (v[P_EXIT_TIME].i < breakout_end) {
        snprintf(msg, cap,
                 "exit_time (%s) must not be before the end of the breakout window (start_time "
                 "%s + analysis_minutes %lld + breakout_minutes %lld)",
                 v[P_EXIT_TIME].text, v[P_START].text, v[P_ANALYSIS].i, v[P_BREAKOUT].i);
        return 1;
    }
    if (tbs_check_min_reward_risk(p, v, P_REWARD, s->min_reward_risk, msg, cap)) return 1;
    if (v[P_REWARD].d * v[P_STOP].d >= 1.0) {
        snprintf(msg, cap,
                 "reward_risk (%s) times stop_pct (%s) must be less than 1: a short's target "
                 "would be at or below 0",
                 v[P_REWARD].text, v[P_STOP].text);
        return 1;
    }
    return 0;
}

static tbot_status_t cm_self_check(void *instance, char *reason, uint32_t reason_cap) {
    char msg[TBS_MSG_CAP];
    return tbs_self_check(cm_params_invalid(instance, msg, sizeof msg), msg, reason, reason_cap);
}

static tbot_status_t cm_session_start(void *instance, const tbot_session_t *session, char *err,
                                      uint32_t err_cap) {
    close_momentum_t *s = instance;
    (void)session;
    (void)err;
    (void)err_cap;
    memset(s->symbols, 0, sizeof s->symbols);
    s->symbol_count = 0;
    return TBOT_OK;
}

static void cm_exit(cm_symbol_t *st, const tbot_intent_sink_t *sink, double price,
                    const char *why) {
    tbs_exit(sink, TAG, st->symbol, &st->position, price, why);
}

static tbot_status_t cm_session_end(void *instance, const tbot_session_t *session,
                                    const tbot_intent_sink_t *sink, char *err, uint32_t err_cap) {
    close_momentum_t *s = instance;
    (void)session;
    (void)err;
    (void)err_cap;
    if (sink == NULL || sink->emit == NULL) return TBOT_OK;
    for (int k = 0; k < s->symbol_count; k++) {
        if (s->symbols[k].position != 0) cm_exit(&s->symbols[k], sink, 0.0, "session_end");
    }
    return TBOT_OK;
}

/* Stop, then the hard exit, then the timeout. */
static void cm_manage(const close_momentum_t *s, cm_symbol_t *st, const tbot_bar_t *bar,
                      int64_t end, const tbot_intent_sink_t *sink) {
    if (st->position > 0 ? bar->close <= st->stop : bar->close >= st->stop) {
        cm_exit(st, sink, bar->close, "stop");
    } else if (end >= tbs_anchor(bar->start_ns, V(s, P_EXIT_TIME).i)) {
        cm_exit(st, sink, bar->close, "hard_exit");
    } else if (end >= st->entered_ns + V(s, P_MONITORING).i * TBS_NS_PER_MINUTE) {
        cm_exit(st, sink, bar->close, "timeout");
    }
}

static void cm_try_entry(const close_momentum_t *s, cm_symbol_t *st, const tbot_bar_t *bar,
                         int64_t end, const tbot_intent_sink_t *sink) {
    long long mode = V(s, P_MODE).i, sides = V(s, P_SIDES).i;
    double min_move = V(s, P_MIN_MOVE).d, spike = V(s, P_SPIKE).d;
    double move = (st->last_close - st->first_open) / st->first_open;
    double close = bar->close;
    int side = 0;
    const char *why = NULL;
    double strength = 0.0; /* for the confidence: how far past the rule's level */
    if (mode != MODE_FADE) {
        if (move >= min_move && close > st->high && tbs_allows_long(sides)) {
            side = 1;
            why = "momentum_long";
            strength = (close - st->high) / st->high;
        } else if (move <= -min_move && close < st->low && tbs_allows_short(sides)) {
            side = -1;
            why = "momentum_short";
            strength = (st->low - close) / st->low;
        }
    }
    if (side == 0 && mode != MODE_MOMENTUM) {
        if (bar->high > st->high * (1.0 + spike) && close < st->high && tbs_allows_short(sides)) {
            side = -1;
            why = "fade_short";
            strength = (bar->high - close) / close;
        } else if (bar->low < st->low * (1.0 - spike) && close > st->low &&
                   tbs_allows_long(sides)) {
            side = 1;
            why = "fade_long";
            strength = (close - bar->low) / close;
        }
    }
    if (side == 0) return;
    /* Half confidence at the level, full 0.5% past it. */
    double confidence = 0.5 + 0.5 * tbs_clamp01(strength / 0.005);
    double stop_pct = V(s, P_STOP).d, reward = V(s, P_REWARD).d;
    double stop = side > 0 ? close * (1.0 - stop_pct) : close * (1.0 + stop_pct);
    double target = side > 0 ? close + reward * (close - stop) : close - reward * (stop - close);
    char tag[TBOT_TAG_CAP];
    tbs_tag(tag, sizeof tag, TAG, why);
    st->traded = 1;
    if (tbs_emit(sink, TBOT_INTENT_ENTER, side > 0 ? TBOT_SIDE_BUY : TBOT_SIDE_SELL, st->symbol,
                 close, stop, target, confidence, tag) != TBOT_OK) {
        return;
    }
    st->position = side;
    st->stop = stop;
    st->entered_ns = end;
}

static tbot_status_t cm_on_bar(void *instance, const tbot_bar_t *bar,
                               const tbot_intent_sink_t *sink, char *err, uint32_t err_cap) {
    close_momentum_t *s = instance;
    char msg[TBS_MSG_CAP];
    if (cm_params_invalid(s, msg, sizeof msg)) {
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
    cm_symbol_t *st = tbs_symbol_slot(s->symbols, sizeof s->symbols[0], &s->symbol_count,
                                      bar->symbol, &is_new, err, err_cap);
    if (st == NULL) return TBOT_ERR_INVALID_ARGUMENT;

    int64_t day = tbs_day(bar->start_ns);
    if (is_new || day != st->day) {
        if (!is_new && st->position != 0) cm_exit(st, sink, bar->open, "new_day");
        char keep[TBOT_SYMBOL_CAP];
        memcpy(keep, st->symbol, sizeof keep);
        memset(st, 0, sizeof *st);
        memcpy(st->symbol, keep, sizeof keep);
        st->day = day;
    }

    int64_t end = tbs_bar_end(s->host, bar);
    if (st->position != 0) {
        cm_manage(s, st, bar, end, sink);
        return TBOT_OK;
    }
    int64_t start = tbs_anchor(bar->start_ns, V(s, P_START).i);
    int64_t analysis_end = start + V(s, P_ANALYSIS).i * TBS_NS_PER_MINUTE;
    int64_t breakout_end = analysis_end + V(s, P_BREAKOUT).i * TBS_NS_PER_MINUTE;
    if (bar->start_ns >= start && bar->start_ns < analysis_end) {
        if (st->window_bars == 0) {
            st->first_open = bar->open > 0.0 ? bar->open : bar->close;
            st->high = bar->high;
            st->low = bar->low;
        }
        if (bar->high > st->high) st->high = bar->high;
        if (bar->low < st->low) st->low = bar->low;
        st->last_close = bar->close;
        st->window_bars++;
    } else if (bar->start_ns >= analysis_end && bar->start_ns < breakout_end &&
               st->window_bars > 0 && !st->traded &&
               end < tbs_anchor(bar->start_ns, V(s, P_EXIT_TIME).i)) {
        cm_try_entry(s, st, bar, end, sink);
    }
    return TBOT_OK;
}

static const tbot_strategy_api_t cm_functions = {
    .size = sizeof(tbot_strategy_api_t),
    .session_start = cm_session_start,
    .on_bar = cm_on_bar,
    .session_end = cm_session_end,
};

static const tbot_plugin_descriptor_t cm_descriptor = {
    .abi_major = TBOT_ABI_VERSION_MAJOR,
    .abi_minor = TBOT_ABI_VERSION_MINOR,
    .size = sizeof(tbot_plugin_descriptor_t),
    .kind = TBOT_KIND_STRATEGY,
    .id = "close_momentum",
    .name = "End-of-day momentum / fade",
    .version = "1.0.0",
    .description = "Late-day momentum beyond the analysis range, or a fade of a spike back "
                   "into it; fixed stop, timeout and hard exit before the close.",
    .create = cm_create,
    .destroy = cm_destroy,
    .self_check = cm_self_check,
    .get_extension = NULL,
    .functions = &cm_functions,
};

TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry(void) {
    return &cm_descriptor;
}
