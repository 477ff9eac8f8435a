#include "calls/RetryPolicy.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace zt::calls {

RetryPolicy::RetryPolicy(Settings settings) : settings_(settings) {
    settings_.maxRetries = std::max(0, settings_.maxRetries);
    settings_.jitter = std::clamp(settings_.jitter, 0.0, 1.0);
}

bool RetryPolicy::isIdempotent(std::string_view method) {
    return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" || method == "OPTIONS";
}

bool RetryPolicy::isRetryableStatus(int status) { return status == 502 || status == 503 || status == 504; }

bool RetryPolicy::isRetryableOutcome(const ClientResult& result) {
    switch (result.transport) {
    case Transport::ConnectionError:
    case Transport::Timeout:
        return true;
    case Transport::Response:
        return isRetryableStatus(result.status);
    }
    return false;
}

bool RetryPolicy::shouldRetry(std::string_view method, const ClientResult& result, int attemptsMade) const {
    return attemptsMade <= settings_.maxRetries && isIdempotent(method) && isRetryableOutcome(result);
}

std::chrono::milliseconds RetryPolicy::backoff(int retry, double unitRandom) const {
    // 2^retry overflows long before it matters: stop doubling once past the cap.
    double delay = static_cast<double>(settings_.baseDelay.count());
    const double cap = static_cast<double>(settings_.maxDelay.count());
    for (int i = 0; i < retry && delay < cap; ++i) delay *= 2.0;
    delay = std::min(delay, cap);
    const double u = std::clamp(unitRandom, 0.0, 1.0);
    delay *= 1.0 + settings_.jitter * (2.0 * u - 1.0);
    return std::chrono::milliseconds(static_cast<long long>(std::llround(std::max(0.0, delay))));
}

std::chrono::milliseconds RetryPolicy::backoff(int retry) const {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    return backoff(retry, unit(engine));
}

bool RetryPolicy::fitsBudget(std::chrono::milliseconds delay, std::chrono::milliseconds remaining) const {
    return remaining - delay >= settings_.minAttemptTime;
}

}  // namespace zt::calls
