#include "db/QueryBuilderJson.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <limits>
#include <sstream>

#include "db/DatabaseErrors.h"

namespace zt::db {

namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

[[noreturn]] void fail(const std::string& field, const std::string& problem) {
    throw InvalidQueryError("query JSON: " + field + ": " + problem);
}

const char* typeName(const Var& v) {
    if (v.isEmpty()) return "null";
    if (v.type() == typeid(Object::Ptr)) return "an object";
    if (v.type() == typeid(Array::Ptr)) return "an array";
    if (v.isBoolean()) return "a boolean";
    if (v.isNumeric()) return "a number";
    if (v.isString()) return "a string";
    return "an unsupported value";
}

std::string requireString(const Var& v, const std::string& field) {
    if (!v.isString()) fail(field, std::string("expected a string, got ") + typeName(v));
    return v.extract<std::string>();
}

Array::Ptr requireArray(const Var& v, const std::string& field) {
    if (v.type() != typeid(Array::Ptr)) fail(field, std::string("expected an array, got ") + typeName(v));
    return v.extract<Array::Ptr>();
}

std::int64_t requireCount(const Var& v, const std::string& field) {
    if (!v.isInteger()) fail(field, std::string("expected a non-negative integer, got ") + typeName(v));
    if (v.isSigned()) {
        auto n = v.convert<std::int64_t>();
        if (n < 0) fail(field, "expected a non-negative integer, got " + std::to_string(n));
        return n;
    }
    auto n = v.convert<std::uint64_t>();
    if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) fail(field, "too large");
    return static_cast<std::int64_t>(n);
}

std::string stringify(const Var& v) {
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(v, out);
    return out.str();
}

Value toValue(const Var& v, const std::string& field) {
    if (v.isEmpty()) return Value::null();
    if (v.type() == typeid(Object::Ptr) || v.type() == typeid(Array::Ptr)) return Value::json(stringify(v));
    if (v.isBoolean()) return Value::boolean(v.convert<bool>());
    if (v.isInteger()) {
        if (!v.isSigned() && v.convert<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return Value::numeric(v.convert<std::string>());
        return Value::integer(v.convert<std::int64_t>());
    }
    if (v.isNumeric()) return Value::real(v.convert<double>());
    if (v.isString()) return Value::text(v.extract<std::string>());
    fail(field, std::string("unsupported value: ") + typeName(v));
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
    fail(field, "unknown operator '" + s.substr(0, 40) +
                    "' (expected = != < <= > >= like ilike in not-in is-null not-null)");
}

WhereClause parseWhere(const Var& v, const std::string& field) {
    auto a = requireArray(v, field);
    if (a->size() < 2 || a->size() > 3) fail(field, "expected [column, operator, value] or [column, 'is-null'|'not-null']");
    WhereClause w;
    w.column = requireString(a->get(0), field + "[0]");
    w.op = parseOperator(requireString(a->get(1), field + "[1]"), field + "[1]");
    const bool nullTest = w.op == WhereOperator::IsNull || w.op == WhereOperator::NotNull;
    if (nullTest) {
        if (a->size() != 2) fail(field, std::string("operator '") + operatorName(w.op) + "' takes no value");
        return w;
    }
    if (a->size() != 3) fail(field, std::string("operator '") + operatorName(w.op) + "' needs a value");
    if (w.op == WhereOperator::In || w.op == WhereOperator::NotIn) {
        auto list = requireArray(a->get(2), field + "[2]");
        for (std::size_t i = 0; i < list->size(); ++i)
            w.values.push_back(toValue(list->get(i), field + "[2][" + std::to_string(i) + "]"));
    } else {
        w.values.push_back(toValue(a->get(2), field + "[2]"));
    }
    return w;
}

OrderClause parseOrder(const Var& v, const std::string& field) {
    if (v.isString()) return {v.extract<std::string>(), false};
    auto a = requireArray(v, field);
    if (a->size() < 1 || a->size() > 2) fail(field, "expected [column] or [column, 'asc'|'desc']");
    OrderClause o{requireString(a->get(0), field + "[0]"), false};
    if (a->size() == 2) {
        std::string dir = requireString(a->get(1), field + "[1]");
        if (dir == "desc" || dir == "DESC") o.descending = true;
        else if (dir != "asc" && dir != "ASC") fail(field + "[1]", "expected 'asc' or 'desc', got '" + dir.substr(0, 40) + "'");
    }
    return o;
}

}  // namespace

QueryBuilder QueryBuilderJson::parse(const std::string& jsonText) {
    Var root;
    try {
        Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));  // keep "values" key order
        root = parser.parse(jsonText);
    } catch (const Poco::Exception& e) {
        throw InvalidQueryError("query JSON: not valid JSON: " + e.message());
    }
    if (root.type() != typeid(Object::Ptr)) fail("(root)", std::string("expected an object, got ") + typeName(root));
    auto obj = root.extract<Object::Ptr>();

    QueryBuilder q;
    std::vector<std::string> names;
    obj->getNames(names);
    for (const auto& key : names) {
        const Var v = obj->get(key);
        if (key == "op") {
            q.operation = parseOperation(requireString(v, "op"));
        } else if (key == "table") {
            q.table = requireString(v, "table");
        } else if (key == "columns") {
            auto a = requireArray(v, "columns");
            for (std::size_t i = 0; i < a->size(); ++i)
                q.columns.push_back(requireString(a->get(i), "columns[" + std::to_string(i) + "]"));
        } else if (key == "where") {
            auto a = requireArray(v, "where");
            for (std::size_t i = 0; i < a->size(); ++i)
                q.where.push_back(parseWhere(a->get(i), "where[" + std::to_string(i) + "]"));
        } else if (key == "orderBy") {
            auto a = requireArray(v, "orderBy");
            for (std::size_t i = 0; i < a->size(); ++i)
                q.orderBy.push_back(parseOrder(a->get(i), "orderBy[" + std::to_string(i) + "]"));
        } else if (key == "limit") {
            q.limit = requireCount(v, "limit");
        } else if (key == "offset") {
            q.offset = requireCount(v, "offset");
        } else if (key == "values") {
            if (v.type() != typeid(Object::Ptr)) fail("values", std::string("expected an object, got ") + typeName(v));
            auto values = v.extract<Object::Ptr>();
            std::vector<std::string> cols;
            values->getNames(cols);
            for (const auto& c : cols) q.values.emplace_back(c, toValue(values->get(c), "values." + c));
        } else if (key == "allowUnfilteredWrite") {
            if (!v.isBoolean()) fail("allowUnfilteredWrite", std::string("expected a boolean, got ") + typeName(v));
            q.allowUnfilteredWrite = v.convert<bool>();
        } else {
            fail(key.substr(0, 40), "unknown key (expected op, table, columns, where, orderBy, limit, offset, values, allowUnfilteredWrite)");
        }
    }
    if (q.table.empty()) fail("table", "missing");
    return q;
}

}  // namespace zt::db
