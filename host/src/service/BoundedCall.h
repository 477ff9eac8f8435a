#pragma once
// Runs a check that may block (a database round trip to a hung server, a plugin's own health
// callback) on a thread of its own, so that no caller waits longer than `timeout` for it
// (docs/HEALTH.md: checks are bounded):
//  - one call in flight at a time; concurrent callers share it;
//  - a caller waits at most until the in-flight call has run for `timeout`; a call that has run
//    longer is answered at once by `onTimeout(elapsed)` (the service is unhealthy at once, not
//    after another wait);
//  - `call` reports its failures in its T; one that throws is answered by onTimeout;
//  - a result is reused for `cacheFor` after it arrived (frequent probes cost one call), also a
//    late one: a call that finishes after its callers gave up still records its outcome.
// Lifetime: the worker thread and the state it needs are shared; destroying the BoundedCall stops
// an idle worker and lets a stuck one exit whenever its call returns (it is detached, never
// joined: shutdown must not wait for a hung server).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace zt::service {

template <class T>
class BoundedCall {
public:
    using Clock = std::chrono::steady_clock;

    BoundedCall(std::function<T()> call, std::function<T(std::chrono::milliseconds elapsed)> onTimeout,
                std::chrono::milliseconds timeout, std::chrono::milliseconds cacheFor)
        : state_(std::make_shared<State>()) {
        state_->call = std::move(call);
        state_->onTimeout = std::move(onTimeout);
        state_->timeout = timeout;
        state_->cacheFor = cacheFor;
        std::thread([s = state_] { s->work(); }).detach();
    }
    ~BoundedCall() {
        std::lock_guard lock(state_->mutex);
        state_->stopping = true;
        state_->wake.notify_all();
    }
    BoundedCall(const BoundedCall&) = delete;
    BoundedCall& operator=(const BoundedCall&) = delete;

    /// The outcome, within `timeout` of the in-flight call's start. Any thread.
    T run() {
        auto& s = *state_;
        std::unique_lock lock(s.mutex);
        auto now = Clock::now();
        if (s.last && !s.inFlight && now - s.finishedAt < s.cacheFor) return *s.last;
        if (!s.inFlight) {
            s.inFlight = true;
            s.startedAt = now;
            ++s.requested;
            s.wake.notify_all();
        }
        const std::uint64_t wanted = s.requested;
        const auto deadline = s.startedAt + s.timeout;
        s.done.wait_until(lock, deadline, [&] { return s.completed >= wanted; });
        if (s.completed >= wanted && s.last) return *s.last;
        auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - s.startedAt);
        lock.unlock();
        return s.onTimeout(elapsed);
    }

private:
    struct State {
        std::function<T()> call;
        std::function<T(std::chrono::milliseconds)> onTimeout;
        std::chrono::milliseconds timeout{0};
        std::chrono::milliseconds cacheFor{0};
        std::mutex mutex;
        std::condition_variable wake;  ///< the worker: a call was requested, or stop
        std::condition_variable done;  ///< callers: a call completed
        bool stopping = false;
        bool inFlight = false;
        std::uint64_t requested = 0;
        std::uint64_t completed = 0;
        Clock::time_point startedAt{};
        Clock::time_point finishedAt{};
        std::optional<T> last;

        void work() {
            std::unique_lock lock(mutex);
            for (;;) {
                wake.wait(lock, [&] { return stopping || requested > completed; });
                if (stopping) return;
                const std::uint64_t serving = requested;
                lock.unlock();
                std::optional<T> outcome;
                try {
                    outcome = call();
                } catch (...) {
                    outcome.reset();
                }
                lock.lock();
                // `call` reports its own failures in T; one that throws anyway is answered as if it
                // had not returned at all.
                if (outcome) last = std::move(outcome);
                else last = onTimeout(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - startedAt));
                completed = serving;
                inFlight = false;
                finishedAt = Clock::now();
                done.notify_all();
            }
        }
    };
    std::shared_ptr<State> state_;
};

}  // namespace zt::service
