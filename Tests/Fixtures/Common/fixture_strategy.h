/*
 * fixture_strategy.h - the working no-op strategy every loader fixture is built on,
 * so each fixture differs from a healthy plugin only by its one deliberate fault.
 * Header-only: each fixture is its own library and includes it once.
 */
#ifndef TBOT_FIXTURE_STRATEGY_H
#define TBOT_FIXTURE_STRATEGY_H

#include <stdlib.h>

#include <tbot_plugin.h>

/* Unused by fixtures that bring their own create. */
__attribute__((unused)) static void *fixture_create(const tbot_host_t *host, const tbot_params_t *params, char *err,
                            uint32_t err_cap) {
    (void)host;
    (void)params;
    void *instance = calloc(1, sizeof(int));
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
    (void)bar;
    (void)sink;
    return fixture_session(instance, NULL, err, err_cap);
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

/* A strategy descriptor for ABI major.minor, using the no-op functions above except
 * `create`, which a fixture may replace. */
#define FIXTURE_DESCRIPTOR(major, minor, fixture_id, fixture_name, create_fn) \
    {                                                                        \
        .abi_major = (major),                                                \
        .abi_minor = (minor),                                                \
        .size = sizeof(tbot_plugin_descriptor_t),                            \
        .kind = TBOT_KIND_STRATEGY,                                          \
        .id = (fixture_id),                                                  \
        .name = (fixture_name),                                              \
        .version = "1.0.0",                                                  \
        .description = "loader test fixture",                                \
        .create = (create_fn),                                               \
        .destroy = fixture_destroy,                                          \
        .self_check = fixture_self_check,                                    \
        .get_extension = NULL,                                               \
        .functions = &fixture_functions,                                     \
    }

#endif /* TBOT_FIXTURE_STRATEGY_H */
