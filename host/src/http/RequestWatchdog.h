#pragma once
// The handler deadline Poco has no notion of, and the registry of open connections that shutdown
// uses. When a request runs longer than ZT_HANDLER_TIMEOUT_MS the client gets a JSON 504 at once
// and the connection is closed after it; the plugin code cannot be interrupted in-process, so its
// thread stays busy until it returns and its late answer is discarded. One thread per server
// checks every 50 ms.
//
// Per request the worker only touches its own ConnectionSlot's atomics (no lock, no lookup): the
// registry mutex is taken when a connection opens or closes and by the 50 ms check.
#include <atomic>
#include <chrono>
#include <functional>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>

#include "http/RequestCounters.h"
#include "http/Exchange.h"

namespace zt::http {

/// One open connection as its worker and the watchdog share it.
struct ConnectionSlot {
    enum Phase : int {
        Idle = 0,      ///< waiting for or reading a request; the worker owns the socket
        Busy = 1,      ///< the handler runs; the worker will write the answer unless it times out
        TimedOut = 2,  ///< the watchdog answered 504; the worker writes nothing and closes
    };
    explicit ConnectionSlot(int socketFd) : fd(socketFd) {}
    /// OWNERSHIP: the worker's socket; it outlives the slot's registration (the worker
    /// unregisters before the socket is closed), so the watchdog may write to it while registered.
    const int fd;
    std::atomic<int> phase{Idle};
    std::atomic<std::int64_t> handlerDeadlineNs{0};  ///< steady_clock ns, while Busy (int64 max: none)
    std::atomic<std::int64_t> handlerStartedNs{0};   ///< steady_clock ns, while Busy
    /// A COMMIT of the request was sent and its answer not read (deadline::CommitInDoubt): a 504
    /// at the deadline then says commit_outcome_unknown.
    std::atomic<bool> commitInDoubt{false};
};

/// The 504 a request gets at its deadline: deadline_exceeded, or commit_outcome_unknown while a
/// COMMIT of it is in doubt (the write may have happened; docs/DEADLINES.md).
void setDeadlineAnswer(HttpResponse& response, const ConnectionSlot& slot, const std::string& detail);

class RequestWatchdog {
public:
    using Clock = std::chrono::steady_clock;

    /// A timeout of 0 sets no deadline of its own (a request may still ask for one). `stamp` (may be empty) adds what every answer
    /// carries (a trace's headers) to the 504s the watchdog writes itself.
    RequestWatchdog(std::chrono::milliseconds handlerTimeout, std::shared_ptr<RequestCounters> counters,
                    std::function<void(HttpResponse&)> stamp = {});
    ~RequestWatchdog();
    RequestWatchdog(const RequestWatchdog&) = delete;
    RequestWatchdog& operator=(const RequestWatchdog&) = delete;

    /// Registers a new connection; false (and nothing registered) once refuseNew() was called:
    /// the caller closes the connection without serving it.
    bool connectionOpened(ConnectionSlot* slot);
    /// Must be called before the slot's socket is closed.
    void connectionClosed(ConnectionSlot* slot);
    /// Shutdown begins: from now on every new connection is refused (instant, unlike stopping
    /// Poco's accept loop, which notices only at its next 250 ms poll), answers in flight say
    /// "Connection: close", and idle keep-alive connections close within 100 ms.
    void refuseNew() {
        refusing_.store(true);
        stopping_.store(true);
    }

    /// When a request received `now` is due: now + ZT_HANDLER_TIMEOUT_MS (max() when 0), or
    /// `asked` when that is sooner.
    Clock::time_point deadlineFor(Clock::time_point now, std::optional<Clock::time_point> asked) const;
    /// The handler is about to run; the watchdog answers 504 at `deadline`.
    void requestStarted(ConnectionSlot& slot, Clock::time_point deadline) const;
    /// The handler returned: true when the worker still owns the answer (write it), false when the
    /// watchdog already answered 504 (write nothing, close the connection).
    bool requestFinished(ConnectionSlot& slot) const;

    /// Connections whose handler is running (for the shutdown drain).
    int busyConnections();
    /// Like refuseNew() for open connections: each closes after its current request (idle ones
    /// within 100 ms); with `abort`, every socket is shut down at once.
    void stopConnections(bool abort);
    bool stopping() const { return stopping_.load(std::memory_order_relaxed); }

private:
    void run();
    void check(Clock::time_point now);

    std::chrono::milliseconds handlerTimeout_;
    std::shared_ptr<RequestCounters> counters_;
    std::function<void(HttpResponse&)> stamp_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool exiting_ = false;
    std::atomic<bool> refusing_{false};
    std::atomic<bool> stopping_{false};
    std::unordered_set<ConnectionSlot*> connections_;
    std::thread thread_;
};

}  // namespace zt::http
