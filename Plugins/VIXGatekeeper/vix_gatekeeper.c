/*
 * vix_gatekeeper.c - the seed's vix_gatekeeper.py: blocks entries while the VIX is not
 * above min_vix (STRAT_CLOSE_VIX_THRESHOLD; the seed's close strategy requires VIX >
 * the threshold).
 *
 * The VIX comes from the host: context->vix is the latest close of the configured VIX
 * series, NaN when none is configured. Without a VIX the `no_data` parameter decides:
 * "error" (the default) returns TBOT_ERR_NOT_FOUND with the reason, which the host logs
 * as a filter error before letting the intent proceed (the seed's "warn and go on");
 * "allow" or "block" decide outright.
 * `tags` limits the gate to intents whose tag starts with one of the listed prefixes
 * (comma-separated; empty = every entry): tags = "close_momentum" gates the close
 * strategy only. Exits always pass. Needs no bars, so it offers no extension.
 */
#include <tbot_plugin_support.h>

enum { P_MIN_VIX, P_TAGS, P_NO_DATA, P_COUNT };

static const tbs_param_spec_t vix_specs[P_COUNT] = {
    {"min_vix", TBS_DECIMAL, "STRAT_CLOSE_VIX_THRESHOLD", "15", NULL},
    {"tags", TBS_TEXT, NULL, "", NULL},
    {"no_data", TBS_CHOICE, NULL, "error", TBS_NO_DATA_CHOICES},
};

typedef struct vix_gate {
    tbs_param_value_t values[P_COUNT];
    tbs_prefixes_t prefixes;
    int tags_invalid;
    char tags_problem[TBS_MSG_CAP];
} vix_gate_t;

static void *vix_create(const tbot_host_t *host, const tbot_params_t *params, char *err,
                        uint32_t err_cap) {
    vix_gate_t *g = calloc(1, sizeof *g);
    if (g == NULL) {
        tbot_copy_string(err, err_cap, "out of memory");
        return NULL;
    }
    if (!tbs_load_params(host, params, vix_specs, P_COUNT, g->values, err, err_cap)) {
        free(g);
        return NULL;
    }
    g->tags_invalid = !tbs_parse_prefixes("tags", g->values[P_TAGS].text, &g->prefixes,
                                          g->tags_problem, sizeof g->tags_problem);
    return g;
}

static void vix_destroy(void *instance) {
    free(instance);
}

static int vix_params_invalid(const vix_gate_t *g, char *msg, size_t cap) {
    if (tbs_check_range(vix_specs, g->values, P_MIN_VIX, 0, 0, 200, 0, msg, cap)) return 1;
    if (g->tags_invalid) {
        snprintf(msg, cap, "%s", g->tags_problem);
        return 1;
    }
    return 0;
}

static tbot_status_t vix_self_check(void *instance, char *reason, uint32_t reason_cap) {
    char msg[TBS_MSG_CAP];
    return tbs_self_check(vix_params_invalid(instance, msg, sizeof msg), msg, reason, reason_cap);
}

static tbot_status_t vix_evaluate(void *instance, const tbot_intent_t *intent,
                                  const tbot_market_context_t *context, tbot_verdict_t *verdict,
                                  char *reason, uint32_t reason_cap) {
    const vix_gate_t *g = instance;
    char msg[TBS_MSG_CAP];
    tbot_status_t status = TBOT_OK;
    if (tbs_filter_preamble(&g->prefixes, g->values[P_TAGS].text, intent, verdict, reason,
                            reason_cap, &status)) {
        return status;
    }
    if (vix_params_invalid(g, msg, sizeof msg)) {
        tbot_copy_string(reason, reason_cap, msg);
        return TBOT_ERR_INVALID_ARGUMENT;
    }
    double min_vix = g->values[P_MIN_VIX].d;
    double vix = NAN;
    if (context != NULL && TBOT_HAS_FIELD(context, tbot_market_context_t, vix)) vix = context->vix;
    if (!isfinite(vix) || vix < 0.0) {
        snprintf(msg, sizeof msg,
                 "no VIX series configured (VIX_DATA_FILE): cannot compare with min_vix %.2f",
                 min_vix);
        return tbs_no_data(g->values[P_NO_DATA].i, msg, verdict, reason, reason_cap);
    }
    if (vix > min_vix) {
        *verdict = TBOT_VERDICT_ALLOW;
        snprintf(msg, sizeof msg, "VIX %.2f above min_vix %.2f", vix, min_vix);
    } else {
        *verdict = TBOT_VERDICT_BLOCK;
        snprintf(msg, sizeof msg, "VIX %.2f not above min_vix %.2f: complacent market", vix,
                 min_vix);
    }
    tbot_copy_string(reason, reason_cap, msg);
    return TBOT_OK;
}

static const tbot_filter_api_t vix_functions = {
    .size = sizeof(tbot_filter_api_t),
    .evaluate = vix_evaluate,
};

static const tbot_plugin_descriptor_t vix_descriptor = {
    .abi_major = TBOT_ABI_VERSION_MAJOR,
    .abi_minor = TBOT_ABI_VERSION_MINOR,
    .size = sizeof(tbot_plugin_descriptor_t),
    .kind = TBOT_KIND_FILTER,
    .id = "vix_gatekeeper",
    .name = "VIX gatekeeper",
    .version = "1.0.0",
    .description = "Blocks entries while the VIX is not above min_vix; exits always pass.",
    .create = vix_create,
    .destroy = vix_destroy,
    .self_check = vix_self_check,
    .get_extension = NULL,
    .functions = &vix_functions,
};

TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry(void) {
    return &vix_descriptor;
}
