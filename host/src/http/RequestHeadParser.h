#pragma once
// HTTP/1.1 request head parsing (RFC 9112 sections 2-3, 5-7) for the host's own connection loop.
//
// Why not Poco's HTTPServerSession/HTTPServerRequestImpl: per request they cost an epoll
// create/ctl/wait/close to wait for keep-alive data, getpeername + getsockname, and several stream
// and map allocations; with them the host could not get near a bare Poco server (bench/README).
// This parser works on a complete head held in one buffer and returns views into it, so it is a
// pure function: unit-tested and fuzzed (tests/fuzz/fuzz_request_head.cpp).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zt::http {

struct HeadLimits {
    std::size_t maxRequestLineBytes = 8192;  ///< longer: 414 uri_too_long
    std::size_t maxHeadBytes = 32768;        ///< whole head incl. request line; longer: 431
    std::size_t maxHeaderCount = 100;        ///< more header fields: 431
};

/// A parse failure: the HTTP status to answer with, a stable error code and a message for the
/// JSON body. The connection is always closed after such an answer.
struct HeadError {
    int status = 400;
    std::string code;
    std::string message;
};

/// Views into the buffer the head was parsed from: valid while that buffer is unchanged.
struct RequestHead {
    std::string_view method;
    std::string_view target;
    int minorVersion = 1;                                                ///< HTTP/1.<minor>: 0 or 1
    std::vector<std::pair<std::string_view, std::string_view>> headers;  ///< names as sent, values trimmed
    std::size_t headBytes = 0;  ///< bytes the head took in the buffer (incl. the empty line)
};

/// How the body is framed and what the connection does after this request.
struct RequestFraming {
    enum class Body { None, Length, Chunked } body = Body::None;
    std::uint64_t contentLength = 0;
    bool keepAlive = true;        ///< HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "keep-alive"
    bool expectContinue = false;  ///< "Expect: 100-continue"
};

/// Where the end of a head ("\r\n\r\n" or "\n\n") is. `from` lets a caller resume the search
/// after more bytes arrived. Returns the offset just past the empty line, or npos.
std::size_t findHeadEnd(std::string_view buffer, std::size_t from = 0);

/// Parses the complete head at the start of `buffer` (which must contain findHeadEnd(buffer)).
/// Leading empty lines are skipped (RFC 9112 2.2). Lines may end in CRLF or a bare LF.
/// Returns false and fills `error` for a malformed head (400), an unsupported version (505) or a
/// limit hit (414, 431).
bool parseRequestHead(std::string_view buffer, const HeadLimits& limits, RequestHead& head, HeadError& error);

/// Content-Length / Transfer-Encoding / Connection / Expect / Host of a parsed head. False with
/// `error` when the framing is ambiguous or unsupported: both Content-Length and
/// Transfer-Encoding (request smuggling), differing or non-numeric Content-Length, a transfer
/// coding other than chunked (501), HTTP/1.1 without exactly one Host, an unknown expectation (417).
bool requestFraming(const RequestHead& head, RequestFraming& framing, HeadError& error);

/// For a head that did not end within the limits: the error to answer with (414 when the request
/// line alone is too long, else 431).
HeadError headTooLarge(std::string_view buffer, const HeadLimits& limits);

}  // namespace zt::http
