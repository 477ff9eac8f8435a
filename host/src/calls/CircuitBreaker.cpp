#include "calls/CircuitBreaker.h"

#include <algorithm>

namespace zt::calls {

CircuitBreaker::CircuitBreaker(int threshold, std::chrono::milliseconds openTimeout, Clock clock)
    : threshold_(std::max(1, threshold)),
      openTimeout_(std::max(std::chrono::milliseconds(0), openTimeout)),
      clock_(std::move(clock)) {}

std::chrono::steady_clock::time_point CircuitBreaker::now() const {
    return clock_ ? clock_() : std::chrono::steady_clock::now();
}

bool CircuitBreaker::allowRequest() {
    std::lock_guard<std::mutex> lock(mutex_);
    switch (state_) {
    case State::Closed:
        return true;
    case State::Open:
        if (now() - openedAt_ >= openTimeout_) {
            // This caller becomes the probe; the state change happens under the same lock, so
            // concurrent callers see HalfOpen with a probe in flight and are refused.
            state_ = State::HalfOpen;
            return true;
        }
        ++rejected_;
        return false;
    case State::HalfOpen:
        // The probe is in flight (HalfOpen is only entered by admitting one): wait for it.
        ++rejected_;
        return false;
    }
    return false;
}

void CircuitBreaker::openLocked() {
    state_ = State::Open;
    openedAt_ = now();
    ++timesOpened_;
}

void CircuitBreaker::onSuccess() {
    std::lock_guard<std::mutex> lock(mutex_);
    ++totalSuccesses_;
    switch (state_) {
    case State::Closed:
        consecutiveFailures_ = 0;
        break;
    case State::HalfOpen:
        // The probe (or a request admitted before the breaker opened) got through: the target
        // answers again.
        state_ = State::Closed;
        consecutiveFailures_ = 0;
        break;
    case State::Open:
        // A request admitted before the breaker opened: one late success does not outweigh the
        // failures that opened it; the probe decides.
        break;
    }
}

void CircuitBreaker::onFailure() {
    std::lock_guard<std::mutex> lock(mutex_);
    ++totalFailures_;
    switch (state_) {
    case State::Closed:
        if (++consecutiveFailures_ >= threshold_) openLocked();
        break;
    case State::HalfOpen:
        ++consecutiveFailures_;
        openLocked();
        break;
    case State::Open:
        // Late result of a request admitted before opening: keep the running timeout, so a
        // burst of slow failures cannot postpone the probe forever.
        ++consecutiveFailures_;
        break;
    }
}

CircuitBreaker::State CircuitBreaker::state() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return state_;
}

std::chrono::milliseconds CircuitBreaker::retryAfterLocked() const {
    if (state_ != State::Open) return std::chrono::milliseconds(0);
    auto left = openTimeout_ - std::chrono::duration_cast<std::chrono::milliseconds>(now() - openedAt_);
    return std::max(std::chrono::milliseconds(0), left);
}

std::chrono::milliseconds CircuitBreaker::retryAfter() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return retryAfterLocked();
}

CircuitBreaker::Stats CircuitBreaker::stats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    Stats s;
    s.state = state_;
    s.consecutiveFailures = consecutiveFailures_;
    s.totalSuccesses = totalSuccesses_;
    s.totalFailures = totalFailures_;
    s.rejected = rejected_;
    s.timesOpened = timesOpened_;
    s.retryAfter = retryAfterLocked();
    return s;
}

const char* toString(CircuitBreaker::State state) {
    switch (state) {
    case CircuitBreaker::State::Closed:
        return "closed";
    case CircuitBreaker::State::Open:
        return "open";
    case CircuitBreaker::State::HalfOpen:
        return "half-open";
    }
    return "unknown";
}

}  // namespace zt::calls
