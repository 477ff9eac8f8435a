#include "http/ChunkedDecoder.h"

#include <algorithm>

#include "http/HexDigit.h"

namespace zt::http {

namespace {
constexpr std::size_t kMaxTrailerBytes = 8192;
}  // namespace

ChunkedDecoder::Status ChunkedDecoder::feed(std::string_view input, std::string& body, std::size_t& consumed) {
    std::size_t i = 0;
    while (i < input.size()) {
        const char c = input[i];
        switch (state_) {
        case State::Size: {
            const int digit = hexDigitValue(c);
            if (digit >= 0) {
                if (++sizeDigits_ > kMaxSizeDigits) return Status::Malformed;
                chunkRemaining_ = chunkRemaining_ * 16 + static_cast<std::uint64_t>(digit);
                ++i;
            } else if (sizeDigits_ == 0) {
                return Status::Malformed;
            } else if (c == ';') {
                // Only a chunk extension may follow the size, right after it: whitespace there
                // (RFC 9112's BWS) is read differently by different parsers, a smuggling vector.
                state_ = State::Extension;
                lineBytes_ = sizeDigits_;
            } else if (c == '\r') {
                // Every line of the framing ends in CRLF: a bare LF is read as a line end by some
                // parsers and not by others (request smuggling), so it is refused.
                state_ = State::SizeLf;
                ++i;
            } else {
                return Status::Malformed;
            }
            break;
        }
        case State::Extension:
            // chunk-ext is skipped up to the CRLF.
            if (c == '\r') {
                state_ = State::SizeLf;
                ++i;
            } else if (c == '\n') {
                return Status::Malformed;
            } else {
                if (++lineBytes_ > kMaxLineBytes) return Status::Malformed;
                ++i;
            }
            break;
        case State::SizeLf:
            if (c != '\n') return Status::Malformed;
            ++i;
            sizeDigits_ = 0;
            if (chunkRemaining_ == 0) {
                state_ = State::TrailerLineStart;
            } else {
                if (chunkRemaining_ > maxBodyBytes_ || body.size() + chunkRemaining_ > maxBodyBytes_)
                    return Status::TooLarge;
                state_ = State::Data;
            }
            break;
        case State::Data: {
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunkRemaining_, input.size() - i));
            body.append(input.data() + i, n);
            i += n;
            chunkRemaining_ -= n;
            if (chunkRemaining_ == 0) state_ = State::DataCr;
            break;
        }
        case State::DataCr:
            if (c != '\r') return Status::Malformed;
            state_ = State::DataLf;
            ++i;
            break;
        case State::DataLf:
            if (c != '\n') return Status::Malformed;
            ++i;
            state_ = State::Size;
            break;
        case State::TrailerLineStart:
            if (c == '\r') {
                state_ = State::TrailerLf;
                trailerLineEmpty_ = true;
                ++i;
            } else if (c == '\n') {
                return Status::Malformed;
            } else {
                trailerLineEmpty_ = false;
                lineBytes_ = 0;
                state_ = State::TrailerLine;
            }
            break;
        case State::TrailerLine:
            if (c == '\r') {
                state_ = State::TrailerLf;
                ++i;
            } else if (c == '\n') {
                return Status::Malformed;
            } else {
                if (++lineBytes_ > kMaxLineBytes || ++trailerBytes_ > kMaxTrailerBytes) return Status::Malformed;
                ++i;
            }
            break;
        case State::TrailerLf:
            if (c != '\n') return Status::Malformed;
            ++i;
            if (trailerLineEmpty_) {
                state_ = State::Done;
                consumed = i;
                return Status::Done;
            }
            state_ = State::TrailerLineStart;
            break;
        case State::Done:
            consumed = i;
            return Status::Done;
        }
    }
    consumed = i;
    return state_ == State::Done ? Status::Done : Status::NeedMore;
}

}  // namespace zt::http
