/*
 * adx_filter.c - the seed's adx_filter.py: a trend-strength gate.
 *
 * The host delivers every bar through TBOT_EXT_FILTER_BARS; the filter keeps an
 * ADX(period) per symbol (tbot_adx_t, reset at each session start) and judges an entry
 * by the ADX of its symbol, the current bar included:
 *   ADX > max_adx  block (the seed: mean reversion is skipped in a trending market);
 *   ADX < min_adx  block (min_adx 0 by default, so never: raise it to require a trend).
 * Before the ADX is warm (2 * period bars) or without any bar of the symbol, the
 * `no_data` parameter decides ("error": TBOT_ERR_NOT_FOUND, which the host logs and
 * lets the intent pass; "allow"; "block"). `tags` limits the filter to intents whose tag
 * starts with a listed prefix (empty = every entry). Exits always pass.
 */
#include <tbot_indicators.h>
#include <tbot_plugin_support.h>

enum { P_PERIOD, P_MAX_ADX, P_MIN_ADX, P_TAGS, P_NO_DATA, P_COUNT };

static const tbs_param_spec_t adx_specs[P_COUNT] = {
    {"period", TBS_INT, NULL, "14", NULL},
    {"max_adx", TBS_DECIMAL, NULL, "25", NULL},
    {"min_adx", TBS_DECIMAL, NULL, "0", NULL},
    {"tags", TBS_TEXT, NULL, "", NULL},
    {"no_data", TBS_CHOICE, NULL, "error", TBS_NO_DATA_CHOICES},
};

typedef struct adx_symbol {
    char symbol[TBOT_SYMBOL_CAP]; /* first member: see tbs_symbol_slot */
    tbot_adx_t adx;
    long long bars; /* bars pushed this session */
    int warm;
} adx_symbol_t;

typedef struct adx_filter {
    tbs_param_value_t values[P_COUNT];
    tbs_prefixes_t prefixes;
    int tags_invalid;
    char tags_problem[TBS_MSG_CAP];
    int symbol_count;
    adx_symbol_t symbols[TBS_MAX_SYMBOLS];
} adx_filter_t;

static void *adx_create(const tbot_host_t *host, const tbot_params_t *params, char *err,
                        uint32_t err_cap) {
    adx_filter_t *f = calloc(1, sizeof *f);
    if (f == NULL) {
        tbot_copy_string(err, err_cap, "out of memory");
        return NULL;
    }
    if (!tbs_load_params(host, params, adx_specs, P_COUNT, f->values, err, err_cap)) {
        free(f);
        return NULL;
    }
    f->tags_invalid = !tbs_parse_prefixes("tags", f->values[P_TAGS].text, &f->prefixes,
                                          f->tags_problem, sizeof f->tags_problem);
    return f;
}

static void adx_destroy(void *instance) {
    free(instance); /* tbot_adx_t holds no buffer */
}

static int adx_params_invalid(const adx_filter_t *f, char *msg, size_t cap) {
    const tbs_param_spec_t *p = adx_specs;
    const tbs_param_value_t *v = f->values;
    if (tbs_check_range(p, v, P_PERIOD, 2, 0, 1000, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_MAX_ADX, 0, 1, 100, 0, msg, cap)) return 1;
    if (tbs_check_range(p, v, P_MIN_ADX, 0, 0, 100, 1, msg, cap)) return 1;
    if (!(v[P_MIN_ADX].d < v[P_MAX_ADX].d)) {
        snprintf(msg, cap, "min_adx (%s) must be below max_adx (%s)", v[P_MIN_ADX].text,
                 v[P_MAX_ADX].text);
        return 1;
    }
    if (f->tags_invalid) {
        snprintf(msg, cap, "%s", f->tags_problem);
        return 1;
    }
    return 0;
}

static tbot_status_t adx_self_check(void *instance, char *reason, uint32_t reason_cap) {
    char msg[TBS_MSG_CAP];
    return tbs_self_check(adx_params_invalid(instance, msg, sizeof msg), msg, reason, reason_cap);
}

/* ---- the bar feed (TBOT_EXT_FILTER_BARS) --------------------------------- */

static tbot_status_t adx_session_start(void *instance, const tbot_session_t *session, char *err,
                                       uint32_t err_cap) {
    adx_filter_t *f = instance;
    (void)session;
    (void)err;
    (void)err_cap;
    memset(f->symbols, 0, sizeof f->symbols);
    f->symbol_count = 0;
    return TBOT_OK;
}

static tbot_status_t adx_on_bar(void *instance, const tbot_bar_t *bar, char *err,
                                uint32_t err_cap) {
    adx_filter_t *f = instance;
    char msg[TBS_MSG_CAP];
    if (adx_params_invalid(f, msg, sizeof msg)) {
        tbot_copy_string(err, err_cap, msg);
        return TBOT_ERR_INVALID_ARGUMENT;
    }
    tbot_status_t status = tbs_check_bar(bar, err, err_cap);
    if (status != TBOT_OK) return status;
    int is_new = 0;
    adx_symbol_t *st = tbs_symbol_slot(f->symbols, sizeof f->symbols[0], &f->symbol_count,
                                       bar->symbol, &is_new, err, err_cap);
    if (st == NULL) return TBOT_ERR_INVALID_ARGUMENT;
    if (is_new && tbot_adx_init(&st->adx, (int)f->values[P_PERIOD].i) != 0) {
        tbot_copy_string(err, err_cap, "cannot set up the ADX");
        return TBOT_ERR_INTERNAL;
    }
    st->warm = tbot_adx_push(&st->adx, bar->high, bar->low, bar->close);
    st->bars++;
    return TBOT_OK;
}

static const tbot_filter_bars_t adx_bars = {
    .size = sizeof(tbot_filter_bars_t),
    .on_bar = adx_on_bar,
    .session_start = adx_session_start,
};

static const void *adx_get_extension(void *instance, const char *extension_id) {
    (void)instance;
    if (extension_id != NULL && strcmp(extension_id, TBOT_EXT_FILTER_BARS) == 0) return &adx_bars;
    return NULL;
}

/* ---- evaluate ------------------------------------------------------------ */

static adx_symbol_t *adx_find(adx_filter_t *f, const char *symbol) {
    for (int k = 0; k < f->symbol_count; k++) {
        if (strncmp(f->symbols[k].symbol, symbol, TBOT_SYMBOL_CAP) == 0) return &f->symbols[k];
    }
    return NULL;
}

static tbot_status_t adx_evaluate(void *instance, const tbot_intent_t *intent,
                                  const tbot_market_context_t *context, tbot_verdict_t *verdict,
                                  char *reason, uint32_t reason_cap) {
    adx_filter_t *f = instance;
    char msg[TBS_MSG_CAP];
    tbot_status_t status = TBOT_OK;
    (void)context;
    if (tbs_filter_preamble(&f->prefixes, f->values[P_TAGS].text, intent, verdict, reason,
                            reason_cap, &status)) {
        return status;
    }
    if (adx_params_invalid(f, msg, sizeof msg)) {
        tbot_copy_string(reason, reason_cap, msg);
        return TBOT_ERR_INVALID_ARGUMENT;
    }
    long long period = f->values[P_PERIOD].i;
    long long policy = f->values[P_NO_DATA].i;
    adx_symbol_t *st = adx_find(f, intent->symbol);
    if (st == NULL) {
        snprintf(msg, sizeof msg, "no bars of %.*s yet: ADX(%lld) unknown", TBOT_SYMBOL_CAP,
                 intent->symbol, period);
        return tbs_no_data(policy, msg, verdict, reason, reason_cap);
    }
    if (!st->warm) {
        snprintf(msg, sizeof msg, "ADX(%lld) of %s is warming up: %lld of %lld bars", period,
                 st->symbol, st->bars, 2 * period);
        return tbs_no_data(policy, msg, verdict, reason, reason_cap);
    }
    double adx = st->adx.adx, max_adx = f->values[P_MAX_ADX].d, min_adx = f->values[P_MIN_ADX].d;
    if (adx > max_adx) {
        *verdict = TBOT_VERDICT_BLOCK;
        snprintf(msg, sizeof msg, "ADX(%lld) %.2f above max_adx %g: %s is trending", period, adx,
                 max_adx, st->symbol);
    } else if (adx < min_adx) {
        *verdict = TBOT_VERDICT_BLOCK;
        snprintf(msg, sizeof msg, "ADX(%lld) %.2f below min_adx %g: %s has no trend", period, adx,
                 min_adx, st->symbol);
    } else {
        *verdict = TBOT_VERDICT_ALLOW;
        snprintf(msg, sizeof msg, "ADX(%lld) %.2f within %g..%g", period, adx, min_adx, max_adx);
    }
    tbot_copy_string(reason, reason_cap, msg);
    return TBOT_OK;
}

static const tbot_filter_api_t adx_functions = {
    .size = sizeof(tbot_filter_api_t),
    .evaluate = adx_evaluate,
};

static const tbot_plugin_descriptor_t adx_descriptor = {
    .abi_major = TBOT_ABI_VERSION_MAJOR,
    .abi_minor = TBOT_ABI_VERSION_MINOR,
    .size = sizeof(tbot_plugin_descriptor_t),
    .kind = TBOT_KIND_FILTER,
    .id = "adx_filter",
    .name = "ADX trend filter",
    .version = "1.0.0",
    .description = "Blocks entries while the symbol's ADX is above max_adx (or below min_adx); "
                   "exits always pass.",
    .create = adx_create,
    .destroy = adx_destroy,
    .self_check = adx_self_check,
    .get_extension = adx_get_extension,
    .functions = &adx_functions,
};

TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry(void) {
    return &adx_descriptor;
}
