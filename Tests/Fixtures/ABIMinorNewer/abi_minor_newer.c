/*
 * abi_minor_newer.c - loader test fixture: a working strategy that claims a newer ABI
 * minor than the host's (TBOT_ABI_VERSION_MINOR + 1), which the host must refuse.
 */
#include "fixture_strategy.h"

static const tbot_plugin_descriptor_t descriptor =
    FIXTURE_DESCRIPTOR(TBOT_ABI_VERSION_MAJOR, TBOT_ABI_VERSION_MINOR + 1, "fixture_abi_minor_newer",
                       "Fixture: ABI minor too new", fixture_create);

TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry(void) {
    return &descriptor;
}
