/* Broken on purpose: exports no zt_plugin_entry (a typo'd entry name). */
#include "zintrust/plugin.h"

ZT_PLUGIN_EXPORT const zt_plugin_descriptor* zt_plugin_entry_typo(void);
const zt_plugin_descriptor* zt_plugin_entry_typo(void) { return 0; }
