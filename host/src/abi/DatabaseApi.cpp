#include "abi/DatabaseApi.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <Poco/Logger.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <sstream>

#include "db/DatabaseErrors.h"
#include "db/PostgresAdapter.h"
#include "db/QueryResult.h"
#include "db/Transaction.h"
#include "json/JsonEscape.h"
#include "abi/HostApi.h"
#include "service/LocalService.h"
#include "service/ServiceDatabase.h"

namespace zt::abi {

namespace {

/// Thrown inside a transaction body to make the adapter roll back with the plugin's status.
struct PluginRollback {
    zt_status status;
};

std::string errorJson(const std::string& code, const std::string& message, const std::string& sqlState = "",
                      const std::string& constraint = "") {
    std::string out =
        "{\"error\":{\"code\":\"" + json::jsonEscape(code) + "\",\"message\":\"" + json::jsonEscape(message) + "\"";
    if (!sqlState.empty()) out += ",\"sqlState\":\"" + json::jsonEscape(sqlState) + "\"";
    if (!constraint.empty()) out += ",\"constraint\":\"" + json::jsonEscape(constraint) + "\"";
    return out + "}}";
}

void put(zt_db_result** out, std::string errorJson) {
    if (out == nullptr) return;
    *out = new (std::nothrow) zt_db_result(std::move(errorJson));
}

void put(zt_db_result** out, db::QueryResult result) {
    if (out == nullptr) return;
    *out = new (std::nothrow) zt_db_result(std::move(result));
}

zt_db_kind cellKind(db::Value::JsonShape shape) {
    switch (shape) {
    case db::Value::JsonShape::Null:
        return ZT_DB_NULL;
    case db::Value::JsonShape::Bool:
        return ZT_DB_BOOL;
    case db::Value::JsonShape::Integer:
        return ZT_DB_INT;
    case db::Value::JsonShape::Float:
        return ZT_DB_FLOAT;
    case db::Value::JsonShape::String:
        return ZT_DB_STRING;
    case db::Value::JsonShape::Json:
        return ZT_DB_JSON;
    }
    return ZT_DB_NULL;
}

/// Failed database calls that are the server's problem (unavailable, pool timeout, query failures)
/// go to the log as warnings, at most one line per second for the whole process: an outage under
/// load would otherwise write a line per request. Each line counts the failures it held back.
class FailureLog {
public:
    void report(const std::string& service, const char* code, const std::string& message) {
        const std::int64_t now =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
                .count();
        std::int64_t last = lastMs_.load(std::memory_order_relaxed);
        if (now - last < 1000 || !lastMs_.compare_exchange_strong(last, now, std::memory_order_relaxed)) {
            heldBack_.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        const std::uint64_t held = heldBack_.exchange(0, std::memory_order_relaxed);
        logger_.warning(
            "service %s: database call failed (%s): %s%s", service, std::string(code), message,
            held == 0 ? std::string() : " (" + std::to_string(held) + " more failed calls since the last report)");
    }

private:
    Poco::Logger& logger_ = Poco::Logger::get("zt.db");  // cached: Logger::get takes a global mutex
    std::atomic<std::int64_t> lastMs_{std::numeric_limits<std::int64_t>::min() / 2};
    std::atomic<std::uint64_t> heldBack_{0};
};

FailureLog& failureLog() {
    static FailureLog log;
    return log;
}

/// Runs `body` and converts every database error into a status + error JSON.
template <class Body>
zt_status guarded(zt_host* host, zt_db_result** out, Body&& body) {
    if (out != nullptr) *out = nullptr;
    if (host == nullptr || host->service == nullptr) return ZT_ERR_INVALID_ARGUMENT;
    auto* database = host->service->database();
    if (database == nullptr) {
        put(out, errorJson("no_database", "service '" + host->service->config().name +
                                              "' has no \"database\" section in its service.config.json"));
        return ZT_ERR_NOT_FOUND;
    }
    const std::string& service = host->service->config().name;
    try {
        return body(*database);
    } catch (const PluginRollback& r) {
        put(out, errorJson("rolled_back", "the transaction body returned status " + std::to_string(r.status)));
        return r.status;
    } catch (const db::PoolTimeoutError& e) {
        failureLog().report(service, "pool_timeout", e.message());
        put(out, errorJson("pool_timeout", e.message()));
        return ZT_ERR_UNAVAILABLE;
    } catch (const db::DatabaseUnavailableError& e) {
        failureLog().report(service, "database_unavailable", e.message());
        put(out, errorJson("database_unavailable", e.message()));
        return ZT_ERR_UNAVAILABLE;
    } catch (const db::InvalidQueryError& e) {
        put(out, errorJson("invalid_query", e.message()));
        return ZT_ERR_INVALID_ARGUMENT;
    } catch (const db::RawQueryDisabledError& e) {
        put(out, errorJson("raw_query_disabled", e.message()));
        return ZT_ERR_PERMISSION;
    } catch (const db::ConflictError& e) {
        put(out, errorJson("conflict", e.message(), e.sqlState(), e.constraint()));
        return ZT_ERR_CONFLICT;
    } catch (const db::CommitOutcomeUnknownError& e) {
        failureLog().report(service, "commit_outcome_unknown", e.message());
        put(out, errorJson("commit_outcome_unknown", e.message()));
        return ZT_ERR_UNAVAILABLE;
    } catch (const db::DeadlineExceededError& e) {
        // The connection loop answers 504 deadline_exceeded for the request; this tells the plugin.
        put(out, errorJson("deadline_exceeded", e.message(), e.sqlState()));
        return ZT_ERR_UNAVAILABLE;
    } catch (const db::MigrationError& e) {
        put(out, errorJson("migration_failed", e.message()));
        return ZT_ERR_UNAVAILABLE;
    } catch (const db::ProvisioningError& e) {
        put(out, errorJson("database_setup_failed", e.message()));
        return ZT_ERR_UNAVAILABLE;
    } catch (const db::DatabaseError& e) {
        // Class 22 (data exception) and 23 (integrity) are the caller's input, not our failure.
        const auto& st = e.sqlState();
        if (st == "42501") {
            // insufficient_privilege: the service reached for something its role has no right to
            // (another service's schema, a server file, a role): refused, and worth a warning.
            failureLog().report(service, "permission_denied", e.message());
            put(out, errorJson("permission_denied", e.message(), st));
            return ZT_ERR_PERMISSION;
        }
        bool clientError = st.rfind("22", 0) == 0 || st.rfind("23", 0) == 0;
        if (!clientError) failureLog().report(service, "query_failed", e.message());
        put(out, errorJson(clientError ? "invalid_data" : "query_failed", e.message(), st, e.constraint()));
        return clientError ? ZT_ERR_INVALID_ARGUMENT : ZT_ERR_INTERNAL;
    } catch (const std::exception& e) {
        failureLog().report(service, "internal_error", e.what());
        put(out, errorJson("internal_error", e.what()));
        return ZT_ERR_INTERNAL;
    }
}

std::vector<db::Value> parseParams(std::string_view json) {
    std::vector<db::Value> params;
    if (json.empty()) return params;
    Poco::Dynamic::Var doc;
    try {
        Poco::JSON::Parser parser;
        doc = parser.parse(std::string(json));
    } catch (const Poco::Exception& e) {
        throw db::InvalidQueryError("params: not valid JSON: " + e.message());
    }
    if (doc.type() != typeid(Poco::JSON::Array::Ptr)) throw db::InvalidQueryError("params: must be a JSON array");
    auto arr = doc.extract<Poco::JSON::Array::Ptr>();
    for (std::size_t i = 0; i < arr->size(); ++i) {
        auto v = arr->get(static_cast<unsigned>(i));
        if (v.isEmpty()) {
            params.push_back(db::Value::null());
        } else if (v.type() == typeid(bool)) {
            params.push_back(db::Value::boolean(v.extract<bool>()));
        } else if (v.isString()) {
            params.push_back(db::Value::text(v.extract<std::string>()));
        } else if (v.isInteger()) {
            params.push_back(db::Value::integer(v.convert<Poco::Int64>()));
        } else if (v.isNumeric()) {
            params.push_back(db::Value::real(v.convert<double>()));
        } else {
            std::ostringstream os;
            Poco::JSON::Stringifier::stringify(v, os);
            params.push_back(db::Value::json(os.str()));
        }
    }
    return params;
}

}  // namespace

zt_status apiDbQuery(zt_host* host, zt_str builderJson, zt_db_result** out) {
    return guarded(host, out, [&](service::ServiceDatabase& database) {
        put(out, database.adapter()->queryJson(std::string(view(builderJson))));
        return ZT_OK;
    });
}

zt_status apiDbRawQuery(zt_host* host, zt_str sql, zt_str paramsJson, zt_db_result** out) {
    return guarded(host, out, [&](service::ServiceDatabase& database) {
        auto params = parseParams(view(paramsJson));
        put(out, database.adapter()->rawQuery(std::string(view(sql)), params));
        return ZT_OK;
    });
}

zt_status apiDbTransaction(zt_host* host, zt_transaction_fn fn, void* data, zt_db_result** out) {
    if (fn == nullptr) return ZT_ERR_INVALID_ARGUMENT;
    return guarded(host, out, [&](service::ServiceDatabase& database) {
        database.adapter()->transaction([&](db::Transaction&) {
            zt_status rc = ZT_ERR_INTERNAL;
            try {
                rc = fn(data);
            } catch (...) {
                rc = ZT_ERR_INTERNAL;  // an exception across the C boundary still rolls back
            }
            if (rc != ZT_OK) throw PluginRollback{rc};
        });
        put(out, db::QueryResult({}, {}, "COMMIT", 0));
        return ZT_OK;
    });
}

zt_str apiDbResultJson(const zt_db_result* result) {
    if (result == nullptr) return zt_str{"", 0};
    try {
        return str(result->json());
    } catch (...) {
        return zt_str{"", 0};  // out of memory while rendering: the SDK reports an unreadable result
    }
}

zt_status apiDbResultShape(const zt_db_result* result, zt_str* command, int64_t* rowCount, size_t* columns,
                           size_t* rows) {
    if (result == nullptr) return ZT_ERR_INVALID_ARGUMENT;
    if (!result->ok) return ZT_ERR_NOT_FOUND;
    const auto& t = result->table;
    if (command) *command = str(t.command());
    if (rowCount) *rowCount = t.affectedRows() < 0 ? 0 : t.affectedRows();  // as "rowCount" in the JSON
    if (columns) *columns = t.columns().size();
    if (rows) *rows = t.size();
    return ZT_OK;
}

zt_status apiDbResultColumn(const zt_db_result* result, size_t column, zt_str* name, uint32_t* typeOid) {
    if (result == nullptr || !result->ok || column >= result->table.columns().size()) return ZT_ERR_INVALID_ARGUMENT;
    const auto& c = result->table.columns()[column];
    if (name) *name = str(c.name);
    if (typeOid) *typeOid = c.typeOid;
    return ZT_OK;
}

zt_status apiDbResultCell(const zt_db_result* result, size_t row, size_t column, zt_db_kind* kind, zt_str* text) {
    if (result == nullptr || !result->ok || kind == nullptr || text == nullptr) return ZT_ERR_INVALID_ARGUMENT;
    const auto& t = result->table;
    if (row >= t.size() || column >= t.columns().size()) return ZT_ERR_INVALID_ARGUMENT;
    const db::Value& v = t.rows()[row].values()[column];
    try {
        const zt_db_kind k = cellKind(v.jsonShape());
        switch (k) {
        case ZT_DB_NULL:
            *text = zt_str{"", 0};
            break;
        case ZT_DB_BOOL:
            *text = v.asBool() ? zt_str{"true", 4} : zt_str{"false", 5};
            break;
        default:
            *text = str(v.text());
            break;
        }
        *kind = k;
        return ZT_OK;
    } catch (...) {
        return ZT_ERR_INTERNAL;  // a bool cell PostgreSQL did not write as t/f (cannot happen from libpq)
    }
}

void apiDbResultFree(zt_db_result* result) { delete result; }

}  // namespace zt::abi
