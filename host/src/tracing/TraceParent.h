#pragma once
// W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header):
//   version "-" trace-id "-" parent-id "-" trace-flags     e.g. 00-4bf9...4736-00f0...02b7-01
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zt::tracing {

struct TraceParent {
    std::uint8_t version = 0;
    std::string traceId;   ///< 32 lower-case hex, not all zero
    std::string parentId;  ///< 16 lower-case hex, not all zero
    std::uint8_t flags = 0;

    /// Parses a header value. Version 00 must be exactly 55 characters; version ff is invalid;
    /// a higher version is parsed by its first four fields (and must be 55 characters or continue
    /// with '-'). Only lower-case hex is valid; all-zero ids are invalid. nullopt when invalid.
    static std::optional<TraceParent> parse(std::string_view header);
};

/// True when `s` is exactly `length` lower-case hex digits.
bool isLowerHex(std::string_view s, std::size_t length);
/// True when every character of `s` is '0'.
bool isAllZero(std::string_view s);

/// Random ids (idRandom64: a per-thread generator seeded from OpenSSL), never all zero.
std::string newTraceId();  ///< 32 hex
std::string newSpanId();   ///< 16 hex

}  // namespace zt::tracing
