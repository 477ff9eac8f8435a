/* Compiled as strict C11 (-pedantic -Werror): plugin.h must be plain C. */
#include "abi_layout.h"

#include <stdio.h>

int main(void) {
    zt_plugin_descriptor d = {0};
    d.struct_size = (uint32_t)sizeof d;
    d.abi_major = ZT_PLUGIN_ABI_MAJOR;
    printf("C11: zt_plugin_descriptor %u bytes, zt_host_api %zu bytes, zt_request %zu bytes\n", (unsigned)d.struct_size,
           sizeof(zt_host_api), sizeof(zt_request));
    return d.abi_major == 1u ? 0 : 1;
}
