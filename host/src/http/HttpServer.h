#pragma once
// One listening port served by Poco's HTTP connection handling with its own thread pool.
// Poco holds a pool thread per open connection (keep-alive included), so the pool is sized by
// ZT_HTTP_MAX_THREADS and keep-alive is short; the default ThreadPool (16 threads) is never used.
// A TCPServer with our own connection factory replaces Poco::Net::HTTPServer so every connection
// is known to the RequestWatchdog (header and handler deadlines).
#include <Poco/Exception.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>

#include <chrono>
#include <memory>
#include <string>

#include "http/PocoExchangeHandler.h"

namespace zt::http {

/// The port could not be opened. message(): "<what> port <n>: <reason>".
POCO_DECLARE_EXCEPTION(, ListenError, Poco::IOException)

struct HttpServerOptions {
    std::string bindAddress = "0.0.0.0";
    int port = 0;  ///< 0 = any free port (tests)
    int maxThreads = 64;
    int keepAliveTimeoutMs = 5000;
    std::size_t maxBodyBytes = 1024 * 1024;
    int headerTimeoutMs = 10000;   ///< ZT_HTTP_HEADER_TIMEOUT_MS; 0 = none
    int handlerTimeoutMs = 30000;  ///< ZT_HANDLER_TIMEOUT_MS; 0 = none
    std::shared_ptr<RequestCounters> counters;  ///< null = a private one
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
    Poco::SharedPtr<PocoExchangeHandlerFactory> handlers_;
    std::unique_ptr<Poco::ThreadPool> threads_;
    std::unique_ptr<Poco::Net::TCPServer> server_;
    bool accepting_ = false;
    bool finished_ = true;
};

}  // namespace zt::http
