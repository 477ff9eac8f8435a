#pragma once
// How many connections one port holds open, in all and per client address
// (ZT_HTTP_MAX_CONNECTIONS, ZT_HTTP_MAX_CONNECTIONS_PER_IP). A connection past either limit is
// answered 503 with Retry-After and closed by the loop that accepted it, never dropped silently
// (docs/HTTP.md: connections). Shared by the event loops of one server. [any thread]
#include <atomic>
#include <mutex>
#include <string>
#include <unordered_map>

namespace zt::http {

class ConnectionLimits {
public:
    /// 0 = no limit.
    ConnectionLimits(int maxConnections, int maxPerAddress) : max_(maxConnections), maxPerAddress_(maxPerAddress) {}

    enum class Admission { Admitted, PortFull, AddressFull };
    /// Counts a new connection from `address` (the client IP) unless a limit is reached.
    Admission admit(const std::string& address);
    /// An admitted connection closed.
    void release(const std::string& address);

    int open() const { return open_.load(std::memory_order_relaxed); }
    int maxConnections() const { return max_; }
    int maxPerAddress() const { return maxPerAddress_; }

private:
    const int max_;
    const int maxPerAddress_;
    std::atomic<int> open_{0};
    std::mutex mutex_;
    std::unordered_map<std::string, int> perAddress_;
};

}  // namespace zt::http
