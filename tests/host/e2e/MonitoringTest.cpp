// Observability against the real binary and real peers (docs/MONITORING.md): a real Prometheus
// (Debian's prometheus, started here on a free port with its own config and data folder) scrapes
// the admin port and its query API sees the traffic sent, per route; promtool accepts the
// exposition; 10,000 unknown paths add no series; JSON logs carry the request's trace; health
// probes make no spans; every port's /openapi.json passes a real OpenAPI 3.1 validator.
#include <cppunit/extensions/HelperMacros.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include "support/TestSupport.h"

using namespace zt::test;
using nlohmann::json;

namespace {
template <class Fn>
bool eventually(int ms, Fn&& fn) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < deadline) {
        if (fn()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return fn();
}

std::map<std::string, std::string> apiKey() { return {{"x-api-key", kTestApiKey}}; }

/// Lines of the exposition that are samples of `metric` (any labels).
std::size_t seriesCount(const std::string& exposition, const std::string& metric) {
    std::size_t n = 0;
    std::istringstream in(exposition);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(metric + "{", 0) == 0 || line.rfind(metric + " ", 0) == 0) ++n;
    }
    return n;
}

/// Debian's prometheus scraping `adminPort` every 500 ms.
class Prometheus {
public:
    explicit Prometheus(int adminPort) : port_(freePort()) {
        const auto config = dir_.write("prometheus.yml",
                                       "global:\n  scrape_interval: 500ms\n  scrape_timeout: 400ms\n"
                                       "scrape_configs:\n  - job_name: zintrust\n"
                                       "    static_configs:\n      - targets: ['127.0.0.1:" +
                                           std::to_string(adminPort) + "']\n");
        process_ = std::make_unique<ChildProcess>(
            std::vector<std::string>{"/usr/bin/prometheus", "--config.file=" + config,
                                     "--storage.tsdb.path=" + dir_.path() + "/data",
                                     "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--log.level=warn"},
            std::map<std::string, std::string>{});
        const bool ready = eventually(30000, [&] {
            return !process_->running() || httpRequest("GET", port_, "/-/ready", "", {}, 1000).status == 200;
        });
        CPPUNIT_ASSERT_MESSAGE("prometheus did not start: " + process_->log(), ready && process_->running());
    }

    /// The instant vector of `promql` (throws on an API error).
    json query(const std::string& promql) {
        std::string encoded;
        Poco::URI::encode(promql, "+&=#?%[]{}\"|<> ", encoded);
        auto r = httpRequest("GET", port_, "/api/v1/query?query=" + encoded);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.body, 200, r.status);
        auto doc = json::parse(r.body);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.body, std::string("success"), doc.at("status").get<std::string>());
        return doc.at("data").at("result");
    }
    /// The value of a query with exactly one sample, or NaN when it has none.
    double scalar(const std::string& promql) {
        auto result = query(promql);
        if (result.empty()) return std::nan("");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(result.dump(), std::size_t{1}, result.size());
        return std::stod(result.at(0).at("value").at(1).get<std::string>());
    }
    std::string log() const { return process_->log(); }

private:
    TempDir dir_;
    int port_;
    std::unique_ptr<ChildProcess> process_;
};

/// `n` requests on one keep-alive connection; returns how many got `expect`.
int sendMany(int port, const std::string& pathPrefix, int n, int expect,
             const std::map<std::string, std::string>& headers = {}, bool distinct = true) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    session.setKeepAlive(true);
    int ok = 0;
    for (int i = 0; i < n; ++i) {
        Poco::Net::HTTPRequest req("GET", distinct ? pathPrefix + std::to_string(i) : pathPrefix,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
        for (const auto& [k, v] : headers) req.set(k, v);
        session.sendRequest(req);
        Poco::Net::HTTPResponse resp;
        auto& body = session.receiveResponse(resp);
        body.ignore(std::numeric_limits<std::streamsize>::max());
        if (static_cast<int>(resp.getStatus()) == expect) ++ok;
    }
    return ok;
}
}  // namespace

class MonitoringTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(MonitoringTest);
    CPPUNIT_TEST(prometheus_sees_the_traffic_per_route);
    CPPUNIT_TEST(promtool_accepts_the_exposition_and_json_stays);
    CPPUNIT_TEST(ten_thousand_unknown_paths_add_a_handful_of_series);
    CPPUNIT_TEST(calls_pools_breakers_and_plugins_are_measured);
    CPPUNIT_TEST(json_logs_carry_the_request_trace);
    CPPUNIT_TEST(health_probes_are_not_traced);
    CPPUNIT_TEST(openapi_documents_pass_a_real_validator);
    CPPUNIT_TEST_SUITE_END();

public:
    void prometheus_sees_the_traffic_per_route() {
        ExampleServices services{{"users", "payments"}};
        const int admin = freePort();
        HostProcess host(hostEnv(services, admin), admin);
        CPPUNIT_ASSERT_MESSAGE(host.log(), host.running());
        Prometheus prometheus(admin);
        CPPUNIT_ASSERT_MESSAGE(prometheus.log(),
                               eventually(15000, [&] { return prometheus.scalar("up{job=\"zintrust\"}") == 1; }));
        auto created =
            httpRequest("POST", services.ports["users"], "/users", R"({"name":"Ada","email":"ada@x"})", apiKey());
        CPPUNIT_ASSERT_EQUAL_MESSAGE(created.body, 201, created.status);
        const std::string id = std::to_string(json::parse(created.body).at("id").get<long long>());

        // Two users reads for every unknown payment, interleaved over ~3 s so rate() sees both.
        int users = 0, payments = 0;
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
        while (std::chrono::steady_clock::now() < until) {
            users += sendMany(services.ports["users"], "/users/" + id, 20, 200, apiKey(), false);
            payments += sendMany(services.ports["payments"], "/payments/999999", 10, 404, {}, false);
        }
        const std::string usersCount =
            "http_server_request_duration_seconds_count{service=\"users\",http_route=\"/users/"
            ":id\",http_request_method=\"GET\","
            "http_response_status_code=\"200\"}";
        const std::string paymentsCount =
            "http_server_request_duration_seconds_count{service=\"payments\",http_route=\"/payments/:id\","
            "http_response_status_code=\"404\"}";
        // The counters Prometheus stored equal the requests sent, exactly (after the next scrape).
        CPPUNIT_ASSERT_MESSAGE(prometheus.log(), eventually(10000, [&] {
                                   return prometheus.scalar(usersCount) == users &&
                                          prometheus.scalar(paymentsCount) == payments;
                               }));
        const double usersRate = prometheus.scalar("rate(" + usersCount + "[5s])");
        const double paymentsRate = prometheus.scalar("rate(" + paymentsCount + "[5s])");
        CPPUNIT_ASSERT(usersRate > 0 && paymentsRate > 0);
        const double ratio = usersRate / paymentsRate;
        CPPUNIT_ASSERT_MESSAGE("rate ratio " + std::to_string(ratio), ratio > 1.6 && ratio < 2.4);
        const double p99 = prometheus.scalar(
            "histogram_quantile(0.99, sum by (le) (rate(http_server_request_duration_seconds_bucket{service=\"users\","
            "http_route=\"/users/:id\"}[5s])))");
        CPPUNIT_ASSERT_MESSAGE(std::to_string(p99), std::isfinite(p99) && p99 > 0 && p99 <= 10);
        // The raw path never becomes a label value.
        CPPUNIT_ASSERT(
            prometheus.query("http_server_request_duration_seconds_count{http_route=~\".*[0-9].*\"}").empty());
    }

    void promtool_accepts_the_exposition_and_json_stays() {
        ExampleServices services;
        const int admin = freePort();
        HostProcess host(hostEnv(services, admin), admin);
        CPPUNIT_ASSERT_EQUAL(5, sendMany(services.ports["payments"], "/payments/90000", 5, 404));
        auto text = httpRequest("GET", admin, "/metrics");
        CPPUNIT_ASSERT_EQUAL(200, text.status);
        CPPUNIT_ASSERT_EQUAL(std::string("text/plain; version=0.0.4; charset=utf-8"), text.header("content-type"));
        TempDir dir;
        const auto file = dir.write("metrics.prom", text.body);
        std::string output;
        CPPUNIT_ASSERT_EQUAL_MESSAGE(
            output + text.body, 0,
            runCommand({"/bin/sh", "-c", "promtool check metrics < '" + file + "'"}, {}, output));
        auto asJson = httpRequest("GET", admin, "/metrics", "", {{"accept", "application/json"}});
        CPPUNIT_ASSERT_EQUAL(std::string("application/json"), asJson.header("content-type"));
        CPPUNIT_ASSERT(json::parse(asJson.body).at("services").contains("payments"));
        CPPUNIT_ASSERT(json::parse(httpRequest("GET", admin, "/metrics.json").body).at("services").contains("users"));
    }

    void ten_thousand_unknown_paths_add_a_handful_of_series() {
        ExampleServices services{{"payments"}};
        const int admin = freePort();
        HostProcess host(hostEnv(services, admin), admin);
        const int port = services.ports["payments"];
        sendMany(port, "/warm-up/", 3, 404);
        const auto before =
            seriesCount(httpRequest("GET", admin, "/metrics").body, "http_server_request_duration_seconds_count");
        CPPUNIT_ASSERT_EQUAL(10000, sendMany(port, "/no/such/path/", 10000, 404));
        const auto text = httpRequest("GET", admin, "/metrics").body;
        const auto after = seriesCount(text, "http_server_request_duration_seconds_count");
        CPPUNIT_ASSERT_MESSAGE(std::to_string(before) + " -> " + std::to_string(after), after <= before + 3);
        CPPUNIT_ASSERT(text.find("/no/such/path/") == std::string::npos);
        assertContains(text, "zintrust_metrics_series_dropped_total{service=\"payments\"} 0");
    }

    void calls_pools_breakers_and_plugins_are_measured() {
        ExampleServices services;
        const int admin = freePort();
        HostProcess host(hostEnv(services, admin), admin);
        CPPUNIT_ASSERT_EQUAL(
            201,
            httpRequest("POST", services.ports["users"], "/users", R"({"name":"Bo","email":"bo@x"})", apiKey()).status);
        auto order = httpRequest("POST", services.ports["orders"], "/orders",
                                 R"({"userId":1,"items":[{"sku":"A-1","quantity":2,"priceCents":250}]})",
                                 {{"authorization", "Bearer " + testJwt("tester")}});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(order.body + host.log(), 201, order.status);
        const auto text = httpRequest("GET", admin, "/metrics").body;
        assertContains(text,
                       "http_client_request_duration_seconds_count{service=\"orders\",target_service=\"users\","
                       "http_request_method=\"GET\",outcome=\"in_process\",http_response_status_code=\"200\"} 1");
        assertContains(text,
                       "http_client_request_duration_seconds_count{service=\"orders\",target_service=\"payments\","
                       "http_request_method=\"POST\",outcome=\"in_process\",http_response_status_code=\"201\"} 1");
        assertContains(text, "zintrust_circuit_breaker_state{service=\"users\",state=\"closed\"} 1");
        assertContains(text, "zintrust_plugin_info{service=\"orders\",version=\"1.0.0\",abi=\"1.4\"} 1");
        assertContains(text, "db_client_connection_max{service=\"orders\",pool_name=\"orders\"} ");
        assertContains(text, "db_client_connections_usage{service=\"users\",pool_name=\"users\",state=\"idle\"} ");
        assertContains(text, "db_client_connection_wait_time_seconds_count{service=\"orders\",pool_name=\"orders\"} ");
        assertContains(text, "process_open_fds ");
        // Server side of the same order: the route template, the status.
        assertContains(text,
                       "http_server_request_duration_seconds_count{service=\"orders\",http_request_method=\"POST\","
                       "http_route=\"/orders\",http_response_status_code=\"201\"} 1");
    }

    void json_logs_carry_the_request_trace() {
        ExampleServices services;
        const int admin = freePort();
        auto env = hostEnv(services, admin);
        env["LOG_FORMAT"] = "json";
        env["ZT_ACCESS_LOG"] = "true";
        env["MICROSERVICES_TRACING"] = "true";
        HostProcess host(env, admin);
        CPPUNIT_ASSERT_EQUAL(
            201,
            httpRequest("POST", services.ports["users"], "/users", R"({"name":"Cy","email":"cy@x"})", apiKey()).status);
        const std::string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        auto order = httpRequest("POST", services.ports["orders"], "/orders",
                                 R"({"userId":1,"items":[{"sku":"A-1","quantity":1,"priceCents":100}]})",
                                 {{"authorization", "Bearer " + testJwt("tester")},
                                  {"traceparent", "00-" + traceId + "-00f067aa0ba902b7-01"}});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(order.body, 201, order.status);
        bool pluginLine = false, accessLine = false, spanLine = false;
        CPPUNIT_ASSERT_MESSAGE(
            host.log(), eventually(5000, [&] {
                std::istringstream in(host.log());
                for (std::string line; std::getline(in, line);) {
                    if (line.empty() || line[0] != '{') continue;
                    const auto j = json::parse(line);  // every line is one JSON object
                    for (const char* field :
                         {"timestamp", "severityText", "severityNumber", "body", "attributes", "resource"})
                        CPPUNIT_ASSERT_MESSAGE(line, j.contains(field));
                    if (j.value("traceId", "") != traceId) continue;
                    const auto logger = j.at("attributes").at("logger.name").get<std::string>();
                    if (logger == "zt.service.orders" &&
                        j.at("body").get<std::string>().find("created for user") != std::string::npos) {
                        pluginLine = j.at("resource").at("service.name") == "orders";
                    }
                    if (logger == "zt.access" && j.at("attributes").value("http.route", "") == "/orders") {
                        accessLine = j.at("attributes").at("http.response.status_code") == 201 &&
                                     j.at("attributes").at("http.request.method") == "POST" &&
                                     j.at("attributes").at("http.server.request.duration").is_number();
                    }
                    spanLine = spanLine || logger == "zt.tracing";
                }
                return pluginLine && accessLine && spanLine;
            }));
    }

    void health_probes_are_not_traced() {
        ExampleServices services{{"payments"}};
        // Every request of payments sampled: a probe that made a span would show at once.
        const std::string config = services.dir.path() + "/ecommerce/payments/service.config.json";
        services.dir.write("ecommerce/payments/service.config.json",
                           std::regex_replace(readFile(config), std::regex("\"samplingRate\"\\s*:\\s*[0-9.]+"),
                                              "\"samplingRate\": 1.0"));
        assertContains(readFile(config), "\"samplingRate\": 1.0");
        const int admin = freePort();
        auto env = hostEnv(services, admin);
        env["MICROSERVICES_TRACING"] = "true";
        env["SERVICE_HEALTH_CHECK_INTERVAL_MS"] = "100";
        HostProcess host(env, admin);
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        // A dozen rounds of probes and no span; a request of ours is traced at once.
        CPPUNIT_ASSERT_MESSAGE(host.log(), host.log().find("span service=payments") == std::string::npos);
        CPPUNIT_ASSERT_EQUAL(404, httpRequest("GET", services.ports["payments"], "/payments/424242").status);
        CPPUNIT_ASSERT_MESSAGE(host.log(), eventually(3000, [&] {
                                   return host.log().find("span service=payments") != std::string::npos;
                               }));
    }

    void openapi_documents_pass_a_real_validator() {
        ExampleServices services;
        const int admin = freePort();
        HostProcess host(hostEnv(services, admin), admin);
        const std::map<std::string, std::map<std::string, std::string>> credentials = {
            {"users", apiKey()}, {"orders", {{"authorization", "Bearer " + testJwt("tester")}}}, {"payments", {}}};
        TempDir dir;
        for (const auto& [service, headers] : credentials) {
            auto r = httpRequest("GET", services.ports[service], "/openapi.json", "", headers);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(service + ": " + r.body, 200, r.status);
            const auto file = dir.write(service + ".json", r.body);
            std::string output;
            const int rc = runCommand(
                {"/usr/bin/env", "node", std::string(ZT_TEST_SOURCE_DIR) + "/tests/openapi/validate.js", file}, {},
                output);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(
                service + ": " + output + " (tests/openapi needs npm ci: ./scripts/test does it)", 0, rc);
            assertContains(output, "valid OpenAPI 3.1.0");
        }
        // What the users plugin said of its routes, and its auth as the scheme.
        const auto users = json::parse(httpRequest("GET", services.ports["users"], "/openapi.json", "", apiKey()).body);
        CPPUNIT_ASSERT_EQUAL(std::string("Read one user"),
                             users.at("paths").at("/users/{id}").at("get").at("summary").get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("X-API-Key"),
                             users.at("components").at("securitySchemes").at("apiKey").at("name").get<std::string>());
        const auto orders = json::parse(httpRequest("GET", services.ports["orders"], "/openapi.json", "",
                                                    {{"authorization", "Bearer " + testJwt("t")}})
                                            .body);
        CPPUNIT_ASSERT(orders.at("components").at("securitySchemes").contains("bearerJwt"));
        // Behind the service's own authentication, like its routes.
        CPPUNIT_ASSERT_EQUAL(401, httpRequest("GET", services.ports["users"], "/openapi.json").status);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(MonitoringTest);
