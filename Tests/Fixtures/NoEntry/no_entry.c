/*
 * no_entry.c - loader test fixture: a well-formed strategy whose entry is exported
 * under the wrong name (tbot_plugin_entry_v0), so the host must report that the
 * library has no tbot_plugin_entry symbol.
 */
#include <stdlib.h>

#include <tbot_plugin.h>

typedef struct no_entry {
    int unused;
} no_entry_t;

static void *fixture_create(const tbot_host_t *host, const tbot_params_t *params, char *err,
                            uint32_t err_cap) {
    (void)host;
    (void)params;
    no_entry_t *instance = calloc(1, sizeof *instance);
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

static tbot_status_t fixture_session(void *instance, const tbot_session_t *session, char *err,
                                     uint32_t err_cap) {
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
    (void)sink;
    return fixture_session(instance, session, err, err_cap);
}

static const tbot_strategy_api_t fixture_functions = {
    .size = sizeof(tbot_strategy_api_t),
    .session_start = fixture_session,
    .on_bar = fixture_on_bar,
    .session_end = fixture_session_end,
};

static const tbot_plugin_descriptor_t fixture_descriptor = {
    .abi_major = TBOT_ABI_VERSION_MAJOR,
    .abi_minor = TBOT_ABI_VERSION_MINOR,
    .size = sizeof(tbot_plugin_descriptor_t),
    .kind = TBOT_KIND_STRATEGY,
    .id = "fixture_no_entry",
    .name = "Fixture: no entry symbol",
    .version = "1.0.0",
    .description = "Exports tbot_plugin_entry_v0 instead of tbot_plugin_entry.",
    .create = fixture_create,
    .destroy = fixture_destroy,
    .self_check = fixture_self_check,
    .get_extension = NULL,
    .functions = &fixture_functions,
};

/* The deliberate mistake: an old-style name the host never looks up. */
TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry_v0(void);

TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry_v0(void) {
    return &fixture_descriptor;
}
