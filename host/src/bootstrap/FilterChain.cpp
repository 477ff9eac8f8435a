#include "bootstrap/FilterChain.h"

#include "auth/ApiKeyFilter.h"
#include "auth/CustomAuthFilter.h"
#include "auth/JwtFilter.h"
#include "auth/NoAuthFilter.h"
#include "config/ConfigError.h"
#include "jwt/JwtVerifier.h"
#include "tracing/TracingFilter.h"

namespace zt::bootstrap {

namespace {
std::string where(const config::ServiceConfig& service) {
    return service.configFile.empty() ? "service '" + service.name + "'" : service.configFile;
}

http::HttpFilterPtr makeAuthFilter(const config::ServiceConfig& service, const config::EnvConfig& env,
                                   std::shared_ptr<const auth::CustomAuthenticator> custom) {
    const std::string& strategy = service.auth.strategy;
    if (strategy == "api-key") return std::make_shared<auth::ApiKeyFilter>(env.apiKeys, service.name);
    if (strategy == "jwt") {
        jwt::JwtVerifier::Settings settings;
        settings.hmacSecret = env.jwtSecret;
        settings.publicKeyFile = env.jwtPublicKeyFile;
        settings.algorithms = service.auth.algorithms;
        // The service's own iss/aud win over the process-wide defaults.
        settings.issuer = service.auth.issuer.empty() ? env.jwtIssuer : service.auth.issuer;
        settings.audience = service.auth.audience.empty() ? env.jwtAudience : service.auth.audience;
        settings.context = where(service);
        return std::make_shared<auth::JwtFilter>(std::make_shared<const jwt::JwtVerifier>(std::move(settings)),
                                                 service.name);
    }
    if (strategy == "custom") return std::make_shared<auth::CustomAuthFilter>(std::move(custom), service.name);
    if (strategy == "none") return std::make_shared<auth::NoAuthFilter>();
    throw config::ConfigError(where(service) + ": auth.strategy: unknown strategy '" + strategy +
                              "' (expected api-key, jwt, custom or none)");
}

/// The plugin's zt_authenticate_fn behind the auth filters' interface (fails closed on any error).
class PluginAuthenticator : public auth::CustomAuthenticator {
public:
    explicit PluginAuthenticator(std::shared_ptr<const service::LocalService> service) : service_(std::move(service)) {}
    auth::AuthDecision authenticate(const http::Exchange& exchange) const override {
        auto outcome = service_->authenticate(exchange);
        return {outcome.allow, outcome.principal, outcome.denyStatus, outcome.message};
    }

private:
    std::shared_ptr<const service::LocalService> service_;
};

class DenyAll : public auth::CustomAuthenticator {
public:
    auth::AuthDecision authenticate(const http::Exchange&) const override {
        return {false, "", 401, "not initialised"};
    }
};
}  // namespace

http::HttpFilterList makeFilterChain(const config::ServiceConfig& config, const config::EnvConfig& env,
                                     std::shared_ptr<const auth::CustomAuthenticator> custom,
                                     std::shared_ptr<tracing::SpanExporter> exporter) {
    http::HttpFilterList chain;
    chain.push_back(std::make_shared<tracing::TracingFilter>(tracing::TracingSettings::fromConfig(config, env),
                                                             std::move(exporter)));
    chain.push_back(makeAuthFilter(config, env, std::move(custom)));
    return chain;
}

std::shared_ptr<const auth::CustomAuthenticator> pluginAuthenticator(
    const config::ServiceConfig& config, std::shared_ptr<const service::LocalService> service) {
    if (config.auth.strategy != "custom") return nullptr;
    if (!service) return std::make_shared<DenyAll>();
    if (service->hasAuthenticator()) return std::make_shared<PluginAuthenticator>(std::move(service));
    throw config::ConfigError(config.configFile +
                              ": auth.strategy: \"custom\" but the plugin registered no "
                              "authenticator (zt_host_api.register_authenticator)");
}

}  // namespace zt::bootstrap
