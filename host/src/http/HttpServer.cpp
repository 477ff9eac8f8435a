#include "http/HttpServer.h"

#include <Poco/Net/HTTPServerConnection.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <Poco/Logger.h>

#include <chrono>
#include <thread>
#include <typeinfo>

namespace zt::http {

POCO_IMPLEMENT_EXCEPTION(ListenError, Poco::IOException, "Cannot listen")

namespace {
/// Poco's HTTP connection, registered with the watchdog for its whole life.
class GuardedConnection : public Poco::Net::HTTPServerConnection {
public:
    GuardedConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
                      Poco::Net::HTTPRequestHandlerFactory::Ptr factory, std::shared_ptr<RequestWatchdog> watchdog)
        : HTTPServerConnection(socket, params, factory), watchdog_(std::move(watchdog)) {}
    void run() override {
        if (!watchdog_->connectionOpened(socket())) return;  // shutting down: closed unserved
        try {
            HTTPServerConnection::run();
        } catch (...) {
            watchdog_->connectionClosed(socket());
            throw;
        }
        watchdog_->connectionClosed(socket());
    }

private:
    std::shared_ptr<RequestWatchdog> watchdog_;
};

class GuardedConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
public:
    GuardedConnectionFactory(Poco::Net::HTTPServerParams::Ptr params, Poco::Net::HTTPRequestHandlerFactory::Ptr factory,
                             std::shared_ptr<RequestWatchdog> watchdog)
        : params_(std::move(params)), factory_(std::move(factory)), watchdog_(std::move(watchdog)) {}
    Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
        return new GuardedConnection(socket, params_, factory_, watchdog_);
    }

private:
    Poco::Net::HTTPServerParams::Ptr params_;
    Poco::Net::HTTPRequestHandlerFactory::Ptr factory_;
    std::shared_ptr<RequestWatchdog> watchdog_;
};
}  // namespace

HttpServer::HttpServer(std::string what, const HttpServerOptions& o, ExchangeFunction fn)
    : what_(std::move(what)) {
    Poco::Net::ServerSocket socket;
    try {
        Poco::Net::SocketAddress addr(o.bindAddress, static_cast<Poco::UInt16>(o.port));
        socket.bind(addr, /*reuseAddress*/ true, /*reusePort*/ false);
        socket.listen(256);
    } catch (const Poco::Exception& e) {
        throw ListenError(what_ + " port " + std::to_string(o.port) + ": " + e.displayText());
    }
    port_ = socket.address().port();
    counters_ = o.counters ? o.counters : std::make_shared<RequestCounters>();
    watchdog_ = std::make_shared<RequestWatchdog>(std::chrono::milliseconds(o.headerTimeoutMs),
                                                  std::chrono::milliseconds(o.handlerTimeoutMs), counters_);
    threads_ = std::make_unique<Poco::ThreadPool>(2, o.maxThreads + 1, 60, 0);
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(o.maxThreads);
    params->setMaxQueued(1024);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(static_cast<long>(o.keepAliveTimeoutMs) * 1000));
    params->setMaxKeepAliveRequests(10000);
    // Bounds how long a client may take to send a request (slow clients) before the thread is freed.
    params->setTimeout(Poco::Timespan(10, 0));
    params->setServerName("zintrust-host");
    handlers_ = new PocoExchangeHandlerFactory(ExchangeHandlerContext{std::move(fn), o.maxBodyBytes, counters_, watchdog_});
    Poco::Net::HTTPRequestHandlerFactory::Ptr baseFactory = handlers_;
    server_ = std::make_unique<Poco::Net::TCPServer>(new GuardedConnectionFactory(params, baseFactory, watchdog_),
                                                     *threads_, socket, params);
}

HttpServer::~HttpServer() {
    try {
        stop(0);
    } catch (...) {
    }
}

void HttpServer::start() {
    server_->start();
    accepting_ = true;
    finished_ = false;
}

void HttpServer::refuseNewConnections() { watchdog_->refuseNew(); }

void HttpServer::stopAccepting() {
    if (!accepting_) return;
    accepting_ = false;
    watchdog_->refuseNew();
    server_->stop();
}

void HttpServer::stop(int drainMs) {
    stopAccepting();
    finish(std::chrono::steady_clock::now() + std::chrono::milliseconds(drainMs));
}

void HttpServer::finish(std::chrono::steady_clock::time_point deadline) {
    if (finished_) return;
    finished_ = true;
    while (watchdog_->busyConnections() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const bool drained = watchdog_->busyConnections() == 0;
    // Close every connection: gracefully (a request that slipped in on a keep-alive connection
    // still completes) when drained, by socket shutdown otherwise.
    handlers_->stopConnections(!drained);
    if (!drained) {
        // A handler is still inside plugin code and cannot be interrupted: do not wait for its
        // thread (joinAll would block shutdown forever). The pool is left to process exit.
        Poco::Logger::get("zt.http").error("%s: requests still running at the drain deadline; not waiting for them", what_);
        (void)threads_.release();
        (void)server_.release();
        return;
    }
    threads_->joinAll();
}

}  // namespace zt::http
