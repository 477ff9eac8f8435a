#include "db/Row.h"

#include <Poco/Exception.h>

namespace zt::db {

Row::Row(std::shared_ptr<const std::vector<Column>> columns, std::vector<Value> values)
    : columns_(std::move(columns)), values_(std::move(values)) {}

const Value& Row::operator[](std::size_t index) const {
    if (index >= values_.size())
        throw Poco::RangeException("row has " + std::to_string(values_.size()) + " columns, asked for #" +
                                   std::to_string(index));
    return values_[index];
}

const Value& Row::operator[](const std::string& name) const {
    for (std::size_t i = 0; i < columns_->size(); ++i)
        if ((*columns_)[i].name == name) return values_[i];
    throw Poco::NotFoundException("result has no column '" + name + "'");
}

bool Row::has(const std::string& name) const {
    for (const auto& c : *columns_)
        if (c.name == name) return true;
    return false;
}

std::string Row::toJson() const {
    std::string out;
    appendJson(out);
    return out;
}

void Row::appendJson(std::string& out) const {
    out += '{';
    for (std::size_t i = 0; i < values_.size(); ++i) {
        if (i) out += ',';
        appendJsonQuoted(out, (*columns_)[i].name);
        out += ':';
        values_[i].appendJson(out);
    }
    out += '}';
}

}  // namespace zt::db
