// In-process dispatch: a target loaded in this process (the pure C probe plugin behind a real
// ServicePipeline with api-key auth) is called without a socket, through the same filters a
// network request meets.
#include <cppunit/extensions/HelperMacros.h>

#include <regex>

#include "abi/HostApi.h"
#include "calls/ServiceCaller.h"
#include "config/ServiceConfig.h"
#include "bootstrap/FilterChain.h"
#include "service/ServiceHealth.h"
#include "service/ServicePipeline.h"
#include "plugin/PluginLibrary.h"
#include "service/LocalService.h"
#include "support/TestSupport.h"

using zt::test::assertContains;

using namespace zt;

namespace {

const char* const kKey = "in-process-test-key-0123456789";

config::ServiceConfig probeConfig() {
    return config::ServiceConfig::parse(
        R"({"name":"probe","domain":"test","port":4100,"plugin":"libzt_c_probe.so",
            "auth":{"strategy":"api-key"},"config":{"greeting":"hej"}})",
        "/tmp/probe/service.config.json");
}

std::string errorCode(const std::string& body) {
    std::smatch m;
    static const std::regex re("^\\{\"error\":\\{\"code\":\"([a-z_]+)\"");
    return std::regex_search(body, m, re) ? m[1].str() : "";
}

std::string header(const calls::CallResponse& r, const std::string& name) {
    for (const auto& [n, v] : r.headers) {
        if (n == name) return v;
    }
    return "";
}

}  // namespace

class InProcessCallTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(InProcessCallTest);
    CPPUNIT_TEST(call_runs_the_targets_auth_filter_without_credentials_401);
    CPPUNIT_TEST(call_with_configured_api_key_reaches_the_handler);
    CPPUNIT_TEST(path_is_percent_decoded_and_split_from_the_query);
    CPPUNIT_TEST(post_body_and_response_headers_round_trip);
    CPPUNIT_TEST(tracing_filter_sees_the_callers_trace);
    CPPUNIT_TEST(target_5xx_is_retried_and_opens_the_breaker);
    CPPUNIT_TEST(local_pipeline_wins_over_the_registry_record);
    CPPUNIT_TEST_SUITE_END();

    registry::MicroserviceManager registry_;
    std::shared_ptr<service::LocalService> service_;
    std::shared_ptr<const service::ServicePipeline> pipeline_;
    config::EnvConfig serviceEnv_;  ///< what the target's filters were built with

public:
    void setUp() override {
        auto cfg = probeConfig();
        service_ = std::make_shared<service::LocalService>(
            cfg, plugin::PluginLibrary::open(std::string(ZT_TEST_BROKEN_PLUGIN_DIR) + "/libzt_c_probe.so"),
            abi::hostApiTable());
        service_->start();
        serviceEnv_.apiKeys = {kKey};
        auto filters = zt::bootstrap::makeFilterChain(cfg, serviceEnv_, nullptr, nullptr);
        auto health = std::make_shared<service::ServiceHealth>(service_, registry_);
        pipeline_ = std::make_shared<service::ServicePipeline>(service_, filters, health);
        registry::ServiceRecord rec;
        rec.name = "probe";
        rec.local = true;
        rec.status = registry::ServiceStatus::Healthy;
        registry_.registerService(rec);
    }
    void tearDown() override {
        pipeline_.reset();
        service_->stop(1000);
        service_.reset();
    }

    calls::ServiceCaller::LocalResolver resolver() const {
        auto p = pipeline_;
        return [p](const std::string& name) { return name == "probe" ? p : nullptr; };
    }
    static calls::CallRequest request(const std::string& method, const std::string& path) {
        calls::CallRequest r;
        r.caller = "orders";
        r.target = "probe";
        r.method = method;
        r.pathAndQuery = path;
        return r;
    }
    static config::EnvConfig callerEnv(bool withKey) {
        config::EnvConfig env;
        env.serviceCallRetries = 2;
        if (withKey) env.apiKeys = {kKey};
        return env;
    }
    static calls::ServiceCaller::AuthStrategyResolver apiKeyStrategy() {
        return [](const std::string&) { return std::string("api-key"); };
    }

    void call_runs_the_targets_auth_filter_without_credentials_401() {
        auto env = callerEnv(false);
        calls::ServiceCaller caller(env, registry_, resolver(), apiKeyStrategy());
        auto r = caller.call(request("GET", "/probe/42"));
        CPPUNIT_ASSERT(r.inProcess);
        CPPUNIT_ASSERT_EQUAL(401, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("missing_credentials"), errorCode(r.body));
        CPPUNIT_ASSERT_EQUAL(1, r.attempts);
    }
    void call_with_configured_api_key_reaches_the_handler() {
        auto env = callerEnv(true);
        calls::ServiceCaller caller(env, registry_, resolver(), apiKeyStrategy());
        auto r = caller.call(request("get", "/probe/42"));
        CPPUNIT_ASSERT(r.inProcess);
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        assertContains(r.body, R"("id":"42","greeting":"hej","method":"GET")");
        CPPUNIT_ASSERT_EQUAL(std::string("application/json"), header(r, "content-type"));
    }
    void path_is_percent_decoded_and_split_from_the_query() {
        auto env = callerEnv(true);
        calls::ServiceCaller caller(env, registry_, resolver(), apiKeyStrategy());
        auto r = caller.call(request("GET", "/probe/a%20b?x=1"));
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        assertContains(r.body, R"("id":"a b")");
    }
    void post_body_and_response_headers_round_trip() {
        auto env = callerEnv(true);
        calls::ServiceCaller caller(env, registry_, resolver(), apiKeyStrategy());
        auto req = request("POST", "/probe/echo");
        req.body = R"({"a":1})";
        auto r = caller.call(req);
        CPPUNIT_ASSERT_EQUAL(202, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"a":1})"), r.body);
        CPPUNIT_ASSERT_EQUAL(std::string("echo"), header(r, "x-probe"));
    }
    void tracing_filter_sees_the_callers_trace() {
        auto env = callerEnv(true);
        calls::ServiceCaller caller(env, registry_, resolver(), apiKeyStrategy());
        http::TraceContext span;
        span.traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        span.spanId = "00f067aa0ba902b7";
        span.flags = 1;
        span.depth = 4;
        auto req = request("GET", "/probe/1");
        req.trace = &span;
        auto r = caller.call(req);
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        // The target's TracingFilter joined our trace and echoes what it read.
        CPPUNIT_ASSERT_EQUAL(span.traceId, header(r, "x-trace-id"));
        CPPUNIT_ASSERT_EQUAL(std::string("orders"), header(r, "x-parent-service-id"));
        CPPUNIT_ASSERT_EQUAL(std::string("5"), header(r, "x-trace-depth"));
        const std::string tp = header(r, "traceparent");
        CPPUNIT_ASSERT_EQUAL(std::string("00-") + span.traceId + "-", tp.substr(0, 36));
        CPPUNIT_ASSERT(tp.find(span.spanId) == std::string::npos);  // the target opened its own span
        CPPUNIT_ASSERT_EQUAL(std::string("-01"), tp.substr(tp.size() - 3));
    }
    void target_5xx_is_retried_and_opens_the_breaker() {
        auto env = callerEnv(true);
        env.circuitBreakerThreshold = 3;
        calls::ServiceCaller caller(env, registry_, resolver(), apiKeyStrategy());
        auto r = caller.call(request("GET", "/probe/fail"));
        CPPUNIT_ASSERT(r.inProcess);
        CPPUNIT_ASSERT_EQUAL(503, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("service_unavailable"), errorCode(r.body));
        CPPUNIT_ASSERT_EQUAL(3, r.attempts);
        auto refused = caller.call(request("GET", "/probe/1"));
        CPPUNIT_ASSERT_EQUAL(503, refused.status);
        CPPUNIT_ASSERT_EQUAL(std::string("circuit_open"), errorCode(refused.body));
        CPPUNIT_ASSERT(!refused.inProcess);
        assertContains(caller.breakersJson(), R"("probe":{"state":"open")");
    }
    void local_pipeline_wins_over_the_registry_record() {
        // Even a record with a (dead) base URL: a loaded pipeline is called directly.
        registry::ServiceRecord rec;
        rec.name = "probe";
        rec.local = false;
        rec.baseUrl = "http://127.0.0.1:1";
        registry_.registerService(rec);
        auto env = callerEnv(true);
        calls::ServiceCaller caller(env, registry_, resolver(), apiKeyStrategy());
        auto r = caller.call(request("GET", "/probe/7"));
        CPPUNIT_ASSERT(r.inProcess);
        CPPUNIT_ASSERT_EQUAL(200, r.status);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(InProcessCallTest);
