#include "filters/ServiceFilters.h"

#include "config/ConfigError.h"
#include "config/EnvConfig.h"
#include "config/ServiceConfig.h"
#include "filters/ApiKeyFilter.h"
#include "filters/CustomAuthFilter.h"
#include "filters/JwtFilter.h"
#include "filters/JwtVerifier.h"
#include "filters/NoAuthFilter.h"
#include "filters/OtlpHttpExporter.h"
#include "filters/TracingFilter.h"

namespace zt::filters {

namespace {
std::string where(const config::ServiceConfig& service) {
    return service.configFile.empty() ? "service '" + service.name + "'" : service.configFile;
}

http::HttpFilterPtr makeAuthFilter(const config::ServiceConfig& service, const config::EnvConfig& env,
                                   std::shared_ptr<const CustomAuthenticator> custom) {
    const std::string& strategy = service.auth.strategy;
    if (strategy == "api-key") return std::make_shared<ApiKeyFilter>(env.apiKeys, service.name);
    if (strategy == "jwt") {
        JwtVerifier::Settings settings;
        settings.hmacSecret = env.jwtSecret;
        settings.publicKeyFile = env.jwtPublicKeyFile;
        settings.algorithms = service.auth.algorithms;
        // The service's own iss/aud win over the process-wide defaults.
        settings.issuer = service.auth.issuer.empty() ? env.jwtIssuer : service.auth.issuer;
        settings.audience = service.auth.audience.empty() ? env.jwtAudience : service.auth.audience;
        settings.context = where(service);
        return std::make_shared<JwtFilter>(std::make_shared<const JwtVerifier>(std::move(settings)), service.name);
    }
    if (strategy == "custom") return std::make_shared<CustomAuthFilter>(std::move(custom), service.name);
    if (strategy == "none") return std::make_shared<NoAuthFilter>();
    throw config::ConfigError(where(service) + ": auth.strategy: unknown strategy '" + strategy +
                              "' (expected api-key, jwt, custom or none)");
}
}  // namespace

http::HttpFilterList makeServiceFilters(const config::ServiceConfig& service, const config::EnvConfig& env,
                                        std::shared_ptr<const CustomAuthenticator> custom,
                                        std::shared_ptr<SpanExporter> exporter) {
    http::HttpFilterList chain;
    chain.push_back(std::make_shared<TracingFilter>(TracingSettings::fromConfig(service, env), std::move(exporter)));
    chain.push_back(makeAuthFilter(service, env, std::move(custom)));
    return chain;
}

std::shared_ptr<SpanExporter> makeSpanExporter(const config::EnvConfig& env) {
    if (env.otlpEndpoint.empty()) return nullptr;
    OtlpHttpExporter::Options options;
    options.endpoint = env.otlpEndpoint;
    return std::make_shared<OtlpHttpExporter>(std::move(options));
}

}  // namespace zt::filters
