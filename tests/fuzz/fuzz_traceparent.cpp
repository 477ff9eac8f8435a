// TraceParent::parse on arbitrary header values. The view covers exactly the input bytes (no NUL,
// no slack), so ASan sees any read past the end. Accepted values must satisfy the documented
// shape and survive a round trip.
#include <cstdio>
#include <string>
#include <string_view>

#include "FuzzSupport.h"
#include "tracing/TraceParent.h"

using zt::fuzz::check;
using zt::tracing::TraceParent;

namespace {
std::string hex2(std::uint8_t v) {
    char buf[3];
    std::snprintf(buf, sizeof buf, "%02x", v);
    return buf;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view header(reinterpret_cast<const char*>(data), size);
    std::optional<TraceParent> tp;
    try {
        tp = TraceParent::parse(header);
        (void)zt::tracing::isLowerHex(header, size);
        (void)zt::tracing::isAllZero(header);
    } catch (...) {
        zt::fuzz::unexpectedException();  // documented: nullopt when invalid, never throws
    }
    if (!tp) return 0;

    check(tp->version != 0xff, "version ff accepted");
    check(tp->version != 0 || size == 55, "version 00 accepted with length " + std::to_string(size));
    check(size >= 55, "accepted a value shorter than 55 characters");
    check(zt::tracing::isLowerHex(tp->traceId, 32) && !zt::tracing::isAllZero(tp->traceId),
          "bad trace id accepted: '" + tp->traceId + "'");
    check(zt::tracing::isLowerHex(tp->parentId, 16) && !zt::tracing::isAllZero(tp->parentId),
          "bad parent id accepted: '" + tp->parentId + "'");
    // The four fields are the first 55 characters of the input, lower-case hex already.
    const std::string canonical = hex2(tp->version) + "-" + tp->traceId + "-" + tp->parentId + "-" + hex2(tp->flags);
    check(header.substr(0, 55) == canonical, "fields do not match the input: '" + canonical + "'");
    auto again = TraceParent::parse(canonical);
    check(again && again->traceId == tp->traceId && again->parentId == tp->parentId && again->flags == tp->flags &&
              again->version == tp->version,
          "round trip of '" + canonical + "' failed");
    return 0;
}
