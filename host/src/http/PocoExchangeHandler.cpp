#include "http/PocoExchangeHandler.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <istream>

#include "http/JsonError.h"

namespace zt::http {

bool PocoExchangeHandler::readRequest(Poco::Net::HTTPServerRequest& request,
                                      std::size_t maxBodyBytes, Exchange& ex) {
    auto& r = ex.request;
    r.method = request.getMethod();
    for (auto& c : r.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    r.remoteAddress = request.clientAddress().toString();
    for (const auto& [name, value] : request) r.headers.add(name, value);
    try {
        Poco::URI uri(request.getURI());
        r.path = uri.getPath();
        r.query = uri.getRawQuery();
    } catch (const Poco::Exception& e) {
        setJsonError(ex.response, 400, "bad_request", "invalid request URI: " + e.message());
        return false;
    }
    if (r.path.empty()) r.path = "/";

    if (request.hasContentLength() && request.getContentLength64() >= 0 &&
        static_cast<std::uint64_t>(request.getContentLength64()) > maxBodyBytes) {
        setJsonError(ex.response, 413, "payload_too_large",
                     "request body exceeds " + std::to_string(maxBodyBytes) + " bytes");
        return false;
    }
    // RFC 9112 6.3: a request with neither Content-Length nor chunked Transfer-Encoding has no
    // body. Poco would read such a body "until the connection closes" for methods other than
    // GET/HEAD/DELETE, which stalls a PATCH or an unknown method sent without a body.
    if (!request.hasContentLength() && !request.getChunkedTransferEncoding()) return true;
    std::istream& in = request.stream();
    char buf[8192];
    while (in) {
        in.read(buf, sizeof buf);
        auto n = static_cast<std::size_t>(in.gcount());
        if (n == 0) break;
        if (r.body.size() + n > maxBodyBytes) {
            setJsonError(ex.response, 413, "payload_too_large",
                         "request body exceeds " + std::to_string(maxBodyBytes) + " bytes");
            return false;
        }
        r.body.append(buf, n);
    }
    return true;
}

void PocoExchangeHandler::writeResponse(const Exchange& ex, Poco::Net::HTTPServerResponse& response) {
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(ex.response.status));
    for (const auto& [name, value] : ex.response.headers.entries()) {
        if (name == "content-length" || name == "transfer-encoding" || name == "connection") continue;
        if (name == "content-type") {
            response.setContentType(value);
        } else {
            response.add(name, value);
        }
    }
    response.setContentLength64(static_cast<Poco::Int64>(ex.response.body.size()));
    if (ex.request.method == "HEAD") {
        response.send();
        return;
    }
    response.sendBuffer(ex.response.body.data(), ex.response.body.size());
}

void PocoExchangeHandler::handleRequest(Poco::Net::HTTPServerRequest& request,
                                        Poco::Net::HTTPServerResponse& response) {
    auto& counters = *context_.counters;
    // The socket identifies the connection for the watchdog (header and handler deadlines).
    const Poco::Net::StreamSocket* socket = nullptr;
    if (context_.watchdog) {
        if (auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request)) socket = &impl->socket();
    }
    struct FinishGuard {
        RequestWatchdog* watchdog;
        const Poco::Net::StreamSocket* socket;
        ~FinishGuard() {
            if (watchdog && socket) watchdog->requestFinished(*socket);
        }
    } finish{context_.watchdog.get(), socket};
    try {
        Exchange ex;
        std::shared_ptr<RequestWatchdog::HandlerTicket> ticket;
        if (readRequest(request, context_.maxBodyBytes, ex)) {
            if (socket) ticket = context_.watchdog->requestStarted(*socket, response);
            context_.fn(ex);
            if (ticket && !ticket->complete()) return;  // the watchdog already answered 504
        } else {
            // The body was not consumed: the connection cannot be reused safely.
            response.setKeepAlive(false);
            if (ex.response.status == 413) counters.rejectedBodies.fetch_add(1, std::memory_order_relaxed);
        }
        counters.countStatus(ex.response.status);
        writeResponse(ex, response);
    } catch (const std::exception& e) {
        Poco::Logger::get("zt.http").error("request failed before a response was written: %s",
                                           std::string(e.what()));
        try {
            if (!response.sent()) {
                std::string body = jsonErrorBody("internal_error", "internal error");
                response.setStatus(Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
                response.setContentType("application/json");
                response.setKeepAlive(false);
                response.sendBuffer(body.data(), body.size());
            }
        } catch (...) {
        }
    } catch (...) {
        // connection is gone; nothing sensible to send
    }
}

}  // namespace zt::http
