#pragma once
// The whole result of one statement, fully copied out of libpq (the PGresult is freed before this
// is returned, so a result never pins a pooled connection).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "db/Column.h"
#include "db/Row.h"

namespace zt::db {

class QueryResult {
public:
    QueryResult();
    QueryResult(std::vector<Column> columns, std::vector<std::vector<Value>> rows, std::string command,
                std::int64_t affectedRows);

    const std::vector<Column>& columns() const noexcept { return *columns_; }
    const std::vector<Row>& rows() const noexcept { return rows_; }
    std::size_t size() const noexcept { return rows_.size(); }
    bool empty() const noexcept { return rows_.empty(); }
    const Row& front() const;  ///< throws Poco::NotFoundException when there is no row
    /// Command tag's verb ("SELECT", "INSERT", "UPDATE", "DELETE", "CREATE TABLE", ...).
    const std::string& command() const noexcept { return command_; }
    /// Rows affected by INSERT/UPDATE/DELETE (or returned by SELECT), from the command tag; -1 if none.
    std::int64_t affectedRows() const noexcept { return affectedRows_; }

    /// {"command":"SELECT","rowCount":N,"columns":[{"name":"id","type":20},...],"rows":[{...},...]}
    /// rowCount = affectedRows (number of rows for SELECT); rows rendered with Row::toJson.
    std::string toJson() const;

private:
    std::shared_ptr<const std::vector<Column>> columns_;
    std::vector<Row> rows_;
    std::string command_;
    std::int64_t affectedRows_ = -1;
};

}  // namespace zt::db
