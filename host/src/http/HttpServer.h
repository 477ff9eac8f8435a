#pragma once
// One listening port of the host. Connections are owned by event loops (ConnectionLoop: Poco's
// PollSet, epoll), not by threads: heads and bodies are read and answers written without
// blocking, and only a complete request takes one of ZT_HTTP_MAX_THREADS handler threads
// (HandlerPool) while its handler runs. A slow, silent or non-reading client costs a few hundred
// bytes and no thread (docs/HTTP.md: connections).
//
// Lifetime: bind in the constructor (a taken port fails at once), serve after start(), and stop
// with refuseNewConnections() / stopAccepting() / finish() (or stop()); the destructor stops
// without a drain.
#include <Poco/Exception.h>
#include <Poco/Net/ServerSocket.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/ConnectionLoop.h"
#include "http/HandlerPool.h"
#include "http/HttpConnection.h"

namespace zt::http {

/// The port could not be opened. message(): "<what> port <n>: <reason>".
POCO_DECLARE_EXCEPTION(, ListenError, Poco::IOException)

struct HttpServerOptions {
    std::string bindAddress = "0.0.0.0";
    int port = 0;  ///< 0 = any free port (tests)
    /// ZT_HTTP_MAX_THREADS: handler threads, started on demand. They run handlers only; no
    /// connection holds one while it is idle or slow.
    int maxThreads = 256;
    /// The handler gate (HandlerPool): at most this many requests run their handler at once;
    /// 0 = no gate. A database-backed service's pool size (ZT_HTTP_MAX_ACTIVE_HANDLERS).
    int handlerGate = 0;
    /// The longest a request waits at the gate before it runs anyway (DB_POOL_CONNECTION_TIMEOUT_MS;
    /// 0 = no bound).
    int handlerGateWaitMs = 0;
    /// Requests that never wait at the gate (health probes: their checks are bounded on their own
    /// and must answer while every handler is stuck in the database). May be empty.
    std::function<bool(const HttpRequest&)> skipsGate;
    /// ZT_HTTP_EVENT_LOOPS: event-loop threads sharing the listening socket.
    int eventLoops = 1;
    int maxConnections = 10000;     ///< ZT_HTTP_MAX_CONNECTIONS; 0 = no limit
    int maxConnectionsPerIp = 256;  ///< ZT_HTTP_MAX_CONNECTIONS_PER_IP; 0 = no limit
    int keepAliveTimeoutMs = 5000;
    std::size_t maxBodyBytes = 1024 * 1024;
    int headerTimeoutMs = 10000;   ///< ZT_HTTP_HEADER_TIMEOUT_MS; 0 = none
    int handlerTimeoutMs = 30000;  ///< ZT_HANDLER_TIMEOUT_MS; 0 = none
    int ioTimeoutMs = 10000;       ///< a body or an answer that makes no progress this long ends the connection
    std::shared_ptr<RequestCounters> counters;  ///< null = a private one
    std::shared_ptr<ServerMetrics> metrics;     ///< null = a private one
    bool accessLog = false;                     ///< ZT_ACCESS_LOG (docs/MONITORING.md)
    /// Adds a new trace's headers to the answers the server makes itself, before or without the
    /// filter chain (ServerContext::stampOwnResponse). May be empty.
    std::function<void(HttpResponse&)> stampOwnResponse;
    /// Requests answered on the event loop itself (ServerContext::runOnLoop). May be empty.
    std::function<bool(const HttpRequest&)> runOnLoop;
};

class HttpServer {
public:
    /// Binds now (so a taken port fails at once), serves after start().
    /// `what` names the server in errors and logs ("service users", "admin").
    HttpServer(std::string what, const HttpServerOptions& options, ExchangeFunction fn);
    ~HttpServer();

    void start();
    /// New connections are closed unserved from now on (instant; call on every server first).
    void refuseNewConnections();
    /// Stops accepting and closes the listening socket: new connections are refused, open ones
    /// keep running.
    void stopAccepting();
    /// Lets in-flight requests finish until `deadline`, then closes every connection.
    void finish(std::chrono::steady_clock::time_point deadline);
    /// stopAccepting() + finish(now + drainMs).
    void stop(int drainMs);
    int port() const { return port_; }
    const std::shared_ptr<RequestCounters>& counters() const { return counters_; }
    const std::shared_ptr<ServerMetrics>& metrics() const { return context_->metrics; }
    /// Connections open now (admitted ones).
    int openConnections() const { return context_->limits.open(); }
    /// Connections each event loop holds now (approximate while traffic flows).
    std::vector<int> connectionsPerLoop() const;

    /// The liveness counters of the server's threads, read now (the systemd watchdog compares
    /// two readings a few seconds apart: docs/OPERATIONS.md).
    struct Progress {
        std::vector<std::uint64_t> loopTurns;  ///< per event loop
        HandlerPool::Progress handlers;
    };
    Progress progress() const;
    /// "" when, from `earlier` to `later`, every event loop turned and the handler pool took a
    /// task or had none waiting at one of the two readings; else what stood still. A server
    /// started or stopped in between counts as progressing.
    static std::string stallBetween(const Progress& earlier, const Progress& later);

private:
    std::string what_;
    int port_ = 0;
    Poco::Net::ServerSocket listening_;
    std::shared_ptr<RequestCounters> counters_;
    std::shared_ptr<RequestWatchdog> watchdog_;
    std::unique_ptr<ServerContext> context_;
    std::unique_ptr<HandlerPool> pool_;
    std::vector<std::unique_ptr<ConnectionLoop>> loops_;
    bool started_ = false;
    bool accepting_ = false;
    bool finished_ = true;
};

}  // namespace zt::http
