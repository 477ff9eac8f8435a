/* Broken on purpose: needs a symbol no library provides; dlopen(RTLD_NOW) must refuse it. */
#include "common_c.h"

extern int zt_symbol_that_does_not_exist(void);

static zt_status init_calls_missing(const zt_host_api* api, zt_host* host, void** out, char* err, size_t cap) {
    (void)api;
    (void)host;
    (void)err;
    (void)cap;
    *out = 0;
    return zt_symbol_that_does_not_exist() == 0 ? ZT_OK : ZT_ERR_INTERNAL;
}

static const zt_plugin_descriptor descriptor = {
    sizeof(zt_plugin_descriptor), ZT_PLUGIN_ABI_MAJOR, 0, "unresolved", "1.0.0", "",
    init_calls_missing,           broken_shutdown};

ZT_PLUGIN_EXPORT const zt_plugin_descriptor* zt_plugin_entry(void) { return &descriptor; }
