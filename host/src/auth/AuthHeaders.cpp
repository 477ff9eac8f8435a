#include "auth/AuthHeaders.h"

#include <Poco/Ascii.h>

#include "http/JsonError.h"

namespace zt::auth {

namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}
}  // namespace

std::optional<std::string_view> bearerCredential(const http::HeaderList& headers) {
    auto value = headers.get("authorization");
    if (!value) return std::nullopt;
    std::string_view v = trim(*value);
    constexpr std::string_view scheme = "bearer";
    if (v.size() <= scheme.size()) return std::nullopt;
    for (std::size_t i = 0; i < scheme.size(); ++i) {
        if (Poco::Ascii::toLower(v[i]) != scheme[i]) return std::nullopt;
    }
    // The scheme must be followed by at least one blank ("Bearerabc" is not a bearer token).
    if (v[scheme.size()] != ' ' && v[scheme.size()] != '\t') return std::nullopt;
    std::string_view credential = trim(v.substr(scheme.size()));
    if (credential.empty()) return std::nullopt;
    return credential;
}

bool isHealthPath(std::string_view path) {
    constexpr std::string_view health = "/health";
    if (path == health) return true;
    return path.size() > health.size() && path.substr(0, health.size()) == health && path[health.size()] == '/';
}

void rejectRequest(http::Exchange& exchange, int status, std::string_view code, std::string_view message,
                   std::string_view wwwAuthenticate) {
    http::setJsonError(exchange.response, status, code, message);
    if (!wwwAuthenticate.empty()) exchange.response.headers.set("www-authenticate", wwwAuthenticate);
}

}  // namespace zt::auth
