#pragma once
// Serialises a buffered HttpResponse for the host's connection loop: status line, headers,
// Content-Length, Date, Server and Connection in one buffer, so a small response leaves in one
// send() (one TCP segment; Poco wrote through an ostream and allocated per header).
#include <cstddef>
#include <string>
#include <string_view>

#include "http/Exchange.h"

namespace zt::http {

struct ResponseHeadOptions {
    bool keepAlive = true;         ///< false: "Connection: close"
    bool http10KeepAlive = false;  ///< an HTTP/1.0 client asked for keep-alive: say "Connection: keep-alive"
};

/// RFC 9110 reason phrase ("Not Found"), or "Unknown" for an unregistered code.
std::string_view reasonPhrase(int status);

/// Appends "HTTP/1.1 <status> <reason>\r\n", the headers of `response` (except the framing ones
/// the connection owns: Content-Length, Transfer-Encoding, Connection; and any whose name or value
/// could split the head), Date, Server, Content-Length (not for 1xx/204/304) and Connection, then
/// the empty line. `bodyBytes` is the Content-Length (also for HEAD, where no body follows).
void appendResponseHead(std::string& out, const HttpResponse& response, std::size_t bodyBytes,
                        const ResponseHeadOptions& options);

/// True when a response with this status carries no body (1xx, 204, 304).
bool statusHasNoBody(int status);

/// IMF-fixdate of the current second ("Sun, 06 Nov 1994 08:49:37 GMT"), formatted once per second
/// per thread.
std::string_view httpDateNow();

}  // namespace zt::http
