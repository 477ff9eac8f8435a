#pragma once
// The host's HTTP/1.1 server connection: one worker thread (from Poco's TCPServer) reads request
// heads and bodies, runs the ExchangeFunction, writes the buffered response in one send, and keeps
// the connection alive. It replaces Poco's HTTPServerConnection (why: RequestHeadParser.h).
//
// Time limits, all enforced by the worker itself (it wakes every 100 ms while waiting):
//  - keep-alive: an idle connection is closed after keepAliveTimeout, and after 500 ms idle when
//    connections are queued for a worker thread: a connection holds a thread, so idle keep-alive
//    connections (another host's client pool) must not starve a waiting client for seconds.
//  - header deadline: the whole head must arrive within headerTimeout of connecting or of the
//    previous answer (slowloris).
//  - I/O: a body or a response that makes no progress for ioTimeout ends the connection.
//  - handler deadline: RequestWatchdog (another thread, since the handler cannot be interrupted).
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include "http/RequestCounters.h"
#include "http/RequestHeadParser.h"
#include "http/RequestWatchdog.h"
#include "zintrust/host/http/Exchange.h"

namespace zt::http {

using ExchangeFunction = std::function<void(Exchange&)>;

/// What every connection of one server shares; read-only once the server started (except `server`,
/// set once right after the TCPServer exists).
struct HttpConnectionSettings {
    ExchangeFunction fn;
    std::size_t maxBodyBytes = 1024 * 1024;
    HeadLimits headLimits;
    std::chrono::milliseconds keepAliveTimeout{5000};
    std::chrono::milliseconds headerTimeout{10000};  ///< 0 = none
    std::chrono::milliseconds ioTimeout{10000};
    int maxKeepAliveRequests = 10000;
    std::shared_ptr<RequestCounters> counters;  ///< never null
    std::shared_ptr<RequestWatchdog> watchdog;  ///< never null
    /// Adds what every answer carries to the answers the connection makes itself, before any filter
    /// ran (400/413/431/501/505, OPTIONS *): a new trace's traceparent and x-trace-id. May be empty.
    std::function<void(HttpResponse&)> stampOwnResponse;
    /// OWNERSHIP: borrowed from HttpServer, which outlives every connection. Null until started.
    std::atomic<const Poco::Net::TCPServer*> server{nullptr};
};

class HttpConnection : public Poco::Net::TCPServerConnection {
public:
    HttpConnection(const Poco::Net::StreamSocket& socket, std::shared_ptr<const HttpConnectionSettings> settings)
        : TCPServerConnection(socket), settings_(std::move(settings)) {}
    void run() override;

private:
    std::shared_ptr<const HttpConnectionSettings> settings_;
};

class HttpConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
public:
    explicit HttpConnectionFactory(std::shared_ptr<const HttpConnectionSettings> settings)
        : settings_(std::move(settings)) {}
    Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
        return new HttpConnection(socket, settings_);
    }

private:
    std::shared_ptr<const HttpConnectionSettings> settings_;
};

}  // namespace zt::http
