#pragma once
// Method + path-pattern routing for one service ("/users/:id", "/files/*").
// Built during plugin init (single thread), then only read: match() is lock-free.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/Exchange.h"

namespace zt::http {

using RouteHandler = std::function<void(Exchange&)>;

class Router {
public:
    enum class AddResult { Added, Duplicate, InvalidPattern, InvalidMethod };

    struct Match {
        enum class Kind { Found, MethodNotAllowed, NotFound } kind = Kind::NotFound;
        const RouteHandler* handler = nullptr;
        std::string pattern;
        std::vector<std::pair<std::string, std::string>> params;
        std::string allow;  ///< "GET, POST" when kind == MethodNotAllowed
    };

    /// `method` upper case or "*"; `pattern` starts with '/'; ":name" captures a segment,
    /// a final "*" captures the rest (as param "*").
    AddResult add(std::string_view method, std::string_view pattern, RouteHandler handler);

    /// HEAD falls back to GET routes. Static segments win over parameters.
    Match match(std::string_view method, std::string_view path) const;

    /// Attaches a one-line summary to the route `method` + `pattern` (for GET /openapi.json).
    /// False when there is no such route.
    bool describe(std::string_view method, std::string_view pattern, std::string summary);

    struct RouteInfo {
        std::string method;   ///< upper case or "*"
        std::string pattern;  ///< as registered: "/users/:id"
        std::string summary;  ///< empty unless describe()d
    };
    std::size_t size() const { return routes_.size(); }
    /// Every route, in the order match() tries them.
    std::vector<RouteInfo> list() const;

private:
    struct Segment {
        enum class Kind { Literal, Param, Rest } kind;
        std::string text;
    };
    struct Route {
        std::string method;
        std::string pattern;
        std::vector<Segment> segments;
        int literalCount = 0;
        RouteHandler handler;
        std::string summary;
    };
    static bool matchSegments(const Route& r, const std::vector<std::string_view>& parts,
                              std::vector<std::pair<std::string, std::string>>* params);
    std::vector<Route> routes_;
};

}  // namespace zt::http
