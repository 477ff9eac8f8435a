#pragma once
// The 1.1 database functions of zt_host_api (SPEC §8 through the C ABI): JSON in, JSON out,
// database errors mapped to zt_status codes. Referenced by the table in HostApi.cpp.
#include <string>

#include "zintrust/plugin.h"

/// OWNERSHIP: allocated by the host (new), owned by the plugin until db_result_free (delete).
struct zt_db_result {
    std::string json;
};

namespace zt::plugin {

zt_status apiDbQuery(zt_host* host, zt_str builderJson, zt_db_result** out);
zt_status apiDbRawQuery(zt_host* host, zt_str sql, zt_str paramsJson, zt_db_result** out);
zt_status apiDbTransaction(zt_host* host, zt_transaction_fn fn, void* data, zt_db_result** out);
zt_str apiDbResultJson(const zt_db_result* result);
void apiDbResultFree(zt_db_result* result);

}  // namespace zt::plugin
