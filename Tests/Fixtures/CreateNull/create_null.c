/*
 * create_null.c - loader test fixture: create always fails with a message, so the host
 * must report "no data source configured" and never call the instance.
 */
#include "fixture_strategy.h"

static void *refusing_create(const tbot_host_t *host, const tbot_params_t *params, char *err,
                             uint32_t err_cap) {
    (void)host;
    (void)params;
    tbot_copy_string(err, err_cap, "no data source configured");
    return NULL;
}

static const tbot_plugin_descriptor_t descriptor =
    FIXTURE_DESCRIPTOR(TBOT_ABI_VERSION_MAJOR, TBOT_ABI_VERSION_MINOR, "fixture_create_null",
                       "Fixture: create returns NULL", refusing_create);

TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry(void) {
    return &descriptor;
}
