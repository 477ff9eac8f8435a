#include "db/SqlCompiler.h"

#include "db/DatabaseErrors.h"

namespace zt::db {

namespace {

/// Collects parameters and hands out their $n placeholders.
class Params {
public:
    std::string add(Value v) {
        values.push_back(std::move(v));
        return "$" + std::to_string(values.size());
    }
    std::vector<Value> values;
};

const char* comparison(WhereOperator op) {
    switch (op) {
    case WhereOperator::Eq:
        return " = ";
    case WhereOperator::Ne:
        return " <> ";
    case WhereOperator::Lt:
        return " < ";
    case WhereOperator::Le:
        return " <= ";
    case WhereOperator::Gt:
        return " > ";
    case WhereOperator::Ge:
        return " >= ";
    case WhereOperator::Like:
        return " LIKE ";
    case WhereOperator::ILike:
        return " ILIKE ";
    default:
        return nullptr;
    }
}

std::string whereSql(const QueryBuilder& q, Params& params) {
    std::string out;
    for (std::size_t i = 0; i < q.where.size(); ++i) {
        const auto& w = q.where[i];
        const std::string field = "where[" + std::to_string(i) + "]";
        std::string col = SqlCompiler::quoteIdentifier(w.column, field + " column");
        std::string cond;
        if (const char* cmp = comparison(w.op)) {
            if (w.values.size() != 1)
                throw InvalidQueryError(field + ": operator '" + operatorName(w.op) + "' needs exactly one value");
            if (w.values[0].isNull())
                throw InvalidQueryError(field + ": comparing with null never matches; use is-null / not-null");
            cond = col + cmp + params.add(w.values[0]);
        } else if (w.op == WhereOperator::In || w.op == WhereOperator::NotIn) {
            if (w.values.empty()) {
                // "x IN ()" is a syntax error; an empty list matches nothing (NOT IN: everything).
                cond = w.op == WhereOperator::In ? "FALSE" : "TRUE";
            } else {
                cond = col + (w.op == WhereOperator::In ? " IN (" : " NOT IN (");
                for (std::size_t k = 0; k < w.values.size(); ++k) {
                    if (w.values[k].isNull())
                        throw InvalidQueryError(field + ": null inside an in/not-in list; use is-null");
                    cond += (k ? ", " : "") + params.add(w.values[k]);
                }
                cond += ")";
            }
        } else {
            if (!w.values.empty())
                throw InvalidQueryError(field + ": operator '" + operatorName(w.op) + "' takes no value");
            cond = col + (w.op == WhereOperator::IsNull ? " IS NULL" : " IS NOT NULL");
        }
        out += (i ? " AND " : " WHERE ") + cond;
    }
    return out;
}

std::string orderAndPage(const QueryBuilder& q, Params& params, bool firstOnly) {
    std::string out;
    for (std::size_t i = 0; i < q.orderBy.size(); ++i) {
        out += (i ? ", " : " ORDER BY ") +
               SqlCompiler::quoteIdentifier(q.orderBy[i].column, "orderBy[" + std::to_string(i) + "] column") +
               (q.orderBy[i].descending ? " DESC" : " ASC");
    }
    if (q.limit && *q.limit < 0) throw InvalidQueryError("limit: must be >= 0");
    if (q.offset && *q.offset < 0) throw InvalidQueryError("offset: must be >= 0");
    if (firstOnly) out += " LIMIT 1";
    else if (q.limit) out += " LIMIT " + params.add(Value::integer(*q.limit));
    if (q.offset) out += " OFFSET " + params.add(Value::integer(*q.offset));
    return out;
}

std::string selectList(const QueryBuilder& q) {
    if (q.columns.empty()) return "*";
    std::string out;
    for (std::size_t i = 0; i < q.columns.size(); ++i)
        out += (i ? ", " : "") + SqlCompiler::quoteIdentifier(q.columns[i], "columns[" + std::to_string(i) + "]");
    return out;
}

void requireValues(const QueryBuilder& q) {
    if (q.values.empty())
        throw InvalidQueryError(std::string("values: ") + operationName(q.operation) + " needs at least one column");
}

void requireFilter(const QueryBuilder& q) {
    if (q.where.empty() && !q.allowUnfilteredWrite)
        throw InvalidQueryError(std::string("where: ") + operationName(q.operation) +
                                " without a where clause would touch every row; set allowUnfilteredWrite "
                                "to do that on purpose");
}

}  // namespace

SqlCompiler::SqlCompiler(std::string schema) : quotedSchema_(quoteIdentifier(schema, "schema")) {}

bool SqlCompiler::isValidIdentifier(const std::string& name) {
    if (name.empty() || name.size() > 63) return false;
    auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
    if (!alpha(name[0])) return false;
    for (char c : name)
        if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
    return true;
}

std::string SqlCompiler::quoteIdentifier(const std::string& name, const std::string& what) {
    if (!isValidIdentifier(name))
        throw InvalidQueryError(what + ": invalid identifier '" + name.substr(0, 80) +
                                "' (expected ^[A-Za-z_][A-Za-z0-9_]{0,62}$)");
    return "\"" + name + "\"";  // valid identifiers contain no quote: nothing to escape
}

CompiledQuery SqlCompiler::compile(const QueryBuilder& q) const {
    const std::string table = quotedSchema_ + "." + quoteIdentifier(q.table, "table");
    Params params;
    CompiledQuery out;
    switch (q.operation) {
    case QueryOperation::Select:
    case QueryOperation::First: {
        // Sequenced on purpose: operands of + are evaluated in unspecified order, and the
        // where placeholders must come first to number $n in reading order.
        std::string filter = whereSql(q, params);
        out.sql = "SELECT " + selectList(q) + " FROM " + table + filter +
                  orderAndPage(q, params, q.operation == QueryOperation::First);
    }
        out.readOnly = true;
        break;
    case QueryOperation::Count:
        // Ordering and paging do not change a count; they are ignored rather than applied to a
        // one-row aggregate (where LIMIT 0 would return no row at all).
        out.sql = "SELECT count(*) AS \"count\" FROM " + table + whereSql(q, params);
        out.readOnly = true;
        break;
    case QueryOperation::Insert: {
        std::string cols, placeholders;
        for (std::size_t i = 0; i < q.values.size(); ++i) {
            cols +=
                (i ? ", " : "") + quoteIdentifier(q.values[i].first, "values[" + q.values[i].first.substr(0, 80) + "]");
            placeholders += (i ? ", " : "") + params.add(q.values[i].second);
        }
        out.sql =
            "INSERT INTO " + table +
            (q.values.empty() ? std::string(" DEFAULT VALUES") : " (" + cols + ") VALUES (" + placeholders + ")") +
            " RETURNING " + selectList(q);
        break;
    }
    case QueryOperation::Update: {
        requireValues(q);
        requireFilter(q);
        std::string sets;
        for (std::size_t i = 0; i < q.values.size(); ++i)
            sets += (i ? ", " : "") +
                    quoteIdentifier(q.values[i].first, "values[" + q.values[i].first.substr(0, 80) + "]") + " = " +
                    params.add(q.values[i].second);
        std::string filter = whereSql(q, params);  // after the SET values: $n in reading order
        out.sql = "UPDATE " + table + " SET " + sets + filter + " RETURNING " + selectList(q);
        break;
    }
    case QueryOperation::Delete:
        requireFilter(q);
        out.sql = "DELETE FROM " + table + whereSql(q, params);
        break;
    }
    out.params = std::move(params.values);
    return out;
}

}  // namespace zt::db
