#pragma once
// One client connection of the host's HTTP/1.1 server, and what every connection of a server
// shares (ServerContext). The connection's bytes are moved by an event loop (ConnectionLoop):
// heads and bodies are read and responses written without blocking, so a slow or silent client
// costs a few hundred bytes, not a thread. A complete request goes to a handler thread
// (HandlerPool) and comes back as a complete response (docs/HTTP.md: connections).
//
// Ownership: the loop that accepted a connection owns it (ConnectionLoop::conns_) and is the only
// one that touches it, except while it is Handling: then it is out of the loop's poll set and a
// handler thread owns it until it hands it back (ConnectionLoop::handBack). The watchdog may
// write a 504 to its socket while Handling (ConnectionSlot).
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "http/ConnectionLimits.h"
#include "http/RequestCounters.h"
#include "http/RequestReader.h"
#include "http/RequestWatchdog.h"
#include "http/ServerMetrics.h"
#include "http/Exchange.h"

namespace zt::http {

using ExchangeFunction = std::function<void(Exchange&)>;
class ConnectionLoop;
class HandlerPool;

/// What every connection of one server shares; read-only once the server started, except the
/// counters and atomics.
struct ServerContext {
    ServerContext(int maxConnections, int maxPerAddress) : limits(maxConnections, maxPerAddress) {}

    ExchangeFunction fn;
    /// Requests this returns true for run on the event loop itself instead of a handler thread:
    /// constant-time answers that must not wait behind busy handlers (/health/live). May be empty.
    std::function<bool(const HttpRequest&)> runOnLoop;
    /// Requests that skip the handler gate (HandlerPool). May be empty.
    std::function<bool(const HttpRequest&)> skipsGate;
    std::size_t maxBodyBytes = 1024 * 1024;
    HeadLimits headLimits;
    std::chrono::milliseconds keepAliveTimeout{5000};
    std::chrono::milliseconds headerTimeout{10000};  ///< 0 = none
    std::chrono::milliseconds ioTimeout{10000};      ///< a body or an answer that makes no progress
    int maxKeepAliveRequests = 10000;
    bool accessLog = false;  ///< ZT_ACCESS_LOG: a RequestLog::writeAccess record per answered request
    std::shared_ptr<RequestCounters> counters;  ///< never null
    std::shared_ptr<RequestWatchdog> watchdog;  ///< never null
    /// Adds what every answer carries to the answers the server makes itself, before any filter
    /// ran (400/413/431/501/503/505, OPTIONS *): a new trace's traceparent and x-trace-id. May be empty.
    std::function<void(HttpResponse&)> stampOwnResponse;
    ConnectionLimits limits;
    /// OWNERSHIP: borrowed from HttpServer, which outlives every connection.
    HandlerPool* pool = nullptr;
    /// Durations, requests in flight (the shutdown drain waits for 0) and open connections.
    std::shared_ptr<ServerMetrics> metrics;  ///< never null
    /// Which loop gets the next accepted connection (ConnectionLoop::acceptSome).
    std::atomic<unsigned> acceptCursor{0};
};

struct HttpConnection {
    enum class State {
        Reading,    ///< waiting for or reading a request
        Handling,   ///< a handler thread owns the connection
        Writing,    ///< an answer is being sent (the client reads slowly)
        Lingering,  ///< answered an error and half-closed; dropping what the client still sends
    };
    /// What happens once `out` has been sent.
    enum class After { ReadNext, Close, Linger };

    HttpConnection(Poco::Net::StreamSocket s, std::string peer, std::string address, const ServerContext& context)
        : socket(std::move(s)),
          fd(socket.impl()->sockfd()),
          remote(std::move(peer)),
          ip(std::move(address)),
          slot(fd),
          reader(context.headLimits, context.maxBodyBytes) {}

    Poco::Net::StreamSocket socket;  ///< closed when the connection is destroyed
    const int fd;
    const std::string remote;  ///< "ip:port"
    const std::string ip;      ///< the client address the per-address limit counts
    ConnectionSlot slot;
    RequestReader reader;
    std::string in;           ///< received, not yet consumed bytes
    std::string out;          ///< the answer(s) being sent
    std::size_t outSent = 0;  ///< bytes of `out` already sent
    State state = State::Reading;
    After after = After::ReadNext;
    int pollMode = 0;            ///< what the loop's poll set watches (0: not in it)
    bool admitted = false;       ///< counted in ServerContext::limits
    bool requestActive = false;  ///< counted in ServerMetrics::activeRequestCount
    bool peerClosed = false;     ///< the client sent FIN: answer what was read, then close
    int served = 0;
    std::size_t lingered = 0;                            ///< bytes dropped while Lingering
    std::chrono::steady_clock::time_point waitStarted;   ///< the current head wait began
    std::chrono::steady_clock::time_point lastProgress;  ///< last body byte read or answer byte sent
    std::chrono::steady_clock::time_point lingerUntil;
    /// While Handling: the request and its answer.
    std::unique_ptr<Exchange> exchange;
    bool isHead = false;
    int minorVersion = 1;
    bool keepAlive = true;
    /// OWNERSHIP: the loop that owns this connection; outlives it.
    ConnectionLoop* loop = nullptr;
};

}  // namespace zt::http
