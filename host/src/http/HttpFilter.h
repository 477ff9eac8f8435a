#pragma once
// The one interface every request filter implements (tracing, authentication, ...).
//
// A filter object is built once per service from a read-only config and shared by every worker
// thread: its methods are const and must be thread-safe. Per-request state lives in the Exchange.
#include <memory>
#include <vector>

#include "http/Exchange.h"

namespace zt::http {

/// What a filter tells the chain after looking at a request.
enum class FilterStatus {
    /// Pass the exchange to the next filter (or to the route handler after the last one).
    Continue,
    /// Stop here: the filter has written the complete response into exchange.response
    /// (for example a 401 JSON error). Later filters and the handler are skipped, but onResponse
    /// still runs for this filter and every filter before it.
    StopIteration,
};

class HttpFilter {
public:
    virtual ~HttpFilter() = default;

    /// Short name for logs ("tracing", "auth.api-key").
    virtual const char* name() const = 0;

    /// Called in chain order before the handler.
    virtual FilterStatus onRequest(Exchange& exchange) const = 0;

    /// Called in reverse order after the handler (or after the filter that stopped), for every
    /// filter whose onRequest ran. Used to add response headers and to finish spans.
    virtual void onResponse(Exchange& exchange) const { (void)exchange; }
};

using HttpFilterPtr = std::shared_ptr<const HttpFilter>;
using HttpFilterList = std::vector<HttpFilterPtr>;

}  // namespace zt::http
