/* Freezes the 1.0 layout of plugin.h on LP64 (x86_64, aarch64). Included by a C11 and a C++20
 * translation unit: if either language sees a different layout, or a field moves, the build fails. */
#include <stddef.h>

#include "zintrust/plugin.h"

#if defined(__cplusplus)
#define ZT_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define ZT_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

ZT_ASSERT(sizeof(zt_str) == 16, "zt_str layout");
ZT_ASSERT(sizeof(zt_header) == 32, "zt_header layout");
ZT_ASSERT(offsetof(zt_request, struct_size) == 0, "size first");
ZT_ASSERT(offsetof(zt_request, method) == 8, "zt_request.method");
ZT_ASSERT(offsetof(zt_request, headers) == 56, "zt_request.headers");
ZT_ASSERT(offsetof(zt_request, body) == 88, "zt_request.body");
ZT_ASSERT(offsetof(zt_request, trace_flags) == 200, "zt_request.trace_flags");
ZT_ASSERT(offsetof(zt_host_api, struct_size) == 0, "size first");
ZT_ASSERT(offsetof(zt_host_api, abi_major) == 4, "zt_host_api.abi_major");
ZT_ASSERT(offsetof(zt_host_api, log) == 8, "zt_host_api.log");
ZT_ASSERT(offsetof(zt_host_api, config_get) == 16, "zt_host_api.config_get");
ZT_ASSERT(offsetof(zt_host_api, register_route) == 24, "zt_host_api.register_route");
ZT_ASSERT(offsetof(zt_host_api, register_health_check) == 32, "zt_host_api.register_health_check");
ZT_ASSERT(offsetof(zt_host_api, register_authenticator) == 40, "zt_host_api.register_authenticator");
ZT_ASSERT(offsetof(zt_host_api, response_set_status) == 48, "zt_host_api.response_set_status");
ZT_ASSERT(offsetof(zt_host_api, response_add_header) == 56, "zt_host_api.response_add_header");
ZT_ASSERT(offsetof(zt_host_api, response_set_body) == 64, "zt_host_api.response_set_body");
ZT_ASSERT(offsetof(zt_host_api, auth_result_set) == 72, "zt_host_api.auth_result_set");
ZT_ASSERT(offsetof(zt_host_api, db_query) == 80, "1.1: zt_host_api.db_query appended");
ZT_ASSERT(offsetof(zt_host_api, db_result_free) == 112, "1.1: zt_host_api.db_result_free");
ZT_ASSERT(offsetof(zt_host_api, call_service) == 120, "1.2: zt_host_api.call_service appended");
ZT_ASSERT(offsetof(zt_host_api, call_response_free) == 152, "1.2: zt_host_api.call_response_free");
ZT_ASSERT(offsetof(zt_host_api, db_result_shape) == 160, "1.3: zt_host_api.db_result_shape appended");
ZT_ASSERT(offsetof(zt_host_api, db_result_cell) == 176, "1.3: zt_host_api.db_result_cell");
ZT_ASSERT(offsetof(zt_host_api, describe_route) == 184, "1.4: zt_host_api.describe_route appended");
ZT_ASSERT(sizeof(zt_host_api) == 192, "1.4 table size");
ZT_ASSERT(sizeof(zt_db_kind) == 4, "zt_db_kind is fixed width");
ZT_ASSERT(offsetof(zt_plugin_descriptor, struct_size) == 0, "size first");
ZT_ASSERT(offsetof(zt_plugin_descriptor, abi_major) == 4, "descriptor.abi_major");
ZT_ASSERT(offsetof(zt_plugin_descriptor, name) == 8, "descriptor.name");
ZT_ASSERT(offsetof(zt_plugin_descriptor, init) == 32, "descriptor.init");
ZT_ASSERT(ZT_PLUGIN_DESCRIPTOR_MIN_SIZE == 48, "1.0 descriptor size");
