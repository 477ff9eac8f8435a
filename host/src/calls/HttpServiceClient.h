#pragma once
// HTTP/1.1 client for calls to services in other processes, with keep-alive reuse.
//
// Why a pool: a fresh TCP connection per call costs a handshake and leaves TIME_WAIT sockets
// behind; inter-service traffic repeatedly goes to the same few targets. Each target keeps a small
// stack of idle Poco::Net::HTTPClientSession objects. A session is only put back after a complete,
// keep-alive response: one that failed in any way is destroyed, never reused (its stream state is
// unknown). Idle sessions older than `maxIdleTime` are dropped, so we never reuse a connection the
// server's keep-alive timeout (5 s for this host) is about to close.
//
// Thread-safe; `send` never throws: transport failures are ClientResult values.
#include <Poco/Net/HTTPClientSession.h>

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "calls/ClientResult.h"

namespace zt::calls {

class HttpServiceClient {
public:
    struct Options {
        std::size_t maxIdlePerTarget = 8;  ///< 0 disables reuse
        std::chrono::milliseconds maxIdleTime{2000};
        std::size_t maxResponseBytes = 16 * 1024 * 1024;  ///< larger bodies fail the attempt
    };

    HttpServiceClient();
    explicit HttpServiceClient(Options options);
    ~HttpServiceClient();
    HttpServiceClient(const HttpServiceClient&) = delete;
    HttpServiceClient& operator=(const HttpServiceClient&) = delete;

    /// One attempt: `baseUrl` is "http(s)://host:port", `pathAndQuery` starts with '/'.
    /// `timeout` bounds connecting, sending and each wait for response data. Hop-by-hop headers
    /// (connection, keep-alive, transfer-encoding, te, upgrade, trailer, proxy-*) and host /
    /// content-length in `headers` are ignored: the client sets its own.
    ClientResult send(const std::string& baseUrl, const std::string& method, const std::string& pathAndQuery,
                      const HeaderVector& headers, const std::string& body, std::chrono::milliseconds timeout) const;

    /// Idle sessions currently kept for a base URL (tests, admin).
    std::size_t idleSessions(const std::string& baseUrl) const;
    /// Closes every idle session.
    void clear();

    /// True for headers that describe one connection, not the message (RFC 9110 §7.6.1).
    static bool isHopByHopHeader(const std::string& lowerCaseName);

private:
    struct Endpoint {
        std::string scheme;
        std::string host;
        unsigned short port = 0;
        std::string key;  ///< "scheme://host:port"
    };
    struct IdleSession {
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        std::chrono::steady_clock::time_point idleSince;
    };

    static Endpoint parseBaseUrl(const std::string& baseUrl);
    std::unique_ptr<Poco::Net::HTTPClientSession> acquire(const Endpoint& endpoint) const;
    void release(const Endpoint& endpoint, std::unique_ptr<Poco::Net::HTTPClientSession> session) const;

    Options options_;
    mutable std::mutex mutex_;
    mutable std::map<std::string, std::vector<IdleSession>> idle_;
};

}  // namespace zt::calls
