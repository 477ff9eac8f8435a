#include "db/QueryBuilder.h"

namespace zt::db {

QueryBuilder QueryBuilder::from(std::string table) {
    QueryBuilder b;
    b.table = std::move(table);
    return b;
}

QueryBuilder& QueryBuilder::select(std::vector<std::string> cols) {
    columns = std::move(cols);
    return *this;
}

QueryBuilder& QueryBuilder::whereEq(std::string column, Value value) {
    return whereOp(std::move(column), WhereOperator::Eq, std::move(value));
}

QueryBuilder& QueryBuilder::whereOp(std::string column, WhereOperator op, Value value) {
    where.push_back({std::move(column), op, {std::move(value)}});
    return *this;
}

QueryBuilder& QueryBuilder::whereIn(std::string column, std::vector<Value> vals) {
    where.push_back({std::move(column), WhereOperator::In, std::move(vals)});
    return *this;
}

QueryBuilder& QueryBuilder::whereNotIn(std::string column, std::vector<Value> vals) {
    where.push_back({std::move(column), WhereOperator::NotIn, std::move(vals)});
    return *this;
}

QueryBuilder& QueryBuilder::whereNull(std::string column) {
    where.push_back({std::move(column), WhereOperator::IsNull, {}});
    return *this;
}

QueryBuilder& QueryBuilder::whereNotNull(std::string column) {
    where.push_back({std::move(column), WhereOperator::NotNull, {}});
    return *this;
}

QueryBuilder& QueryBuilder::order(std::string column, bool descending) {
    orderBy.push_back({std::move(column), descending});
    return *this;
}

QueryBuilder& QueryBuilder::take(std::int64_t n) {
    limit = n;
    return *this;
}

QueryBuilder& QueryBuilder::skip(std::int64_t n) {
    offset = n;
    return *this;
}

QueryBuilder& QueryBuilder::get() {
    operation = QueryOperation::Select;
    return *this;
}

QueryBuilder& QueryBuilder::first() {
    operation = QueryOperation::First;
    return *this;
}

QueryBuilder& QueryBuilder::count() {
    operation = QueryOperation::Count;
    return *this;
}

QueryBuilder& QueryBuilder::insert(std::vector<std::pair<std::string, Value>> vals) {
    operation = QueryOperation::Insert;
    values = std::move(vals);
    return *this;
}

QueryBuilder& QueryBuilder::update(std::vector<std::pair<std::string, Value>> vals) {
    operation = QueryOperation::Update;
    values = std::move(vals);
    return *this;
}

QueryBuilder& QueryBuilder::remove() {
    operation = QueryOperation::Delete;
    return *this;
}

const char* operationName(QueryOperation op) noexcept {
    switch (op) {
    case QueryOperation::Select:
        return "select";
    case QueryOperation::First:
        return "first";
    case QueryOperation::Count:
        return "count";
    case QueryOperation::Insert:
        return "insert";
    case QueryOperation::Update:
        return "update";
    case QueryOperation::Delete:
        return "delete";
    }
    return "?";
}

const char* operatorName(WhereOperator op) noexcept {
    switch (op) {
    case WhereOperator::Eq:
        return "=";
    case WhereOperator::Ne:
        return "!=";
    case WhereOperator::Lt:
        return "<";
    case WhereOperator::Le:
        return "<=";
    case WhereOperator::Gt:
        return ">";
    case WhereOperator::Ge:
        return ">=";
    case WhereOperator::Like:
        return "like";
    case WhereOperator::ILike:
        return "ilike";
    case WhereOperator::In:
        return "in";
    case WhereOperator::NotIn:
        return "not-in";
    case WhereOperator::IsNull:
        return "is-null";
    case WhereOperator::NotNull:
        return "not-null";
    }
    return "?";
}

}  // namespace zt::db
