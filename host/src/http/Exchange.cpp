#include "http/Exchange.h"

#include <Poco/String.h>

namespace zt::http {

namespace {
bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (Poco::Ascii::toLower(a[i]) != Poco::Ascii::toLower(b[i])) return false;
    }
    return true;
}
std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(Poco::Ascii::toLower(c));
    return out;
}
}  // namespace

void HeaderList::add(std::string_view name, std::string_view value) {
    entries_.emplace_back(lower(name), std::string(value));
}

void HeaderList::set(std::string_view name, std::string_view value) {
    remove(name);
    add(name, value);
}

std::optional<std::string_view> HeaderList::get(std::string_view name) const {
    for (const auto& [n, v] : entries_) {
        if (equalsIgnoreCase(n, name)) return std::string_view(v);
    }
    return std::nullopt;
}

void HeaderList::remove(std::string_view name) {
    std::erase_if(entries_, [&](const Entry& e) { return equalsIgnoreCase(e.first, name); });
}

void HttpResponse::setJson(int newStatus, std::string json) {
    status = newStatus;
    body = std::move(json);
    bodySet = true;
    headers.set("content-type", "application/json");
}

std::string TraceContext::traceparent() const {
    static const char* hex = "0123456789abcdef";
    std::string out = "00-";
    out += traceId;
    out += '-';
    out += spanId;
    out += '-';
    out += hex[(flags >> 4) & 0xF];
    out += hex[flags & 0xF];
    return out;
}

}  // namespace zt::http
