#pragma once
// The trace headers an outgoing service call carries (docs/FILTERS.md): W3C traceparent/tracestate and
// ZinTrust's x-trace-id, x-parent-service-id, x-trace-depth. The caller's span becomes the parent
// and its sampled flag travels unchanged (the decision was made once, at the edge).
#include <string>

#include "calls/ClientResult.h"
#include "http/Exchange.h"

namespace zt::calls {

/// Names the host controls on outgoing calls: a caller-supplied header of the same name is dropped.
bool isTraceHeader(const std::string& lowerCaseName);

/// Headers for a call made by `caller` from inside the span `trace` (null or invalid: a new trace
/// with a fresh parent id, flags 00 - not sampled - and depth 1).
HeaderVector outgoingTraceHeaders(const http::TraceContext* trace, const std::string& caller);

}  // namespace zt::calls
