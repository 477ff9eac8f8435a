#include "http/RequestTarget.h"

#include "http/HexDigit.h"

namespace zt::http {

namespace {

bool startsWithIgnoreCase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char a = s[i];
        if (a >= 'A' && a <= 'Z') a = static_cast<char>(a + 32);
        if (a != prefix[i]) return false;
    }
    return true;
}

HeadError bad(std::string message) { return HeadError{400, "bad_request", std::move(message)}; }

/// Appends `raw` (the path part of a target) segment by segment, decoding escapes but keeping a
/// decoded '/' or '%' encoded.
bool decodePath(std::string_view raw, std::string& path, HeadError& error) {
    path.clear();
    path.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c != '%') {
            path += c;
            continue;
        }
        const int hi = i + 2 < raw.size() ? hexDigitValue(raw[i + 1]) : -1;
        const int lo = i + 2 < raw.size() ? hexDigitValue(raw[i + 2]) : -1;
        if (hi < 0 || lo < 0) {
            error = bad("invalid percent-escape in the request path");
            return false;
        }
        const auto byte = static_cast<unsigned char>(hi * 16 + lo);
        if (byte < 0x20 || byte == 0x7F) {
            error = bad(byte == 0 ? "NUL (%00) in the request path" : "control character in the request path");
            return false;
        }
        if (byte == '/') path += "%2F";
        else if (byte == '%') path += "%25";
        else path += static_cast<char>(byte);
        i += 2;
    }
    return true;
}

}  // namespace

bool isServedMethod(std::string_view m) {
    return m == "GET" || m == "HEAD" || m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE" || m == "OPTIONS";
}

HeadError unservedMethodError(std::string_view method) {
    return HeadError{501, "not_implemented",
                     "method '" + std::string(method) +
                         "' is not implemented (methods are case-sensitive: GET, HEAD, POST, PUT, PATCH, DELETE, "
                         "OPTIONS)"};
}

bool parseRequestTarget(std::string_view method, std::string_view target, std::string& path, std::string& query,
                        HeadError& error) {
    if (target.find('#') != std::string_view::npos) {
        error = bad("a fragment ('#') is not part of a request target");
        return false;
    }
    if (target == "*") {
        if (method != "OPTIONS") {
            error = bad("the asterisk-form target '*' is only for OPTIONS");
            return false;
        }
        path = "*";
        query.clear();
        return true;
    }
    std::string_view rest = target;
    if (target.front() != '/') {
        std::size_t schemeEnd = 0;
        if (startsWithIgnoreCase(target, "http://")) schemeEnd = 7;
        else if (startsWithIgnoreCase(target, "https://")) schemeEnd = 8;
        else {
            error = bad("the request target must be a path ('/...') or an http(s) URL");
            return false;
        }
        std::string_view afterScheme = target.substr(schemeEnd);
        const std::size_t authorityEnd = afterScheme.find_first_of("/?");
        const std::string_view authority = afterScheme.substr(0, authorityEnd);
        if (authority.find('@') != std::string_view::npos) {
            error = bad("a user name or password in the request target is not allowed");
            return false;
        }
        if (authority.empty() || !isValidHostHeader(authority)) {
            error = bad("invalid host in the request target");
            return false;
        }
        rest = authorityEnd == std::string_view::npos ? std::string_view("/") : afterScheme.substr(authorityEnd);
        if (rest.front() == '?') {
            query.assign(rest.substr(1));
            path = "/";
            return true;
        }
    }
    const std::size_t q = rest.find('?');
    if (!decodePath(rest.substr(0, q), path, error)) return false;
    if (q != std::string_view::npos) query.assign(rest.substr(q + 1));
    else query.clear();
    return true;
}

std::string_view absoluteFormAuthority(std::string_view target) {
    std::size_t schemeEnd = 0;
    if (startsWithIgnoreCase(target, "http://")) schemeEnd = 7;
    else if (startsWithIgnoreCase(target, "https://")) schemeEnd = 8;
    else return {};
    const std::string_view afterScheme = target.substr(schemeEnd);
    return afterScheme.substr(0, afterScheme.find_first_of("/?"));
}

std::string decodePathSegment(std::string_view segment) {
    if (segment.find('%') == std::string_view::npos) return std::string(segment);
    std::string out;
    out.reserve(segment.size());
    for (std::size_t i = 0; i < segment.size(); ++i) {
        if (segment.substr(i, 3) == "%2F") {
            out += '/';
            i += 2;
        } else if (segment.substr(i, 3) == "%25") {
            out += '%';
            i += 2;
        } else {
            out += segment[i];
        }
    }
    return out;
}

bool isValidHostHeader(std::string_view v) {
    if (v.empty()) return true;
    std::size_t hostEnd;
    if (v.front() == '[') {
        hostEnd = v.find(']');
        if (hostEnd == std::string_view::npos || hostEnd == 1) return false;
        for (char c : v.substr(1, hostEnd - 1)) {
            if (!(hexDigitValue(c) >= 0 || c == ':' || c == '.')) return false;
        }
        ++hostEnd;
    } else {
        hostEnd = v.find(':');
        if (hostEnd == std::string_view::npos) hostEnd = v.size();
        if (hostEnd == 0) return false;
        for (char c : v.substr(0, hostEnd)) {
            const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '.' || c == '_' || c == '~';
            if (!ok) return false;
        }
    }
    if (hostEnd == v.size()) return true;
    if (v[hostEnd] != ':') return false;
    const std::string_view port = v.substr(hostEnd + 1);
    if (port.empty() || port.size() > 5) return port.empty();  // "host:" is allowed (RFC 3986)
    for (char c : port) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

}  // namespace zt::http
