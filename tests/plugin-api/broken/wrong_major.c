/* Broken on purpose: built against a future ABI major. */
#include "common_c.h"

static const zt_plugin_descriptor descriptor = {
    sizeof(zt_plugin_descriptor), 99, 0, "wrong_major", "1.0.0", "", broken_init, broken_shutdown};

ZT_PLUGIN_EXPORT const zt_plugin_descriptor* zt_plugin_entry(void) { return &descriptor; }
