// A loaded plugin behind LocalService and ServicePipeline, without sockets: init failures are
// refused with reasons, every 1.0 host function works from a pure C plugin, handler statuses map
// to HTTP statuses, health and custom auth callbacks are called safely.
#include <cppunit/extensions/HelperMacros.h>

#include <memory>
#include <string>

#include "abi/HostApi.h"
#include "config/ServiceConfig.h"
#include "service/ServiceHealth.h"
#include "service/ServicePipeline.h"
#include "registry/MicroserviceManager.h"
#include "service/LocalService.h"
#include "support/TestSupport.h"

using zt::test::assertContains;

using namespace zt;

namespace {
config::ServiceConfig probeConfig() {
    return config::ServiceConfig::parse(
        R"({"name":"probe","domain":"test","port":4100,"plugin":"libzt_c_probe.so",
            "dependencies":["users"],"config":{"greeting":"hej","nested":{"n":3}}})",
        "/tmp/probe/service.config.json");
}
std::shared_ptr<plugin::PluginLibrary> brokenLib(const std::string& name) {
    return plugin::PluginLibrary::open(std::string(ZT_TEST_BROKEN_PLUGIN_DIR) + "/libzt_" + name + ".so");
}
std::string startError(const std::string& plugin) {
    auto cfg = probeConfig();
    service::LocalService svc(cfg, brokenLib(plugin), abi::hostApiTable());
    try {
        svc.start();
    } catch (const service::ServiceStartError& e) {
        return e.message();
    }
    CPPUNIT_FAIL(plugin + " started although it should be refused");
    return "";
}
http::Exchange request(const std::string& method, const std::string& path, const std::string& body = "") {
    http::Exchange ex;
    ex.request.method = method;
    ex.request.path = path;
    ex.request.body = body;
    return ex;
}
}  // namespace

class LocalServiceTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(LocalServiceTest);
    CPPUNIT_TEST(refuses_plugin_that_throws_across_the_c_boundary_in_init);
    CPPUNIT_TEST(refuses_sdk_service_whose_configure_throws_with_its_message);
    CPPUNIT_TEST(refuses_plugin_registering_an_invalid_route);
    CPPUNIT_TEST(c_plugin_route_gets_path_params_and_config);
    CPPUNIT_TEST(registering_after_init_is_refused_with_permission);
    CPPUNIT_TEST(route_summaries_reach_the_router);
    CPPUNIT_TEST(post_body_and_headers_round_trip);
    CPPUNIT_TEST(handler_error_status_maps_to_http_status);
    CPPUNIT_TEST(unknown_path_is_404_json_and_wrong_method_is_405_with_allow);
    CPPUNIT_TEST(health_reports_plugin_check_and_missing_dependency_as_degraded);
    CPPUNIT_TEST(custom_authenticator_allows_and_denies);
    CPPUNIT_TEST(stop_calls_shutdown_once_and_is_idempotent);
    CPPUNIT_TEST(after_stop_no_call_enters_the_plugin);
    CPPUNIT_TEST_SUITE_END();

    std::shared_ptr<service::LocalService> svc_;
    registry::MicroserviceManager registry_;

public:
    void setUp() override {
        svc_ = std::make_shared<service::LocalService>(probeConfig(), brokenLib("c_probe"), abi::hostApiTable());
        svc_->start();
    }
    void tearDown() override { svc_.reset(); }

    void refuses_plugin_that_throws_across_the_c_boundary_in_init() {
        auto msg = startError("throws_in_init");
        assertContains(msg, "libzt_throws_in_init.so");
        assertContains(msg, "init threw: database password missing");
    }
    void refuses_sdk_service_whose_configure_throws_with_its_message() {
        auto msg = startError("configure_throws");
        assertContains(msg, "libzt_configure_throws.so");
        assertContains(msg, "config.greeting is required");
    }
    void refuses_plugin_registering_an_invalid_route() {
        auto msg = startError("bad_route");
        assertContains(msg, "cannot register route GET users/:id");
    }
    void c_plugin_route_gets_path_params_and_config() {
        auto ex = request("GET", "/probe/42");
        svc_->dispatch(ex);
        CPPUNIT_ASSERT_EQUAL(200, ex.response.status);
        assertContains(ex.response.body, "\"id\":\"42\"");
        assertContains(ex.response.body, "\"greeting\":\"hej\"");
        CPPUNIT_ASSERT_EQUAL(std::string("/probe/:id"), ex.routePattern);
        CPPUNIT_ASSERT_EQUAL(std::string("application/json"), std::string(*ex.response.headers.get("Content-Type")));
    }
    void route_summaries_reach_the_router() {
        // c_probe describes GET /probe/:id at init (and checks the refusals itself: unknown route,
        // empty or two-line summary); the others stay without one.
        int described = 0;
        for (const auto& route : svc_->router().list()) {
            if (route.method == "GET" && route.pattern == "/probe/:id") {
                CPPUNIT_ASSERT_EQUAL(std::string("Read one probe"), route.summary);
                ++described;
            } else {
                CPPUNIT_ASSERT_EQUAL(std::string(), route.summary);
            }
        }
        CPPUNIT_ASSERT_EQUAL(1, described);
    }
    void registering_after_init_is_refused_with_permission() {
        auto ex = request("GET", "/probe/1");
        svc_->dispatch(ex);
        assertContains(ex.response.body, "\"late\":" + std::to_string(ZT_ERR_PERMISSION));
    }
    void post_body_and_headers_round_trip() {
        auto ex = request("POST", "/probe/echo", "{\"a\":1}");
        svc_->dispatch(ex);
        CPPUNIT_ASSERT_EQUAL(202, ex.response.status);
        CPPUNIT_ASSERT_EQUAL(std::string("{\"a\":1}"), ex.response.body);
        CPPUNIT_ASSERT_EQUAL(std::string("echo"), std::string(*ex.response.headers.get("x-probe")));
    }
    void handler_error_status_maps_to_http_status() {
        auto ex = request("GET", "/probe/fail");
        svc_->dispatch(ex);
        CPPUNIT_ASSERT_EQUAL(503, ex.response.status);
        assertContains(ex.response.body, "\"code\":\"service_unavailable\"");
    }
    void unknown_path_is_404_json_and_wrong_method_is_405_with_allow() {
        auto ex = request("GET", "/nothing/here");
        svc_->dispatch(ex);
        CPPUNIT_ASSERT_EQUAL(404, ex.response.status);
        assertContains(ex.response.body, "{\"error\":{\"code\":\"not_found\"");
        auto ex2 = request("DELETE", "/probe/echo");
        svc_->dispatch(ex2);
        CPPUNIT_ASSERT_EQUAL(405, ex2.response.status);
        // /probe/echo is matched by POST /probe/echo and by GET /probe/:id
        CPPUNIT_ASSERT_EQUAL(std::string("GET, HEAD, POST"), std::string(*ex2.response.headers.get("allow")));
    }
    void health_reports_plugin_check_and_missing_dependency_as_degraded() {
        auto health = std::make_shared<service::ServiceHealth>(svc_, registry_);
        service::ServicePipeline pipeline(svc_, {}, health);
        auto ex = request("GET", "/health");
        pipeline.handle(ex);
        CPPUNIT_ASSERT_EQUAL(200, ex.response.status);
        assertContains(ex.response.body, "\"status\":\"degraded\"");
        assertContains(ex.response.body, "\"probe\":{\"status\":\"degraded\",\"message\":\"probe degraded\"}");
        assertContains(ex.response.body, "\"users\":{\"status\":\"unhealthy\",\"message\":\"not registered\"}");
        auto ready = request("GET", "/health/ready");
        pipeline.handle(ready);
        CPPUNIT_ASSERT_EQUAL(503, ready.response.status);
        auto live = request("GET", "/health/live");
        pipeline.handle(live);
        CPPUNIT_ASSERT_EQUAL(200, live.response.status);
    }
    void custom_authenticator_allows_and_denies() {
        CPPUNIT_ASSERT(svc_->hasAuthenticator());
        auto ex = request("GET", "/probe/1");
        auto denied = svc_->authenticate(ex);
        CPPUNIT_ASSERT(!denied.allow);
        CPPUNIT_ASSERT_EQUAL(403, denied.denyStatus);
        CPPUNIT_ASSERT_EQUAL(std::string("x-probe-user header required"), denied.message);
        ex.request.headers.add("X-Probe-User", "alice");
        auto allowed = svc_->authenticate(ex);
        CPPUNIT_ASSERT(allowed.allow);
        CPPUNIT_ASSERT_EQUAL(std::string("alice"), allowed.principal);
    }
    void after_stop_no_call_enters_the_plugin() {
        // An in-process call or a health check from another service may still arrive after
        // stop(): the plugin has been shut down, so the host answers without it.
        CPPUNIT_ASSERT(svc_->stop(0));
        auto ex = request("GET", "/probe/42");
        svc_->dispatch(ex);
        CPPUNIT_ASSERT_EQUAL(503, ex.response.status);
        assertContains(ex.response.body, "\"code\":\"service_unavailable\"");
        assertContains(ex.response.body, "is stopping");
        CPPUNIT_ASSERT_EQUAL(std::string("1"), std::string(*ex.response.headers.get("retry-after")));
        for (const auto& check : svc_->runHealthChecks()) {
            CPPUNIT_ASSERT_EQUAL(static_cast<zt_health_state>(ZT_HEALTH_UNHEALTHY), check.state);
            CPPUNIT_ASSERT_EQUAL(std::string("service is stopping"), check.message);
        }
        CPPUNIT_ASSERT(!svc_->runHealthChecks().empty());
    }
    void stop_calls_shutdown_once_and_is_idempotent() {
        CPPUNIT_ASSERT(svc_->stop(1000));
        CPPUNIT_ASSERT(svc_->stop(1000));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(LocalServiceTest);
