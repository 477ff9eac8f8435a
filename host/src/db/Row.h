#pragma once
// One result row. Shares its result's column list (cheap to copy, never dangles).
#include <memory>
#include <string>
#include <vector>

#include "db/Column.h"
#include "db/Value.h"

namespace zt::db {

class Row {
public:
    Row(std::shared_ptr<const std::vector<Column>> columns, std::vector<Value> values);

    std::size_t size() const noexcept { return values_.size(); }
    const Value& operator[](std::size_t index) const;        ///< throws Poco::RangeException
    const Value& operator[](const std::string& name) const;  ///< throws Poco::NotFoundException naming it
    bool has(const std::string& name) const;
    const std::vector<Value>& values() const noexcept { return values_; }
    const std::vector<Column>& columns() const noexcept { return *columns_; }

    /// {"column": value, ...} in column order (Value::toJson for each cell). When two columns share a
    /// name (a join without aliases) both keys are written; JSON readers keep the last one.
    std::string toJson() const;
    /// toJson() appended to `out`.
    void appendJson(std::string& out) const;

private:
    std::shared_ptr<const std::vector<Column>> columns_;
    std::vector<Value> values_;
};

}  // namespace zt::db
