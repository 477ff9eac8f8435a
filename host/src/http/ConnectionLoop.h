#pragma once
// One event-loop thread of an HttpServer: it accepts connections from the shared listening
// socket, reads request heads and bodies and writes answers without blocking, enforces the
// connection limits and time limits, and hands complete requests to the HandlerPool
// (docs/HTTP.md: connections).
//
// The loop is Poco's PollSet (epoll on Linux, level-triggered). PollSet has no wake-up call, so
// handler threads wake the loop through a loopback datagram socket that is in the poll set too.
//
// Time limits, checked by a sweep every 100 ms:
//  - header deadline: a whole head within headerTimeout of connecting or of the previous answer
//    (slowloris), counted in headerTimeouts;
//  - keep-alive: an idle connection closes after keepAliveTimeout (a new silent one: ioTimeout);
//  - progress: a body or an answer that makes no progress for ioTimeout ends the connection;
//  - handler deadline: RequestWatchdog.
//
// Thread rules: every member is used by the loop thread only, except handBack(), stopAccepting()
// and stop(), which any thread may call.
#include <Poco/Net/DatagramSocket.h>
#include <Poco/Net/PollSet.h>
#include <Poco/Net/ServerSocket.h>

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http/HttpConnection.h"

namespace zt::http {

class ConnectionLoop {
public:
    using Clock = std::chrono::steady_clock;

    /// OWNERSHIP: `context` and `listening` are borrowed from the HttpServer, which outlives the loop.
    ConnectionLoop(ServerContext& context, const Poco::Net::ServerSocket& listening);
    ~ConnectionLoop();
    ConnectionLoop(const ConnectionLoop&) = delete;
    ConnectionLoop& operator=(const ConnectionLoop&) = delete;

    void start();
    /// Stops accepting (the listening socket leaves the poll set); returns once the loop did so
    /// or after a second. [any thread]
    void stopAccepting();
    /// Ends the thread and joins it: connections between requests close at once, answers being
    /// written and requests in a handler may finish until `deadline`. False when a handler still
    /// held a connection at the deadline: then this loop must be leaked, not destroyed (the
    /// handler will hand the connection back to it). [any thread but the loop's]
    bool stop(Clock::time_point deadline);

    /// The loops of the same server, this one included, that accepted connections are dealt to
    /// in turn. Set before start(). OWNERSHIP: borrowed; the HttpServer owns every loop.
    void setSiblings(std::vector<ConnectionLoop*> loops) { siblings_ = std::move(loops); }

    /// Another loop of the server accepted `fd` for this one. [any loop thread]
    void adoptLater(int fd, const struct sockaddr_storage& address);

    /// Connections this loop holds (read from another thread: approximate). [any thread]
    int connectionCount() const { return connectionCount_.load(std::memory_order_relaxed); }
    /// Turns of the loop so far: it turns at least every sweep interval (100 ms) while the thread
    /// runs, so a count that stands still for seconds means the loop is stuck (the systemd
    /// watchdog reads it). [any thread]
    std::uint64_t turns() const { return turns_.load(std::memory_order_relaxed); }

    /// A handler thread is done with `connection` (its answer is in `out`, perhaps partly sent).
    /// [handler thread]
    void handBack(HttpConnection* connection);

private:
    void run();
    /// One turn of stopping; true when the thread may end.
    bool exitTurn();
    /// Takes the listening socket out of the poll set (idempotent).
    void stopWatchingListener();
    /// Counts `c`'s current request in ServerMetrics::activeRequestCount, or stops counting it.
    void setRequestActive(HttpConnection& c, bool active);
    void wake();
    void onEvent(HttpConnection& c, int mode, Clock::time_point now);
    void startHandler(HttpConnection& c);
    void acceptSome(Clock::time_point now);
    void adopt(int fd, const struct sockaddr_storage& address, Clock::time_point now);
    void onReadable(HttpConnection& c, Clock::time_point now);
    void process(HttpConnection& c);
    void onRequest(HttpConnection& c, ReadRequest request);
    void dispatch(HttpConnection& c, std::unique_ptr<Exchange> exchange);
    void handle(HttpConnection& c);  // on a handler thread
    bool flush(HttpConnection& c);
    void refuse(HttpConnection& c, const HeadError& error);
    void answer(HttpConnection& c, const HttpResponse& response, bool keepAlive);
    /// Measures (and, with ZT_ACCESS_LOG, logs) a request answered with `response` at `end`.
    void finished(const Exchange& exchange, const HttpResponse& response, Clock::time_point end);
    void watch(HttpConnection& c, int mode);
    void close(HttpConnection& c);
    void sweep(Clock::time_point now);
    void takeHandedBack();
    void destroyClosed();

    ServerContext& ctx_;
    Poco::Net::ServerSocket listening_;
    const int listenFd_;
    Poco::Net::PollSet poll_;
    Poco::Net::DatagramSocket wake_;
    int wakeFd_ = -1;
    std::unordered_map<int, std::unique_ptr<HttpConnection>> conns_;
    std::vector<int> pending_;  ///< connections with buffered requests left for the next turn
    std::vector<std::unique_ptr<HttpConnection>> closed_;  ///< destroyed at the end of a turn
    int refusing_ = 0;                                     ///< connections being answered 503 (not admitted)
    bool accepting_ = false;
    Clock::time_point acceptPausedUntil_{};
    Clock::time_point lastSweep_{};
    Clock::time_point lastAcceptError_{};

    std::mutex handedMutex_;
    std::vector<HttpConnection*> handedBack_;
    std::vector<std::pair<int, struct sockaddr_storage>> adopted_;  ///< accepted by a sibling
    std::vector<ConnectionLoop*> siblings_;
    std::atomic<bool> wakePending_{false};
    std::atomic<bool> stopAccepting_{false};
    std::atomic<bool> acceptStopped_{false};
    std::atomic<bool> exit_{false};
    std::atomic<std::int64_t> exitDeadlineNs_{0};
    int abandoned_ = 0;
    std::atomic<std::uint64_t> turns_{0};
    std::atomic<int> connectionCount_{0};  ///< connections left to handlers at the exit deadline
    std::thread thread_;
};

}  // namespace zt::http
