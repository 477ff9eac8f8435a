#include "http/HttpServer.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/TCPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <Poco/Logger.h>

#include <chrono>
#include <limits>
#include <thread>
#include <typeinfo>

namespace zt::http {

POCO_IMPLEMENT_EXCEPTION(ListenError, Poco::IOException, "Cannot listen")

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
    watchdog_ = std::make_shared<RequestWatchdog>(std::chrono::milliseconds(o.handlerTimeoutMs), counters_,
                                                  o.stampOwnResponse);
    settings_ = std::make_shared<HttpConnectionSettings>();
    settings_->fn = std::move(fn);
    settings_->maxBodyBytes = o.maxBodyBytes;
    settings_->keepAliveTimeout = std::chrono::milliseconds(o.keepAliveTimeoutMs);
    settings_->headerTimeout = std::chrono::milliseconds(o.headerTimeoutMs);
    settings_->counters = counters_;
    settings_->watchdog = watchdog_;
    settings_->stampOwnResponse = o.stampOwnResponse;
    // Idle workers are never retired: Poco's ThreadPool retires a worker idle for `idleTime`
    // seconds inside getThread() (every 32nd call), joining each one while it holds the pool's
    // mutex, and TCPServer calls getThread() for every new connection under its own mutex. Under
    // load every connect then waited for those joins: 0.5-2.3 s stalls at the start of bench/run
    // rows whenever workers of an earlier row had been idle for a minute (bench/README).
    threads_ = std::make_unique<Poco::ThreadPool>(2, o.maxThreads + 1, std::numeric_limits<int>::max(), 0);
    Poco::Net::TCPServerParams::Ptr params = new Poco::Net::TCPServerParams;
    params->setMaxThreads(o.maxThreads);
    params->setMaxQueued(1024);
    server_ = std::make_unique<Poco::Net::TCPServer>(new HttpConnectionFactory(settings_), *threads_, socket, params);
    settings_->server.store(server_.get());
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
    watchdog_->stopConnections(!drained);
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
