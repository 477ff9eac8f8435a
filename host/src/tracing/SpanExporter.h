#pragma once
// Where finished, sampled server spans go (besides the log). The tracing filter calls exportSpan
// on request threads, so implementations must be thread-safe and must never block on I/O.
#include <cstdint>
#include <string>

namespace zt::tracing {

/// One finished server span.
struct SpanRecord {
    std::string serviceName;
    std::string name;  ///< "GET /users/:id"
    std::string method;
    std::string routePattern;  ///< empty when no route matched
    int status = 0;
    std::string traceId;       ///< 32 hex
    std::string spanId;        ///< 16 hex
    std::string parentSpanId;  ///< 16 hex or empty at the edge
    std::uint64_t startUnixNano = 0;
    std::uint64_t endUnixNano = 0;
};

class SpanExporter {
public:
    virtual ~SpanExporter();
    /// Hands a span over without blocking. Returns false when it was dropped (queue full or
    /// exporter stopped).
    virtual bool exportSpan(SpanRecord span) = 0;
};

}  // namespace zt::tracing
