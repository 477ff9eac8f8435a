// zintrust/sdk.hpp: header-only C++20 SDK over the C ABI in plugin.h.
//
// A service is a class:
//
//   class Hello : public zt::sdk::Service {
//   public:
//       void configure(zt::sdk::Routes& routes, zt::sdk::Host& host) override {
//           routes.get("/hello/:name", [](const zt::sdk::Request& req) {
//               return zt::sdk::Response::json(200, "{\"hello\":\"" + req.param("name") + "\"}");
//           });
//       }
//   };
//   ZT_PLUGIN(Hello, "hello", "1.0.0", "says hello")
//
// Exceptions never cross the C boundary: zt::sdk::HttpError becomes its JSON error, any other
// exception becomes a JSON 500, and an exception in configure() refuses the service with its text.
// Plugins link nothing but the C++ standard library (no Poco).
#pragma once

#include <cstddef>
#include <algorithm>
#include <atomic>
#include <charconv>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <cstdint>
#include <limits>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "zintrust/plugin.h"
#include "zintrust/sdk/detail/json_escape.hpp"

namespace zt::sdk {

/// JSON for bodies and query values/results (nlohmann/json, Debian package nlohmann-json3-dev).
using Json = nlohmann::json;

inline std::string_view view(zt_str s) {
    return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.len);
}
inline zt_str str(std::string_view s) { return zt_str{s.data(), s.size()}; }

/// JSON string escaping for hand-built bodies (zintrust/sdk/detail/json_escape.hpp).
using detail::jsonEscape;

/// The JSON error body (docs/HTTP.md) document.
inline std::string errorJson(std::string_view code, std::string_view message) {
    return "{\"error\":{\"code\":\"" + jsonEscape(code) + "\",\"message\":\"" +
           jsonEscape(message) + "\"}}";
}

/// Throw from a handler to answer with a JSON error: HttpError(404, "not_found", "user 7 not found").
class HttpError : public std::runtime_error {
public:
    HttpError(int status, std::string code, const std::string& message)
        : std::runtime_error(message), status_(status), code_(std::move(code)) {}
    int status() const { return status_; }
    const std::string& code() const { return code_; }

private:
    int status_;
    std::string code_;
};

/// A database call failed. status() is the zt_status the host returned; httpStatus() is what a
/// handler answers when it lets the error escape (503 + Retry-After for an unavailable database).
class DbError : public std::runtime_error {
public:
    DbError(zt_status status, std::string code, const std::string& message,
            std::string sqlState = "", std::string constraint = "")
        : std::runtime_error(message),
          status_(status),
          code_(std::move(code)),
          sqlState_(std::move(sqlState)),
          constraint_(std::move(constraint)) {}
    zt_status status() const { return status_; }
    const std::string& code() const { return code_; }
    const std::string& sqlState() const { return sqlState_; }
    const std::string& constraint() const { return constraint_; }
    int httpStatus() const {
        switch (status_) {
        case ZT_ERR_UNAVAILABLE:
            return 503;
        case ZT_ERR_TIMEOUT:
            return 504;
        case ZT_ERR_CONFLICT:
            return 409;
        case ZT_ERR_INVALID_ARGUMENT:
            return 400;
        case ZT_ERR_PERMISSION:
            return 403;
        default:
            return 500;
        }
    }

private:
    zt_status status_;
    std::string code_;
    std::string sqlState_;
    std::string constraint_;
};

/// Read-only view of the request. Valid only during the handler call (it borrows host memory).
class Request {
public:
    explicit Request(const zt_request* r) : r_(r) {}

    std::string_view method() const { return view(r_->method); }
    std::string_view path() const { return view(r_->path); }
    std::string_view rawQuery() const { return view(r_->query); }
    std::string_view body() const { return view(r_->body); }
    std::string_view serviceName() const { return view(r_->service_name); }
    std::string_view principal() const { return view(r_->principal); }
    std::string_view claimsJson() const { return view(r_->claims_json); }
    std::string_view traceId() const { return view(r_->trace_id); }
    std::string_view traceparent() const { return view(r_->traceparent); }
    bool sampled() const { return (r_->trace_flags & 1u) != 0; }

    /// First header with that name (case-insensitive).
    std::optional<std::string_view> header(std::string_view name) const {
        for (std::size_t i = 0; i < r_->header_count; ++i) {
            auto n = view(r_->headers[i].name);
            if (n.size() == name.size() && equalsIgnoreCase(n, name))
                return view(r_->headers[i].value);
        }
        return std::nullopt;
    }

    /// A path parameter (":id" -> param("id")); throws HttpError 400 when absent.
    std::string param(std::string_view name) const {
        for (std::size_t i = 0; i < r_->param_count; ++i) {
            if (view(r_->params[i].name) == name) return std::string(view(r_->params[i].value));
        }
        throw HttpError(400, "bad_request", "missing path parameter '" + std::string(name) + "'");
    }

    /// A query parameter, percent-decoded ('+' is a space); nullopt when absent.
    std::optional<std::string> query(std::string_view name) const {
        std::string_view q = rawQuery();
        while (!q.empty()) {
            auto amp = q.find('&');
            std::string_view pair = q.substr(0, amp);
            auto eq = pair.find('=');
            if (decode(pair.substr(0, eq)) == name)
                return eq == std::string_view::npos ? std::string() : decode(pair.substr(eq + 1));
            if (amp == std::string_view::npos) break;
            q.remove_prefix(amp + 1);
        }
        return std::nullopt;
    }

    /// A path parameter as an integer in [min, max] (default: a positive id). Anything else, such
    /// as "/users/abc", "/users/0" or "/users/1x", throws HttpError 400 bad_request naming it.
    std::int64_t paramInt(std::string_view name, std::int64_t min = 1,
                          std::int64_t max = std::numeric_limits<std::int64_t>::max()) const {
        const std::string text = param(name);
        auto value = parseInt(text);
        if (!value || *value < min || *value > max) {
            throw HttpError(400, "bad_request",
                            rangeMessage("path parameter", name, text, min, max));
        }
        return *value;
    }

    /// ?name=N as an integer in [min, max]; `fallback` when the parameter is absent. Anything else
    /// throws HttpError 400 bad_request naming it.
    std::int64_t queryInt(std::string_view name, std::int64_t fallback,
                          std::int64_t min = std::numeric_limits<std::int64_t>::min(),
                          std::int64_t max = std::numeric_limits<std::int64_t>::max()) const {
        auto text = query(name);
        if (!text) return fallback;
        auto value = parseInt(*text);
        if (!value || *value < min || *value > max) {
            throw HttpError(400, "bad_request",
                            rangeMessage("query parameter", name, *text, min, max));
        }
        return *value;
    }

    /// The body as a JSON object. Not JSON, or JSON that is not an object, throws HttpError 400
    /// invalid_json (with the parser's message).
    Json jsonBody() const {
        Json parsed;
        try {
            parsed = Json::parse(body());
        } catch (const Json::parse_error& e) {
            throw HttpError(400, "invalid_json",
                            std::string("request body is not valid JSON: ") + e.what());
        }
        if (!parsed.is_object())
            throw HttpError(400, "invalid_json", "request body must be a JSON object");
        return parsed;
    }

    const zt_request* raw() const { return r_; }

private:
    /// A whole decimal integer with an optional '-' (no '+', spaces or trailing characters).
    static std::optional<std::int64_t> parseInt(std::string_view text) {
        std::int64_t value = 0;
        const char* end = text.data() + text.size();
        auto [ptr, ec] = std::from_chars(text.data(), end, value);
        if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
        return value;
    }
    static std::string rangeMessage(const char* kind, std::string_view name,
                                    const std::string& text, std::int64_t min, std::int64_t max) {
        std::string range = "an integer";
        if (min == 1 && max == std::numeric_limits<std::int64_t>::max())
            range = "a positive integer";
        else if (min == 0 && max == std::numeric_limits<std::int64_t>::max())
            range = "an integer >= 0";
        else if (min != std::numeric_limits<std::int64_t>::min() ||
                 max != std::numeric_limits<std::int64_t>::max())
            range = "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
        return std::string(kind) + " '" + std::string(name) + "' must be " + range + ", got '" +
               text.substr(0, 64) + "'";
    }
    static bool equalsIgnoreCase(std::string_view a, std::string_view b) {
        for (std::size_t i = 0; i < a.size(); ++i) {
            char x = a[i], y = b[i];
            if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
            if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
            if (x != y) return false;
        }
        return true;
    }
    static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
    static std::string decode(std::string_view s) {
        std::string out;
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (s[i] == '+') {
                out += ' ';
            } else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 &&
                       hex(s[i + 2]) >= 0) {
                out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
                i += 2;
            } else {
                out += s[i];
            }
        }
        return out;
    }
    const zt_request* r_;
};

/// What a handler returns. Copied into the host's response after the handler returns.
struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    static Response json(int status, std::string body) {
        Response r;
        r.status = status;
        r.headers.emplace_back("Content-Type", "application/json");
        r.body = std::move(body);
        return r;
    }
    static Response text(int status, std::string body) {
        Response r;
        r.status = status;
        r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
        r.body = std::move(body);
        return r;
    }
    static Response error(int status, std::string_view code, std::string_view message) {
        return json(status, errorJson(code, message));
    }
    Response& header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }
};

enum class HealthState {
    Healthy = ZT_HEALTH_HEALTHY,
    Degraded = ZT_HEALTH_DEGRADED,
    Unhealthy = ZT_HEALTH_UNHEALTHY
};

struct HealthResult {
    HealthState state = HealthState::Healthy;
    std::string message;
};

/// Decision of a custom authenticator (auth strategy "custom").
struct AuthDecision {
    bool allow = false;
    std::string principal;
    int denyStatus = 401;  ///< 401 or 403
    std::string message;

    static AuthDecision allowAs(std::string principal) {
        return {true, std::move(principal), 401, ""};
    }
    static AuthDecision deny(int status, std::string message) {
        return {false, "", status, std::move(message)};
    }
};

/// One row of a query result: typed access by column name. Throws std::runtime_error naming the
/// column when it is absent or of another type (never a silent 0). A column name that appears
/// twice (a join without aliases) reads as its last occurrence, as in the result JSON.
///
/// Rows read from a host with ABI >= 1.3 hold the host's cells (kind + text) and build their JSON
/// object only when toJson() or json() asks for it; rows from older hosts hold the parsed JSON.
/// Both answer every accessor the same way. A Row may be read from several threads at once.
class Row {
public:
    /// One cell as the host reported it (db_result_cell): its zt_db_kind and text.
    struct Cell {
        zt_db_kind kind = ZT_DB_NULL;
        std::string text;
    };
    using Columns = std::vector<std::string>;

    Row() = default;
    explicit Row(Json object) : object_(std::make_shared<const Json>(std::move(object))) {}
    /// `columns` is shared by every row of one result; cells[i] belongs to (*columns)[i].
    Row(std::shared_ptr<const Columns> columns, std::vector<Cell> cells)
        : columns_(std::move(columns)), cells_(std::move(cells)) {
        if (!columns_ || columns_->size() != cells_.size())
            throw std::invalid_argument("Row: one cell per column is required");
    }
    Row(const Row& o) : columns_(o.columns_), cells_(o.cells_), object_(o.object_.load()) {}
    Row(Row&& o) noexcept
        : columns_(std::move(o.columns_)),
          cells_(std::move(o.cells_)),
          object_(o.object_.exchange(nullptr)) {}
    Row& operator=(const Row& o) {
        if (this != &o) {
            columns_ = o.columns_;
            cells_ = o.cells_;
            object_.store(o.object_.load());
        }
        return *this;
    }
    Row& operator=(Row&& o) noexcept {
        if (this != &o) {
            columns_ = std::move(o.columns_);
            cells_ = std::move(o.cells_);
            object_.store(o.object_.exchange(nullptr));
        }
        return *this;
    }

    bool has(const std::string& column) const {
        return columns_ ? findCell(column) != nullptr : toJson().contains(column);
    }
    bool isNull(const std::string& column) const {
        return columns_ ? cellAt(column).kind == ZT_DB_NULL : at(column).is_null();
    }
    std::int64_t integer(const std::string& column) const {
        if (!columns_) {
            const Json& v = at(column);
            if (!v.is_number_integer()) fail(column, "an integer", v);
            return v.get<std::int64_t>();
        }
        // A float8 cell PostgreSQL prints without a fraction ("3") is an integer in JSON too.
        const Cell& c = cellAt(column);
        std::int64_t out = 0;
        if ((c.kind != ZT_DB_INT && c.kind != ZT_DB_FLOAT) || !parseWhole(c.text, out))
            fail(column, "an integer", at(column));
        return out;
    }
    double number(const std::string& column) const {
        if (!columns_) {
            const Json& v = at(column);
            if (!v.is_number()) fail(column, "a number", v);
            return v.get<double>();
        }
        const Cell& c = cellAt(column);
        double out = 0;
        if ((c.kind != ZT_DB_INT && c.kind != ZT_DB_FLOAT) || !parseWhole(c.text, out))
            fail(column, "a number", at(column));
        return out;
    }
    bool boolean(const std::string& column) const {
        if (!columns_) {
            const Json& v = at(column);
            if (!v.is_boolean()) fail(column, "a boolean", v);
            return v.get<bool>();
        }
        const Cell& c = cellAt(column);
        if (c.kind != ZT_DB_BOOL) fail(column, "a boolean", at(column));
        return c.text == "true";
    }
    /// Text, NUMERIC (exact decimal text), timestamps (ISO 8601 with microseconds and offset,
    /// "2026-12-01T19:32:55.725924Z"), UUIDs.
    std::string string(const std::string& column) const {
        if (!columns_) {
            const Json& v = at(column);
            if (!v.is_string()) fail(column, "a string", v);
            return v.get<std::string>();
        }
        const Cell& c = cellAt(column);
        if (c.kind != ZT_DB_STRING) fail(column, "a string", at(column));
        return c.text;
    }
    /// json/jsonb columns (already parsed), or any value as JSON.
    const Json& json(const std::string& column) const { return at(column); }
    /// The whole row as a JSON object (for response bodies).
    const Json& toJson() const {
        std::shared_ptr<const Json> built = object_.load(std::memory_order_acquire);
        if (!built) {
            // Two threads may both build it; the first one stored wins and both return that one.
            auto fresh = std::make_shared<const Json>(buildObject());
            if (object_.compare_exchange_strong(built, fresh, std::memory_order_acq_rel))
                built = std::move(fresh);
        }
        return *built;  // kept alive by object_ for as long as this Row
    }

private:
    const Json& at(const std::string& column) const {
        const Json& o = toJson();
        auto it = o.find(column);
        if (it == o.end()) missing(column);
        return *it;
    }
    const Cell* findCell(const std::string& column) const {
        for (std::size_t i = columns_->size(); i-- > 0;)
            if ((*columns_)[i] == column) return &cells_[i];
        return nullptr;
    }
    const Cell& cellAt(const std::string& column) const {
        const Cell* c = findCell(column);
        if (c == nullptr) missing(column);
        return *c;
    }
    template <class Number>
    static bool parseWhole(const std::string& text, Number& out) {
        auto r = std::from_chars(text.data(), text.data() + text.size(), out);
        return r.ec == std::errc() && r.ptr == text.data() + text.size();
    }
    /// The cell as the result JSON has it (same types: see zt_db_kind).
    static Json cellJson(const Cell& c) {
        switch (c.kind) {
        case ZT_DB_BOOL:
            return c.text == "true";
        case ZT_DB_INT: {
            std::int64_t v = 0;
            if (parseWhole(c.text, v)) return v;
            break;
        }
        case ZT_DB_FLOAT:
        case ZT_DB_JSON: {
            Json v = Json::parse(c.text, nullptr, false);
            if (!v.is_discarded()) return v;
            break;
        }
        case ZT_DB_STRING:
            return c.text;
        default:
            return nullptr;
        }
        return c.text;  // a cell whose text does not parse as its kind says: keep it readable
    }
    Json buildObject() const {
        if (!columns_) return Json();  // a default-constructed Row
        Json o = Json::object();
        for (std::size_t i = 0; i < cells_.size(); ++i) o[(*columns_)[i]] = cellJson(cells_[i]);
        return o;
    }
    [[noreturn]] static void missing(const std::string& column) {
        throw std::runtime_error("column '" + column + "' is not in the result");
    }
    [[noreturn]] static void fail(const std::string& column, const char* expected, const Json& v) {
        throw std::runtime_error("column '" + column + "' is not " + expected + " (" +
                                 v.type_name() + ")");
    }

    std::shared_ptr<const Columns> columns_;  ///< null: the row holds only JSON (object_)
    std::vector<Cell> cells_;
    mutable std::atomic<std::shared_ptr<const Json>> object_;
};

/// A query result: command tag, affected/returned row count and rows.
struct Result {
    std::string command;
    std::int64_t rowCount = 0;
    std::vector<Row> rows;
    /// The rows as a JSON array (for response bodies).
    Json rowsJson() const {
        Json a = Json::array();
        for (const auto& r : rows) a.push_back(r.toJson());
        return a;
    }
};

class Db;

/// Fluent query builder, compiled to SQL by the host (values always bound as $n parameters,
/// identifiers validated and quoted, tables qualified with the service's schema).
///   db.table("users").where("id", 7).first();
///   db.table("users").where("created_at", ">", t).orderBy("id", "desc").limit(10).get();
class Query {
public:
    Query(const Db* db, std::string table) : db_(db) {
        spec_["table"] = std::move(table);
        spec_["where"] = Json::array();
    }
    Query& select(std::vector<std::string> columns) {
        spec_["columns"] = std::move(columns);
        return *this;
    }
    Query& where(const std::string& column, Json value) {
        return where(column, "=", std::move(value));
    }
    Query& where(const std::string& column, const std::string& op, Json value) {
        spec_["where"].push_back(Json::array({column, op, std::move(value)}));
        return *this;
    }
    Query& whereIn(const std::string& column, Json values) {
        return where(column, "in", std::move(values));
    }
    Query& whereNotIn(const std::string& column, Json values) {
        return where(column, "not-in", std::move(values));
    }
    Query& whereNull(const std::string& column) {
        spec_["where"].push_back(Json::array({column, "is-null"}));
        return *this;
    }
    Query& whereNotNull(const std::string& column) {
        spec_["where"].push_back(Json::array({column, "not-null"}));
        return *this;
    }
    Query& orderBy(const std::string& column, const std::string& direction = "asc") {
        spec_["orderBy"].push_back(Json::array({column, direction}));
        return *this;
    }
    Query& limit(std::int64_t n) {
        spec_["limit"] = n;
        return *this;
    }
    Query& offset(std::int64_t n) {
        spec_["offset"] = n;
        return *this;
    }
    /// Lets update()/del() run without a where clause (refused otherwise).
    Query& allowUnfilteredWrite() {
        spec_["allowUnfilteredWrite"] = true;
        return *this;
    }

    Result get() const { return run("select"); }
    std::optional<Row> first() const {
        Result r = run("first");
        if (r.rows.empty()) return std::nullopt;
        return std::move(r.rows.front());
    }
    std::int64_t count() const {
        Result r = run("count");
        if (r.rows.empty()) return 0;
        const Json& v = r.rows.front().toJson().begin().value();
        return v.is_number_integer() ? v.get<std::int64_t>() : std::stoll(v.get<std::string>());
    }
    /// INSERT ... RETURNING *: the new row (with its id).
    Row insert(Json values) const {
        Result r = run("insert", std::move(values));
        if (r.rows.empty()) throw std::runtime_error("insert returned no row");
        return std::move(r.rows.front());
    }
    /// UPDATE ... RETURNING *: the updated rows.
    Result update(Json values) const { return run("update", std::move(values)); }
    /// DELETE ... RETURNING *: the number of deleted rows.
    std::int64_t del() const { return run("delete").rowCount; }

    /// The JSON description sent to the host (zt_host_api.db_query).
    Json spec(const std::string& op) const {
        Json s = spec_;
        s["op"] = op;
        return s;
    }

private:
    Result run(const std::string& op, Json values = nullptr) const;
    const Db* db_;
    Json spec_;
};

/// The service's database (docs/DATABASE.md). Every call throws DbError on failure.
/// OWNERSHIP: wraps host pointers valid until the plugin's shutdown().
class Db {
public:
    Db(const zt_host_api* api, zt_host* host) : api_(api), host_(host) {}

    /// True when the host offers the database functions (ABI >= 1.1).
    bool supported() const { return ZT_HOST_API_HAS(api_, db_result_free); }

    Query table(std::string name) const { return Query(this, std::move(name)); }

    /// One statement with $1..$n placeholders (needs USE_RAW_QRY=true on the host).
    Result raw(const std::string& sql, Json params = Json::array()) const {
        requireSupported();
        std::string p = params.dump();
        zt_db_result* res = nullptr;
        zt_status rc = api_->db_raw_query(host_, str(sql), str(p), &res);
        return take(rc, res);
    }

    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws (the
    /// exception is rethrown after the rollback). Nested calls become savepoints. Every query the
    /// body makes on this thread through any Db handle of this service joins the transaction.
    void transaction(const std::function<void()>& body) const {
        requireSupported();
        struct Context {
            const std::function<void()>* body;
            std::exception_ptr error;
        } ctx{&body, nullptr};
        auto trampoline = [](void* data) -> zt_status {
            auto* c = static_cast<Context*>(data);
            try {
                (*c->body)();
                return ZT_OK;
            } catch (...) {
                c->error = std::current_exception();
                return ZT_ERR_INTERNAL;
            }
        };
        zt_db_result* res = nullptr;
        zt_status rc = api_->db_transaction(host_, trampoline, &ctx, &res);
        if (ctx.error) {
            if (res) api_->db_result_free(res);
            std::rethrow_exception(ctx.error);
        }
        take(rc, res);
    }

    /// Sends a builder description (see Query::spec) and parses the result.
    Result execute(const Json& spec) const { return executeText(spec.dump()); }
    /// The same for a description already rendered as JSON text.
    Result executeText(std::string_view specJson) const {
        requireSupported();
        zt_db_result* res = nullptr;
        zt_status rc = api_->db_query(host_, str(specJson), &res);
        return take(rc, res);
    }

private:
    void requireSupported() const {
        if (!supported())
            throw DbError(ZT_ERR_UNAVAILABLE, "database_unsupported",
                          "the host does not offer database access (plugin ABI < 1.1)");
    }
    Result take(zt_status rc, zt_db_result* res) const {
        if (rc == ZT_OK && res != nullptr && ZT_HOST_API_HAS(api_, db_result_cell))
            return takeCells(res);
        // Parsed straight from the host's buffer (no copy), which is freed right after.
        Json doc;
        if (res) {
            const std::string_view text = view(api_->db_result_json(res));
            doc = Json::parse(text.begin(), text.end(), nullptr, false);
            api_->db_result_free(res);
        } else {
            doc = Json(Json::value_t::discarded);
        }
        if (rc != ZT_OK) {
            std::string code = "database_error",
                        message = "database call failed with status " + std::to_string(rc);
            std::string sqlState, constraint;
            if (!doc.is_discarded() && doc.contains("error")) {
                const Json& e = doc["error"];
                code = e.value("code", code);
                message = e.value("message", message);
                sqlState = e.value("sqlState", "");
                constraint = e.value("constraint", "");
            }
            throw DbError(rc, code, message, sqlState, constraint);
        }
        if (doc.is_discarded() || !doc.is_object())
            throw DbError(ZT_ERR_INTERNAL, "bad_result", "the host returned an unreadable result");
        Result r;
        r.command = doc.value("command", "");
        r.rowCount = doc.value("rowCount", static_cast<std::int64_t>(0));
        if (doc.contains("rows")) {
            for (auto& row : doc["rows"]) r.rows.emplace_back(std::move(row));
        }
        return r;
    }
    /// ABI >= 1.3: the rows cell by cell, no JSON rendered or parsed. Frees `res`.
    Result takeCells(zt_db_result* res) const {
        struct Free {
            const zt_host_api* api;
            zt_db_result* res;
            ~Free() { api->db_result_free(res); }
        } guard{api_, res};
        Result r;
        zt_str command{};
        std::size_t columns = 0, rows = 0;
        auto unreadable = [] {
            return DbError(ZT_ERR_INTERNAL, "bad_result", "the host returned an unreadable result");
        };
        if (api_->db_result_shape(res, &command, &r.rowCount, &columns, &rows) != ZT_OK)
            throw unreadable();
        r.command.assign(view(command));
        auto names = std::make_shared<Row::Columns>();
        names->reserve(columns);
        for (std::size_t c = 0; c < columns; ++c) {
            zt_str name{};
            if (api_->db_result_column(res, c, &name, nullptr) != ZT_OK) throw unreadable();
            names->emplace_back(view(name));
        }
        std::shared_ptr<const Row::Columns> shared = std::move(names);
        r.rows.reserve(rows);
        for (std::size_t i = 0; i < rows; ++i) {
            std::vector<Row::Cell> cells(columns);
            for (std::size_t c = 0; c < columns; ++c) {
                zt_str text{};
                if (api_->db_result_cell(res, i, c, &cells[c].kind, &text) != ZT_OK)
                    throw unreadable();
                cells[c].text.assign(view(text));
            }
            r.rows.emplace_back(shared, std::move(cells));
        }
        return r;
    }
    const zt_host_api* api_;
    zt_host* host_;
};

inline Result Query::run(const std::string& op, Json values) const {
    // What spec(op) plus "values" would dump, without deep-copying spec_ first: spec_ is an object
    // that always has "table" and "where" and never "op" or "values", so its text ends in '}'.
    std::string text = spec_.dump();
    text.pop_back();
    text += ",\"op\":";
    text += Json(op).dump();
    if (!values.is_null()) {
        text += ",\"values\":";
        text += values.dump();
    }
    text += '}';
    return db_->executeText(text);
}

/// The answer of another service (copied out of the host's zt_call_response).
struct CallResult {
    int status = 0;
    std::string body;
    std::vector<std::pair<std::string, std::string>>
        headers;  ///< those named in the call's `keepHeaders`

    bool ok() const { return status >= 200 && status < 300; }
    /// The body parsed as JSON (discarded value when it is not JSON).
    Json json() const { return Json::parse(body, nullptr, false); }
    std::optional<std::string> header(const std::string& name) const {
        for (const auto& [n, v] : headers) {
            if (n.size() == name.size() &&
                std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
                    return std::tolower(static_cast<unsigned char>(a)) ==
                           std::tolower(static_cast<unsigned char>(b));
                }))
                return v;
        }
        return std::nullopt;
    }
};

/// Calls to other services (README: Inter-service calls): in-process when the target is loaded in this host, else
/// HTTP; trace context, credentials, timeout, retries and circuit breaking are the host's job.
/// Failures come back as statuses with JSON error bodies (503 circuit_open, 504 upstream_timeout...).
/// OWNERSHIP: wraps host pointers valid until the plugin's shutdown().
class Services {
public:
    Services(const zt_host_api* api, zt_host* host) : api_(api), host_(host) {}

    /// True when the host offers calls (ABI >= 1.2).
    bool supported() const { return ZT_HOST_API_HAS(api_, call_response_free); }

    /// `context`: the request being handled (its trace continues in the target), or nullptr.
    /// `keepHeaders`: answer headers to copy into CallResult::headers.
    CallResult call(const Request* context, const std::string& service, const std::string& method,
                    const std::string& pathAndQuery, const std::string& body = "",
                    const std::vector<std::pair<std::string, std::string>>& headers = {},
                    const std::vector<std::string>& keepHeaders = {}) const {
        if (!supported())
            throw HttpError(503, "calls_unsupported",
                            "the host does not offer inter-service calls (plugin ABI < 1.2)");
        std::vector<zt_header> hs;
        hs.reserve(headers.size());
        for (const auto& [n, v] : headers) hs.push_back({str(n), str(v)});
        zt_call_response* resp = nullptr;
        zt_status rc =
            api_->call_service(host_, context ? context->raw() : nullptr, str(service), str(method),
                               str(pathAndQuery), hs.data(), hs.size(), str(body), &resp);
        if (rc != ZT_OK || resp == nullptr)
            throw HttpError(500, "call_failed",
                            "call_service failed with status " + std::to_string(rc));
        CallResult r;
        r.status = api_->call_response_status(resp);
        r.body = std::string(view(api_->call_response_body(resp)));
        for (const auto& name : keepHeaders) {
            zt_str v{nullptr, 0};
            if (api_->call_response_header(resp, str(name), &v) == ZT_OK)
                r.headers.emplace_back(name, std::string(view(v)));
        }
        api_->call_response_free(resp);
        return r;
    }
    CallResult get(const Request* context, const std::string& service,
                   const std::string& path) const {
        return call(context, service, "GET", path);
    }
    CallResult post(const Request* context, const std::string& service, const std::string& path,
                    const Json& body,
                    const std::vector<std::pair<std::string, std::string>>& headers = {}) const {
        auto hs = headers;
        hs.emplace_back("Content-Type", "application/json");
        return call(context, service, "POST", path, body.dump(), hs);
    }

private:
    const zt_host_api* api_;
    zt_host* host_;
};

using Handler = std::function<Response(const Request&)>;
using HealthCheck = std::function<HealthResult()>;
using Authenticator = std::function<AuthDecision(const Request&)>;

/// The host as seen by a service: logging, config, health checks, custom authentication.
/// OWNERSHIP: wraps the host table and handle, both valid until the plugin's shutdown().
class Host {
public:
    Host(const zt_host_api* api, zt_host* host) : api_(api), host_(host) {}

    void log(zt_log_level level, std::string_view message) const {
        api_->log(host_, level, str(message));
    }
    void info(std::string_view m) const { log(ZT_LOG_INFORMATION, m); }
    void warn(std::string_view m) const { log(ZT_LOG_WARNING, m); }
    void error(std::string_view m) const { log(ZT_LOG_ERROR, m); }

    /// A service.config.json value by dotted path ("config.greeting"); non-strings as JSON text.
    std::optional<std::string> config(std::string_view key) const {
        zt_str out{nullptr, 0};
        if (api_->config_get(host_, str(key), &out) != ZT_OK) return std::nullopt;
        return std::string(view(out));
    }

    /// The service's database (docs/DATABASE.md).
    Db db() const { return Db(api_, host_); }
    /// Calls to other services (README: Inter-service calls).
    Services services() const { return Services(api_, host_); }

    /// Registers a health check shown under checks.plugin.<name>. Only inside configure().
    void addHealthCheck(std::string name, HealthCheck check);
    /// Registers the custom authenticator. Only inside configure().
    void setAuthenticator(Authenticator authenticator);

    const zt_host_api* api() const { return api_; }
    zt_host* handle() const { return host_; }

    // SDK internals: where configure()-time registrations are kept; null outside configure().
    std::vector<std::unique_ptr<HealthCheck>>* healthStorage_ = nullptr;
    std::unique_ptr<Authenticator>* authStorage_ = nullptr;

private:
    const zt_host_api* api_;
    zt_host* host_;
};

namespace detail {

inline void writeResponse(const zt_host_api* api, zt_response* out, const Response& r) {
    api->response_set_status(out, r.status);
    for (const auto& [n, v] : r.headers) api->response_add_header(out, str(n), str(v));
    api->response_set_body(out, str(r.body));
}

struct RouteSlot {
    const zt_host_api* api;
    Handler handler;
    zt_host* host = nullptr;  ///< for logging what a failing handler threw
};

/// What a handler threw that the client must not see (library text, internals): logged through
/// the host as an error, answered with the SDK's own words.
inline void logHandlerFailure(const RouteSlot& slot, const zt_request* request,
                              std::string_view what) {
    if (slot.host == nullptr || slot.api->log == nullptr) return;
    std::string line = "handler failed";
    if (request != nullptr) {
        line += " (" + std::string(request->method.data, request->method.len) + " " +
                std::string(request->path.data, request->path.len) + ")";
    }
    line += ": ";
    line += what;
    slot.api->log(slot.host, ZT_LOG_ERROR, str(line));
}

inline zt_status invokeRoute(void* data, const zt_request* request, zt_response* response) {
    auto* slot = static_cast<RouteSlot*>(data);
    try {
        Request req(request);
        Response r = slot->handler(req);
        writeResponse(slot->api, response, r);
        return ZT_OK;
    } catch (const HttpError& e) {
        writeResponse(slot->api, response, Response::error(e.status(), e.code(), e.what()));
        return ZT_OK;
    } catch (const DbError& e) {
        Response r = Response::error(e.httpStatus(), e.code(), e.what());
        if (e.httpStatus() == 503) r.header("Retry-After", "1");
        writeResponse(slot->api, response, r);
        return ZT_OK;
    } catch (const Json::parse_error& e) {
        // Most often Json::parse(req.body()) on a bad body: the client's input, not our failure.
        logHandlerFailure(*slot, request, e.what());
        writeResponse(slot->api, response,
                      Response::error(400, "invalid_json", "the request body is not valid JSON"));
        return ZT_OK;
    } catch (const Json::type_error& e) {
        logHandlerFailure(*slot, request, e.what());
        if (e.id == 316)  // a string that is not UTF-8 (a header or body value put into JSON)
            writeResponse(
                slot->api, response,
                Response::error(400, "invalid_utf8", "a request value is not valid UTF-8"));
        else
            writeResponse(slot->api, response,
                          Response::error(500, "internal_error", "internal error"));
        return ZT_OK;
    } catch (const std::exception& e) {
        // Never the exception's text: it may be a library's message or carry internals.
        logHandlerFailure(*slot, request, e.what());
        writeResponse(slot->api, response,
                      Response::error(500, "internal_error", "internal error"));
        return ZT_OK;
    } catch (...) {
        logHandlerFailure(*slot, request, "unknown exception");
        writeResponse(slot->api, response,
                      Response::error(500, "internal_error", "internal error"));
        return ZT_OK;
    }
}

inline zt_health_state invokeHealth(void* data, char* buf, std::size_t cap) {
    auto* check = static_cast<HealthCheck*>(data);
    HealthResult r;
    try {
        r = (*check)();
    } catch (const std::exception& e) {
        r = {HealthState::Unhealthy, std::string("check threw: ") + e.what()};
    } catch (...) {
        r = {HealthState::Unhealthy, "check threw"};
    }
    if (cap > 0) {
        std::size_t n = r.message.size() < cap - 1 ? r.message.size() : cap - 1;
        std::memcpy(buf, r.message.data(), n);
        buf[n] = '\0';
    }
    return static_cast<zt_health_state>(r.state);
}

struct AuthSlot {
    const zt_host_api* api;
    Authenticator fn;
};

inline zt_status invokeAuth(void* data, const zt_request* request, zt_auth_result* result) {
    auto* slot = static_cast<AuthSlot*>(data);
    try {
        AuthDecision d = slot->fn(Request(request));
        return slot->api->auth_result_set(result, d.allow ? 1 : 0, str(d.principal), d.denyStatus,
                                          str(d.message));
    } catch (...) {
        return ZT_ERR_INTERNAL;  // the host denies: fail closed
    }
}

}  // namespace detail

/// Route registration inside Service::configure().
class Routes {
public:
    Routes(const zt_host_api* api, zt_host* host,
           std::vector<std::unique_ptr<detail::RouteSlot>>& slots)
        : api_(api), host_(host), slots_(slots) {}

    Routes& get(std::string_view p, Handler h) { return add("GET", p, std::move(h)); }
    Routes& post(std::string_view p, Handler h) { return add("POST", p, std::move(h)); }
    Routes& put(std::string_view p, Handler h) { return add("PUT", p, std::move(h)); }
    Routes& patch(std::string_view p, Handler h) { return add("PATCH", p, std::move(h)); }
    Routes& del(std::string_view p, Handler h) { return add("DELETE", p, std::move(h)); }

    /// Throws std::runtime_error (refusing the service) when the host rejects the route.
    Routes& add(std::string_view method, std::string_view pattern, Handler h) {
        slots_.push_back(
            std::make_unique<detail::RouteSlot>(detail::RouteSlot{api_, std::move(h), host_}));
        zt_status rc = api_->register_route(host_, str(method), str(pattern), &detail::invokeRoute,
                                            slots_.back().get());
        if (rc != ZT_OK) {
            slots_.pop_back();
            throw std::runtime_error("cannot register route " + std::string(method) + " " +
                                     std::string(pattern) + " (status " + std::to_string(rc) + ")");
        }
        return *this;
    }

private:
    const zt_host_api* api_;
    zt_host* host_;
    std::vector<std::unique_ptr<detail::RouteSlot>>& slots_;
};

/// Base class of a service. One instance per loaded service; handlers run on many threads.
class Service {
public:
    virtual ~Service() = default;
    /// Register routes, health checks and an authenticator. Throw to refuse to start.
    virtual void configure(Routes& routes, Host& host) = 0;
};

/// Everything one loaded service owns (route slots must outlive the host's use of them).
struct PluginInstance {
    Host host;
    std::vector<std::unique_ptr<detail::RouteSlot>> routes;
    std::vector<std::unique_ptr<HealthCheck>> healthChecks;
    std::unique_ptr<detail::AuthSlot> auth;  ///< registered with the host after configure()
    std::unique_ptr<Authenticator> authFn;  ///< filled by Host::setAuthenticator during configure()
    std::unique_ptr<Service> service;

    PluginInstance(const zt_host_api* api, zt_host* h) : host(api, h) {}
};

inline void Host::addHealthCheck(std::string name, HealthCheck check) {
    if (healthStorage_ == nullptr)
        throw std::logic_error("addHealthCheck is only valid inside configure()");
    healthStorage_->push_back(std::make_unique<HealthCheck>(std::move(check)));
    zt_status rc = api_->register_health_check(host_, str(name), &detail::invokeHealth,
                                               healthStorage_->back().get());
    if (rc != ZT_OK) {
        healthStorage_->pop_back();
        throw std::runtime_error("cannot register health check '" + name + "' (status " +
                                 std::to_string(rc) + ")");
    }
}

namespace detail {
template <class ServiceT>
zt_status init(const zt_host_api* api, zt_host* host, void** out, char* err, std::size_t cap) {
    auto fail = [&](const std::string& msg) {
        if (cap > 0) {
            std::size_t n = msg.size() < cap - 1 ? msg.size() : cap - 1;
            std::memcpy(err, msg.data(), n);
            err[n] = '\0';
        }
        return ZT_ERR_INTERNAL;
    };
    if (api == nullptr || api->abi_major != ZT_PLUGIN_ABI_MAJOR ||
        api->struct_size < offsetof(zt_host_api, auth_result_set) + sizeof(api->auth_result_set)) {
        return fail("host function table is incompatible with this plugin");
    }
    try {
        auto inst = std::make_unique<PluginInstance>(api, host);
        inst->host.healthStorage_ = &inst->healthChecks;
        inst->host.authStorage_ = &inst->authFn;
        inst->service = std::make_unique<ServiceT>();
        Routes routes(api, host, inst->routes);
        inst->service->configure(routes, inst->host);
        if (inst->authFn) {
            inst->auth = std::make_unique<AuthSlot>(AuthSlot{api, std::move(*inst->authFn)});
            zt_status rc = api->register_authenticator(host, &invokeAuth, inst->auth.get());
            if (rc != ZT_OK)
                return fail("cannot register authenticator (status " + std::to_string(rc) + ")");
        }
        inst->host.healthStorage_ = nullptr;
        inst->host.authStorage_ = nullptr;
        *out = inst.release();
        return ZT_OK;
    } catch (const std::exception& e) {
        return fail(e.what());
    } catch (...) {
        return fail("configure() threw a non-standard exception");
    }
}

inline void shutdown(void* instance) {
    try {
        delete static_cast<PluginInstance*>(instance);
    } catch (...) {
    }
}
}  // namespace detail

inline void Host::setAuthenticator(Authenticator authenticator) {
    if (authStorage_ == nullptr)
        throw std::logic_error("setAuthenticator is only valid inside configure()");
    if (*authStorage_) throw std::logic_error("setAuthenticator called twice");
    *authStorage_ = std::make_unique<Authenticator>(std::move(authenticator));
}

}  // namespace zt::sdk

/// Defines the plugin's exported entry symbol for service class `ServiceClass`.
#define ZT_PLUGIN(ServiceClass, NAME, VERSION, DESCRIPTION)                         \
    extern "C" ZT_PLUGIN_EXPORT const zt_plugin_descriptor* zt_plugin_entry(void) { \
        static const zt_plugin_descriptor descriptor = {                            \
            static_cast<uint32_t>(sizeof(zt_plugin_descriptor)),                    \
            static_cast<uint16_t>(ZT_PLUGIN_ABI_MAJOR),                             \
            static_cast<uint16_t>(ZT_PLUGIN_ABI_MINOR),                             \
            NAME,                                                                   \
            VERSION,                                                                \
            DESCRIPTION,                                                            \
            &::zt::sdk::detail::init<ServiceClass>,                                 \
            &::zt::sdk::detail::shutdown,                                           \
        };                                                                          \
        return &descriptor;                                                         \
    }
