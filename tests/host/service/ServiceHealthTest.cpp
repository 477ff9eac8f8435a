// The /health decision table (docs/HEALTH.md): database up/down/absent x a dependency healthy, degraded,
// unhealthy or never registered, with plugin checks; /health/ready and the HTTP codes.
// The database outcome is injected as ServiceHealth's check function here (the real PostgreSQL
// paths are exercised end to end in tests/host/e2e/DatabaseServicesTest); the dependency states
// come from a real MicroserviceManager, as the health monitor writes them.
#include <cppunit/extensions/HelperMacros.h>

#include <optional>

#include "abi/HostApi.h"
#include "service/ServiceHealth.h"
#include "plugin/PluginLibrary.h"
#include "registry/MicroserviceManager.h"
#include "service/LocalService.h"
#include "support/TestSupport.h"

using namespace zt;
using zt::test::assertContains;

namespace {
std::shared_ptr<service::LocalService> startService(const std::string& plugin, bool withDependency) {
    auto cfg = config::ServiceConfig::parse(std::string(R"({"name":"svc","domain":"test","port":4200,"plugin":")") +
                                                plugin + "\"" + (withDependency ? R"(,"dependencies":["dep"]})" : "}"),
                                            "/tmp/svc/service.config.json");
    auto svc = std::make_shared<service::LocalService>(
        cfg, plugin::PluginLibrary::open(std::string(ZT_TEST_BROKEN_PLUGIN_DIR) + "/" + plugin), abi::hostApiTable());
    svc->start();
    return svc;
}
registry::ServiceRecord dependencyRecord() {
    registry::ServiceRecord r;
    r.name = "dep";
    r.domain = "test";
    r.version = "1.0.0";
    r.baseUrl = "http://127.0.0.1:1";
    r.port = 1;
    return r;
}
}  // namespace

class ServiceHealthTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ServiceHealthTest);
    CPPUNIT_TEST(decision_table_for_database_and_dependency_states);
    CPPUNIT_TEST(degraded_plugin_check_degrades_and_throwing_check_makes_unhealthy);
    CPPUNIT_TEST(report_has_the_spec_fields);
    CPPUNIT_TEST_SUITE_END();

public:
    void decision_table_for_database_and_dependency_states() {
        struct Row {
            std::optional<bool> databaseUp;                     // nullopt: no database section
            std::optional<registry::ServiceStatus> dependency;  // nullopt: never registered
            const char* status;
            int http;
            int readyHttp;
        };
        using S = registry::ServiceStatus;
        const Row table[] = {
            {std::nullopt, S::Healthy, "healthy", 200, 200},   {true, S::Healthy, "healthy", 200, 200},
            {true, S::Degraded, "degraded", 200, 200},         {true, S::Unhealthy, "degraded", 200, 503},
            {true, S::Failed, "degraded", 200, 503},           {true, std::nullopt, "degraded", 200, 503},
            {false, S::Healthy, "unhealthy", 503, 503},        {false, S::Unhealthy, "unhealthy", 503, 503},
            {std::nullopt, S::Starting, "degraded", 200, 503},
        };
        auto svc = startService("libzt_db_probe.so", true);  // a plugin without health checks
        for (const auto& row : table) {
            registry::MicroserviceManager registry;
            if (row.dependency) {
                registry.registerService(dependencyRecord());
                registry.setStatus("dep", *row.dependency, "as set by the test");
            }
            service::ServiceHealth h(svc, registry);
            if (row.databaseUp) {
                bool up = *row.databaseUp;
                h.setDatabaseCheck([up] {
                    service::CheckOutcome o;
                    o.state = up ? service::HealthState::Healthy : service::HealthState::Unhealthy;
                    o.message = up ? "reachable" : "connection refused";
                    o.latencyMs = 0.5;
                    return o;
                });
            }
            std::string what = std::string("db=") + (row.databaseUp ? (*row.databaseUp ? "up" : "down") : "none") +
                               " dep=" + (row.dependency ? registry::toString(*row.dependency) : "unregistered");
            auto a = h.health();
            CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ": " + a.json, row.http, a.httpStatus);
            assertContains(a.json, std::string("\"status\":\"") + row.status + "\",\"timestamp\"");
            CPPUNIT_ASSERT_EQUAL_MESSAGE(what, row.readyHttp, h.ready().httpStatus);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(what, 200, h.live().httpStatus);
            if (row.databaseUp && !*row.databaseUp)
                assertContains(a.json, "\"database\":{\"status\":\"unhealthy\",\"message\":\"connection refused\"");
        }
    }

    void degraded_plugin_check_degrades_and_throwing_check_makes_unhealthy() {
        registry::MicroserviceManager registry;
        auto probe = startService("libzt_c_probe.so", false);  // registers a degraded check
        service::ServiceHealth degraded(probe, registry);
        CPPUNIT_ASSERT_EQUAL(200, degraded.health().httpStatus);
        assertContains(degraded.health().json, "\"status\":\"degraded\"");
        auto bad = startService("libzt_misbehaving.so", false);  // its check throws across the ABI
        service::ServiceHealth unhealthy(bad, registry);
        CPPUNIT_ASSERT_EQUAL(503, unhealthy.health().httpStatus);
    }

    void report_has_the_spec_fields() {
        registry::MicroserviceManager registry;
        auto svc = startService("libzt_db_probe.so", true);
        registry.registerService(dependencyRecord());
        registry.setStatus("dep", registry::ServiceStatus::Healthy);
        service::ServiceHealth h(svc, registry);
        auto json = h.health().json;
        for (const char* field : {"\"service\":\"svc\"", "\"domain\":\"test\"", "\"version\":\"1.0.0\"",
                                  "\"port\":4200", "\"timestamp\":\"", "\"uptimeSeconds\":", "\"checks\":{",
                                  "\"dependencies\":{\"dep\":{\"status\":\"healthy\"", "\"plugin\":{}"}) {
            assertContains(json, field);
        }
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ServiceHealthTest);
