#include "http/ConnectionLoop.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <Poco/Logger.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocketImpl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <span>
#include <string>

#include "deadline/RequestDeadline.h"
#include "http/HandlerPool.h"
#include "http/JsonError.h"
#include "http/MemoryRelease.h"
#include "http/RequestLog.h"
#include "http/ResponseWriter.h"

namespace zt::http {

namespace {
constexpr std::chrono::milliseconds kSweepInterval{100};
constexpr std::size_t kReadChunk = 16384;
/// Requests one connection may have answered on the loop in one turn before others get theirs.
constexpr int kRequestsPerTurn = 16;
/// Buffers of an idle connection larger than this are given back (10,000 idle connections must
/// stay cheap).
constexpr std::size_t kIdleBufferBytes = 4096;
/// Lingering close after an error answer: read and drop what the client still sends, for at most
/// this long / this much, so closing with unread data does not reset the answer away (RST).
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr std::size_t kLingerBytes = 256 * 1024;
/// Connections answered 503 at once per loop; beyond, an over-limit connection is closed after a
/// best-effort answer without lingering.
constexpr int kMaxRefusing = 1024;
/// After accept() ran out of file descriptors, the listening socket rests this long (it stays
/// readable, and a level-triggered poll would spin on it).
constexpr std::chrono::milliseconds kAcceptPause{100};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
/// Received bytes of pipelined requests a connection may have waiting; beyond, it is not read
/// until they are answered (a client that pipelines tiny requests cannot grow its buffer).
constexpr std::size_t kMaxBufferedInput = 64 * 1024;

Poco::Logger& logger() {
    static Poco::Logger& l = Poco::Logger::get("zt.http");
    return l;
}

void addressText(const sockaddr_storage& sa, std::string& ip, std::string& remote) {
    char text[INET6_ADDRSTRLEN] = {};
    if (sa.ss_family == AF_INET6) {
        const auto* a = reinterpret_cast<const sockaddr_in6*>(&sa);
        ::inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
        ip = text;
        remote = "[" + ip + "]:" + std::to_string(ntohs(a->sin6_port));
    } else if (sa.ss_family == AF_INET) {
        const auto* a = reinterpret_cast<const sockaddr_in*>(&sa);
        ::inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
        ip = text;
        remote = ip + ":" + std::to_string(ntohs(a->sin_port));
    } else {
        ip = "unknown";
        remote = "unknown";
    }
}

/// Sends what it can of `out` from `sent` on. False when the peer is gone.
bool sendSome(int fd, const std::string& out, std::size_t& sent) {
    while (sent < out.size()) {
        const ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
        return false;
    }
    return true;
}

/// Frees an exchange; a large body or answer makes the next sweep return memory to the OS.
void retire(std::unique_ptr<Exchange>& ex) {
    if (!ex) return;
    const bool large =
        ex->request.body.capacity() >= kLargeBufferBytes || ex->response.body.capacity() >= kLargeBufferBytes;
    ex.reset();
    if (large) noteLargeBufferFreed();
}

void releaseIfLarge(std::string& s) {
    if (s.capacity() > kIdleBufferBytes) {
        if (s.capacity() >= kLargeBufferBytes) noteLargeBufferFreed();
        std::string().swap(s);
    }
}
}  // namespace

ConnectionLoop::ConnectionLoop(ServerContext& context, const Poco::Net::ServerSocket& listening)
    : ctx_(context), listening_(listening), listenFd_(listening_.impl()->sockfd()) {
    wake_.bind(Poco::Net::SocketAddress("127.0.0.1", 0));
    wake_.connect(wake_.address());
    wake_.setBlocking(false);
    wakeFd_ = wake_.impl()->sockfd();
    poll_.add(wake_, Poco::Net::PollSet::POLL_READ);
}

ConnectionLoop::~ConnectionLoop() {
    if (thread_.joinable()) stop(Clock::now());
    // A loop that never ran, or connections it still lists: unregister them from the watchdog.
    std::vector<HttpConnection*> open;
    for (auto& [fd, c] : conns_) open.push_back(c.get());
    for (HttpConnection* c : open) close(*c);
    closed_.clear();
    for (const auto& [fd, address] : adopted_) ::close(fd);  // dealt to this loop after it stopped
}

void ConnectionLoop::start() {
    poll_.add(listening_, Poco::Net::PollSet::POLL_READ);
    accepting_ = true;
    thread_ = std::thread([this] { run(); });
}

void ConnectionLoop::stopAccepting() {
    stopAccepting_.store(true);
    wake();
    const auto until = Clock::now() + std::chrono::seconds(1);
    while (!acceptStopped_.load() && thread_.joinable() && Clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

bool ConnectionLoop::stop(Clock::time_point deadline) {
    exitDeadlineNs_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(deadline.time_since_epoch()).count());
    exit_.store(true);
    wake();
    if (thread_.joinable()) thread_.join();
    return abandoned_ == 0;
}

void ConnectionLoop::wake() {
    const char b = 1;
    (void)::send(wakeFd_, &b, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
}

void ConnectionLoop::handBack(HttpConnection* connection) {
    {
        std::lock_guard<std::mutex> lock(handedMutex_);
        handedBack_.push_back(connection);
    }
    // One byte per batch: the loop clears the flag only after draining the socket, so a flag
    // that is set always has a byte behind it (else a hand-back could wait for the 100 ms sweep).
    if (!wakePending_.exchange(true)) wake();
}

void ConnectionLoop::run() {
    lastSweep_ = Clock::now();
    std::vector<int> turn;
    for (;;) {
        turns_.fetch_add(1, std::memory_order_relaxed);
        if (exit_.load(std::memory_order_relaxed) && exitTurn()) break;
        const auto sinceSweep = Clock::now() - lastSweep_;
        auto wait = pending_.empty()
                        ? std::chrono::duration_cast<std::chrono::milliseconds>(kSweepInterval - sinceSweep)
                        : std::chrono::milliseconds(0);
        if (wait.count() < 0) wait = std::chrono::milliseconds(0);
        Poco::Net::PollSet::SocketModeMap ready;
        try {
            ready = poll_.poll(Poco::Timespan(wait.count() * 1000));
        } catch (const Poco::Exception& e) {
            logger().error("event loop poll failed: %s", e.displayText());
        }
        const auto now = Clock::now();
        for (const auto& [socket, mode] : ready) {
            const int fd = socket.impl()->sockfd();
            if (fd == listenFd_) {
                acceptSome(now);
            } else if (fd == wakeFd_) {
                char buf[256];
                while (::recv(wakeFd_, buf, sizeof buf, MSG_DONTWAIT) > 0) {
                }
                wakePending_.store(false);  // after the drain: see handBack()
            } else {
                auto it = conns_.find(fd);
                if (it == conns_.end()) continue;
                HttpConnection& c = *it->second;
                try {
                    onEvent(c, mode, now);
                } catch (const std::exception& e) {
                    // Out of memory, most likely: this connection ends, the others go on.
                    logger().error("connection %s ended by an error: %s", c.remote, std::string(e.what()));
                    close(c);
                }
            }
        }
        takeHandedBack();
        if (!pending_.empty()) {
            turn.swap(pending_);
            for (int fd : turn) {
                auto it = conns_.find(fd);
                if (it != conns_.end() && it->second->state == HttpConnection::State::Reading) process(*it->second);
            }
            turn.clear();
        }
        if (stopAccepting_.load(std::memory_order_relaxed) && !acceptStopped_.load()) {
            stopWatchingListener();
            acceptStopped_.store(true);
        }
        if (now - lastSweep_ >= kSweepInterval) {
            sweep(now);
            lastSweep_ = now;
        }
        destroyClosed();
    }
}

void ConnectionLoop::stopWatchingListener() {
    if (!accepting_) return;
    try {
        poll_.remove(listening_);
    } catch (const Poco::Exception&) {
    }
    accepting_ = false;
}

void ConnectionLoop::setRequestActive(HttpConnection& c, bool active) {
    if (c.requestActive == active) return;
    c.requestActive = active;
    if (active) ctx_.metrics->activeRequestCount().fetch_add(1, std::memory_order_relaxed);
    else ctx_.metrics->activeRequestCount().fetch_sub(1, std::memory_order_relaxed);
}

bool ConnectionLoop::exitTurn() {
    using State = HttpConnection::State;
    stopWatchingListener();
    // No new request starts: connections between requests close; answers being written and
    // requests in a handler finish, until the deadline.
    std::vector<HttpConnection*> done;
    for (auto& [fd, c] : conns_) {
        if (c->state != State::Handling && c->state != State::Writing) done.push_back(c.get());
    }
    for (HttpConnection* c : done) close(*c);
    destroyClosed();
    const auto deadline = Clock::time_point(std::chrono::nanoseconds(exitDeadlineNs_.load()));
    if (conns_.empty()) return true;
    if (Clock::now() < deadline) return false;
    // Past the deadline: answers not yet written are given up; a connection a handler still
    // holds (stuck in plugin code) is left to process exit, and so is this loop (stop() says so).
    std::vector<HttpConnection*> writing;
    for (auto& [fd, c] : conns_) {
        if (c->state != State::Handling) writing.push_back(c.get());
    }
    for (HttpConnection* c : writing) close(*c);
    destroyClosed();
    for (auto& [fd, c] : conns_) (void)c.release();
    abandoned_ = static_cast<int>(conns_.size());
    conns_.clear();
    return true;
}

void ConnectionLoop::onEvent(HttpConnection& c, int mode, Clock::time_point now) {
    using State = HttpConnection::State;
    constexpr int kAny =
        Poco::Net::PollSet::POLL_READ | Poco::Net::PollSet::POLL_WRITE | Poco::Net::PollSet::POLL_ERROR;
    if (c.state == State::Writing) {
        // Writable, or an error (a reset): flush() makes progress or closes. Either way the
        // level-triggered event is consumed.
        if ((mode & kAny) && flush(c)) process(c);
    } else if (mode & (Poco::Net::PollSet::POLL_READ | Poco::Net::PollSet::POLL_ERROR)) {
        onReadable(c, now);
    }
}

void ConnectionLoop::acceptSome(Clock::time_point now) {
    for (int i = 0; i < 64; ++i) {
        sockaddr_storage sa{};
        socklen_t len = sizeof sa;
        const int fd = ::accept4(listenFd_, reinterpret_cast<sockaddr*>(&sa), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            // Round-robin over the server's loops: whichever loop wakes first accepts a whole
            // burst, and without this one loop would own most connections (nginx's workers
            // balance by accepting one connection per wake-up).
            ConnectionLoop* owner = this;
            if (!siblings_.empty()) {
                owner = siblings_[ctx_.acceptCursor.fetch_add(1, std::memory_order_relaxed) % siblings_.size()];
            }
            if (owner == this) {
                adopt(fd, sa, now);
            } else {
                owner->adoptLater(fd, sa);
            }
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        // Out of descriptors or memory: rest the listening socket (the kernel keeps the
        // connections in the backlog) instead of spinning on it.
        if (now - lastAcceptError_ >= std::chrono::seconds(1)) {
            logger().error("cannot accept a connection: %s (open connections: %d)", std::string(std::strerror(errno)),
                           ctx_.limits.open());
            lastAcceptError_ = now;
        }
        if (accepting_) {
            stopWatchingListener();
            acceptPausedUntil_ = now + kAcceptPause;
        }
        return;
    }
}

void ConnectionLoop::adoptLater(int fd, const sockaddr_storage& address) {
    {
        std::lock_guard<std::mutex> lock(handedMutex_);
        adopted_.emplace_back(fd, address);
    }
    if (!wakePending_.exchange(true)) wake();
}

void ConnectionLoop::adopt(int fd, const sockaddr_storage& sa, Clock::time_point now) {
    std::string ip, remote;
    addressText(sa, ip, remote);
    auto c = std::make_unique<HttpConnection>(Poco::Net::StreamSocket(new Poco::Net::StreamSocketImpl(fd)),
                                              std::move(remote), std::move(ip), ctx_);
    c->loop = this;
    c->waitStarted = now;
    c->lastProgress = now;
    if (!ctx_.watchdog->connectionOpened(&c->slot)) return;  // shutting down: closed unserved
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    HttpConnection& conn = *c;
    conns_.emplace(fd, std::move(c));
    connectionCount_.store(static_cast<int>(conns_.size()), std::memory_order_relaxed);
    ctx_.metrics->openConnectionCount().fetch_add(1, std::memory_order_relaxed);
    const auto admission = ctx_.limits.admit(conn.ip);
    if (admission == ConnectionLimits::Admission::Admitted) {
        conn.admitted = true;
        watch(conn, Poco::Net::PollSet::POLL_READ);
        return;
    }
    ctx_.counters->rejectedConnections.fetch_add(1, std::memory_order_relaxed);
    HttpResponse response;
    if (admission == ConnectionLimits::Admission::PortFull) {
        setJsonError(response, 503, "too_many_connections",
                     "the server holds its maximum of " + std::to_string(ctx_.limits.maxConnections()) +
                         " connections (ZT_HTTP_MAX_CONNECTIONS); retry later");
    } else {
        setJsonError(response, 503, "too_many_connections",
                     "this client address holds its maximum of " + std::to_string(ctx_.limits.maxPerAddress()) +
                         " connections (ZT_HTTP_MAX_CONNECTIONS_PER_IP); reuse or close one, then retry");
    }
    response.headers.set("retry-after", "1");
    if (ctx_.stampOwnResponse) ctx_.stampOwnResponse(response);
    ++refusing_;
    answer(conn, response, false);
    conn.after = refusing_ <= kMaxRefusing ? HttpConnection::After::Linger : HttpConnection::After::Close;
    flush(conn);
}

void ConnectionLoop::onReadable(HttpConnection& c, Clock::time_point now) {
    using State = HttpConnection::State;
    if (c.state == State::Lingering) {
        char buf[4096];
        ssize_t n;
        n = 1;
        while (c.lingered < kLingerBytes && (n = ::recv(c.fd, buf, sizeof buf, MSG_DONTWAIT)) > 0) {
            c.lingered += static_cast<std::size_t>(n);
        }
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) ||
            c.lingered >= kLingerBytes) {
            close(c);
        }
        return;
    }
    if (c.state != State::Reading) return;
    if (c.in.size() >= kMaxBufferedInput) {
        // Pipelined requests not yet answered: read no more until they are (process() watches
        // the socket again once the buffer has drained).
        watch(c, 0);
        pending_.push_back(c.fd);
        return;
    }
    ssize_t n;
    int error = 0;
    const std::span<char> window = c.in.empty() ? c.reader.bodyWindow() : std::span<char>{};
    if (!window.empty()) {
        // Body bytes go straight into the request's body.
        n = ::recv(c.fd, window.data(), window.size(), 0);
        error = errno;
        c.reader.bodyReceived(n > 0 ? static_cast<std::size_t>(n) : 0);
    } else {
        char buf[kReadChunk];
        n = ::recv(c.fd, buf, sizeof buf, 0);
        error = errno;
        if (n > 0) c.in.append(buf, static_cast<std::size_t>(n));
    }
    if (n > 0) {
        c.lastProgress = now;
        process(c);
        return;
    }
    if (n < 0 && (error == EAGAIN || error == EWOULDBLOCK || error == EINTR)) return;
    if (n == 0 && !(c.in.empty() && c.reader.atStart())) {
        // FIN after (part of) a request: answer what is complete, then close.
        c.peerClosed = true;
        watch(c, 0);
        process(c);
        return;
    }
    close(c);
}

void ConnectionLoop::process(HttpConnection& c) {
    using State = HttpConnection::State;
    for (int budget = kRequestsPerTurn; budget > 0; --budget) {
        if (c.state != State::Reading) return;
        switch (c.reader.advance(c.in)) {
        case RequestReader::Step::NeedMore:
            if (c.peerClosed) {
                c.after = HttpConnection::After::Close;
                if (c.out.empty()) close(c);
                else flush(c);
                return;
            }
            if (c.in.empty() && c.reader.atStart()) releaseIfLarge(c.in);
            flush(c);
            return;
        case RequestReader::Step::Continue:
            if (c.peerClosed) {
                close(c);  // the client will not send the body it announced
                return;
            }
            c.out.append(kContinue);
            flush(c);
            return;
        case RequestReader::Step::Refuse:
            refuse(c, c.reader.error());
            return;
        case RequestReader::Step::Ready:
            onRequest(c, c.reader.take());
            if (c.state != State::Reading) return;  // handed to a handler thread
            if (c.after != HttpConnection::After::ReadNext || c.out.size() > kReadChunk) {
                if (!flush(c)) return;
            }
            break;
        }
    }
    // A connection with many pipelined requests gives the others a turn.
    if (!flush(c)) return;
    if (!c.in.empty()) {
        pending_.push_back(c.fd);
        if (c.in.size() >= kMaxBufferedInput) watch(c, 0);
    }
}

void ConnectionLoop::onRequest(HttpConnection& c, ReadRequest read) {
    setRequestActive(c, true);
    ++c.served;
    auto ex = std::make_unique<Exchange>();
    ex->request = std::move(read.request);
    ex->request.remoteAddress = c.remote;
    c.isHead = ex->request.method == "HEAD";
    c.minorVersion = read.minorVersion;
    c.keepAlive = read.keepAlive && c.served < ctx_.maxKeepAliveRequests;
    if (ex->request.path == "*") {
        // OPTIONS * (RFC 9110 9.3.7): what the server supports, without a route or a filter.
        HttpResponse response;
        response.status = 204;
        response.headers.set("allow", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
        if (ctx_.stampOwnResponse) ctx_.stampOwnResponse(response);
        finished(*ex, response, Clock::now());
        answer(c, response, c.keepAlive && !ctx_.watchdog->stopping());
        return;
    }
    std::optional<Clock::time_point> asked;
    try {
        asked = deadline::fromHeaders(ex->request.headers.get("x-request-deadline"),
                                      ex->request.headers.get("x-request-timeout-ms"), Clock::now(),
                                      std::chrono::system_clock::now());
    } catch (const std::invalid_argument& e) {
        refuse(c, HeadError{400, "bad_request", e.what()});
        return;
    }
    ex->deadline = ctx_.watchdog->deadlineFor(ex->startedAt, asked);
    if (Clock::now() >= ex->deadline) {
        // Already past: nothing runs, the answer says so.
        HttpResponse response;
        setJsonError(response, 504, "deadline_exceeded", "the request's deadline had passed when it arrived");
        if (ctx_.stampOwnResponse) ctx_.stampOwnResponse(response);
        finished(*ex, response, Clock::now());
        answer(c, response, false);
        return;
    }
    if (ctx_.runOnLoop && ctx_.runOnLoop(ex->request)) {
        try {
            ctx_.fn(*ex);
        } catch (...) {
            setJsonError(ex->response, 500, "internal_error", "internal error");
            c.keepAlive = false;
        }
        finished(*ex, ex->response, Clock::now());
        answer(c, ex->response, c.keepAlive && !ctx_.watchdog->stopping());
        retire(ex);
        return;
    }
    dispatch(c, std::move(ex));
}

void ConnectionLoop::dispatch(HttpConnection& c, std::unique_ptr<Exchange> exchange) {
    c.exchange = std::move(exchange);
    // The answers already made on the loop for earlier pipelined requests leave first: the
    // handler's answer (or the watchdog's 504) must not overtake them. flush() dispatches once
    // they are sent.
    if (c.outSent < c.out.size()) {
        flush(c);
        return;
    }
    startHandler(c);
}

void ConnectionLoop::startHandler(HttpConnection& c) {
    c.out.clear();
    c.outSent = 0;
    watch(c, 0);
    c.state = HttpConnection::State::Handling;
    // Armed now, so the time waiting for a handler thread counts against the deadline and the
    // watchdog answers a request that waited too long.
    ctx_.watchdog->requestStarted(c.slot, c.exchange->deadline);
    HttpConnection* conn = &c;
    const bool gated = ctx_.pool->gateLimit() > 0 && !(ctx_.skipsGate && ctx_.skipsGate(c.exchange->request));
    ctx_.pool->submit(
        [this, conn, gated](HandlerPool::Clock::time_point submitted) {
            std::optional<deadline::GateWait> atGate;
            if (gated) atGate.emplace(HandlerPool::Clock::now() - submitted);
            handle(*conn);
        },
        gated);
}

void ConnectionLoop::handle(HttpConnection& c) {
    Exchange& ex = *c.exchange;
    // The watchdog's 504 left at the deadline: measured then, as the client saw it.
    auto finishedByWatchdog = [&] {
        HttpResponse timedOut;
        timedOut.status = 504;
        finished(ex, timedOut, std::min(Clock::now(), ex.deadline));
    };
    if (c.slot.phase.load(std::memory_order_acquire) == ConnectionSlot::TimedOut) {
        // The watchdog answered 504 while the request waited for a thread.
        finishedByWatchdog();
        c.after = HttpConnection::After::Close;
        retire(c.exchange);
        c.loop->handBack(&c);
        return;
    }
    bool keepAlive = c.keepAlive;
    auto internalError = [&](const std::string& what) {
        logger().error("request failed before a response was written: %s", what);
        // A 500 in place of whatever the handler had built; the trace it had, or a new one.
        ex.response = HttpResponse{};
        setJsonError(ex.response, 500, "internal_error", "internal error");
        if (ex.trace.valid()) {
            ex.response.headers.set("traceparent", ex.trace.traceparent());
            ex.response.headers.set("x-trace-id", ex.trace.traceId);
        } else if (ctx_.stampOwnResponse) {
            ctx_.stampOwnResponse(ex.response);
        }
        keepAlive = false;
    };
    try {
        deadline::CommitWatch commitWatch(&c.slot.commitInDoubt);
        ctx_.fn(ex);
    } catch (const std::exception& e) {
        internalError(e.what());
    } catch (...) {
        internalError("unknown exception");
    }
    if (!ctx_.watchdog->requestFinished(c.slot)) {
        // The watchdog answered 504; the late answer is dropped.
        finishedByWatchdog();
        c.after = HttpConnection::After::Close;
        retire(c.exchange);
        c.loop->handBack(&c);
        return;
    }
    if (Clock::now() >= ex.deadline && ex.response.status != 504) {
        // Returned at or after the deadline, a tick before the watchdog: the same answer it
        // would give (the handler's late result is dropped, as the watchdog's would be).
        const std::string traceparent(ex.response.headers.get("traceparent").value_or(""));
        const std::string traceId(ex.response.headers.get("x-trace-id").value_or(""));
        ex.response = HttpResponse{};
        setDeadlineAnswer(ex.response, c.slot, "the service did not answer before the request's deadline");
        if (!traceparent.empty()) ex.response.headers.set("traceparent", traceparent);
        if (!traceId.empty()) ex.response.headers.set("x-trace-id", traceId);
        keepAlive = false;
    }
    finished(ex, ex.response, Clock::now());
    try {
        answer(c, ex.response, keepAlive && !ctx_.watchdog->stopping());
        // Most answers leave from here; the loop only watches the connection again.
        if (!sendSome(c.fd, c.out, c.outSent)) c.after = HttpConnection::After::Close;
    } catch (const std::exception& e) {
        logger().error("could not write an answer: %s", std::string(e.what()));
        c.out.clear();
        c.outSent = 0;
        c.after = HttpConnection::After::Close;
    }
    retire(c.exchange);
    c.loop->handBack(&c);
}

void ConnectionLoop::takeHandedBack() {
    std::vector<HttpConnection*> back;
    std::vector<std::pair<int, sockaddr_storage>> adopted;
    {
        std::lock_guard<std::mutex> lock(handedMutex_);
        if (handedBack_.empty() && adopted_.empty()) return;
        back.swap(handedBack_);
        adopted.swap(adopted_);
    }
    const auto now = Clock::now();
    for (const auto& [fd, address] : adopted) {
        if (exit_.load(std::memory_order_relaxed)) {
            ::close(fd);  // stopping: closed unserved
        } else {
            adopt(fd, address, now);
        }
    }
    for (HttpConnection* c : back) {
        c->state = HttpConnection::State::Writing;
        c->lastProgress = now;
        if (flush(*c)) process(*c);  // a pipelined next request may be buffered already
    }
}

void ConnectionLoop::answer(HttpConnection& c, const HttpResponse& response, bool keepAlive) {
    ctx_.counters->countStatus(response.status);
    const bool noBody = statusHasNoBody(response.status);
    appendResponseHead(c.out, response, noBody ? 0 : response.body.size(),
                       ResponseHeadOptions{keepAlive, keepAlive && c.minorVersion == 0});
    if (!c.isHead && !noBody) c.out += response.body;
    c.after = keepAlive ? HttpConnection::After::ReadNext : HttpConnection::After::Close;
}

void ConnectionLoop::finished(const Exchange& ex, const HttpResponse& response, Clock::time_point end) {
    const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(end - ex.startedAt);
    ctx_.metrics->recordRequest(ex.request.method, ex.routePattern, response.status, elapsed);
    if (ctx_.accessLog) RequestLog::writeAccess(ex, response, elapsed);
}

void ConnectionLoop::refuse(HttpConnection& c, const HeadError& error) {
    if (error.status == 413) ctx_.counters->rejectedBodies.fetch_add(1, std::memory_order_relaxed);
    setRequestActive(c, true);
    HttpResponse response;
    setJsonError(response, error.status, error.code, error.message);
    if (ctx_.stampOwnResponse) ctx_.stampOwnResponse(response);
    {
        // Refused before routing: no method label or route (docs/MONITORING.md), and no
        // duration of its own (what it took was the client's sending).
        Exchange refused;
        refused.request.remoteAddress = c.remote;
        finished(refused, response, refused.startedAt);
    }
    c.isHead = false;
    answer(c, response, false);
    // The request's remaining bytes were not read: half-close and drop what still arrives.
    c.after = HttpConnection::After::Linger;
    flush(c);
}

bool ConnectionLoop::flush(HttpConnection& c) {
    using State = HttpConnection::State;
    const std::size_t before = c.outSent;
    if (!sendSome(c.fd, c.out, c.outSent)) {
        close(c);
        return false;
    }
    const auto now = Clock::now();
    if (c.outSent < c.out.size()) {
        if (c.outSent > before || c.state != State::Writing) c.lastProgress = now;
        c.state = State::Writing;
        watch(c, Poco::Net::PollSet::POLL_WRITE);
        return false;
    }
    if (c.exchange) {
        // Earlier answers are out; the request waiting behind them goes to a handler.
        startHandler(c);
        return false;
    }
    const bool answered = c.requestActive;
    c.out.clear();
    c.outSent = 0;
    releaseIfLarge(c.out);
    setRequestActive(c, false);
    switch (c.after) {
    case HttpConnection::After::Close:
        close(c);
        return false;
    case HttpConnection::After::Linger:
        ::shutdown(c.fd, SHUT_WR);
        c.state = State::Lingering;
        c.lingerUntil = now + kLingerTime;
        c.in.clear();
        releaseIfLarge(c.in);
        watch(c, Poco::Net::PollSet::POLL_READ);
        return false;
    case HttpConnection::After::ReadNext:
        break;
    }
    c.state = State::Reading;
    if (answered) c.waitStarted = now;
    if (!c.peerClosed) watch(c, Poco::Net::PollSet::POLL_READ);
    return c.state == State::Reading;
}

void ConnectionLoop::watch(HttpConnection& c, int mode) {
    if (mode == c.pollMode) return;
    try {
        if (mode == 0) poll_.remove(c.socket);
        else if (c.pollMode == 0) poll_.add(c.socket, mode);
        else poll_.update(c.socket, mode);
        c.pollMode = mode;
    } catch (const Poco::Exception& e) {
        logger().warning("event loop could not watch a connection: %s", e.displayText());
        c.pollMode = 0;
        if (mode != 0) close(c);
    }
}

void ConnectionLoop::close(HttpConnection& c) {
    auto it = conns_.find(c.fd);
    if (it == conns_.end() || it->second.get() != &c) return;  // already closed
    watch(c, 0);
    ctx_.watchdog->connectionClosed(&c.slot);
    if (c.admitted) ctx_.limits.release(c.ip);
    else --refusing_;
    setRequestActive(c, false);
    if (c.in.capacity() >= kLargeBufferBytes || c.out.capacity() >= kLargeBufferBytes) noteLargeBufferFreed();
    closed_.push_back(std::move(it->second));
    conns_.erase(it);
    connectionCount_.store(static_cast<int>(conns_.size()), std::memory_order_relaxed);
    ctx_.metrics->openConnectionCount().fetch_sub(1, std::memory_order_relaxed);
}

void ConnectionLoop::destroyClosed() { closed_.clear(); }

void ConnectionLoop::sweep(Clock::time_point now) {
    using State = HttpConnection::State;
    const bool stopping = ctx_.watchdog->stopping();
    const auto headerTimeout = ctx_.headerTimeout;
    std::vector<HttpConnection*> expired;
    for (auto& [fd, conn] : conns_) {
        HttpConnection& c = *conn;
        switch (c.state) {
        case State::Handling:
            break;
        case State::Reading: {
            const bool idle = c.in.empty() && c.reader.atStart();
            if (idle && stopping) {
                expired.push_back(&c);
            } else if (c.reader.inHead() && headerTimeout.count() > 0 && now - c.waitStarted >= headerTimeout) {
                // An idle keep-alive connection past the deadline just ends; a started head or a
                // silent new connection is a slow client and is counted.
                if (c.served == 0 || !idle) ctx_.counters->headerTimeouts.fetch_add(1, std::memory_order_relaxed);
                expired.push_back(&c);
            } else if (idle && now - c.waitStarted >= (c.served == 0 ? ctx_.ioTimeout : ctx_.keepAliveTimeout)) {
                expired.push_back(&c);
            } else if (!c.reader.inHead() && now - c.lastProgress >= ctx_.ioTimeout) {
                expired.push_back(&c);  // a body that stopped arriving
            }
            break;
        }
        case State::Writing:
            if (now - c.lastProgress >= ctx_.ioTimeout) expired.push_back(&c);  // a client that does not read
            break;
        case State::Lingering:
            if (now >= c.lingerUntil) expired.push_back(&c);
            break;
        }
    }
    for (HttpConnection* c : expired) close(*c);
    if (!accepting_ && !stopAccepting_.load(std::memory_order_relaxed) && now >= acceptPausedUntil_) {
        try {
            poll_.add(listening_, Poco::Net::PollSet::POLL_READ);
            accepting_ = true;
        } catch (const Poco::Exception& e) {
            logger().error("cannot watch the listening socket again: %s", e.displayText());
        }
    }
    releaseFreeMemoryIfDue(now);
}

}  // namespace zt::http
