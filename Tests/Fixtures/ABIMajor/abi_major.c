/*
 * abi_major.c - loader test fixture: built for the next ABI major
 * (TBOT_ABI_VERSION_MAJOR + 1), which the host must refuse.
 * Everything else is a working no-op strategy, so only the version check can
 * explain the refusal.
 */
#include <stdlib.h>

#include <tbot_plugin.h>

typedef struct fixture {
    int unused;
} fixture_t;

static void *fixture_create(const tbot_host_t *host, const tbot_params_t *params, char *err,
                            uint32_t err_cap) {
    (void)host;
    (void)params;
    fixture_t *instance = calloc(1, sizeof *instance);
    if (instance == NULL) tbot_copy_string(err, err_cap, "out of memory");
    return instance;
}

static void fixture_destroy(void *instance) {
    free(instance);
}

static tbot_status_t fixture_self_check(void *instance, char *reason, uint32_t reason_cap) {
    (void)instance;
    (void)reason;
    (void)reason_cap;
    return TBOT_OK;
}

static tbot_status_t fixture_session_start(void *instance, const tbot_session_t *session,
                                           char *err, uint32_t err_cap) {
    (void)instance;
    (void)session;
    (void)err;
    (void)err_cap;
    return TBOT_OK;
}

static tbot_status_t fixture_on_bar(void *instance, const tbot_bar_t *bar,
                                    const tbot_intent_sink_t *sink, char *err, uint32_t err_cap) {
    (void)instance;
    (void)bar;
    (void)sink;
    (void)err;
    (void)err_cap;
    return TBOT_OK;
}

static tbot_status_t fixture_session_end(void *instance, const tbot_session_t *session,
                                         const tbot_intent_sink_t *sink, char *err,
                                         uint32_t err_cap) {
    (void)instance;
    (void)session;
    (void)sink;
    (void)err;
    (void)err_cap;
    return TBOT_OK;
}

static const tbot_strategy_api_t fixture_functions = {
    .size = sizeof(tbot_strategy_api_t),
    .session_start = fixture_session_start,
    .on_bar = fixture_on_bar,
    .session_end = fixture_session_end,
};

static const tbot_plugin_descriptor_t fixture_descriptor = {
    .abi_major = TBOT_ABI_VERSION_MAJOR + 1,
    .abi_minor = TBOT_ABI_VERSION_MINOR,
    .size = sizeof(tbot_plugin_descriptor_t),
    .kind = TBOT_KIND_STRATEGY,
    .id = "fixture_abi_major",
    .name = "Fixture: ABI major too new",
    .version = "1.0.0",
    .description = "built for the next ABI major, which the host must refuse.",
    .create = fixture_create,
    .destroy = fixture_destroy,
    .self_check = fixture_self_check,
    .get_extension = NULL,
    .functions = &fixture_functions,
};

TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry(void);

TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry(void) {
    return &fixture_descriptor;
}
