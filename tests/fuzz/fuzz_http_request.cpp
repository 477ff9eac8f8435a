// The host's HTTP/1.1 request reading on arbitrary bytes: findHeadEnd, parseRequestHead,
// requestFraming, parseRequestTarget and the ChunkedDecoder, the way RequestReader uses them.
// Byte 0 picks the read size (1..8 bytes, or everything) the bytes arrive in. Properties:
//  - the head end found while resuming after each read equals the one found in one pass;
//  - an accepted head has a token method, a target of visible ASCII, token header names and
//    values without CR/LF/NUL, and its headBytes equals the head end;
//  - a chunked body decoded in pieces equals the one decoded in one pass, within the body limit;
//  - RequestReader gives the same requests and the same refusal whether the bytes arrive at once
//    or in pieces (some of them received straight into a body window);
//  - nothing throws (parseRequestTarget reports a bad target by returning false).
#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "FuzzSupport.h"
#include "http/ChunkedDecoder.h"
#include "http/RequestReader.h"
#include "http/RequestTarget.h"
#include "http/RequestHeadParser.h"

using namespace zt::http;
using zt::fuzz::check;

namespace {
bool isTokenChar(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

struct Decoded {
    ChunkedDecoder::Status status = ChunkedDecoder::Status::NeedMore;
    std::string body;
    std::size_t consumed = 0;
};

/// What a RequestReader made of `wire` fed in pieces of `step` bytes: one line per request, then
/// the refusal, if any.
std::string readRequests(std::string_view wire, std::size_t step) {
    RequestReader reader(HeadLimits{}, 4096);
    std::string in, log;
    std::size_t pos = 0;
    for (;;) {
        for (;;) {
            const RequestReader::Step st = reader.advance(in);
            if (st == RequestReader::Step::Ready) {
                ReadRequest r = reader.take();
                log += r.request.method + " " + r.request.path + "?" + r.request.query + " h" +
                       std::to_string(r.request.headers.size()) + " k" + std::to_string(r.keepAlive) + " [" +
                       r.request.body + "]\n";
                continue;
            }
            if (st == RequestReader::Step::Refuse) return log + "refused " + std::to_string(reader.error().status);
            break;  // NeedMore or Continue
        }
        if (pos >= wire.size()) return log;
        const std::size_t n = std::min(step, wire.size() - pos);
        const std::span<char> window = in.empty() ? reader.bodyWindow() : std::span<char>{};
        if (!window.empty()) {
            const std::size_t k = std::min(n, window.size());
            std::copy_n(wire.data() + pos, k, window.data());
            reader.bodyReceived(k);
            pos += k;
        } else {
            in.append(wire.substr(pos, n));
            pos += n;
        }
    }
}

Decoded decodeInPieces(std::string_view wire, std::size_t step, std::size_t maxBody) {
    ChunkedDecoder decoder(maxBody);
    Decoded d;
    std::size_t pos = 0;
    while (pos < wire.size()) {
        std::size_t used = 0;
        d.status = decoder.feed(wire.substr(pos, std::min(step, wire.size() - pos)), d.body, used);
        pos += used;
        if (d.status != ChunkedDecoder::Status::NeedMore) break;
    }
    d.consumed = pos;
    return d;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::size_t step = data[0] % 9 == 0 ? size : data[0] % 9;
    const std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        check(readRequests(input, input.size() + 1) == readRequests(input, step),
              "RequestReader's requests depend on how the bytes arrive");
        const std::size_t oneShot = findHeadEnd(input);
        std::string buffer;
        std::size_t scanned = 0, resumed = std::string::npos;
        for (std::size_t pos = 0; pos < input.size() && resumed == std::string::npos; pos += step) {
            scanned = buffer.size();
            buffer.append(input, pos, step);
            resumed = findHeadEnd(buffer, scanned);
        }
        check(resumed == oneShot,
              "head end " + std::to_string(resumed) + " while reading, " + std::to_string(oneShot) + " in one pass");
        if (oneShot == std::string::npos) {
            const HeadError e = headTooLarge(input, HeadLimits{});
            check(e.status == 414 || e.status == 431, "headTooLarge status " + std::to_string(e.status));
            return 0;
        }

        RequestHead head;
        HeadError error;
        const std::string_view headText = std::string_view(input).substr(0, oneShot);
        if (!parseRequestHead(headText, HeadLimits{}, head, error)) {
            check(error.status == 400 || error.status == 414 || error.status == 431 || error.status == 505,
                  "parse error status " + std::to_string(error.status));
            check(!error.code.empty() && !error.message.empty(), "parse error without code or message");
            return 0;
        }
        check(head.headBytes == oneShot, "headBytes differs from the head end");
        check(!head.method.empty(), "empty method accepted");
        for (char c : head.method) check(isTokenChar(static_cast<unsigned char>(c)), "method with a non-token byte");
        for (char c : head.target) {
            check(static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f,
                  "target with a bad byte");
        }
        for (const auto& [name, value] : head.headers) {
            check(!name.empty(), "empty header name accepted");
            for (char c : name) check(isTokenChar(static_cast<unsigned char>(c)), "header name with a non-token byte");
            check(value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos,
                  "header value with CR, LF or NUL");
        }
        std::string path, query;
        HeadError targetError;
        if (parseRequestTarget(head.method, head.target, path, query, targetError)) {
            check(!path.empty(), "empty path from an accepted target");
            // '/' in the path always separates segments: every escape left is %2F or %25.
            for (std::size_t i = path.find('%'); i != std::string::npos; i = path.find('%', i + 1))
                check(path.compare(i, 3, "%2F") == 0 || path.compare(i, 3, "%25") == 0, "undecoded escape in a path");
        } else {
            check(targetError.status == 400, "target error status " + std::to_string(targetError.status));
        }

        RequestFraming framing;
        if (!requestFraming(head, framing, error)) {
            check(error.status == 400 || error.status == 417 || error.status == 501,
                  "framing error status " + std::to_string(error.status));
            return 0;
        }
        if (framing.body != RequestFraming::Body::Chunked) return 0;
        const std::string_view wire = std::string_view(input).substr(oneShot);
        constexpr std::size_t kMaxBody = 4096;
        const Decoded whole = decodeInPieces(wire, wire.size() + 1, kMaxBody);
        const Decoded pieces = decodeInPieces(wire, step, kMaxBody);
        check(whole.status == pieces.status, "chunked status depends on how the bytes arrive");
        check(whole.body.size() <= kMaxBody && pieces.body.size() <= kMaxBody, "chunked body over the limit");
        if (whole.status == ChunkedDecoder::Status::Done) {
            check(whole.body == pieces.body && whole.consumed == pieces.consumed,
                  "chunked body or end depends on how the bytes arrive");
        }
    } catch (const std::bad_alloc&) {
        throw;
    } catch (...) {
        zt::fuzz::unexpectedException();
    }
    return 0;
}
