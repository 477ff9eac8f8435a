#pragma once
// Circuit breaker for one call target (docs/CALLS.md): after `threshold` consecutive failures the target
// is given `openTimeout` to recover instead of being hammered by callers that would all wait for
// their own timeout. Then exactly one probe is let through: its outcome closes or re-opens.
//
//   Closed --(threshold consecutive failures)--> Open --(openTimeout passed, next allowRequest)-->
//   HalfOpen (one probe in flight, everyone else refused) --success--> Closed
//                                                         --failure--> Open (new timeout)
//
// Thread-safe: one breaker is shared by every thread calling the same target.
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>

namespace zt::calls {

class CircuitBreaker {
public:
    enum class State { Closed, Open, HalfOpen };
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    /// What the admin view shows for one target.
    struct Stats {
        State state = State::Closed;
        int consecutiveFailures = 0;
        std::uint64_t totalSuccesses = 0;
        std::uint64_t totalFailures = 0;
        std::uint64_t rejected = 0;  ///< calls refused while open / during the probe
        std::uint64_t timesOpened = 0;
        std::chrono::milliseconds retryAfter{0};  ///< time left until a probe is allowed (Open only)
    };

    /// `threshold` below 1 is treated as 1. `clock` defaults to std::chrono::steady_clock::now
    /// (tests inject a fake one).
    CircuitBreaker(int threshold, std::chrono::milliseconds openTimeout, Clock clock = {});

    /// True when the caller may send a request now. In Open, turns into HalfOpen once the timeout
    /// passed and admits that caller as the single probe. Every true must be followed by exactly one
    /// onSuccess() or onFailure().
    bool allowRequest();
    /// The request reached the target and it answered well (or with a 4xx: not the target's fault).
    void onSuccess();
    /// Connection error, timeout or 5xx.
    void onFailure();

    /// The stored state: an Open breaker whose timeout passed still says Open until a caller is
    /// admitted as the probe.
    State state() const;
    Stats stats() const;
    /// Time left in Open (zero when not open or already due for a probe).
    std::chrono::milliseconds retryAfter() const;

    int threshold() const { return threshold_; }
    std::chrono::milliseconds openTimeout() const { return openTimeout_; }

private:
    std::chrono::steady_clock::time_point now() const;
    std::chrono::milliseconds retryAfterLocked() const;
    void openLocked();

    const int threshold_;
    const std::chrono::milliseconds openTimeout_;
    const Clock clock_;

    mutable std::mutex mutex_;
    State state_ = State::Closed;
    int consecutiveFailures_ = 0;
    std::chrono::steady_clock::time_point openedAt_{};
    std::uint64_t totalSuccesses_ = 0;
    std::uint64_t totalFailures_ = 0;
    std::uint64_t rejected_ = 0;
    std::uint64_t timesOpened_ = 0;
};

/// "closed", "open", "half-open".
const char* toString(CircuitBreaker::State state);

}  // namespace zt::calls
