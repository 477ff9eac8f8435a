#pragma once
// zintrust/sdk/db.hpp: part of the header-only SDK.
// Include "zintrust/sdk.hpp", not this file.
//
// zt::sdk::Db, Query, Result and Row: the service's own database through the query builder, raw SQL
// and transactions (docs/DATABASE.md).

#include "zintrust/sdk/response.hpp"

namespace zt::sdk {

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

}  // namespace zt::sdk
