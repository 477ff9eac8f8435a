#include "tracing/TraceParent.h"

#include "tracing/IdRandom.h"

namespace zt::tracing {

namespace {
int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::string randomHex(std::size_t bytes) {
    static const char* hex = "0123456789abcdef";
    std::string out(bytes * 2, '0');
    for (;;) {
        bool zero = true;
        for (std::size_t i = 0; i < bytes; i += 8) {
            std::uint64_t r = idRandom64();
            for (std::size_t j = i; j < i + 8 && j < bytes; ++j, r >>= 8) {
                const auto b = static_cast<unsigned char>(r);
                zero = zero && b == 0;
                out[2 * j] = hex[b >> 4];
                out[2 * j + 1] = hex[b & 0xF];
            }
        }
        if (!zero) return out;  // all-zero ids are invalid in W3C trace context
    }
}
}  // namespace

bool isLowerHex(std::string_view s, std::size_t length) {
    if (s.size() != length) return false;
    for (char c : s) {
        if (hexValue(c) < 0) return false;
    }
    return true;
}

bool isAllZero(std::string_view s) {
    for (char c : s) {
        if (c != '0') return false;
    }
    return true;
}

std::optional<TraceParent> TraceParent::parse(std::string_view header) {
    constexpr std::size_t kLength = 55;  // 2 + 1 + 32 + 1 + 16 + 1 + 2
    if (header.size() < kLength) return std::nullopt;
    const std::string_view version = header.substr(0, 2);
    if (!isLowerHex(version, 2) || version == "ff") return std::nullopt;
    const bool v00 = version == "00";
    if (v00 && header.size() != kLength) return std::nullopt;
    // Future versions may append fields, always after a '-'.
    if (!v00 && header.size() > kLength && header[kLength] != '-') return std::nullopt;
    if (header[2] != '-' || header[35] != '-' || header[52] != '-') return std::nullopt;

    TraceParent tp;
    const std::string_view traceId = header.substr(3, 32);
    const std::string_view parentId = header.substr(36, 16);
    const std::string_view flags = header.substr(53, 2);
    if (!isLowerHex(traceId, 32) || isAllZero(traceId)) return std::nullopt;
    if (!isLowerHex(parentId, 16) || isAllZero(parentId)) return std::nullopt;
    if (!isLowerHex(flags, 2)) return std::nullopt;
    tp.version = static_cast<std::uint8_t>(hexValue(version[0]) * 16 + hexValue(version[1]));
    tp.traceId = std::string(traceId);
    tp.parentId = std::string(parentId);
    tp.flags = static_cast<std::uint8_t>(hexValue(flags[0]) * 16 + hexValue(flags[1]));
    return tp;
}

std::string newTraceId() { return randomHex(16); }
std::string newSpanId() { return randomHex(8); }

}  // namespace zt::tracing
