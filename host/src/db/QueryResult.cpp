#include "db/QueryResult.h"

#include <Poco/Exception.h>

namespace zt::db {

QueryResult::QueryResult() : columns_(std::make_shared<const std::vector<Column>>()) {}

QueryResult::QueryResult(std::vector<Column> columns, std::vector<std::vector<Value>> rows, std::string command,
                         std::int64_t affectedRows)
    : columns_(std::make_shared<const std::vector<Column>>(std::move(columns))),
      command_(std::move(command)),
      affectedRows_(affectedRows) {
    rows_.reserve(rows.size());
    for (auto& r : rows) rows_.emplace_back(columns_, std::move(r));
}

const Row& QueryResult::front() const {
    if (rows_.empty()) throw Poco::NotFoundException("query returned no rows");
    return rows_.front();
}

std::string QueryResult::toJson() const {
    std::string out;
    out.reserve(128 + 32 * columns_->size() * (rows_.size() + 1));
    out += "{\"command\":";
    appendJsonQuoted(out, command_);
    out += ",\"rowCount\":";
    out += std::to_string(affectedRows_ < 0 ? 0 : affectedRows_);
    out += ",\"columns\":[";
    for (std::size_t i = 0; i < columns_->size(); ++i) {
        if (i) out += ',';
        out += "{\"name\":";
        appendJsonQuoted(out, (*columns_)[i].name);
        out += ",\"type\":";
        out += std::to_string((*columns_)[i].typeOid);
        out += '}';
    }
    out += "],\"rows\":[";
    for (std::size_t i = 0; i < rows_.size(); ++i) {
        if (i) out += ',';
        rows_[i].appendJson(out);
    }
    out += "]}";
    return out;
}

}  // namespace zt::db
