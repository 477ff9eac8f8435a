#include "http/RequestWatchdog.h"

#include <limits>

#include <sys/socket.h>

#include <Poco/Logger.h>

#include <string>

#include "http/JsonError.h"
#include "http/ResponseWriter.h"

namespace zt::http {

namespace {
std::int64_t toNs(RequestWatchdog::Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
}  // namespace

RequestWatchdog::RequestWatchdog(std::chrono::milliseconds handlerTimeout, std::shared_ptr<RequestCounters> counters,
                                 std::function<void(HttpResponse&)> stamp)
    : handlerTimeout_(handlerTimeout), counters_(std::move(counters)), stamp_(std::move(stamp)) {
    thread_ = std::thread([this] { run(); });
}

RequestWatchdog::~RequestWatchdog() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        exiting_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

bool RequestWatchdog::connectionOpened(ConnectionSlot* slot) {
    if (refusing_.load()) return false;
    std::lock_guard<std::mutex> lock(mutex_);
    connections_.insert(slot);
    return true;
}

void RequestWatchdog::connectionClosed(ConnectionSlot* slot) {
    std::lock_guard<std::mutex> lock(mutex_);
    connections_.erase(slot);
}

RequestWatchdog::Clock::time_point RequestWatchdog::deadlineFor(Clock::time_point now,
                                                                std::optional<Clock::time_point> asked) const {
    Clock::time_point d = handlerTimeout_.count() > 0 ? now + handlerTimeout_ : Clock::time_point::max();
    return asked ? std::min(d, *asked) : d;
}

void RequestWatchdog::requestStarted(ConnectionSlot& slot, Clock::time_point deadline) const {
    slot.handlerDeadlineNs.store(
        deadline == Clock::time_point::max() ? std::numeric_limits<std::int64_t>::max() : toNs(deadline),
        std::memory_order_relaxed);
    slot.handlerStartedNs.store(toNs(Clock::now()), std::memory_order_relaxed);
    slot.commitInDoubt.store(false, std::memory_order_relaxed);
    slot.phase.store(ConnectionSlot::Busy, std::memory_order_release);
}

void setDeadlineAnswer(HttpResponse& response, const ConnectionSlot& slot, const std::string& detail) {
    if (slot.commitInDoubt.load(std::memory_order_acquire)) {
        setJsonError(response, 504, "commit_outcome_unknown",
                     "the request's deadline passed while its COMMIT was in flight: the write may have been "
                     "committed (" +
                         detail + ")");
    } else {
        setJsonError(response, 504, "deadline_exceeded", detail);
    }
}

bool RequestWatchdog::requestFinished(ConnectionSlot& slot) const {
    int expected = ConnectionSlot::Busy;
    return slot.phase.compare_exchange_strong(expected, ConnectionSlot::Idle, std::memory_order_acq_rel);
}

int RequestWatchdog::busyConnections() {
    std::lock_guard<std::mutex> lock(mutex_);
    int busy = 0;
    for (ConnectionSlot* slot : connections_) busy += slot->phase.load() == ConnectionSlot::Busy ? 1 : 0;
    return busy;
}

void RequestWatchdog::stopConnections(bool abort) {
    stopping_.store(true);
    if (!abort) return;
    std::lock_guard<std::mutex> lock(mutex_);
    for (ConnectionSlot* slot : connections_) ::shutdown(slot->fd, SHUT_RDWR);  // blocked recv/send return
}

void RequestWatchdog::check(Clock::time_point now) {
    // Called with mutex_ held: every slot here is registered, so its socket is still open.
    const std::int64_t nowNs = toNs(now);
    for (ConnectionSlot* slot : connections_) {
        if (slot->phase.load(std::memory_order_acquire) != ConnectionSlot::Busy) continue;
        if (nowNs < slot->handlerDeadlineNs.load(std::memory_order_relaxed)) continue;
        int expected = ConnectionSlot::Busy;
        if (!slot->phase.compare_exchange_strong(expected, ConnectionSlot::TimedOut)) continue;  // just finished
        if (counters_) {
            counters_->handlerTimeouts.fetch_add(1, std::memory_order_relaxed);
            counters_->countStatus(504);
        }
        HttpResponse response;
        const auto tookMs = (nowNs - slot->handlerStartedNs.load(std::memory_order_relaxed)) / 1000000;
        setDeadlineAnswer(
            response, *slot,
            "the service did not answer before the request's deadline (" + std::to_string(tookMs) + " ms)");
        if (stamp_) stamp_(response);
        std::string bytes;
        appendResponseHead(bytes, response, response.body.size(), ResponseHeadOptions{false, false});
        bytes += response.body;
        // The worker is inside the handler and not using the socket. MSG_DONTWAIT: a client that
        // does not read must not stall the watchdog (the answer is small; an empty send buffer takes it).
        std::size_t sent = 0;
        while (sent < bytes.size()) {
            const ssize_t n = ::send(slot->fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n <= 0) {
                Poco::Logger::get("zt.http").warning("could not send a 504 to a client whose handler timed out");
                ::shutdown(slot->fd, SHUT_RDWR);
                break;
            }
            sent += static_cast<std::size_t>(n);
        }
    }
}

void RequestWatchdog::run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!exiting_) {
        wake_.wait_for(lock, std::chrono::milliseconds(50));
        if (exiting_) break;
        check(Clock::now());
    }
}

}  // namespace zt::http
