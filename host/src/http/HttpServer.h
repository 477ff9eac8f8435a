#pragma once
// One listening port served by Poco's HTTPServer with its own thread pool.
// Poco holds a pool thread per open connection (keep-alive included), so the pool is sized by
// ZT_HTTP_MAX_THREADS and keep-alive is short; the default ThreadPool (16 threads) is never used.
#include <Poco/Exception.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/ThreadPool.h>

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
};

class HttpServer {
public:
    /// Binds now (so a taken port fails at once), serves after start().
    /// `what` names the server in errors and logs ("service users", "admin").
    HttpServer(std::string what, const HttpServerOptions& options, ExchangeFunction fn);
    ~HttpServer();

    void start();
    /// Stops accepting, lets in-flight requests finish (up to drainMs), then closes connections.
    void stop(int drainMs);
    int port() const { return port_; }

private:
    std::string what_;
    int port_ = 0;
    std::unique_ptr<Poco::ThreadPool> threads_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    bool running_ = false;
};

}  // namespace zt::http
