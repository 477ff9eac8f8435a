#include "db/QueryBuilderJson.h"

// nlohmann's parser, not Poco's: Poco::JSON builds a tree of Dynamic::Var with a SharedPtr per
// object/array and was 10 % of the host's CPU per GET /users/:id in bench/ profiles.
#include <nlohmann/json.hpp>

#include <limits>

#include "db/DatabaseErrors.h"

namespace zt::db {

namespace {

// Ordered: "values" keeps the plugin's column order (deterministic SQL text, statement cache hits).
using Json = nlohmann::ordered_json;

[[noreturn]] void fail(const std::string& field, const std::string& problem) {
    throw InvalidQueryError("query JSON: " + field + ": " + problem);
}

const char* typeName(const Json& v) {
    switch (v.type()) {
    case Json::value_t::null:
        return "null";
    case Json::value_t::object:
        return "an object";
    case Json::value_t::array:
        return "an array";
    case Json::value_t::boolean:
        return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
        return "a number";
    case Json::value_t::string:
        return "a string";
    default:
        return "an unsupported value";
    }
}

const std::string& requireString(const Json& v, const std::string& field) {
    if (!v.is_string()) fail(field, std::string("expected a string, got ") + typeName(v));
    return v.get_ref<const std::string&>();
}

const Json& requireArray(const Json& v, const std::string& field) {
    if (!v.is_array()) fail(field, std::string("expected an array, got ") + typeName(v));
    return v;
}

std::int64_t requireCount(const Json& v, const std::string& field) {
    if (v.is_number_unsigned()) {
        const auto n = v.get<std::uint64_t>();
        if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) fail(field, "too large");
        return static_cast<std::int64_t>(n);
    }
    if (v.is_number_integer()) {
        const auto n = v.get<std::int64_t>();
        if (n < 0) fail(field, "expected a non-negative integer, got " + std::to_string(n));
        return n;
    }
    fail(field, std::string("expected a non-negative integer, got ") + typeName(v));
}

Value toValue(const Json& v, const std::string& field) {
    switch (v.type()) {
    case Json::value_t::null:
        return Value::null();
    case Json::value_t::object:
    case Json::value_t::array:
        return Value::json(v.dump());
    case Json::value_t::boolean:
        return Value::boolean(v.get<bool>());
    case Json::value_t::number_unsigned: {
        const auto n = v.get<std::uint64_t>();
        if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return Value::numeric(std::to_string(n));
        return Value::integer(static_cast<std::int64_t>(n));
    }
    case Json::value_t::number_integer:
        return Value::integer(v.get<std::int64_t>());
    case Json::value_t::number_float:
        return Value::real(v.get<double>());
    case Json::value_t::string:
        return Value::text(v.get<std::string>());
    default:
        fail(field, std::string("unsupported value: ") + typeName(v));
    }
}

QueryOperation parseOperation(const std::string& s) {
    if (s == "select" || s == "get") return QueryOperation::Select;
    if (s == "first") return QueryOperation::First;
    if (s == "count") return QueryOperation::Count;
    if (s == "insert") return QueryOperation::Insert;
    if (s == "update") return QueryOperation::Update;
    if (s == "delete") return QueryOperation::Delete;
    fail("op", "unknown operation '" + s + "' (expected select, first, count, insert, update, delete)");
}

WhereOperator parseOperator(const std::string& s, const std::string& field) {
    if (s == "=") return WhereOperator::Eq;
    if (s == "!=" || s == "<>") return WhereOperator::Ne;
    if (s == "<") return WhereOperator::Lt;
    if (s == "<=") return WhereOperator::Le;
    if (s == ">") return WhereOperator::Gt;
    if (s == ">=") return WhereOperator::Ge;
    if (s == "like") return WhereOperator::Like;
    if (s == "ilike") return WhereOperator::ILike;
    if (s == "in") return WhereOperator::In;
    if (s == "not-in") return WhereOperator::NotIn;
    if (s == "is-null") return WhereOperator::IsNull;
    if (s == "not-null") return WhereOperator::NotNull;
    fail(field,
         "unknown operator '" + s.substr(0, 40) + "' (expected = != < <= > >= like ilike in not-in is-null not-null)");
}

WhereClause parseWhere(const Json& v, const std::string& field) {
    const Json& a = requireArray(v, field);
    if (a.size() < 2 || a.size() > 3)
        fail(field, "expected [column, operator, value] or [column, 'is-null'|'not-null']");
    WhereClause w;
    w.column = requireString(a[0], field + "[0]");
    w.op = parseOperator(requireString(a[1], field + "[1]"), field + "[1]");
    const bool nullTest = w.op == WhereOperator::IsNull || w.op == WhereOperator::NotNull;
    if (nullTest) {
        if (a.size() != 2) fail(field, std::string("operator '") + operatorName(w.op) + "' takes no value");
        return w;
    }
    if (a.size() != 3) fail(field, std::string("operator '") + operatorName(w.op) + "' needs a value");
    if (w.op == WhereOperator::In || w.op == WhereOperator::NotIn) {
        const Json& list = requireArray(a[2], field + "[2]");
        for (std::size_t i = 0; i < list.size(); ++i)
            w.values.push_back(toValue(list[i], field + "[2][" + std::to_string(i) + "]"));
    } else {
        w.values.push_back(toValue(a[2], field + "[2]"));
    }
    return w;
}

OrderClause parseOrder(const Json& v, const std::string& field) {
    if (v.is_string()) return {v.get<std::string>(), false};
    const Json& a = requireArray(v, field);
    if (a.size() < 1 || a.size() > 2) fail(field, "expected [column] or [column, 'asc'|'desc']");
    OrderClause o{requireString(a[0], field + "[0]"), false};
    if (a.size() == 2) {
        const std::string& dir = requireString(a[1], field + "[1]");
        if (dir == "desc" || dir == "DESC") o.descending = true;
        else if (dir != "asc" && dir != "ASC")
            fail(field + "[1]", "expected 'asc' or 'desc', got '" + dir.substr(0, 40) + "'");
    }
    return o;
}

}  // namespace

QueryBuilder QueryBuilderJson::parse(const std::string& jsonText) {
    Json root;
    try {
        root = Json::parse(jsonText);
    } catch (const Json::exception& e) {  // parse_error, and out_of_range for a number like 1e400
        throw InvalidQueryError(std::string("query JSON: not valid JSON: ") + e.what());
    }
    if (!root.is_object()) fail("(root)", std::string("expected an object, got ") + typeName(root));

    QueryBuilder q;
    for (const auto& [key, v] : root.items()) {
        if (key == "op") {
            q.operation = parseOperation(requireString(v, "op"));
        } else if (key == "table") {
            q.table = requireString(v, "table");
        } else if (key == "columns") {
            const Json& a = requireArray(v, "columns");
            for (std::size_t i = 0; i < a.size(); ++i)
                q.columns.push_back(requireString(a[i], "columns[" + std::to_string(i) + "]"));
        } else if (key == "where") {
            const Json& a = requireArray(v, "where");
            for (std::size_t i = 0; i < a.size(); ++i)
                q.where.push_back(parseWhere(a[i], "where[" + std::to_string(i) + "]"));
        } else if (key == "orderBy") {
            const Json& a = requireArray(v, "orderBy");
            for (std::size_t i = 0; i < a.size(); ++i)
                q.orderBy.push_back(parseOrder(a[i], "orderBy[" + std::to_string(i) + "]"));
        } else if (key == "limit") {
            q.limit = requireCount(v, "limit");
        } else if (key == "offset") {
            q.offset = requireCount(v, "offset");
        } else if (key == "values") {
            if (!v.is_object()) fail("values", std::string("expected an object, got ") + typeName(v));
            for (const auto& [column, value] : v.items())
                q.values.emplace_back(column, toValue(value, "values." + column));
        } else if (key == "allowUnfilteredWrite") {
            if (!v.is_boolean()) fail("allowUnfilteredWrite", std::string("expected a boolean, got ") + typeName(v));
            q.allowUnfilteredWrite = v.get<bool>();
        } else {
            fail(key.substr(0, 40),
                 "unknown key (expected op, table, columns, where, orderBy, limit, offset, values, "
                 "allowUnfilteredWrite)");
        }
    }
    if (q.table.empty()) fail("table", "missing");
    return q;
}

}  // namespace zt::db
