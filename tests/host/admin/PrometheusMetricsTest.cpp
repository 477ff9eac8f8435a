// Admin GET /metrics (docs/MONITORING.md): Prometheus text that promtool accepts, with every
// family once and each service's series under its `service` label; the JSON counters stay at
// /metrics.json and under Accept: application/json.
#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <string>

#include "admin/AdminApi.h"
#include "admin/AdminJson.h"
#include "admin/PrometheusMetrics.h"
#include "metrics/TextExposition.h"
#include "support/TestSupport.h"

using namespace std::chrono_literals;
using namespace zt;

namespace {
struct Sources {
    registry::MicroserviceManager registry;
    std::shared_ptr<http::RequestCounters> counters = std::make_shared<http::RequestCounters>();
    std::shared_ptr<http::ServerMetrics> server = std::make_shared<http::ServerMetrics>();
    admin::MetricsSources sources;

    Sources() {
        registry.registerService({"users", "shop", "1.0.0", "http://127.0.0.1:1", 1, true,
                                  registry::ServiceStatus::Healthy, "", "", "", std::nullopt});
        server->recordRequest("GET", "/users/:id", 200, 3ms);
        server->recordRequest("GET", "/users/:id", 200, 30ms);
        server->recordRequest("PROPFIND", "", 404, 1ms);
        counters->countStatus(200);
        counters->countStatus(200);
        counters->countStatus(404);
        sources.services.push_back({"users", "1.0.0", "1.4", counters, server, std::nullopt});
        sources.registry = &registry;
        sources.pools = [] {
            std::map<std::string, db::PoolInfo> pools;
            db::PoolInfo p{"shop", "shop_users", {}};
            p.stats.totalConnections = 3;
            p.stats.idleConnections = 2;
            p.stats.maxConnections = 20;
            p.stats.waitTimeouts = 4;
            p.stats.waitTime = metrics::DurationHistogram(metrics::kPoolWaitBounds).snapshot();
            pools["users"] = p;
            return pools;
        };
    }
};

http::Exchange get(const std::string& path, const std::string& accept = "") {
    http::Exchange ex;
    ex.request.method = "GET";
    ex.request.path = path;
    if (!accept.empty()) ex.request.headers.set("accept", accept);
    return ex;
}
}  // namespace

class PrometheusMetricsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PrometheusMetricsTest);
    CPPUNIT_TEST(the_exposition_has_the_named_series);
    CPPUNIT_TEST(promtool_accepts_the_exposition);
    CPPUNIT_TEST(json_stays_available);
    CPPUNIT_TEST_SUITE_END();

public:
    void the_exposition_has_the_named_series() {
        Sources s;
        const auto text = admin::prometheusText(s.sources);
        test::assertContains(text, "# TYPE http_server_request_duration_seconds histogram\n");
        test::assertContains(text,
                             "http_server_request_duration_seconds_count{service=\"users\",http_request_method=\"GET\","
                             "http_route=\"/users/:id\",http_response_status_code=\"200\"} 2\n");
        test::assertContains(
            text,
            "http_server_request_duration_seconds_bucket{service=\"users\",http_request_method=\"GET\","
            "http_route=\"/users/:id\",http_response_status_code=\"200\",le=\"0.005\"} 1\n");
        test::assertContains(
            text, "http_request_method=\"_OTHER\",http_route=\"_unmatched\",http_response_status_code=\"404\"");
        test::assertContains(text, "zintrust_requests_total{service=\"users\"} 3\n");
        test::assertContains(text, "zintrust_client_errors_total{service=\"users\"} 1\n");
        test::assertContains(text, "zintrust_plugin_info{service=\"users\",version=\"1.0.0\",abi=\"1.4\"} 1\n");
        test::assertContains(text, "zintrust_service_status{service=\"users\",status=\"healthy\"} 1\n");
        test::assertContains(text,
                             "db_client_connections_usage{service=\"users\",pool_name=\"users\",state=\"used\"} 1\n");
        test::assertContains(text,
                             "db_client_connections_usage{service=\"users\",pool_name=\"users\",state=\"idle\"} 2\n");
        test::assertContains(text, "db_client_connection_max{service=\"users\",pool_name=\"users\"} 20\n");
        test::assertContains(text, "db_client_connection_timeouts_total{service=\"users\",pool_name=\"users\"} 4\n");
        test::assertContains(text, "# TYPE db_client_connection_wait_time_seconds histogram\n");
        test::assertContains(text, "http_server_active_requests{service=\"users\"} 0\n");
        test::assertContains(text, "# TYPE process_cpu_seconds_total counter\n");
        test::assertContains(text, "# TYPE process_resident_memory_bytes gauge\n");
        // Each family is declared once, whatever the number of services.
        std::size_t at = 0, declared = 0;
        while ((at = text.find("# TYPE http_server_request_duration_seconds ", at)) != std::string::npos)
            ++declared, ++at;
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, declared);
    }

    void promtool_accepts_the_exposition() {
        Sources s;
        test::TempDir dir;
        const auto file = dir.write("metrics.prom", admin::prometheusText(s.sources));
        std::string output;
        const int rc = test::runCommand({"/bin/sh", "-c", "promtool check metrics < '" + file + "'"}, {}, output);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, rc);
    }

    void json_stays_available() {
        Sources s;
        admin::AdminApi api(s.registry);
        std::vector<std::pair<std::string, std::shared_ptr<http::RequestCounters>>> counters{{"users", s.counters}};
        api.setMetrics([&] { return admin::prometheusText(s.sources); },
                       [counters] { return std::make_pair(200, admin::metricsJson(counters)); });
        auto text = get("/metrics", "text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
        api.handle(text);
        CPPUNIT_ASSERT_EQUAL(200, text.response.status);
        CPPUNIT_ASSERT_EQUAL(std::string(metrics::TextExposition::kContentType),
                             std::string(text.response.headers.get("content-type").value_or("")));
        test::assertContains(text.response.body, "zintrust_requests_total{service=\"users\"} 3");
        for (auto ex : {get("/metrics", "application/json"), get("/metrics.json")}) {
            api.handle(ex);
            CPPUNIT_ASSERT_EQUAL(std::string("application/json"),
                                 std::string(ex.response.headers.get("content-type").value_or("")));
            test::assertContains(ex.response.body, "\"users\":{\"requests\":3");
        }
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(PrometheusMetricsTest);
