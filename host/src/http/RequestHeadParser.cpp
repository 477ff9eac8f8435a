#include "http/RequestHeadParser.h"

#include "http/RequestTarget.h"

#include <array>

namespace zt::http {

namespace {
// RFC 9110 5.6.2 tchar.
constexpr std::array<bool, 256> makeTokenTable() {
    std::array<bool, 256> t{};
    for (int c = '0'; c <= '9'; ++c) t[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
    for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
    return t;
}
constexpr auto kToken = makeTokenTable();

bool isToken(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s) {
        if (!kToken[static_cast<unsigned char>(c)]) return false;
    }
    return true;
}

// field-value characters: VCHAR, obs-text, SP, HTAB (RFC 9110 5.5). CR, LF, NUL and other
// controls are refused: they are how header injection and smuggling start.
bool isFieldValueChar(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7F); }

// request-target: visible ASCII only (no spaces, controls or raw bytes >= 0x80).
bool isTargetChar(unsigned char c) { return c > 0x20 && c < 0x7F; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::string_view trimOws(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/// Next line of `buffer` from `pos` (without its CRLF/LF). False for a bare CR inside the line.
bool nextLine(std::string_view buffer, std::size_t& pos, std::string_view& line, bool& ok) {
    ok = true;
    const std::size_t lf = buffer.find('\n', pos);
    if (lf == std::string_view::npos) return false;
    std::size_t end = lf;
    if (end > pos && buffer[end - 1] == '\r') --end;
    line = buffer.substr(pos, end - pos);
    pos = lf + 1;
    if (line.find('\r') != std::string_view::npos) ok = false;
    return true;
}

HeadError error(int status, std::string code, std::string message) {
    return HeadError{status, std::move(code), std::move(message)};
}

/// Calls fn(element) for every comma-separated element of a list header value, trimmed, empty
/// elements skipped (RFC 9110 5.6.1).
template <typename Fn>
void forEachListElement(std::string_view value, Fn&& fn) {
    while (!value.empty()) {
        const std::size_t comma = value.find(',');
        std::string_view element = trimOws(value.substr(0, comma));
        if (!element.empty()) fn(element);
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
}
}  // namespace

std::size_t findHeadEnd(std::string_view buffer, std::size_t from) {
    // An LF followed by an optional CR and another LF ends the head.
    // Resume a little before `from`: the previous bytes may have ended inside "\r\n\r".
    std::size_t pos = from > 3 ? from - 3 : 0;
    // Skip leading empty lines (they precede the request line, they do not end a head).
    std::size_t start = 0;
    while (start < buffer.size() && (buffer[start] == '\r' || buffer[start] == '\n')) ++start;
    if (pos < start) pos = start;
    while (true) {
        const std::size_t lf = buffer.find('\n', pos);
        if (lf == std::string_view::npos) return std::string_view::npos;
        std::size_t next = lf + 1;
        if (next < buffer.size() && buffer[next] == '\r') ++next;
        if (next < buffer.size() && buffer[next] == '\n') return next + 1;
        if (next >= buffer.size()) return std::string_view::npos;
        pos = lf + 1;
    }
}

HeadError headTooLarge(std::string_view buffer, const HeadLimits& limits) {
    std::size_t start = 0;
    while (start < buffer.size() && (buffer[start] == '\r' || buffer[start] == '\n')) ++start;
    const std::size_t lf = buffer.find('\n', start);
    const std::size_t lineLength = (lf == std::string_view::npos ? buffer.size() : lf) - start;
    if (lineLength > limits.maxRequestLineBytes) {
        return error(414, "uri_too_long",
                     "request line exceeds " + std::to_string(limits.maxRequestLineBytes) + " bytes");
    }
    return error(431, "header_fields_too_large",
                 "request head exceeds " + std::to_string(limits.maxHeadBytes) + " bytes");
}

bool parseRequestHead(std::string_view buffer, const HeadLimits& limits, RequestHead& head, HeadError& err) {
    head.headers.clear();
    std::size_t pos = 0;
    while (pos < buffer.size() && (buffer[pos] == '\r' || buffer[pos] == '\n')) ++pos;

    std::string_view line;
    bool ok = true;
    if (!nextLine(buffer, pos, line, ok)) {
        err = error(400, "bad_request", "incomplete request head");
        return false;
    }
    if (line.size() > limits.maxRequestLineBytes) {
        err = headTooLarge(buffer, limits);
        return false;
    }
    if (!ok) {
        err = error(400, "bad_request", "bare CR in the request line");
        return false;
    }
    // method SP request-target SP HTTP-version (exactly single spaces, RFC 9112 3).
    const std::size_t sp1 = line.find(' ');
    const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp1 == std::string_view::npos || sp2 == std::string_view::npos ||
        line.find(' ', sp2 + 1) != std::string_view::npos) {
        err = error(400, "bad_request", "malformed request line");
        return false;
    }
    head.method = line.substr(0, sp1);
    head.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string_view version = line.substr(sp2 + 1);
    if (!isToken(head.method)) {
        err = error(400, "bad_request", "malformed request method");
        return false;
    }
    if (head.target.empty()) {
        err = error(400, "bad_request", "empty request target");
        return false;
    }
    for (char c : head.target) {
        if (!isTargetChar(static_cast<unsigned char>(c))) {
            err = error(400, "bad_request", "invalid character in the request target");
            return false;
        }
    }
    if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' || version[5] < '0' ||
        version[5] > '9' || version[7] < '0' || version[7] > '9') {
        err = error(400, "bad_request", "malformed HTTP version");
        return false;
    }
    if (version[5] != '1') {
        err = error(505, "http_version_not_supported", "only HTTP/1.0 and HTTP/1.1 are served");
        return false;
    }
    head.minorVersion = version[7] == '0' ? 0 : 1;

    while (true) {
        if (!nextLine(buffer, pos, line, ok)) {
            err = error(400, "bad_request", "incomplete request head");
            return false;
        }
        if (pos > limits.maxHeadBytes) {
            err = error(431, "header_fields_too_large",
                        "request head exceeds " + std::to_string(limits.maxHeadBytes) + " bytes");
            return false;
        }
        if (!ok) {
            err = error(400, "bad_request", "bare CR in a header line");
            return false;
        }
        if (line.empty()) break;
        if (line.front() == ' ' || line.front() == '\t') {
            err = error(400, "bad_request", "obsolete line folding in the header section");
            return false;
        }
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) {
            err = error(400, "bad_request", "header line without ':'");
            return false;
        }
        const std::string_view name = line.substr(0, colon);
        if (!isToken(name)) {  // also refuses whitespace before the colon (RFC 9112 5.1)
            err = error(400, "bad_request", "invalid header name");
            return false;
        }
        const std::string_view value = trimOws(line.substr(colon + 1));
        for (char c : value) {
            if (!isFieldValueChar(static_cast<unsigned char>(c))) {
                err = error(400, "bad_request", "invalid character in header '" + std::string(name) + "'");
                return false;
            }
        }
        if (head.headers.size() >= limits.maxHeaderCount) {
            err = error(431, "header_fields_too_large",
                        "more than " + std::to_string(limits.maxHeaderCount) + " header fields");
            return false;
        }
        head.headers.emplace_back(name, value);
    }
    head.headBytes = pos;
    return true;
}

bool requestFraming(const RequestHead& head, RequestFraming& framing, HeadError& err) {
    framing = RequestFraming{};
    bool sawClose = false;
    bool sawKeepAlive = false;
    bool haveLength = false;
    bool haveTransferEncoding = false;
    bool chunked = false;
    int hosts = 0;
    int authorizations = 0;
    int apiKeys = 0;
    for (const auto& [name, value] : head.headers) {
        if (equalsIgnoreCase(name, "content-length")) {
            // Digits only; repeated fields (or a list) must all carry the same number.
            bool valid = true;
            std::uint64_t length = 0;
            std::size_t elements = 0;
            forEachListElement(value, [&](std::string_view element) {
                ++elements;
                std::uint64_t v = 0;
                if (element.size() > 18) valid = false;  // > 10^18 bytes: not a length we serve
                for (char c : element) {
                    if (c < '0' || c > '9') valid = false;
                    v = v * 10 + static_cast<std::uint64_t>(c - '0');
                }
                if (elements > 1 && v != length) valid = false;
                length = v;
            });
            if (!valid || elements == 0 || (haveLength && length != framing.contentLength)) {
                err = error(400, "bad_request", "invalid Content-Length");
                return false;
            }
            haveLength = true;
            framing.contentLength = length;
        } else if (equalsIgnoreCase(name, "transfer-encoding")) {
            haveTransferEncoding = true;
            bool unsupported = false;
            forEachListElement(value, [&](std::string_view coding) {
                // chunked must be the last coding and appear once; other codings are not served.
                if (chunked || !equalsIgnoreCase(coding, "chunked")) unsupported = true;
                chunked = true;
            });
            if (unsupported || !chunked) {
                err = error(501, "not_implemented", "only the chunked transfer coding is supported");
                return false;
            }
        } else if (equalsIgnoreCase(name, "connection")) {
            forEachListElement(value, [&](std::string_view option) {
                if (equalsIgnoreCase(option, "close")) sawClose = true;
                else if (equalsIgnoreCase(option, "keep-alive")) sawKeepAlive = true;
            });
        } else if (equalsIgnoreCase(name, "expect")) {
            if (!equalsIgnoreCase(value, "100-continue")) {
                err = error(417, "expectation_failed", "only 'Expect: 100-continue' is supported");
                return false;
            }
            framing.expectContinue = head.minorVersion >= 1;
        } else if (equalsIgnoreCase(name, "host")) {
            ++hosts;
            if (!isValidHostHeader(value)) {
                err = error(400, "bad_request", "invalid Host header (expected host[:port])");
                return false;
            }
        } else if (equalsIgnoreCase(name, "authorization") || equalsIgnoreCase(name, "x-api-key")) {
            // Two credentials: which one a filter and a proxy in front would each read is a guess.
            int& seen = equalsIgnoreCase(name, "authorization") ? authorizations : apiKeys;
            if (++seen > 1) {
                err = error(400, "bad_request", "more than one " + std::string(name) + " header");
                return false;
            }
        }
    }
    // "close" wins over "keep-alive"; HTTP/1.0 keeps the connection only when asked to.
    framing.keepAlive = !sawClose && (head.minorVersion >= 1 || sawKeepAlive);
    if (haveTransferEncoding) {
        if (haveLength) {  // RFC 9112 6.3: ambiguous framing, the classic smuggling vector
            err = error(400, "bad_request", "both Content-Length and Transfer-Encoding");
            return false;
        }
        if (head.minorVersion == 0) {
            err = error(400, "bad_request", "Transfer-Encoding in an HTTP/1.0 request");
            return false;
        }
        framing.body = RequestFraming::Body::Chunked;
    } else if (haveLength && framing.contentLength > 0) {
        framing.body = RequestFraming::Body::Length;
    }
    if (head.minorVersion >= 1 && hosts != 1) {  // RFC 9112 3.2
        err = error(400, "bad_request", hosts == 0 ? "missing Host header" : "more than one Host header");
        return false;
    }
    if (framing.body == RequestFraming::Body::None) framing.expectContinue = false;
    return true;
}

}  // namespace zt::http
