/* Minimal valid init/shutdown for the broken C plugins (their defect is in the descriptor).
 * Marked unused: a plugin whose defect is its own init (unresolved_symbol.c) takes only shutdown. */
#include "zintrust/plugin.h"

#if defined(__GNUC__)
#define ZT_BROKEN_MAYBE_UNUSED __attribute__((unused))
#else
#define ZT_BROKEN_MAYBE_UNUSED
#endif

ZT_BROKEN_MAYBE_UNUSED static zt_status broken_init(const zt_host_api* api, zt_host* host, void** out, char* err,
                                                    size_t cap) {
    (void)api;
    (void)host;
    (void)err;
    (void)cap;
    *out = 0;
    return ZT_OK;
}
ZT_BROKEN_MAYBE_UNUSED static void broken_shutdown(void* instance) { (void)instance; }
