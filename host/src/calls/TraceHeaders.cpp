#include "calls/TraceHeaders.h"

#include "tracing/TraceParent.h"

namespace zt::calls {

bool isTraceHeader(const std::string& name) {
    return name == "traceparent" || name == "tracestate" || name == "x-trace-id" || name == "x-parent-service-id" ||
           name == "x-trace-depth";
}

HeaderVector outgoingTraceHeaders(const http::TraceContext* trace, const std::string& caller) {
    http::TraceContext context;
    if (trace != nullptr && trace->valid()) {
        context = *trace;
    } else {
        // No server span to hang the call on (a background job of a plugin): the call starts a
        // trace. No sampled flag: only the edge's sampler decides, and there was no edge.
        context.traceId = tracing::newTraceId();
        context.spanId = tracing::newSpanId();
        context.flags = 0;
        context.depth = 0;
    }
    HeaderVector out;
    out.emplace_back("traceparent", context.traceparent());
    if (!context.tracestate.empty()) out.emplace_back("tracestate", context.tracestate);
    out.emplace_back("x-trace-id", context.traceId);
    if (!caller.empty()) out.emplace_back("x-parent-service-id", caller);
    out.emplace_back("x-trace-depth", std::to_string(context.depth + 1));
    return out;
}

}  // namespace zt::calls
