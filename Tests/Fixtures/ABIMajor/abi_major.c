/*
 * abi_major.c - loader test fixture: a working strategy built for the next ABI major
 * (TBOT_ABI_VERSION_MAJOR + 1), which the host must refuse.
 */
#include "fixture_strategy.h"

static const tbot_plugin_descriptor_t descriptor =
    FIXTURE_DESCRIPTOR(TBOT_ABI_VERSION_MAJOR + 1, TBOT_ABI_VERSION_MINOR, "fixture_abi_major",
                       "Fixture: ABI major too new", fixture_create);

TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry(void) {
    return &descriptor;
}
