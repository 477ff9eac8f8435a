// Compiled as C++20 (-pedantic -Werror): plugin.h must also be valid C++ with the same layout.
#include "abi_layout.h"

#include <cstdio>

#include "zintrust/sdk.hpp"

static_assert(std::is_standard_layout_v<zt_request>);
static_assert(std::is_trivially_copyable_v<zt_host_api>);

int main() {
    zt_host_api api{};
    api.struct_size = sizeof api;
    std::printf("C++20: zt_host_api %zu bytes, has auth_result_set: %d\n", sizeof api,
                ZT_HOST_API_HAS(&api, auth_result_set) ? 1 : 0);
    return ZT_HOST_API_HAS(&api, auth_result_set) ? 0 : 1;
}
