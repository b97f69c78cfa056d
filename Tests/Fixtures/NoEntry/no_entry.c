/*
 * no_entry.c - loader test fixture: a complete, working strategy whose entry is
 * exported under an old-style name the host never looks up.
 */
#include "fixture_strategy.h"

static const tbot_plugin_descriptor_t descriptor =
    FIXTURE_DESCRIPTOR(TBOT_ABI_VERSION_MAJOR, TBOT_ABI_VERSION_MINOR, "fixture_no_entry",
                       "Fixture: no entry symbol", fixture_create);

/* The deliberate mistake: not TBOT_ENTRY_SYMBOL. */
TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry_v0(void);

TBOT_EXPORT const tbot_plugin_descriptor_t *tbot_plugin_entry_v0(void) {
    return &descriptor;
}
