#pragma once
// Builds a service's filter chain (tracing -> authentication) from its config and the env, with
// the plugin's custom authenticator adapted to filters::CustomAuthenticator.
// Throws config::ConfigError naming the variable or key when the service cannot be protected as
// configured (e.g. api-key strategy without SERVICE_API_KEY): such a service refuses to start.
#include <memory>

#include "config/EnvConfig.h"
#include "config/ServiceConfig.h"
#include "filters/SpanExporter.h"
#include "service/LocalService.h"
#include "zintrust/host/http/HttpFilter.h"

namespace zt::bootstrap {

/// `service` is null in --check-config mode: plugins are not initialised there, so a custom
/// strategy is validated with a deny-all authenticator (its real callback is checked at start).
http::HttpFilterList makeServiceFilterChain(const config::ServiceConfig& config, const config::EnvConfig& env,
                                            std::shared_ptr<const service::LocalService> service,
                                            std::shared_ptr<filters::SpanExporter> exporter);

}  // namespace zt::bootstrap
