/* Broken on purpose: claims a descriptor smaller than the 1.0 minimum. */
#include "common_c.h"

static const zt_plugin_descriptor descriptor = {16,          ZT_PLUGIN_ABI_MAJOR, 0, "short_descriptor", "1.0.0", "",
                                                broken_init, broken_shutdown};

ZT_PLUGIN_EXPORT const zt_plugin_descriptor* zt_plugin_entry(void) { return &descriptor; }
