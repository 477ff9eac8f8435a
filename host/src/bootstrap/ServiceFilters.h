#pragma once
// Builds a service's filter chain (tracing -> authentication) from its config and the env.
// Throws config::ConfigError naming the variable or key when the service cannot be protected as
// configured (e.g. api-key strategy without SERVICE_API_KEY): such a service refuses to start.
#include <memory>

#include "config/EnvConfig.h"
#include "config/ServiceConfig.h"
#include "service/LocalService.h"
#include "zintrust/host/http/HttpFilter.h"

namespace zt::bootstrap {

/// `service` may be null in --check-config mode (plugins not initialised: custom auth not checked).
http::HttpFilterList makeServiceFilterChain(const config::ServiceConfig& config,
                                            const config::EnvConfig& env,
                                            std::shared_ptr<const service::LocalService> service);

}  // namespace zt::bootstrap
