#include "bootstrap/ServiceFilters.h"

#include "config/ConfigError.h"
#include "filters/ServiceFilters.h"

namespace zt::bootstrap {

namespace {
/// The plugin's zt_authenticate_fn behind the filters' interface (fails closed on any error).
class PluginAuthenticator : public filters::CustomAuthenticator {
public:
    explicit PluginAuthenticator(std::shared_ptr<const service::LocalService> service) : service_(std::move(service)) {}
    filters::AuthDecision authenticate(const http::Exchange& exchange) const override {
        auto outcome = service_->authenticate(exchange);
        return {outcome.allow, outcome.principal, outcome.denyStatus, outcome.message};
    }

private:
    std::shared_ptr<const service::LocalService> service_;
};

class DenyAll : public filters::CustomAuthenticator {
public:
    filters::AuthDecision authenticate(const http::Exchange&) const override {
        return {false, "", 401, "not initialised"};
    }
};
}  // namespace

http::HttpFilterList makeServiceFilterChain(const config::ServiceConfig& config, const config::EnvConfig& env,
                                            std::shared_ptr<const service::LocalService> service,
                                            std::shared_ptr<filters::SpanExporter> exporter) {
    std::shared_ptr<const filters::CustomAuthenticator> custom;
    if (config.auth.strategy == "custom") {
        if (!service) {
            custom = std::make_shared<DenyAll>();
        } else if (service->hasAuthenticator()) {
            custom = std::make_shared<PluginAuthenticator>(service);
        } else {
            throw config::ConfigError(config.configFile +
                                      ": auth.strategy: \"custom\" but the plugin registered no "
                                      "authenticator (zt_host_api.register_authenticator)");
        }
    }
    return filters::makeServiceFilters(config, env, std::move(custom), std::move(exporter));
}

}  // namespace zt::bootstrap
