#pragma once
// Per-service request counters (admin GET /metrics): how much traffic a service got and how often
// its plugin failed, so contained failures are visible, not silent.
#include <atomic>
#include <cstdint>
#include <string>

namespace zt::http {

struct RequestCounters {
    std::atomic<std::uint64_t> requests{0};         ///< requests answered (any status)
    std::atomic<std::uint64_t> clientErrors{0};     ///< 4xx answers
    std::atomic<std::uint64_t> serverErrors{0};     ///< 5xx answers
    std::atomic<std::uint64_t> handlerFailures{0};  ///< plugin handler threw across the ABI or returned an error status
    std::atomic<std::uint64_t> handlerTimeouts{0};  ///< answered 504 because the handler ran past ZT_HANDLER_TIMEOUT_MS
    std::atomic<std::uint64_t> headerTimeouts{0};   ///< connections closed for not sending headers in time
    std::atomic<std::uint64_t> rejectedBodies{0};   ///< 413 answers (body over ZT_MAX_BODY_BYTES)
    std::atomic<std::uint64_t> rejectedConnections{0};  ///< 503 answers to connections past a connection limit

    void countStatus(int status) {
        requests.fetch_add(1, std::memory_order_relaxed);
        if (status >= 500) serverErrors.fetch_add(1, std::memory_order_relaxed);
        else if (status >= 400) clientErrors.fetch_add(1, std::memory_order_relaxed);
    }
    std::string toJson() const;
};

}  // namespace zt::http
