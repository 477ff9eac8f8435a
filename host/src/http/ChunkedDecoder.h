#pragma once
// Incremental decoder of a chunked request body (RFC 9112 7.1): fed whatever bytes arrived,
// appends the chunk data to the body, stops exactly after the last chunk's trailer section, so
// the bytes after it (a pipelined next request) stay with the caller. Chunk extensions are
// skipped; trailer fields are read and dropped. Every framing line must end in CRLF: a bare LF
// is Malformed (parsers disagree on it, which is how requests are smuggled past a proxy).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace zt::http {

class ChunkedDecoder {
public:
    enum class Status { NeedMore, Done, TooLarge, Malformed };

    /// `maxBodyBytes`: more decoded data than this is TooLarge (413).
    explicit ChunkedDecoder(std::size_t maxBodyBytes) : maxBodyBytes_(maxBodyBytes) {}

    /// Consumes bytes from the front of `input` (sets `consumed`) and appends data to `body`.
    /// NeedMore: everything was consumed, send more. Done: the body is complete and `consumed`
    /// bytes belong to it. TooLarge / Malformed: give up (the connection must be closed).
    Status feed(std::string_view input, std::string& body, std::size_t& consumed);

private:
    enum class State { Size, Extension, SizeLf, Data, DataCr, DataLf, TrailerLineStart, TrailerLine, TrailerLf, Done };
    static constexpr std::size_t kMaxSizeDigits = 16;
    static constexpr std::size_t kMaxLineBytes = 4096;  ///< a chunk-size line or one trailer line

    std::size_t maxBodyBytes_;
    State state_ = State::Size;
    std::uint64_t chunkRemaining_ = 0;
    std::size_t sizeDigits_ = 0;
    std::size_t lineBytes_ = 0;
    std::size_t trailerBytes_ = 0;
    bool trailerLineEmpty_ = true;
};

}  // namespace zt::http
