#pragma once
// What one HTTP server measures for the Prometheus exposition (docs/MONITORING.md):
// http_server_request_duration_seconds by method, route template and status, the requests in
// flight and the open connections. Shared by the server's event loops and handler threads;
// every update is a relaxed atomic operation. [any-thread]
#include <atomic>
#include <chrono>
#include <string_view>

#include "metrics/HistogramFamily.h"

namespace zt::http {

class ServerMetrics {
public:
    /// Route label of a request no route matched (404, refusals): never the raw path, so unknown
    /// paths add no series.
    static constexpr std::string_view kUnmatchedRoute = "_unmatched";
    /// Method label of a method outside RFC 9110's (and of a request whose head did not parse).
    static constexpr std::string_view kOtherMethod = "_OTHER";
    /// The most {method, route, status} series a server keeps (docs/MONITORING.md: cardinality).
    static constexpr std::size_t kMaxSeries = 1024;

    ServerMetrics();

    /// A request answered `status` after `elapsed`. `route`: the route template ("/users/:id"),
    /// empty when none matched.
    void recordRequest(std::string_view method, std::string_view route, int status,
                       std::chrono::nanoseconds elapsed) noexcept;

    /// The label a method gets: itself when it is one of RFC 9110's, else kOtherMethod.
    static std::string_view methodLabel(std::string_view method) noexcept;

    /// An HTTP status as the http_response_status_code label ("200"), without allocating.
    class StatusLabel {
    public:
        explicit StatusLabel(int status) noexcept;
        std::string_view text() const noexcept { return {digits_, size_}; }

    private:
        char digits_[12];
        std::size_t size_;
    };

    const metrics::HistogramFamily& requestDurations() const { return requestDurations_; }
    int activeRequests() const { return activeRequests_.load(std::memory_order_relaxed); }
    int openConnections() const { return openConnections_.load(std::memory_order_relaxed); }

    /// Requests read and not yet answered in full (the shutdown drain waits for 0).
    std::atomic<int>& activeRequestCount() { return activeRequests_; }
    /// Client connections open on the server (admitted or being refused).
    std::atomic<int>& openConnectionCount() { return openConnections_; }

private:
    metrics::HistogramFamily requestDurations_;
    // Written twice per request from every event loop and handler thread: each on a cache line
    // of its own, so they do not evict the family's read-mostly fields that every request reads.
    alignas(64) std::atomic<int> activeRequests_{0};
    alignas(64) std::atomic<int> openConnections_{0};
};

}  // namespace zt::http
