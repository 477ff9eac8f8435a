#include "http/ServerMetrics.h"

#include <array>
#include <charconv>

namespace zt::http {

ServerMetrics::ServerMetrics()
    : requestDurations_({"http_request_method", "http_route", "http_response_status_code"},
                        metrics::kHttpDurationBounds, kMaxSeries) {}

std::string_view ServerMetrics::methodLabel(std::string_view method) noexcept {
    static constexpr std::array<std::string_view, 9> known{"GET",   "HEAD",    "POST",  "PUT",    "DELETE",
                                                           "PATCH", "OPTIONS", "TRACE", "CONNECT"};
    for (auto k : known) {
        if (k == method) return k;
    }
    return kOtherMethod;
}

void ServerMetrics::recordRequest(std::string_view method, std::string_view route, int status,
                                  std::chrono::nanoseconds elapsed) noexcept {
    char code[8];
    auto end = std::to_chars(code, code + sizeof code, status).ptr;
    requestDurations_.observe({methodLabel(method), route.empty() ? kUnmatchedRoute : route,
                               std::string_view(code, static_cast<std::size_t>(end - code))},
                              elapsed);
}

}  // namespace zt::http
