#pragma once
// One listening port: Poco's TCPServer accepts and hands each connection to a pooled worker
// thread that runs HttpConnection (our HTTP/1.1 loop). A connection holds its thread while open,
// so the pool is sized by ZT_HTTP_MAX_THREADS, idle keep-alive connections give their thread up
// when others are queued, and the default ThreadPool (16 threads) is never used.
#include <Poco/Exception.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>

#include <chrono>
#include <memory>
#include <string>

#include "http/HttpConnection.h"

namespace zt::http {

/// The port could not be opened. message(): "<what> port <n>: <reason>".
POCO_DECLARE_EXCEPTION(, ListenError, Poco::IOException)

struct HttpServerOptions {
    std::string bindAddress = "0.0.0.0";
    int port = 0;  ///< 0 = any free port (tests)
    /// A connection holds a worker for as long as it is open, so this bounds the connections served
    /// at once; created on demand. 64 (the old default) let 64 busy keep-alive clients starve a
    /// health monitor's connection for seconds (bench/README, "c=64 stalls").
    int maxThreads = 256;
    int keepAliveTimeoutMs = 5000;
    std::size_t maxBodyBytes = 1024 * 1024;
    int headerTimeoutMs = 10000;   ///< ZT_HTTP_HEADER_TIMEOUT_MS; 0 = none
    int handlerTimeoutMs = 30000;  ///< ZT_HANDLER_TIMEOUT_MS; 0 = none
    std::shared_ptr<RequestCounters> counters;  ///< null = a private one
    /// Adds a new trace's headers to the answers the server makes itself, before or without the
    /// filter chain (HttpConnectionSettings::stampOwnResponse). May be empty.
    std::function<void(HttpResponse&)> stampOwnResponse;
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
    /// Stops the accept loop (takes up to 250 ms): new connections are refused, open ones keep running.
    void stopAccepting();
    /// Lets in-flight requests finish until `deadline`, then closes every connection.
    void finish(std::chrono::steady_clock::time_point deadline);
    /// stopAccepting() + finish(now + drainMs).
    void stop(int drainMs);
    int port() const { return port_; }
    const std::shared_ptr<RequestCounters>& counters() const { return counters_; }

private:
    std::string what_;
    int port_ = 0;
    std::shared_ptr<RequestCounters> counters_;
    std::shared_ptr<RequestWatchdog> watchdog_;
    std::shared_ptr<HttpConnectionSettings> settings_;
    std::unique_ptr<Poco::ThreadPool> threads_;
    std::unique_ptr<Poco::Net::TCPServer> server_;
    bool accepting_ = false;
    bool finished_ = true;
};

}  // namespace zt::http
