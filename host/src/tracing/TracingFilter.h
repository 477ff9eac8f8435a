#pragma once
// tracing, always the first filter of a service's chain (docs/FILTERS.md).
//
// onRequest adopts the caller's W3C trace context (or ZinTrust's x-trace-id) and opens this
// service's server span: a new span id whose parent is the caller's. The sampling decision is
// made once, at the edge (no valid traceparent arrived), and then travels in the sampled flag:
// a request that arrives with a traceparent keeps its flag, so a trace is never half-recorded
// because each hop rolled its own dice.
// onResponse always writes `traceparent` and `x-trace-id` (also with tracing disabled, so callers
// can correlate logs), and for sampled requests logs the span and hands it to the exporter.
#include <memory>
#include <string>

#include "tracing/SpanExporter.h"
#include "http/HttpFilter.h"

namespace Poco {
class Logger;
}
namespace zt::config {
struct EnvConfig;
struct ServiceConfig;
}  // namespace zt::config

namespace zt::tracing {

struct TracingSettings {
    std::string serviceName;
    bool enabled = false;       ///< record spans for this service
    double samplingRate = 1.0;  ///< edge sampling probability in [0, 1]

    /// service.tracing.enabled / samplingRate, else MICROSERVICES_TRACING / _RATE. Throws
    /// ConfigError naming the file and key (or the variable) when the rate is not in [0, 1].
    static TracingSettings fromConfig(const config::ServiceConfig& service, const config::EnvConfig& env);
};

/// traceparent and x-trace-id of a new, unsampled trace on an answer the server made without the
/// filter chain (a malformed request, OPTIONS *, a handler timeout): every answer carries them.
void stampNewTrace(http::HttpResponse& response);

class TracingFilter final : public http::HttpFilter {
public:
    /// `exporter` may be null (spans are then only logged). Throws ConfigError for a rate
    /// outside [0, 1].
    TracingFilter(TracingSettings settings, std::shared_ptr<SpanExporter> exporter);

    const char* name() const override { return "tracing"; }
    http::FilterStatus onRequest(http::Exchange& exchange) const override;
    void onResponse(http::Exchange& exchange) const override;

    const TracingSettings& settings() const { return settings_; }

    /// The edge decision: true with probability `samplingRate` when enabled (exact at 0 and 1).
    bool sampleAtEdge() const;

private:
    TracingSettings settings_;
    std::shared_ptr<SpanExporter> exporter_;
    Poco::Logger& logger_;  // cached: Logger::get takes a global mutex
};

}  // namespace zt::tracing
