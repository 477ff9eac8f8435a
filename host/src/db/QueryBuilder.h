#pragma once
// A query as plain data (docs/DATABASE.md; query builder). Plugins send it as JSON through the C ABI
// (QueryBuilderJson), C++ callers can use the fluent helpers; SqlCompiler turns it into SQL with
// every value bound as a $n parameter and every identifier validated and quoted.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "db/Value.h"

namespace zt::db {

enum class QueryOperation { Select, First, Count, Insert, Update, Delete };

enum class WhereOperator { Eq, Ne, Lt, Le, Gt, Ge, Like, ILike, In, NotIn, IsNull, NotNull };

struct WhereClause {
    std::string column;
    WhereOperator op = WhereOperator::Eq;
    std::vector<Value> values;  ///< one for comparisons, any number for in/not-in, none for null tests
};

struct OrderClause {
    std::string column;
    bool descending = false;
};

struct QueryBuilder {
    QueryOperation operation = QueryOperation::Select;
    std::string table;                 ///< unqualified; always qualified with the service schema
    std::vector<std::string> columns;  ///< selected columns; empty = *
    std::vector<WhereClause> where;    ///< ANDed
    std::vector<OrderClause> orderBy;
    std::optional<std::int64_t> limit;
    std::optional<std::int64_t> offset;
    std::vector<std::pair<std::string, Value>> values;  ///< insert/update, in column order
    bool allowUnfilteredWrite = false;                  ///< update/delete without where are refused unless set

    // Fluent helpers: QueryBuilder::from("users").whereEq("id", Value::integer(1)).first()
    static QueryBuilder from(std::string table);
    QueryBuilder& select(std::vector<std::string> cols);
    QueryBuilder& whereEq(std::string column, Value value);
    QueryBuilder& whereOp(std::string column, WhereOperator op, Value value);
    QueryBuilder& whereIn(std::string column, std::vector<Value> values);
    QueryBuilder& whereNotIn(std::string column, std::vector<Value> values);
    QueryBuilder& whereNull(std::string column);
    QueryBuilder& whereNotNull(std::string column);
    QueryBuilder& order(std::string column, bool descending = false);
    QueryBuilder& take(std::int64_t n);  ///< limit
    QueryBuilder& skip(std::int64_t n);  ///< offset
    QueryBuilder& get();                 ///< operation = Select
    QueryBuilder& first();               ///< operation = First (limit 1)
    QueryBuilder& count();               ///< operation = Count
    QueryBuilder& insert(std::vector<std::pair<std::string, Value>> vals);
    QueryBuilder& update(std::vector<std::pair<std::string, Value>> vals);
    QueryBuilder& remove();  ///< operation = Delete
};

/// "select", "first", ... and "=", "!=", "not-in", ... (the JSON spellings).
const char* operationName(QueryOperation op) noexcept;
const char* operatorName(WhereOperator op) noexcept;

}  // namespace zt::db
