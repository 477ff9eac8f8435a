// zt::bootstrap::makeFilterChain: chain order and shape per strategy, and every misconfiguration as a
// ConfigError at start-up (docs/CONFIGURATION.md: environment; "refuse to start").
#include <cppunit/extensions/HelperMacros.h>

#include <cmath>

#include "support/FilterTestSupport.h"
#include "config/ConfigError.h"
#include "config/EnvConfig.h"
#include "config/ServiceConfig.h"
#include "jwt/JwtSigner.h"
#include "bootstrap/FilterChain.h"
#include "tracing/OtlpHttpExporter.h"
#include "tracing/TracingFilter.h"

using namespace zt::jwt;
using namespace zt::tracing;
using namespace zt::auth;
using zt::http::FilterStatus;
using zt::test::filters::expectConfigError;
using zt::test::filters::keys;
using zt::test::filters::makeExchange;

namespace {
zt::config::ServiceConfig service(const std::string& strategy) {
    zt::config::ServiceConfig s;
    s.name = "users";
    s.domain = "ecommerce";
    s.configFile = "/etc/zintrust/services/ecommerce/users/service.config.json";
    s.auth.strategy = strategy;
    return s;
}

class AllowAll final : public CustomAuthenticator {
public:
    AuthDecision authenticate(const zt::http::Exchange&) const override { return {true, "anyone", 401, ""}; }
};

// Runs a chain like the HTTP layer: onRequest in order until StopIteration, then onResponse in
// reverse for every filter that ran.
zt::http::Exchange runChain(const zt::http::HttpFilterList& chain, zt::http::Exchange ex) {
    std::size_t ran = 0;
    for (; ran < chain.size(); ++ran) {
        if (chain[ran]->onRequest(ex) == FilterStatus::StopIteration) {
            ++ran;
            break;
        }
    }
    for (std::size_t i = ran; i-- > 0;) chain[i]->onResponse(ex);
    return ex;
}
}  // namespace

class FilterChainTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(FilterChainTest);
    CPPUNIT_TEST(chain_is_tracing_then_auth_for_every_strategy);
    CPPUNIT_TEST(api_key_chain_rejects_and_still_sets_trace_headers);
    CPPUNIT_TEST(jwt_chain_uses_service_issuer_over_env_default);
    CPPUNIT_TEST(service_tracing_settings_override_environment);
    CPPUNIT_TEST(api_key_without_keys_is_config_error);
    CPPUNIT_TEST(jwt_without_secret_or_key_is_config_error);
    CPPUNIT_TEST(unknown_algorithm_in_allow_list_is_config_error_naming_file);
    CPPUNIT_TEST(custom_without_authenticator_is_config_error);
    CPPUNIT_TEST(unknown_strategy_is_config_error);
    CPPUNIT_TEST(bad_sampling_rate_is_config_error);
    CPPUNIT_TEST(span_exporter_only_when_endpoint_set);
    CPPUNIT_TEST_SUITE_END();

public:
    void chain_is_tracing_then_auth_for_every_strategy() {
        zt::config::EnvConfig env;
        env.apiKeys = {"k1-0123456789abcdef"};
        env.jwtSecret = std::string(40, 'j');
        const std::vector<std::pair<std::string, std::string>> expected = {
            {"api-key", "auth.api-key"}, {"jwt", "auth.jwt"}, {"custom", "auth.custom"}, {"none", "auth.none"}};
        for (const auto& [strategy, name] : expected) {
            auto chain = zt::bootstrap::makeFilterChain(service(strategy), env, std::make_shared<AllowAll>(), nullptr);
            CPPUNIT_ASSERT_EQUAL(std::size_t{2}, chain.size());
            CPPUNIT_ASSERT_EQUAL(std::string("tracing"), std::string(chain[0]->name()));
            CPPUNIT_ASSERT_EQUAL(name, std::string(chain[1]->name()));
        }
    }

    void api_key_chain_rejects_and_still_sets_trace_headers() {
        zt::config::EnvConfig env;
        env.apiKeys = {"k1-0123456789abcdef", "k2-0123456789abcdef"};
        auto chain = zt::bootstrap::makeFilterChain(service("api-key"), env, nullptr, nullptr);
        auto denied = runChain(chain, makeExchange("GET", "/users"));
        CPPUNIT_ASSERT_EQUAL(401, denied.response.status);
        CPPUNIT_ASSERT(denied.response.headers.has("traceparent"));
        CPPUNIT_ASSERT(denied.response.headers.has("x-trace-id"));
        auto allowed = runChain(chain, makeExchange("GET", "/users", {{"x-api-key", "k2-0123456789abcdef"}}));
        CPPUNIT_ASSERT(allowed.principal.authenticated);
        CPPUNIT_ASSERT(allowed.response.headers.has("traceparent"));
    }

    void jwt_chain_uses_service_issuer_over_env_default() {
        zt::config::EnvConfig env;
        env.jwtSecret = std::string(40, 'j');
        env.jwtIssuer = "env-issuer";
        auto svc = service("jwt");
        svc.auth.issuer = "service-issuer";
        auto chain = zt::bootstrap::makeFilterChain(svc, env, nullptr, nullptr);
        auto token = [&](const std::string& iss) {
            Poco::JSON::Object claims;
            claims.set("sub", "u1");
            claims.set("iss", iss);
            return JwtSigner::hs256(env.jwtSecret).sign(claims);
        };
        auto good =
            runChain(chain, makeExchange("GET", "/users", {{"authorization", "Bearer " + token("service-issuer")}}));
        CPPUNIT_ASSERT_MESSAGE(good.response.body, good.principal.authenticated);
        auto bad = runChain(chain, makeExchange("GET", "/users", {{"authorization", "Bearer " + token("env-issuer")}}));
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_issuer"), zt::test::filters::errorCode(bad));
    }

    void service_tracing_settings_override_environment() {
        zt::config::EnvConfig env;
        env.tracing = false;
        env.tracingRate = 0.25;
        auto svc = service("none");
        auto s = TracingSettings::fromConfig(svc, env);
        CPPUNIT_ASSERT(!s.enabled);
        CPPUNIT_ASSERT_EQUAL(0.25, s.samplingRate);
        svc.tracing.enabled = true;
        svc.tracing.samplingRate = 0.0;
        s = TracingSettings::fromConfig(svc, env);
        CPPUNIT_ASSERT(s.enabled);
        CPPUNIT_ASSERT_EQUAL(0.0, s.samplingRate);
        CPPUNIT_ASSERT_EQUAL(std::string("users"), s.serviceName);
    }

    void api_key_without_keys_is_config_error() {
        zt::config::EnvConfig env;
        expectConfigError("SERVICE_API_KEY",
                          [&] { zt::bootstrap::makeFilterChain(service("api-key"), env, nullptr, nullptr); });
    }

    void jwt_without_secret_or_key_is_config_error() {
        zt::config::EnvConfig env;
        expectConfigError("SERVICE_JWT_SECRET",
                          [&] { zt::bootstrap::makeFilterChain(service("jwt"), env, nullptr, nullptr); });
        expectConfigError("SERVICE_JWT_PUBLIC_KEY_FILE",
                          [&] { zt::bootstrap::makeFilterChain(service("jwt"), env, nullptr, nullptr); });
        env.jwtSecret = "too-short";
        expectConfigError("SERVICE_JWT_SECRET",
                          [&] { zt::bootstrap::makeFilterChain(service("jwt"), env, nullptr, nullptr); });
        env.jwtSecret.clear();
        env.jwtPublicKeyFile = keys().rsaPublic;
        auto chain = zt::bootstrap::makeFilterChain(service("jwt"), env, nullptr, nullptr);
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, chain.size());
    }

    void unknown_algorithm_in_allow_list_is_config_error_naming_file() {
        zt::config::EnvConfig env;
        env.jwtSecret = std::string(40, 'j');
        auto svc = service("jwt");
        svc.auth.algorithms = {"HS256", "none"};
        expectConfigError("service.config.json: auth.algorithms",
                          [&] { zt::bootstrap::makeFilterChain(svc, env, nullptr, nullptr); });
    }

    void custom_without_authenticator_is_config_error() {
        zt::config::EnvConfig env;
        expectConfigError("authenticator",
                          [&] { zt::bootstrap::makeFilterChain(service("custom"), env, nullptr, nullptr); });
    }

    void unknown_strategy_is_config_error() {
        zt::config::EnvConfig env;
        expectConfigError("auth.strategy",
                          [&] { zt::bootstrap::makeFilterChain(service("oauth"), env, nullptr, nullptr); });
    }

    void bad_sampling_rate_is_config_error() {
        zt::config::EnvConfig env;
        auto svc = service("none");
        svc.tracing.samplingRate = 1.01;
        expectConfigError("tracing.samplingRate", [&] { zt::bootstrap::makeFilterChain(svc, env, nullptr, nullptr); });
        env.tracingRate = -1;
        expectConfigError("MICROSERVICES_TRACING_RATE",
                          [&] { zt::bootstrap::makeFilterChain(service("none"), env, nullptr, nullptr); });
        env.tracingRate = std::nan("");
        expectConfigError("MICROSERVICES_TRACING_RATE",
                          [&] { zt::bootstrap::makeFilterChain(service("none"), env, nullptr, nullptr); });
    }

    void span_exporter_only_when_endpoint_set() {
        zt::config::EnvConfig env;
        CPPUNIT_ASSERT(zt::tracing::makeSpanExporter(env) == nullptr);
        env.otlpEndpoint = "http://127.0.0.1:4318";
        auto exporter = zt::tracing::makeSpanExporter(env);
        CPPUNIT_ASSERT(exporter != nullptr);
        env.otlpEndpoint = "127.0.0.1:4318";
        expectConfigError("OTEL_EXPORTER_OTLP_ENDPOINT", [&] { zt::tracing::makeSpanExporter(env); });
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(FilterChainTest);
