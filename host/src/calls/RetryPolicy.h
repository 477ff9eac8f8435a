#pragma once
// When an inter-service call is tried again (docs/CALLS.md; SERVICE_CALL_RETRIES).
//
// Only idempotent methods are retried (GET, HEAD, PUT, DELETE, OPTIONS): repeating a POST or PATCH
// whose first attempt may have reached the target could apply it twice. Only failures a second
// attempt can cure are retried: connection errors, timeouts, 502/503/504. Waits grow
// exponentially with jitter (so callers that failed together do not retry together), and the
// whole call, retries and waits included, stays inside one call timeout budget.
#include <chrono>
#include <string_view>

#include "calls/ClientResult.h"

namespace zt::calls {

class RetryPolicy {
public:
    struct Settings {
        int maxRetries = 2;                        ///< SERVICE_CALL_RETRIES
        std::chrono::milliseconds baseDelay{50};   ///< wait before the first retry
        std::chrono::milliseconds maxDelay{1000};  ///< cap of the exponential growth
        double jitter = 0.2;                       ///< +-20 % of the delay
        /// A retry is only started when at least this much of the budget is left after the wait:
        /// an attempt with a few milliseconds cannot succeed and would only report a timeout.
        std::chrono::milliseconds minAttemptTime{20};
    };

    RetryPolicy() = default;
    explicit RetryPolicy(Settings settings);

    /// GET, HEAD, PUT, DELETE, OPTIONS (case-sensitive, methods are upper case).
    static bool isIdempotent(std::string_view method);
    /// 502, 503, 504: a gateway or an overloaded target; other statuses are answers.
    static bool isRetryableStatus(int status);
    /// Whether this outcome could be cured by another attempt (ignores method and count).
    static bool isRetryableOutcome(const ClientResult& result);

    /// Whether to try again after `attemptsMade` attempts (1 after the first) ended with `result`.
    bool shouldRetry(std::string_view method, const ClientResult& result, int attemptsMade) const;

    /// Wait before retry number `retry` (0 for the first retry): min(maxDelay, base * 2^retry),
    /// scaled by 1 + jitter * (2 * unitRandom - 1). `unitRandom` in [0, 1] (tests pass fixed values).
    std::chrono::milliseconds backoff(int retry, double unitRandom) const;
    /// Same with a random jitter.
    std::chrono::milliseconds backoff(int retry) const;

    /// Whether waiting `delay` still leaves `minAttemptTime` of `remaining` budget for the attempt.
    bool fitsBudget(std::chrono::milliseconds delay, std::chrono::milliseconds remaining) const;

    const Settings& settings() const { return settings_; }

private:
    Settings settings_;
};

}  // namespace zt::calls
