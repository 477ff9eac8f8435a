/* Broken on purpose: the entry function returns NULL. */
#include "zintrust/plugin.h"

ZT_PLUGIN_EXPORT const zt_plugin_descriptor* zt_plugin_entry(void) { return 0; }
