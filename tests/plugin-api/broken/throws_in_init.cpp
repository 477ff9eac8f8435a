// Broken on purpose: init throws a C++ exception straight across the C boundary (no SDK).
// The host must refuse the service with a reason instead of crashing.
#include <stdexcept>

#include "zintrust/plugin.h"

namespace {
zt_status throwingInit(const zt_host_api*, zt_host*, void**, char*, size_t) {
    throw std::runtime_error("database password missing");
}
void noShutdown(void*) {}
const zt_plugin_descriptor descriptor = {sizeof(zt_plugin_descriptor),
                                         ZT_PLUGIN_ABI_MAJOR,
                                         ZT_PLUGIN_ABI_MINOR,
                                         "throws_in_init",
                                         "1.0.0",
                                         "",
                                         throwingInit,
                                         noShutdown};
}  // namespace

extern "C" ZT_PLUGIN_EXPORT const zt_plugin_descriptor* zt_plugin_entry(void) { return &descriptor; }
