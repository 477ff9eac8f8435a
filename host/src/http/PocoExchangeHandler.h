#pragma once
// Adapts Poco's HTTP server to the socket-free Exchange: reads the request completely (with a body
// limit), runs a handler function, writes the buffered response. Catches everything: Poco sends
// no response at all when a handler throws a std::exception (POCO-NOTES).
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <functional>

#include "zintrust/host/http/Exchange.h"

namespace zt::http {

using ExchangeFunction = std::function<void(Exchange&)>;

class PocoExchangeHandler : public Poco::Net::HTTPRequestHandler {
public:
    PocoExchangeHandler(const ExchangeFunction& fn, std::size_t maxBodyBytes)
        : fn_(fn), maxBodyBytes_(maxBodyBytes) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override;

    /// Fills `ex.request` from a Poco request. Returns false and sets an error response
    /// (400 bad URI, 413 body too large) when the request cannot be served.
    static bool readRequest(Poco::Net::HTTPServerRequest& request, std::size_t maxBodyBytes,
                            Exchange& ex);
    static void writeResponse(const Exchange& ex, Poco::Net::HTTPServerResponse& response);

private:
    const ExchangeFunction& fn_;
    std::size_t maxBodyBytes_;
};

class PocoExchangeHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    PocoExchangeHandlerFactory(ExchangeFunction fn, std::size_t maxBodyBytes)
        : fn_(std::move(fn)), maxBodyBytes_(maxBodyBytes) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
        return new PocoExchangeHandler(fn_, maxBodyBytes_);
    }

private:
    ExchangeFunction fn_;
    std::size_t maxBodyBytes_;
};

}  // namespace zt::http
