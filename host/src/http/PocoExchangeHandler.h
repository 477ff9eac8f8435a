#pragma once
// Adapts Poco's HTTP server to the socket-free Exchange: reads the request completely (with a body
// limit), runs a handler function, writes the buffered response. Catches everything: Poco sends
// no response at all when a handler throws a std::exception (POCO-NOTES).
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <functional>
#include <memory>

#include "http/RequestCounters.h"
#include "http/RequestWatchdog.h"
#include "zintrust/host/http/Exchange.h"

namespace zt::http {

using ExchangeFunction = std::function<void(Exchange&)>;

/// What every request handler of one server shares (read-only after construction).
struct ExchangeHandlerContext {
    ExchangeFunction fn;
    std::size_t maxBodyBytes = 1024 * 1024;
    std::shared_ptr<RequestCounters> counters;  ///< never null
    std::shared_ptr<RequestWatchdog> watchdog;  ///< may be null (no deadlines)
};

class PocoExchangeHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit PocoExchangeHandler(const ExchangeHandlerContext& context) : context_(context) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override;

    /// Fills `ex.request` from a Poco request. Returns false and sets an error response
    /// (400 bad URI, 413 body too large) when the request cannot be served.
    static bool readRequest(Poco::Net::HTTPServerRequest& request, std::size_t maxBodyBytes,
                            Exchange& ex);
    static void writeResponse(const Exchange& ex, Poco::Net::HTTPServerResponse& response);

private:
    const ExchangeHandlerContext& context_;
};

class PocoExchangeHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit PocoExchangeHandlerFactory(ExchangeHandlerContext context) : context_(std::move(context)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
        return new PocoExchangeHandler(context_);
    }
    /// Tells every open connection to close after its current request (abort=false) or at once
    /// (abort=true): what HTTPServer::stopAll does through this protected event.
    void stopConnections(bool abort) { serverStopped.notify(this, abort); }

private:
    ExchangeHandlerContext context_;
};

}  // namespace zt::http
