/*
 * open_range_breakout.c - the seed's OPEN strategy (strategy_open.py): opening range
 * breakout.
 *
 * Per symbol and UTC day, with windows anchored at start_time on the bar's UTC date:
 *   analysis  [start, start + analysis_minutes): track the range's high and low
 *             (every bar that starts in the window);
 *   breakout  [end of analysis, + breakout_minutes): ENTER BUY when a bar closes above
 *             high * (1 + buffer_pct), ENTER SELL when it closes below
 *             low * (1 - buffer_pct); one entry per symbol and day;
 *   position  EXIT when a bar closes through the trailing stop (trail_pct from the best
 *             price since entry: the highest high of a long, the lowest low of a short,
 *             starting at the entry close), or when monitoring_minutes have passed since
 *             the entry bar closed; also at session_end and on a new UTC day.
 * Decisions are taken on the bar close; the host fills them (in a backtest, at the next
 * bar's open). Every ENTER carries the trailing level at entry as stop_price and a
 * target reward_risk times that risk away; the target is the expected reward, for the
 * host's reward:risk rule, not an exit (the seed exits on the trailing stop or timeout).
 * The strategy never sizes and reads time only from bars.
 */
#include <tbot_plugin_support.h>

enum {
    P_START,
    P_ANALYSIS,
    P_BREAKOUT,
    P_MONITORING,
    P_BUFFER,
    P_TRAIL,
    P_REWARD,
    P_SIDES,
    P_COUNT
};

static const tbs_param_spec_t orb_specs[P_COUNT] = {
    {"start_time", TBS_TIME, "START_TIME_OPEN", "14:30", NULL},
    {"analysis_minutes", TBS_INT, "OPEN_ANALYSIS_TIME", "20", NULL},
    {"breakout_minutes", TBS_INT, "OPEN_BREAKOUT_TIME", "10", NULL},
    {"monitoring_minutes", TBS_INT, "OPEN_MONITORING_TIME", "30", NULL},
    {"buffer_pct", TBS_DECIMAL, "STRAT_OPEN_BUFFER", "0.02", NULL},
    {"trail_pct", TBS_DECIMAL, NULL, "0.02", NULL},
    {"reward_risk", TBS_DECIMAL, NULL, "2.0", NULL},
    {"sides", TBS_CHOICE, NULL, "both", TBS_SIDES_CHOICES},
};

#define TAG "open_range_breakout"

typedef struct orb_symbol {
    char symbol[TBOT_SYMBOL_CAP]; /* first member: see tbs_symbol_slot */
    int64_t day;                  /* UTC day the fields below belong to */
    int range_bars;               /* bars in the analysis window so far */
    double range_high;
    double range_low;
    int traded;                   /* an entry was emitted this day */
    int position;                 /* 1 long, -1 short, 0 flat */
    double entry;
    double best;                  /* highest high (long) or lowest low (short) since entry */
    int64_t entered_ns;           /* close of the entry bar */
} orb_symbol_t;

typedef struct orb {
    const tbot_host_t *host;
    tbs_param_value_t values[P_COUNT];
    double min_reward_risk; /* MIN_REWARD_RISK of the host, 1.5 when not configured */
    int symbol_count;
    orb_symbol_t symbols[TBS_MAX_SYMBOLS];
} orb_t;

#define V(s, k) ((s)->values[k])

static void *orb_create(const tbot_host_t *host, const tbot_params_t *params, char *err,
                        uint32_t err_cap) {
    orb_t *s = calloc(1, sizeof *s);
    if (s == NULL) {
        tbot_copy_string(err, err_cap, "out of memory");
        return NULL;
    }
    s->host = host;
    if (!tbs_load_params(host, params, orb_specs, P_COUNT, s->values, err, err_cap)) {
        free(s);
        return NULL;
    }
    s->min_reward_risk = tbs_host_min_reward_risk(host);
    if (host != NULL && host->log != NULL) {
        char line[TBS_MSG_CAP];
        snprintf(line, sizeof line,
                 "open_range_breakout created: start_time=%s analysis=%lld breakout=%lld "
                 "monitoring=%lld buffer_pct=%g trail_pct=%g",
                 V(s, P_START).text, V(s, P_ANALYSIS).i, V(s, P_BREAKOUT).i,
                 V(s, P_MONITORING).i, V(s, P_BUFFER).d, V(s, P_TRAIL).d);
        host->log(host->host_ctx, TBOT_LOG_INFO, line);
    }
    return s;
}

static void orb_destroy(void *instance) {
    free(instance);
}

/* Writes why the parameters are unusable, or returns 0 when they are fine. Shared by
 * self_check and on_bar (which must never run on bad parameters). */
static int orb_params_invalid(const orb_t *s, char *msg, size_t cap) {
    const tbs_param_spec_t *p = orb_specs;
    const tbs_param_value_t *v = s->values;
    if (tbs_check_range(p, v, P_ANALYSIS, 1, 0, 390, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_BREAKOUT, 1, 0, 390, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_MONITORING, 1, 0, 390, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_BUFFER, 0, 0, 0.5, 1, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_TRAIL, 0, 1, 0.5, 1, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_REWARD, 0, 1, 20, 0, msg, cap)) return 1;
    if (v[P_START].i + v[P_ANALYSIS].i + v[P_BREAKOUT].i > 24 * 60) {
        snprintf(msg, cap,
                 "start_time (%s) plus analysis_minutes (%lld) and breakout_minutes (%lld) must "
                 "end by 24:00 UTC: the windows are anchored on the bar's UTC date",
                 v[P_START].text, v[P_ANALYSIS].i, v[P_BREAKOUT].i);
        return 1;
    }
    if (tbs_check_min_reward_risk(p, v, P_REWARD, s->min_reward_risk, msg, cap)) return 1;
    if (v[P_REWARD].d * v[P_TRAIL].d >= 1.0) {
        snprintf(msg, cap,
                 "reward_risk (%s) times trail_pct (%s) must be less than 1: a short's target "
                 "would be at or below 0",
                 v[P_REWARD].text, v[P_TRAIL].text);
        return 1;
    }
    return 0;
}

static tbot_status_t orb_self_check(void *instance, char *reason, uint32_t reason_cap) {
    char msg[TBS_MSG_CAP];
    return tbs_self_check(orb_params_invalid(instance, msg, sizeof msg), msg, reason, reason_cap);
}

static tbot_status_t orb_session_start(void *instance, const tbot_session_t *session, char *err,
                                       uint32_t err_cap) {
    orb_t *s = instance;
    (void)session;
    (void)err;
    (void)err_cap;
    memset(s->symbols, 0, sizeof s->symbols);
    s->symbol_count = 0;
    return TBOT_OK;
}

static void orb_exit(orb_symbol_t *st, const tbot_intent_sink_t *sink, double price,
                     const char *why) {
    tbs_exit(sink, TAG, st->symbol, &st->position, price, why);
}

static tbot_status_t orb_session_end(void *instance, const tbot_session_t *session,
                                     const tbot_intent_sink_t *sink, char *err, uint32_t err_cap) {
    orb_t *s = instance;
    (void)session;
    (void)err;
    (void)err_cap;
    if (sink == NULL || sink->emit == NULL) return TBOT_OK;
    for (int k = 0; k < s->symbol_count; k++) {
        if (s->symbols[k].position != 0) orb_exit(&s->symbols[k], sink, 0.0, "session_end");
    }
    return TBOT_OK;
}

/* Trailing stop, then timeout. The best price moves with this bar first: its high (or
 * low) came before its close. */
static void orb_manage(const orb_t *s, orb_symbol_t *st, const tbot_bar_t *bar, int64_t end,
                       const tbot_intent_sink_t *sink) {
    double trail = V(s, P_TRAIL).d;
    if (st->position > 0) {
        if (bar->high > st->best) st->best = bar->high;
        if (bar->close <= st->best * (1.0 - trail)) {
            orb_exit(st, sink, bar->close, "trailing_stop");
            return;
        }
    } else {
        if (bar->low < st->best) st->best = bar->low;
        if (bar->close >= st->best * (1.0 + trail)) {
            orb_exit(st, sink, bar->close, "trailing_stop");
            return;
        }
    }
    if (end >= st->entered_ns + V(s, P_MONITORING).i * TBS_NS_PER_MINUTE) {
        orb_exit(st, sink, bar->close, "timeout");
    }
}

static void orb_try_entry(const orb_t *s, orb_symbol_t *st, const tbot_bar_t *bar, int64_t end,
                          const tbot_intent_sink_t *sink) {
    double buffer = V(s, P_BUFFER).d, trail = V(s, P_TRAIL).d, reward = V(s, P_REWARD).d;
    double up = st->range_high * (1.0 + buffer), down = st->range_low * (1.0 - buffer);
    double width = st->range_high - st->range_low;
    double close = bar->close;
    int side = 0;
    double beyond = 0.0;
    if (close > up && tbs_allows_long(V(s, P_SIDES).i)) {
        side = 1;
        beyond = close - up;
    } else if (close < down && tbs_allows_short(V(s, P_SIDES).i)) {
        side = -1;
        beyond = down - close;
    }
    if (side == 0) return;
    /* Half confidence at the level, full one range width beyond it. */
    double confidence = width > 0.0 ? 0.5 + 0.5 * tbs_clamp01(beyond / width) : 1.0;
    double stop = side > 0 ? close * (1.0 - trail) : close * (1.0 + trail);
    double target = side > 0 ? close + reward * (close - stop) : close - reward * (stop - close);
    char tag[TBOT_TAG_CAP];
    tbs_tag(tag, sizeof tag, TAG, side > 0 ? "long" : "short");
    st->traded = 1; /* one attempt a day, even when the host drops the intent */
    if (tbs_emit(sink, TBOT_INTENT_ENTER, side > 0 ? TBOT_SIDE_BUY : TBOT_SIDE_SELL, st->symbol,
                 close, stop, target, confidence, tag) != TBOT_OK) {
        return;
    }
    st->position = side;
    st->entry = close;
    st->best = close;
    st->entered_ns = end;
}

static tbot_status_t orb_on_bar(void *instance, const tbot_bar_t *bar,
                                const tbot_intent_sink_t *sink, char *err, uint32_t err_cap) {
    orb_t *s = instance;
    char msg[TBS_MSG_CAP];
    if (orb_params_invalid(s, msg, sizeof msg)) {
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
    orb_symbol_t *st = tbs_symbol_slot(s->symbols, sizeof s->symbols[0], &s->symbol_count,
                                       bar->symbol, &is_new, err, err_cap);
    if (st == NULL) return TBOT_ERR_INVALID_ARGUMENT;

    int64_t day = tbs_day(bar->start_ns);
    if (is_new || day != st->day) {
        /* A session that runs past midnight: what the old day opened is closed first. */
        if (!is_new && st->position != 0) orb_exit(st, sink, bar->open, "new_day");
        char keep[TBOT_SYMBOL_CAP];
        memcpy(keep, st->symbol, sizeof keep);
        memset(st, 0, sizeof *st);
        memcpy(st->symbol, keep, sizeof keep);
        st->day = day;
    }

    int64_t end = tbs_bar_end(s->host, bar);
    if (st->position != 0) {
        orb_manage(s, st, bar, end, sink);
        return TBOT_OK;
    }
    int64_t start = tbs_anchor(bar->start_ns, V(s, P_START).i);
    int64_t analysis_end = start + V(s, P_ANALYSIS).i * TBS_NS_PER_MINUTE;
    int64_t breakout_end = analysis_end + V(s, P_BREAKOUT).i * TBS_NS_PER_MINUTE;
    if (bar->start_ns >= start && bar->start_ns < analysis_end) {
        if (st->range_bars == 0 || bar->high > st->range_high) st->range_high = bar->high;
        if (st->range_bars == 0 || bar->low < st->range_low) st->range_low = bar->low;
        st->range_bars++;
    } else if (bar->start_ns >= analysis_end && bar->start_ns < breakout_end &&
               st->range_bars > 0 && !st->traded) {
        orb_try_entry(s, st, bar, end, sink);
    }
    return TBOT_OK;
}

static const tbot_strategy_api_t orb_functions = {
    .size = sizeof(tbot_strategy_api_t),
    .session_start = orb_session_start,
    .on_bar = orb_on_bar,
    .session_end = orb_session_end,
};

static const tbot_plugin_descriptor_t orb_descriptor = {
    .abi_major = TBOT_ABI_VERSION_MAJOR,
    .abi_minor = TBOT_ABI_VERSION_MINOR,
    .size = sizeof(tbot_plugin_descriptor_t),
    .kind = TBOT_KIND_STRATEGY,
    .id = "open_range_breakout",
    .name = "Opening range breakout",
    .version = "1.0.0",
    .description = "Enters a close beyond the opening range by buffer_pct; exits on a trailing "
                   "stop or after monitoring_minutes.",
    .create = orb_create,
    .destroy = orb_destroy,
    .self_check = orb_self_check,
    .get_extension = NULL,
    .functions = &orb_functions,
};

TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry(void) {
    return &orb_descriptor;
}
