#include "http/Router.h"

#include "http/RequestTarget.h"

#include <algorithm>
#include <set>

namespace zt::http {

namespace {
std::vector<std::string_view> splitPath(std::string_view path) {
    std::vector<std::string_view> parts;
    std::size_t i = 0;
    while (i < path.size()) {
        while (i < path.size() && path[i] == '/') ++i;
        if (i >= path.size()) break;
        std::size_t j = path.find('/', i);
        if (j == std::string_view::npos) j = path.size();
        parts.push_back(path.substr(i, j - i));
        i = j;
    }
    return parts;
}

bool validMethod(std::string_view m) {
    // A route takes the methods the connection loop serves, or "*" for any of them.
    return m == "*" || isServedMethod(m);
}

bool validParamName(std::string_view n) {
    if (n.empty()) return false;
    for (char c : n) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
    }
    return true;
}
}  // namespace

Router::AddResult Router::add(std::string_view method, std::string_view pattern, RouteHandler handler) {
    if (!validMethod(method)) return AddResult::InvalidMethod;
    if (pattern.empty() || pattern[0] != '/' || !handler) return AddResult::InvalidPattern;
    Route r;
    r.method = std::string(method);
    r.pattern = std::string(pattern);
    auto parts = splitPath(pattern);
    std::set<std::string_view> names;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        auto p = parts[i];
        if (p == "*") {
            if (i + 1 != parts.size()) return AddResult::InvalidPattern;
            r.segments.push_back({Segment::Kind::Rest, "*"});
        } else if (p[0] == ':') {
            auto name = p.substr(1);
            if (!validParamName(name) || !names.insert(name).second) return AddResult::InvalidPattern;
            r.segments.push_back({Segment::Kind::Param, std::string(name)});
        } else {
            for (char c : p) {
                if (c == '?' || c == '#' || c == '*' || c == ':' || static_cast<unsigned char>(c) < 0x21)
                    return AddResult::InvalidPattern;
            }
            r.segments.push_back({Segment::Kind::Literal, std::string(p)});
            ++r.literalCount;
        }
    }
    // Duplicate = same method and same shape (parameter names do not matter).
    for (const auto& existing : routes_) {
        if (existing.method != r.method || existing.segments.size() != r.segments.size()) continue;
        bool same = true;
        for (std::size_t i = 0; same && i < r.segments.size(); ++i) {
            const auto& a = existing.segments[i];
            const auto& b = r.segments[i];
            same = a.kind == b.kind && (a.kind != Segment::Kind::Literal || a.text == b.text);
        }
        if (same) return AddResult::Duplicate;
    }
    r.handler = std::move(handler);
    routes_.push_back(std::move(r));
    // Most specific first: more literal segments, then longer patterns, then explicit methods.
    std::stable_sort(routes_.begin(), routes_.end(), [](const Route& a, const Route& b) {
        if (a.literalCount != b.literalCount) return a.literalCount > b.literalCount;
        bool aRest = !a.segments.empty() && a.segments.back().kind == Segment::Kind::Rest;
        bool bRest = !b.segments.empty() && b.segments.back().kind == Segment::Kind::Rest;
        if (aRest != bRest) return !aRest;
        return a.segments.size() > b.segments.size();
    });
    return AddResult::Added;
}

bool Router::matchSegments(const Route& r, const std::vector<std::string_view>& parts,
                           std::vector<std::pair<std::string, std::string>>* params) {
    std::size_t n = r.segments.size();
    bool rest = n > 0 && r.segments.back().kind == Segment::Kind::Rest;
    if (rest ? parts.size() < n - 1 : parts.size() != n) return false;
    for (std::size_t i = 0; i < n; ++i) {
        const auto& s = r.segments[i];
        if (s.kind == Segment::Kind::Rest) {
            if (params) {
                std::string tail;
                for (std::size_t j = i; j < parts.size(); ++j) {
                    if (!tail.empty()) tail += '/';
                    tail += parts[j];  // still segment-encoded: a "%2F" in it stays one, never a slash
                }
                params->emplace_back("*", std::move(tail));
            }
            return true;
        }
        if (s.kind == Segment::Kind::Literal) {
            if (parts[i] != s.text) return false;
        } else if (params) {
            params->emplace_back(s.text, decodePathSegment(parts[i]));  // a "%2F" in a value is a slash
        }
    }
    return true;
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
    Match m;
    auto parts = splitPath(path);
    std::set<std::string> allowed;
    for (const auto& r : routes_) {
        if (!matchSegments(r, parts, nullptr)) continue;
        bool methodOk = r.method == "*" || r.method == method || (method == "HEAD" && r.method == "GET");
        if (!methodOk) {
            allowed.insert(r.method);
            if (r.method == "GET") allowed.insert("HEAD");
            continue;
        }
        m.kind = Match::Kind::Found;
        m.handler = &r.handler;
        m.pattern = r.pattern;
        matchSegments(r, parts, &m.params);
        return m;
    }
    if (!allowed.empty()) {
        m.kind = Match::Kind::MethodNotAllowed;
        for (const auto& a : allowed) {
            if (!m.allow.empty()) m.allow += ", ";
            m.allow += a;
        }
    }
    return m;
}

bool Router::describe(std::string_view method, std::string_view pattern, std::string summary) {
    for (auto& r : routes_) {
        if (r.method == method && r.pattern == pattern) {
            r.summary = std::move(summary);
            return true;
        }
    }
    return false;
}

std::vector<Router::RouteInfo> Router::list() const {
    std::vector<RouteInfo> out;
    out.reserve(routes_.size());
    for (const auto& r : routes_) out.push_back({r.method, r.pattern, r.summary});
    return out;
}

}  // namespace zt::http
