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

ServerMetrics::StatusLabel::StatusLabel(int status) noexcept
    : size_(static_cast<std::size_t>(std::to_chars(digits_, digits_ + sizeof digits_, status).ptr - digits_)) {}

void ServerMetrics::recordRequest(std::string_view method, std::string_view route, int status,
                                  std::chrono::nanoseconds elapsed) noexcept {
    requestDurations_.observe(
        {methodLabel(method), route.empty() ? kUnmatchedRoute : route, StatusLabel(status).text()}, elapsed);
}

}  // namespace zt::http
