#include "http/RequestWatchdog.h"

#include <Poco/Logger.h>

#include "http/JsonError.h"

namespace zt::http {

RequestWatchdog::RequestWatchdog(std::chrono::milliseconds headerTimeout,
                                 std::chrono::milliseconds handlerTimeout,
                                 std::shared_ptr<RequestCounters> counters)
    : headerTimeout_(headerTimeout), handlerTimeout_(handlerTimeout), counters_(std::move(counters)) {
    thread_ = std::thread([this] { run(); });
}

RequestWatchdog::~RequestWatchdog() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

bool RequestWatchdog::connectionOpened(const Poco::Net::StreamSocket& socket) {
    if (refusing_.load()) return false;
    std::lock_guard<std::mutex> lock(mutex_);
    auto& c = connections_[socket.impl()];
    c.socket = socket;
    c.awaitingHeaders = true;
    c.headerDeadline = Clock::now() + headerTimeout_;
    return true;
}

void RequestWatchdog::connectionClosed(const Poco::Net::StreamSocket& socket) {
    std::lock_guard<std::mutex> lock(mutex_);
    connections_.erase(socket.impl());
}

std::shared_ptr<RequestWatchdog::HandlerTicket> RequestWatchdog::requestStarted(
    const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerResponse& response) {
    std::shared_ptr<HandlerTicket> ticket;
    if (handlerTimeout_.count() > 0) {
        ticket = std::make_shared<HandlerTicket>();
        ticket->response = &response;
        ticket->deadline = Clock::now() + handlerTimeout_;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = connections_.find(socket.impl());
    if (it != connections_.end()) {
        it->second.awaitingHeaders = false;
        it->second.ticket = ticket;
    }
    return ticket;
}

void RequestWatchdog::requestFinished(const Poco::Net::StreamSocket& socket) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = connections_.find(socket.impl());
    if (it == connections_.end()) return;
    it->second.awaitingHeaders = true;
    it->second.headerDeadline = Clock::now() + headerTimeout_;
    it->second.ticket.reset();
}

int RequestWatchdog::busyConnections() {
    std::lock_guard<std::mutex> lock(mutex_);
    int busy = 0;
    for (const auto& [key, c] : connections_) busy += c.awaitingHeaders ? 0 : 1;
    return busy;
}

void RequestWatchdog::check(Clock::time_point now) {
    // Called with mutex_ held. Socket shutdown and the 504 write are short, non-blocking-ish
    // operations on sockets no worker is using at that moment.
    for (auto& [key, c] : connections_) {
        if (c.awaitingHeaders) {
            if (headerTimeout_.count() > 0 && now >= c.headerDeadline) {
                c.headerDeadline = Clock::time_point::max();
                if (counters_) counters_->headerTimeouts.fetch_add(1, std::memory_order_relaxed);
                try {
                    c.socket.shutdown();  // the worker's blocked recv() returns; the connection ends
                } catch (...) {
                }
            }
        } else if (c.ticket && now >= c.ticket->deadline) {
            int expected = HandlerTicket::Running;
            if (c.ticket->state.compare_exchange_strong(expected, HandlerTicket::TimedOut)) {
                if (counters_) {
                    counters_->handlerTimeouts.fetch_add(1, std::memory_order_relaxed);
                    counters_->countStatus(504);
                }
                try {
                    auto& r = *c.ticket->response;
                    std::string body = jsonErrorBody("handler_timeout", "the service did not answer within " +
                                                                            std::to_string(handlerTimeout_.count()) + " ms");
                    r.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_GATEWAY_TIMEOUT);
                    r.setContentType("application/json");
                    r.setKeepAlive(false);
                    r.setContentLength(static_cast<std::streamsize>(body.size()));
                    // send() + flush, not sendBuffer(): Poco buffers sendBuffer's bytes until the
                    // response object dies, i.e. until the stuck handler returns.
                    std::ostream& out = r.send();
                    out.write(body.data(), static_cast<std::streamsize>(body.size()));
                    out.flush();
                } catch (const std::exception& e) {
                    Poco::Logger::get("zt.http").warning("could not send 504: %s", std::string(e.what()));
                }
            }
            c.ticket.reset();
        }
    }
}

void RequestWatchdog::run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, std::chrono::milliseconds(50));
        if (stopping_) break;
        check(Clock::now());
    }
}

}  // namespace zt::http
