/*
 * self_check_fails.c - loader test fixture: a filter whose self_check fails unless
 * its `window` parameter is at least 2 (default 0, so it fails out of the box).
 * Lets a test see a failing check block the plugin and a fixed manifest unblock it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tbot_plugin.h>

typedef struct fixture {
    long long window;
} fixture_t;

static void *fixture_create(const tbot_host_t *host, const tbot_params_t *params, char *err,
                            uint32_t err_cap) {
    char msg[TBOT_REASON_CAP];
    (void)host;
    fixture_t *f = calloc(1, sizeof *f);
    if (f == NULL) {
        tbot_copy_string(err, err_cap, "out of memory");
        return NULL;
    }
    for (uint32_t i = 0; params != NULL && i < params->count; i++) {
        const char *key = params->items[i].key ? params->items[i].key : "";
        const char *value = params->items[i].value ? params->items[i].value : "";
        char *end = NULL;
        if (strcmp(key, "window") != 0) {
            snprintf(msg, sizeof msg, "unknown parameter '%s' (value '%s')", key, value);
            tbot_copy_string(err, err_cap, msg);
            free(f);
            return NULL;
        }
        errno = 0;
        f->window = strtoll(value, &end, 10);
        if (value[0] == '\0' || isspace((unsigned char)value[0]) || *end != '\0' || errno != 0) {
            snprintf(msg, sizeof msg, "invalid value '%s' for window: expected an integer", value);
            tbot_copy_string(err, err_cap, msg);
            free(f);
            return NULL;
        }
    }
    return f;
}

static void fixture_destroy(void *instance) {
    free(instance);
}

static tbot_status_t fixture_self_check(void *instance, char *reason, uint32_t reason_cap) {
    const fixture_t *f = instance;
    char msg[TBOT_REASON_CAP];
    if (f->window >= 2) return TBOT_OK;
    snprintf(msg, sizeof msg, "window must be at least 2, got %lld", f->window);
    tbot_copy_string(reason, reason_cap, msg);
    return TBOT_ERR_INVALID_ARGUMENT;
}

static tbot_status_t fixture_evaluate(void *instance, const tbot_intent_t *intent,
                                      const tbot_market_context_t *context,
                                      tbot_verdict_t *verdict, char *reason, uint32_t reason_cap) {
    (void)instance;
    (void)intent;
    (void)context;
    if (verdict == NULL) {
        tbot_copy_string(reason, reason_cap, "evaluate needs a verdict");
        return TBOT_ERR_INVALID_ARGUMENT;
    }
    *verdict = TBOT_VERDICT_ALLOW;
    tbot_copy_string(reason, reason_cap, "fixture allows");
    return TBOT_OK;
}

static const tbot_filter_api_t fixture_functions = {
    .size = sizeof(tbot_filter_api_t),
    .evaluate = fixture_evaluate,
};

static const tbot_plugin_descriptor_t fixture_descriptor = {
    .abi_major = TBOT_ABI_VERSION_MAJOR,
    .abi_minor = TBOT_ABI_VERSION_MINOR,
    .size = sizeof(tbot_plugin_descriptor_t),
    .kind = TBOT_KIND_FILTER,
    .id = "fixture_self_check_fails",
    .name = "Fixture: self_check fails",
    .version = "1.0.0",
    .description = "A filter whose self_check fails unless window >= 2; allows everything.",
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
