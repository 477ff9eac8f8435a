#pragma once
// The database functions of zt_host_api (docs/DATABASE.md; through the C ABI): a query description in as
// JSON (1.1), the result out as JSON (1.1) or cell by cell (1.3), database errors mapped to
// zt_status codes. Referenced by the table in HostApi.cpp.
#include <mutex>
#include <string>

#include "db/QueryResult.h"
#include "zintrust/plugin.h"

/// OWNERSHIP: allocated by the host (new), owned by the plugin until db_result_free (delete).
/// A successful call keeps its QueryResult and renders the 1.1 JSON only when db_result_json asks
/// for it (a plugin reading cells through the 1.3 functions never pays for it); a failed one holds
/// only its error JSON.
struct zt_db_result {
    explicit zt_db_result(std::string errorJson) : ok(false), json_(std::move(errorJson)) {
        std::call_once(rendered_, [] {});
    }
    explicit zt_db_result(zt::db::QueryResult result) : ok(true), table(std::move(result)) {}

    const bool ok;
    const zt::db::QueryResult table;  ///< empty when !ok
    /// The result as db_result_json returns it (rendered on first use; safe from any thread).
    const std::string& json() const {
        std::call_once(rendered_, [this] { json_ = table.toJson(); });
        return json_;
    }

private:
    mutable std::once_flag rendered_;
    mutable std::string json_;
};

namespace zt::abi {

zt_status apiDbQuery(zt_host* host, zt_str builderJson, zt_db_result** out);
zt_status apiDbRawQuery(zt_host* host, zt_str sql, zt_str paramsJson, zt_db_result** out);
zt_status apiDbTransaction(zt_host* host, zt_transaction_fn fn, void* data, zt_db_result** out);
zt_str apiDbResultJson(const zt_db_result* result);
void apiDbResultFree(zt_db_result* result);
// 1.3
zt_status apiDbResultShape(const zt_db_result* result, zt_str* command, int64_t* rowCount, size_t* columns,
                           size_t* rows);
zt_status apiDbResultColumn(const zt_db_result* result, size_t column, zt_str* name, uint32_t* typeOid);
zt_status apiDbResultCell(const zt_db_result* result, size_t row, size_t column, zt_db_kind* kind, zt_str* text);

}  // namespace zt::abi
