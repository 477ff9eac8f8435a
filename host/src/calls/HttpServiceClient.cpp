#include "calls/HttpServiceClient.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <istream>
#include <ostream>
#include <stdexcept>

namespace zt::calls {

namespace {

Poco::Timespan toTimespan(std::chrono::milliseconds ms) {
    return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(std::max<long long>(1, ms.count())) * 1000);
}

// One client TLS context for every https target: the OpenSSL defaults CAs, peer verification on.
Poco::Net::Context::Ptr clientTlsContext() {
    static Poco::Net::Context::Ptr context = [] {
        Poco::Net::initializeSSL();
        return Poco::Net::Context::Ptr(new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "",
                                                              Poco::Net::Context::VERIFY_RELAXED, 9, true));
    }();
    return context;
}

ClientResult failure(Transport transport, std::string error) {
    ClientResult r;
    r.transport = transport;
    r.error = std::move(error);
    return r;
}

ClientResult fromException(const Poco::Exception& e) {
    // Poco::TimeoutException covers connect (poll timeout) and send/receive (EAGAIN on a socket
    // with SO_RCVTIMEO/SO_SNDTIMEO).
    if (dynamic_cast<const Poco::TimeoutException*>(&e) != nullptr) {
        return failure(Transport::Timeout, e.displayText());
    }
    return failure(Transport::ConnectionError, e.displayText());
}

}  // namespace

HttpServiceClient::HttpServiceClient() : HttpServiceClient(Options{}) {}

HttpServiceClient::HttpServiceClient(Options options) : options_(options) {}

HttpServiceClient::~HttpServiceClient() = default;

bool HttpServiceClient::isHopByHopHeader(const std::string& name) {
    return name == "connection" || name == "keep-alive" || name == "transfer-encoding" || name == "te" ||
           name == "upgrade" || name == "trailer" || name.rfind("proxy-", 0) == 0;
}

HttpServiceClient::Endpoint HttpServiceClient::parseBaseUrl(const std::string& baseUrl) {
    Poco::URI uri(baseUrl);
    Endpoint e;
    e.scheme = Poco::toLower(uri.getScheme());
    e.host = uri.getHost();
    e.port = uri.getPort();
    if ((e.scheme != "http" && e.scheme != "https") || e.host.empty() || e.port == 0) {
        throw Poco::InvalidArgumentException("invalid service base URL '" + baseUrl + "'");
    }
    e.key = e.scheme + "://" + e.host + ":" + std::to_string(e.port);
    return e;
}

std::unique_ptr<Poco::Net::HTTPClientSession> HttpServiceClient::acquire(const Endpoint& endpoint) const {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = idle_.find(endpoint.key);
        if (it != idle_.end()) {
            const auto now = std::chrono::steady_clock::now();
            auto& stack = it->second;
            while (!stack.empty()) {
                IdleSession entry = std::move(stack.back());
                stack.pop_back();
                // Most recently used first (its connection is the least likely to be closed by the
                // peer); anything idle too long is closed instead.
                if (now - entry.idleSince <= options_.maxIdleTime) return std::move(entry.session);
            }
        }
    }
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (endpoint.scheme == "https") {
        session = std::make_unique<Poco::Net::HTTPSClientSession>(endpoint.host, endpoint.port, clientTlsContext());
    } else {
        session = std::make_unique<Poco::Net::HTTPClientSession>(endpoint.host, endpoint.port);
    }
    session->setKeepAlive(true);
    // Poco reconnects by itself when a session idled longer than this; keep it equal to ours.
    session->setKeepAliveTimeout(toTimespan(options_.maxIdleTime));
    return session;
}

void HttpServiceClient::release(const Endpoint& endpoint, std::unique_ptr<Poco::Net::HTTPClientSession> session) const {
    if (options_.maxIdlePerTarget == 0) return;
    std::lock_guard<std::mutex> lock(mutex_);
    auto& stack = idle_[endpoint.key];
    if (stack.size() >= options_.maxIdlePerTarget) return;  // destroyed: closes the connection
    stack.push_back(IdleSession{std::move(session), std::chrono::steady_clock::now()});
}

ClientResult HttpServiceClient::send(const std::string& baseUrl, const std::string& method,
                                     const std::string& pathAndQuery, const HeaderVector& headers,
                                     const std::string& body, std::chrono::milliseconds timeout) const {
    Endpoint endpoint;
    try {
        endpoint = parseBaseUrl(baseUrl);
    } catch (const Poco::Exception& e) {
        return failure(Transport::ConnectionError, e.displayText());
    }
    try {
        std::unique_ptr<Poco::Net::HTTPClientSession> session = acquire(endpoint);
        const Poco::Timespan t = toTimespan(timeout);
        session->setTimeout(t, t, t);

        Poco::Net::HTTPRequest request(method, pathAndQuery.empty() ? "/" : pathAndQuery,
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        for (const auto& [name, value] : headers) {
            const std::string lower = Poco::toLower(name);
            if (isHopByHopHeader(lower) || lower == "host" || lower == "content-length") continue;
            request.add(name, value);
        }
        request.setKeepAlive(true);
        if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
            request.setContentLength64(static_cast<Poco::Int64>(body.size()));
        }
        std::ostream& out = session->sendRequest(request);
        if (!body.empty()) out.write(body.data(), static_cast<std::streamsize>(body.size()));
        out.flush();
        if (const Poco::Exception* e = session->networkException()) return fromException(*e);
        if (!out) return failure(Transport::ConnectionError, "could not send the request body");

        Poco::Net::HTTPResponse response;
        std::istream& in = session->receiveResponse(response);
        ClientResult result;
        result.transport = Transport::Response;
        result.status = static_cast<int>(response.getStatus());
        for (const auto& [name, value] : response) result.headers.emplace_back(Poco::toLower(name), value);

        char buffer[16384];
        while (in) {
            in.read(buffer, sizeof buffer);
            const auto n = static_cast<std::size_t>(in.gcount());
            if (n == 0) break;
            if (result.body.size() + n > options_.maxResponseBytes) {
                return failure(Transport::ConnectionError,
                               "response body exceeds " + std::to_string(options_.maxResponseBytes) + " bytes");
            }
            result.body.append(buffer, n);
        }
        // The body stream swallows socket exceptions into badbit; the session remembers them.
        if (const Poco::Exception* e = session->networkException()) return fromException(*e);
        if (in.bad()) return failure(Transport::ConnectionError, "error while reading the response body");
        if (method != "HEAD" && response.hasContentLength() &&
            static_cast<std::size_t>(response.getContentLength64()) != result.body.size()) {
            return failure(Transport::ConnectionError, "connection closed before the whole response body arrived");
        }
        if (response.getKeepAlive()) release(endpoint, std::move(session));
        return result;
    } catch (const Poco::Exception& e) {
        return fromException(e);
    } catch (const std::exception& e) {
        return failure(Transport::ConnectionError, e.what());
    }
}

std::size_t HttpServiceClient::idleSessions(const std::string& baseUrl) const {
    std::string key;
    try {
        key = parseBaseUrl(baseUrl).key;
    } catch (const Poco::Exception&) {
        return 0;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = idle_.find(key);
    return it == idle_.end() ? 0 : it->second.size();
}

void HttpServiceClient::clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    idle_.clear();
}

}  // namespace zt::calls
