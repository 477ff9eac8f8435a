#include "http/HttpServer.h"

#include <Poco/Logger.h>
#include <Poco/Net/SocketAddress.h>

#include <algorithm>
#include <thread>

namespace zt::http {

POCO_IMPLEMENT_EXCEPTION(ListenError, Poco::IOException, "Cannot listen")

HttpServer::HttpServer(std::string what, const HttpServerOptions& o, ExchangeFunction fn) : what_(std::move(what)) {
    try {
        Poco::Net::SocketAddress addr(o.bindAddress, static_cast<Poco::UInt16>(o.port));
        listening_.bind(addr, /*reuseAddress*/ true, /*reusePort*/ false);
        // The backlog matches the connection limit (the kernel caps it at net.core.somaxconn):
        // a burst of connects waits in it instead of being refused.
        listening_.listen(o.maxConnections > 0 ? std::min(o.maxConnections, 65535) : 65535);
        listening_.setBlocking(false);
    } catch (const Poco::Exception& e) {
        throw ListenError(what_ + " port " + std::to_string(o.port) + ": " + e.displayText());
    }
    port_ = listening_.address().port();
    counters_ = o.counters ? o.counters : std::make_shared<RequestCounters>();
    watchdog_ =
        std::make_shared<RequestWatchdog>(std::chrono::milliseconds(o.handlerTimeoutMs), counters_, o.stampOwnResponse);
    pool_ = std::make_unique<HandlerPool>(o.maxThreads, o.handlerGate, std::chrono::milliseconds(o.handlerGateWaitMs));
    context_ = std::make_unique<ServerContext>(o.maxConnections, o.maxConnectionsPerIp);
    auto& c = *context_;
    c.fn = std::move(fn);
    c.runOnLoop = o.runOnLoop;
    c.skipsGate = o.skipsGate;
    c.maxBodyBytes = o.maxBodyBytes;
    c.keepAliveTimeout = std::chrono::milliseconds(o.keepAliveTimeoutMs);
    c.headerTimeout = std::chrono::milliseconds(o.headerTimeoutMs);
    c.ioTimeout = std::chrono::milliseconds(o.ioTimeoutMs);
    c.counters = counters_;
    c.accessLog = o.accessLog;
    c.metrics = o.metrics ? o.metrics : std::make_shared<ServerMetrics>();
    c.watchdog = watchdog_;
    c.stampOwnResponse = o.stampOwnResponse;
    c.pool = pool_.get();
    for (int i = 0; i < std::max(1, o.eventLoops); ++i)
        loops_.push_back(std::make_unique<ConnectionLoop>(c, listening_));
    if (loops_.size() > 1) {
        std::vector<ConnectionLoop*> all;
        for (auto& loop : loops_) all.push_back(loop.get());
        for (auto& loop : loops_) loop->setSiblings(all);
    }
}

HttpServer::~HttpServer() {
    try {
        stop(0);
    } catch (...) {
    }
}

std::vector<int> HttpServer::connectionsPerLoop() const {
    std::vector<int> counts;
    for (const auto& loop : loops_) counts.push_back(loop->connectionCount());
    return counts;
}

HttpServer::Progress HttpServer::progress() const {
    Progress p;
    if (!started_ || finished_) return p;
    for (const auto& loop : loops_) p.loopTurns.push_back(loop->turns());
    p.handlers = pool_->progress();
    return p;
}

std::string HttpServer::stallBetween(const Progress& earlier, const Progress& later) {
    if (earlier.loopTurns.size() != later.loopTurns.size()) return "";  // started or stopped between
    for (std::size_t i = 0; i < later.loopTurns.size(); ++i) {
        if (later.loopTurns[i] == earlier.loopTurns[i]) return "event loop " + std::to_string(i + 1) + " stood still";
    }
    const bool queueStood = earlier.handlers.waiting > 0 && later.handlers.waiting > 0;
    if (queueStood && later.handlers.started == earlier.handlers.started) {
        return "the handler pool took no task, " + std::to_string(later.handlers.waiting) + " waiting";
    }
    return "";
}

void HttpServer::start() {
    for (auto& loop : loops_) loop->start();
    started_ = true;
    accepting_ = true;
    finished_ = false;
}

void HttpServer::refuseNewConnections() { watchdog_->refuseNew(); }

void HttpServer::stopAccepting() {
    if (!accepting_) return;
    accepting_ = false;
    watchdog_->refuseNew();
    for (auto& loop : loops_) loop->stopAccepting();
    listening_.close();
}

void HttpServer::stop(int drainMs) {
    stopAccepting();
    finish(std::chrono::steady_clock::now() + std::chrono::milliseconds(drainMs));
}

void HttpServer::finish(std::chrono::steady_clock::time_point deadline) {
    if (finished_) return;
    finished_ = true;
    // Idle connections close at the loops' next sweep (stopping); answers in flight say
    // "Connection: close".
    watchdog_->stopConnections(false);
    while (context_->metrics->activeRequestCount().load() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    // The loops stop starting requests, close the idle connections and let what is still running
    // finish until the deadline (a request may have started since the count above).
    bool clean = true;
    for (auto& loop : loops_) clean = loop->stop(deadline) && clean;
    if (!clean) {
        // A handler is still inside plugin code and cannot be interrupted: do not wait for its
        // thread (joining would block shutdown forever). The loops, the pool and the connections
        // a handler still holds are left to process exit.
        Poco::Logger::get("zt.http").error("%s: requests still running at the drain deadline; not waiting for them",
                                           what_);
        watchdog_->stopConnections(true);
        for (auto& loop : loops_) (void)loop.release();
        (void)pool_.release();
        (void)context_.release();
        return;
    }
    pool_->stop();
}

}  // namespace zt::http
