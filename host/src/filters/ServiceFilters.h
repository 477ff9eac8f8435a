#pragma once
// Builds a service's filter chain from its config (README: Request filters; order: tracing -> authentication).
// All misconfiguration surfaces here, at start-up, as config::ConfigError - never per request.
#include <memory>

#include "filters/CustomAuthenticator.h"
#include "filters/SpanExporter.h"
#include "zintrust/host/http/HttpFilter.h"

namespace zt::config {
struct EnvConfig;
struct ServiceConfig;
}  // namespace zt::config

namespace zt::filters {

/// [TracingFilter, <auth filter for service.auth.strategy>].
/// `custom` is required for strategy "custom" (ignored otherwise); `exporter` may be null.
/// Throws config::ConfigError for: api-key without keys (SERVICE_API_KEY), jwt without secret or
/// key file (SERVICE_JWT_SECRET / SERVICE_JWT_PUBLIC_KEY_FILE), a short secret, an unusable key
/// file, an unknown algorithm in auth.algorithms, custom without authenticator, an unknown
/// strategy, or a sampling rate outside [0, 1].
http::HttpFilterList makeServiceFilters(const config::ServiceConfig& service, const config::EnvConfig& env,
                                        std::shared_ptr<const CustomAuthenticator> custom,
                                        std::shared_ptr<SpanExporter> exporter);

/// The process-wide OTLP exporter for OTEL_EXPORTER_OTLP_ENDPOINT, or null when it is not set.
std::shared_ptr<SpanExporter> makeSpanExporter(const config::EnvConfig& env);

}  // namespace zt::filters
