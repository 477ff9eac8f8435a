/* Minimal valid init/shutdown for the broken C plugins (their defect is in the descriptor). */
#include "zintrust/plugin.h"

static zt_status broken_init(const zt_host_api* api, zt_host* host, void** out, char* err, size_t cap) {
    (void)api; (void)host; (void)err; (void)cap;
    *out = 0;
    return ZT_OK;
}
static void broken_shutdown(void* instance) { (void)instance; }
