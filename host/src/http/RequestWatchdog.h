#pragma once
// Deadlines Poco's HTTPServer does not have (POCO-NOTES: a connection holds a worker thread for
// its whole life):
//  - header deadline: a connection must deliver a complete request head within
//    ZT_HTTP_HEADER_TIMEOUT_MS of connecting or of its previous answer; a client that dribbles
//    header bytes (slowloris) is cut off instead of holding a worker forever. Poco's own socket
//    timeout only bounds each recv(), not the whole head.
//  - handler deadline: when a request runs longer than ZT_HANDLER_TIMEOUT_MS the client gets a
//    JSON 504 at once and the connection is closed after it. The plugin code cannot be interrupted
//    in-process: its thread stays busy until it returns, and its late answer is discarded.
// One thread per server checks every 50 ms.
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "http/RequestCounters.h"

namespace zt::http {

class RequestWatchdog {
public:
    using Clock = std::chrono::steady_clock;

    /// Shared between the worker running a handler and the watchdog: whoever moves it out of
    /// Running first answers the client.
    struct HandlerTicket {
        enum State : int { Running = 0, Completed = 1, TimedOut = 2 };
        std::atomic<int> state{Running};
        Poco::Net::HTTPServerResponse* response = nullptr;
        Clock::time_point deadline;
        /// Worker side: true when the worker still owns the response (write it), false when the
        /// watchdog already answered 504 (write nothing).
        bool complete() {
            int expected = Running;
            return state.compare_exchange_strong(expected, Completed);
        }
    };

    /// A timeout of 0 disables that deadline.
    RequestWatchdog(std::chrono::milliseconds headerTimeout, std::chrono::milliseconds handlerTimeout,
                    std::shared_ptr<RequestCounters> counters);
    ~RequestWatchdog();
    RequestWatchdog(const RequestWatchdog&) = delete;
    RequestWatchdog& operator=(const RequestWatchdog&) = delete;

    /// Registers a new connection; false (and nothing registered) once refuseNew() was called:
    /// the caller closes the connection without serving it.
    bool connectionOpened(const Poco::Net::StreamSocket& socket);
    /// From now on every new connection is refused (shutdown). Instant, unlike stopping Poco's
    /// accept loop, which notices only at its next 250 ms poll.
    void refuseNew() { refusing_.store(true); }
    void connectionClosed(const Poco::Net::StreamSocket& socket);
    /// The request head arrived: the header deadline is off until requestFinished().
    /// Returns the handler ticket (null when handler deadlines are disabled).
    std::shared_ptr<HandlerTicket> requestStarted(const Poco::Net::StreamSocket& socket,
                                                  Poco::Net::HTTPServerResponse& response);
    /// The answer was written: the connection waits for its next request head again.
    void requestFinished(const Poco::Net::StreamSocket& socket);
    /// Connections currently handling a request (for the shutdown drain).
    int busyConnections();

private:
    struct Connection {
        Poco::Net::StreamSocket socket;
        bool awaitingHeaders = true;
        Clock::time_point headerDeadline;
        std::shared_ptr<HandlerTicket> ticket;
    };
    void run();
    void check(Clock::time_point now);

    std::chrono::milliseconds headerTimeout_;
    std::chrono::milliseconds handlerTimeout_;
    std::shared_ptr<RequestCounters> counters_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::atomic<bool> refusing_{false};
    std::map<const void*, Connection> connections_;  ///< by SocketImpl*
    std::thread thread_;
};

}  // namespace zt::http
