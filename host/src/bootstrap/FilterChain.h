#pragma once
// Builds a service's filter chain from its config and the env: [TracingFilter, the auth filter
// of service.auth.strategy] (docs/FILTERS.md). The one place a chain is made, for
// the host's own services and for tests alike.
//
// All misconfiguration surfaces here, at start-up, as config::ConfigError naming the variable or
// key - never per request: api-key without keys (SERVICE_API_KEY), jwt without a secret or key
// file (SERVICE_JWT_SECRET / SERVICE_JWT_PUBLIC_KEY_FILE), a short secret, an unusable key file,
// an unknown algorithm in auth.algorithms, custom without an authenticator, an unknown strategy,
// or a sampling rate outside [0, 1]. Such a service refuses to start.
#include <memory>

#include "auth/CustomAuthenticator.h"
#include "config/EnvConfig.h"
#include "config/ServiceConfig.h"
#include "http/HttpFilter.h"
#include "service/LocalService.h"
#include "tracing/SpanExporter.h"

namespace zt::bootstrap {

/// `custom` is required for strategy "custom" (ignored otherwise); `exporter` may be null.
http::HttpFilterList makeFilterChain(const config::ServiceConfig& config, const config::EnvConfig& env,
                                     std::shared_ptr<const auth::CustomAuthenticator> custom,
                                     std::shared_ptr<tracing::SpanExporter> exporter);

/// The plugin's own authenticator as the "custom" strategy's CustomAuthenticator; null when
/// `config` uses another strategy. `service` is null in --check-config mode: plugins are not
/// initialised there, so a custom strategy is validated with a deny-all authenticator (its real
/// callback is checked at start). Throws config::ConfigError when the strategy is "custom" and
/// the plugin registered no authenticator.
std::shared_ptr<const auth::CustomAuthenticator> pluginAuthenticator(
    const config::ServiceConfig& config, std::shared_ptr<const service::LocalService> service);

}  // namespace zt::bootstrap
