#include "http/HttpConnection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <Poco/Logger.h>

#include <cerrno>
#include <string>

#include "deadline/RequestDeadline.h"
#include "http/ChunkedDecoder.h"
#include "http/RequestTarget.h"
#include "http/JsonError.h"
#include "http/ResponseWriter.h"

namespace zt::http {

namespace {
using Clock = std::chrono::steady_clock;

/// How often a waiting worker wakes up to check its deadlines, shutdown and queued connections.
constexpr std::chrono::milliseconds kWakeInterval{100};
/// An idle keep-alive connection gives its thread up after this long when connections are queued.
constexpr std::chrono::milliseconds kYieldAfterIdle{500};
constexpr std::size_t kReadChunk = 16384;
/// Bodies up to this size are copied behind the head (one send); larger ones go out with writev.
constexpr std::size_t kCopyBodyLimit = 16384;
/// Lingering close after an error answer: read and drop what the client still sends, for at most
/// this long / this much, so closing with unread data does not reset the answer away (RST).
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr std::size_t kLingerBytes = 256 * 1024;

enum class ReadResult { Data, Timeout, Closed };

/// One recv, appended to `in`. Timeout = the 100 ms SO_RCVTIMEO passed without data.
/// (Through a stack buffer: growing `in` by kReadChunk first would zero-fill 16 KiB per recv.)
ReadResult readSome(int fd, std::string& in) {
    char buf[kReadChunk];
    ssize_t n;
    do {
        n = ::recv(fd, buf, sizeof buf, 0);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        in.append(buf, static_cast<std::size_t>(n));
        return ReadResult::Data;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return ReadResult::Timeout;
    return ReadResult::Closed;  // orderly close, reset, or shut down by the watchdog
}

/// Sends everything (two buffers, gathered). False when the peer is gone or made no progress for
/// the send timeout (SO_SNDTIMEO = ioTimeout).
bool sendAll(int fd, std::string_view first, std::string_view second = {}) {
    iovec iov[2] = {{const_cast<char*>(first.data()), first.size()}, {const_cast<char*>(second.data()), second.size()}};
    int count = second.empty() ? 1 : 2;
    iovec* v = iov;
    while (count > 0) {
        msghdr msg{};
        msg.msg_iov = v;
        msg.msg_iovlen = static_cast<std::size_t>(count);
        const ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        auto left = static_cast<std::size_t>(n);
        while (count > 0 && left >= v->iov_len) {
            left -= v->iov_len;
            ++v;
            --count;
        }
        if (count > 0) {
            v->iov_base = static_cast<char*>(v->iov_base) + left;
            v->iov_len -= left;
        }
    }
    return true;
}

void lingeringClose(int fd) {
    ::shutdown(fd, SHUT_WR);
    const auto until = Clock::now() + kLingerTime;
    std::size_t drained = 0;
    char buf[4096];
    while (drained < kLingerBytes && Clock::now() < until) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n > 0) {
            drained += static_cast<std::size_t>(n);
        } else if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
            continue;
        } else {
            break;
        }
    }
}

void setTimeout(int fd, int option, std::chrono::milliseconds t) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(t.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((t.count() % 1000) * 1000);
    ::setsockopt(fd, SOL_SOCKET, option, &tv, sizeof tv);
}

std::string peerAddress(const Poco::Net::StreamSocket& socket) {
    try {
        return socket.peerAddress().toString();
    } catch (const Poco::Exception&) {
        return "unknown";
    }
}

class ConnectionLoop {
public:
    ConnectionLoop(const HttpConnectionSettings& settings, ConnectionSlot& slot, std::string remote)
        : s_(settings), slot_(slot), fd_(slot.fd), remote_(std::move(remote)) {
        in_.reserve(kReadChunk);
    }

    void run() {
        for (;;) {
            if (!serveOne()) return;
        }
    }

private:
    /// Serves one request; false when the connection is to be closed.
    bool serveOne() {
        const auto waitStarted = Clock::now();
        const bool firstRequest = served_ == 0;
        const auto headDeadline = s_.headerTimeout.count() > 0 ? waitStarted + s_.headerTimeout : Clock::time_point::max();
        std::size_t scanned = 0;
        std::size_t headEnd;
        while ((headEnd = findHeadEnd(in_, scanned)) == std::string::npos) {
            if (in_.size() > s_.headLimits.maxHeadBytes) return answerHeadError(headTooLarge(in_, s_.headLimits));
            scanned = in_.size();
            const ReadResult r = readSome(fd_, in_);
            if (r == ReadResult::Closed) return false;
            const auto now = Clock::now();
            if (now >= headDeadline) {
                // An idle keep-alive connection past the deadline just ends; a started head or a
                // silent new connection is a slow client and is counted.
                if (firstRequest || !in_.empty()) s_.counters->headerTimeouts.fetch_add(1, std::memory_order_relaxed);
                return false;
            }
            if (r == ReadResult::Data || !in_.empty()) continue;
            // Idle: nothing of a next request has arrived yet.
            if (s_.watchdog->stopping()) return false;
            // A fresh connection that sends nothing is bounded by ioTimeout when no header deadline is set.
            if (now - waitStarted >= (firstRequest ? s_.ioTimeout : s_.keepAliveTimeout)) return false;
            // Give the thread to a waiting client, but only from a connection that is really idle:
            // the queue is briefly non-empty whenever many clients connect at once, and a busy
            // client on a saturated machine can take ~100 ms to send its next request (closing
            // those made wrk reconnect mid-row in bench/run: 1 s stalls and socket errors).
            const Poco::Net::TCPServer* server = s_.server.load(std::memory_order_relaxed);
            if (now - waitStarted >= kYieldAfterIdle && server && server->queuedConnections() > 0) return false;
        }

        RequestHead head;
        HeadError error;
        if (!parseRequestHead(std::string_view(in_).substr(0, headEnd), s_.headLimits, head, error)) {
            return answerHeadError(error);
        }
        RequestFraming framing;
        if (!requestFraming(head, framing, error)) return answerHeadError(error);

        if (!isServedMethod(head.method)) {
            // Methods are case-sensitive (RFC 9110 9.1): "delete" is not DELETE and never runs.
            return answerHeadError(HeadError{501, "not_implemented",
                                             "method '" + std::string(head.method) +
                                                 "' is not implemented (methods are case-sensitive: GET, HEAD, POST, "
                                                 "PUT, PATCH, DELETE, OPTIONS)"});
        }
        Exchange ex;
        auto& r = ex.request;
        r.method.assign(head.method);
        if (!parseRequestTarget(head.method, head.target, r.path, r.query, error)) return answerHeadError(error);
        if (r.path == "*") return answerOptionsAsterisk(framing, headEnd, head.minorVersion);
        for (const auto& [name, value] : head.headers) r.headers.add(name, value);
        r.remoteAddress = remote_;
        const bool isHead = r.method == "HEAD";
        const int minorVersion = head.minorVersion;

        // The head's views are not used past this point: the buffer may change.
        if (!readBody(framing, headEnd, r.body)) return false;

        ++served_;
        bool keepAlive = framing.keepAlive && served_ < s_.maxKeepAliveRequests;
        {
            std::optional<Clock::time_point> asked;
            try {
                asked = deadline::fromHeaders(r.headers.get("x-request-deadline"), r.headers.get("x-request-timeout-ms"),
                                              Clock::now(), std::chrono::system_clock::now());
            } catch (const std::invalid_argument& e) {
                return answerHeadError(HeadError{400, "bad_request", e.what()});
            }
            ex.deadline = s_.watchdog->deadlineFor(ex.startedAt, asked);
        }
        if (Clock::now() >= ex.deadline) {
            // Already past: nothing runs, the answer says so.
            setJsonError(ex.response, 504, "deadline_exceeded", "the request's deadline had passed when it arrived");
            if (s_.stampOwnResponse) s_.stampOwnResponse(ex.response);
            return writeResponse(ex, false, isHead, minorVersion);
        }
        s_.watchdog->requestStarted(slot_, ex.deadline);
        try {
            s_.fn(ex);
        } catch (const std::exception& e) {
            Poco::Logger::get("zt.http").error("request failed before a response was written: %s", std::string(e.what()));
            answerInternalError(ex);
            keepAlive = false;
        } catch (...) {
            Poco::Logger::get("zt.http").error("request failed before a response was written: unknown exception");
            answerInternalError(ex);
            keepAlive = false;
        }
        if (!s_.watchdog->requestFinished(slot_)) return false;  // the watchdog answered 504
        if (Clock::now() >= ex.deadline && ex.response.status != 504) {
            // Returned at or after the deadline, a tick before the watchdog: the same answer it
            // would give (the handler's late result is dropped, as the watchdog's would be).
            const std::string traceparent(ex.response.headers.get("traceparent").value_or(""));
            const std::string traceId(ex.response.headers.get("x-trace-id").value_or(""));
            ex.response = HttpResponse{};
            setJsonError(ex.response, 504, "deadline_exceeded", "the service did not answer before the request's deadline");
            if (!traceparent.empty()) ex.response.headers.set("traceparent", traceparent);
            if (!traceId.empty()) ex.response.headers.set("x-trace-id", traceId);
            keepAlive = false;
        }
        keepAlive = keepAlive && !s_.watchdog->stopping();
        return writeResponse(ex, keepAlive, isHead, minorVersion);
    }

    bool writeResponse(Exchange& ex, bool keepAlive, bool isHead, int minorVersion) {
        s_.counters->countStatus(ex.response.status);
        const std::string& body = ex.response.body;
        const bool sendBody = !isHead && !statusHasNoBody(ex.response.status);
        out_.clear();
        appendResponseHead(out_, ex.response, statusHasNoBody(ex.response.status) ? 0 : body.size(),
                           ResponseHeadOptions{keepAlive, keepAlive && minorVersion == 0});
        bool sent;
        if (sendBody && body.size() <= kCopyBodyLimit) {
            out_ += body;
            sent = sendAll(fd_, out_);
        } else {
            sent = sendAll(fd_, out_, sendBody ? std::string_view(body) : std::string_view());
        }
        if (out_.capacity() > 4 * kCopyBodyLimit) std::string().swap(out_);  // do not pin a big buffer
        return sent && keepAlive;
    }

    /// Reads the body the framing announces into `body` and drops the request's bytes from the
    /// buffer (what follows, a pipelined request, stays). False after answering an error or when
    /// the client went away.
    bool readBody(const RequestFraming& framing, std::size_t headEnd, std::string& body) {
        if (framing.body == RequestFraming::Body::None) {
            in_.erase(0, headEnd);
            return true;
        }
        if (framing.body == RequestFraming::Body::Length) {
            if (framing.contentLength > s_.maxBodyBytes) return answerTooLarge();
            const auto length = static_cast<std::size_t>(framing.contentLength);
            if (framing.expectContinue && in_.size() == headEnd && !sendContinue()) return false;
            auto lastProgress = Clock::now();
            while (in_.size() - headEnd < length) {
                const ReadResult r = readSome(fd_, in_);
                if (r == ReadResult::Closed) return false;
                if (!progressing(r, lastProgress)) return false;
            }
            body.assign(in_, headEnd, length);
            in_.erase(0, headEnd + length);
            return true;
        }
        ChunkedDecoder decoder(s_.maxBodyBytes);
        if (framing.expectContinue && in_.size() == headEnd && !sendContinue()) return false;
        in_.erase(0, headEnd);
        auto lastProgress = Clock::now();
        for (;;) {
            std::size_t used = 0;
            switch (decoder.feed(in_, body, used)) {
            case ChunkedDecoder::Status::Done:
                in_.erase(0, used);
                return true;
            case ChunkedDecoder::Status::TooLarge:
                return answerTooLarge();
            case ChunkedDecoder::Status::Malformed:
                return answerHeadError(HeadError{400, "bad_request", "malformed chunked body"});
            case ChunkedDecoder::Status::NeedMore:
                in_.clear();  // all consumed
                break;
            }
            const ReadResult r = readSome(fd_, in_);
            if (r == ReadResult::Closed) return false;
            if (!progressing(r, lastProgress)) return false;
        }
    }

    /// A body read made progress, or may still wait: false once ioTimeout passed without a byte
    /// or the server is aborting.
    bool progressing(ReadResult r, Clock::time_point& lastProgress) const {
        const auto now = Clock::now();
        if (r == ReadResult::Data) {
            lastProgress = now;
            return true;
        }
        return now - lastProgress < s_.ioTimeout;
    }

    bool sendContinue() { return sendAll(fd_, "HTTP/1.1 100 Continue\r\n\r\n"); }

    bool answerTooLarge() {
        s_.counters->rejectedBodies.fetch_add(1, std::memory_order_relaxed);
        return answerHeadError(HeadError{413, "payload_too_large",
                                         "request body exceeds " + std::to_string(s_.maxBodyBytes) + " bytes"});
    }

    /// A 500 in place of whatever the handler had built; the trace it had, or a new one.
    void answerInternalError(Exchange& ex) {
        ex.response = HttpResponse{};
        setJsonError(ex.response, 500, "internal_error", "internal error");
        if (ex.trace.valid()) {
            ex.response.headers.set("traceparent", ex.trace.traceparent());
            ex.response.headers.set("x-trace-id", ex.trace.traceId);
        } else if (s_.stampOwnResponse) {
            s_.stampOwnResponse(ex.response);
        }
    }

    /// OPTIONS * (RFC 9110 9.3.7): what the server supports, without a route or a filter.
    bool answerOptionsAsterisk(const RequestFraming& framing, std::size_t headEnd, int minorVersion) {
        std::string ignored;
        if (!readBody(framing, headEnd, ignored)) return false;
        HttpResponse response;
        response.status = 204;
        response.headers.set("allow", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
        if (s_.stampOwnResponse) s_.stampOwnResponse(response);
        s_.counters->countStatus(204);
        const bool keepAlive = framing.keepAlive && !s_.watchdog->stopping();
        out_.clear();
        appendResponseHead(out_, response, 0, ResponseHeadOptions{keepAlive, keepAlive && minorVersion == 0});
        return sendAll(fd_, out_) && keepAlive;
    }

    /// Answers a request that cannot be served (JSON error, Connection: close) and closes with a
    /// lingering close: the request's remaining bytes were not read. Always false.
    bool answerHeadError(const HeadError& error) {
        HttpResponse response;
        setJsonError(response, error.status, error.code, error.message);
        if (s_.stampOwnResponse) s_.stampOwnResponse(response);
        s_.counters->countStatus(error.status);
        out_.clear();
        appendResponseHead(out_, response, response.body.size(), ResponseHeadOptions{false, false});
        out_ += response.body;
        if (sendAll(fd_, out_)) lingeringClose(fd_);
        return false;
    }

    const HttpConnectionSettings& s_;
    ConnectionSlot& slot_;
    const int fd_;
    const std::string remote_;
    std::string in_;   ///< received, not yet consumed bytes
    std::string out_;  ///< the response being written (reused)
    int served_ = 0;
};
}  // namespace

void HttpConnection::run() {
    const HttpConnectionSettings& s = *settings_;
    Poco::Net::StreamSocket& sock = socket();
    ConnectionSlot slot(sock.impl()->sockfd());
    if (!s.watchdog->connectionOpened(&slot)) return;  // shutting down: closed unserved
    struct Unregister {
        RequestWatchdog& watchdog;
        ConnectionSlot* slot;
        ~Unregister() { watchdog.connectionClosed(slot); }
    } unregister{*s.watchdog, &slot};
    try {
        const int one = 1;
        ::setsockopt(slot.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setTimeout(slot.fd, SO_RCVTIMEO, kWakeInterval);
        setTimeout(slot.fd, SO_SNDTIMEO, s.ioTimeout);
        ConnectionLoop loop(s, slot, peerAddress(sock));
        loop.run();
    } catch (const std::exception& e) {
        Poco::Logger::get("zt.http").error("connection ended by an error: %s", std::string(e.what()));
    } catch (...) {
        Poco::Logger::get("zt.http").error("connection ended by an unknown error");
    }
}

}  // namespace zt::http
