#include "http/HttpServer.h"

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <chrono>
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
    threads_ = std::make_unique<Poco::ThreadPool>(2, o.maxThreads + 1, 60, 0);
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(o.maxThreads);
    params->setMaxQueued(1024);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(static_cast<long>(o.keepAliveTimeoutMs) * 1000));
    params->setMaxKeepAliveRequests(10000);
    // Bounds how long a client may take to send a request (slow clients) before the thread is freed.
    params->setTimeout(Poco::Timespan(10, 0));
    params->setServerName("zintrust-host");
    server_ = std::make_unique<Poco::Net::HTTPServer>(
        new PocoExchangeHandlerFactory(std::move(fn), o.maxBodyBytes), *threads_, socket, params);
}

HttpServer::~HttpServer() {
    try {
        stop(0);
    } catch (...) {
    }
}

void HttpServer::start() {
    server_->start();
    running_ = true;
}

void HttpServer::stop(int drainMs) {
    if (!running_) return;
    running_ = false;
    // stop() closes the listening socket; in-flight requests keep running on their threads.
    server_->stop();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(drainMs);
    // Let busy connections finish their current request; idle keep-alive ones close right away.
    server_->stopAll(false);
    while (server_->currentConnections() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (server_->currentConnections() > 0) server_->stopAll(true);
    threads_->joinAll();
}

}  // namespace zt::http
