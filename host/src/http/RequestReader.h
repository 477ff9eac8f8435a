#pragma once
// Assembles requests from the bytes a connection received, one request at a time and without
// blocking: the event loop (ConnectionLoop) feeds it whatever recv() gave and is told when a
// request is complete, when "100 Continue" is due, or what to refuse. Every refusal the head
// parser, the framing rules and the target rules make is kept (docs/HTTP.md).
//
// Lifetime: one reader per connection, reused for every request on it. take() hands the finished
// request over and starts the next one; bytes of a pipelined next request stay in the caller's
// buffer.
//
// A Content-Length body is received straight into the request's body (bodyWindow /
// bodyReceived): its bytes are copied at most once between the socket and the handler.
#include <cstddef>
#include <optional>
#include <span>
#include <string>

#include "http/ChunkedDecoder.h"
#include "http/RequestHeadParser.h"
#include "http/Exchange.h"

namespace zt::http {

/// A complete request as read off the wire.
struct ReadRequest {
    HttpRequest request;    ///< method, path, query, headers, body (remoteAddress: the caller's)
    int minorVersion = 1;   ///< HTTP/1.<minor>
    bool keepAlive = true;  ///< what the client's framing allows after this request
};

class RequestReader {
public:
    enum class Step {
        NeedMore,  ///< consumed what it could; receive more
        Continue,  ///< the client waits for "100 Continue" before sending the body; then receive more
        Ready,     ///< a request is complete: take() it
        Refuse,    ///< answer error() and close: the framing is in doubt
    };

    RequestReader(const HeadLimits& limits, std::size_t maxBodyBytes);

    /// Consumes from the front of `in` what belongs to the current request (the head, body bytes)
    /// and says what the connection does next. After Refuse the reader must not be used again.
    Step advance(std::string& in);

    /// After Ready: the request; the reader starts over for the next one.
    ReadRequest take();

    /// After Refuse: what to answer (status 413 for a too large body).
    const HeadError& error() const { return error_; }

    /// Nothing of a request has been consumed yet (waiting for the first byte of a head).
    bool atStart() const { return state_ == State::Head && scanned_ == 0; }
    /// Part of a head is buffered: the head deadline applies.
    bool inHead() const { return state_ == State::Head; }

    /// While a Content-Length body is being read and `in` is empty: where recv() may write body
    /// bytes directly (at most 64 KiB). Empty otherwise. Must be followed by bodyReceived().
    std::span<char> bodyWindow();
    /// `n` bytes (0 on EAGAIN, EOF or error) of the window were filled.
    void bodyReceived(std::size_t n);

private:
    enum class State { Head, BodyLength, BodyChunked, Done, Refused };
    Step refuse(HeadError e);
    Step startBody(std::string& in);

    HeadLimits limits_;
    std::size_t maxBodyBytes_;
    State state_ = State::Head;
    std::size_t scanned_ = 0;        ///< head search resumes here
    std::size_t bodyRemaining_ = 0;  ///< Content-Length bytes not yet received
    std::size_t windowStart_ = 0;    ///< body size before the open window
    bool windowOpen_ = false;
    bool continueDue_ = false;
    std::optional<ChunkedDecoder> chunked_;
    RequestFraming framing_;
    ReadRequest current_;
    HeadError error_;
};

}  // namespace zt::http
