// ServiceHealthMonitor against real HTTP servers: result mapping (healthy, degraded, 503, timeout,
// refused, bad body), one parallel round, hysteresis thresholds, Failed services left alone,
// custom health paths, the background thread and a prompt stop().
#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <thread>

#include "monitor/ServiceHealthMonitor.h"
#include "host/calls/TestHttpServer.h"
#include "support/TestSupport.h"

using zt::test::assertContains;

using namespace zt;
using namespace std::chrono_literals;
using registry::ServiceStatus;
using zt::test::elapsedMs;
using zt::test::jsonReply;
using zt::test::Reply;
using zt::test::TestHttpServer;

namespace {

const std::string kHealthy = R"({"service":"x","status":"healthy"})";
const std::string kDegraded = R"({"service":"x","status":"degraded"})";
const std::string kUnhealthy = R"({"service":"x","status":"unhealthy"})";

void add(registry::MicroserviceManager& m, const std::string& name, const std::string& baseUrl, bool local = false,
         ServiceStatus status = ServiceStatus::Starting) {
    registry::ServiceRecord r;
    r.name = name;
    r.baseUrl = baseUrl;
    r.local = local;
    r.status = status;
    m.registerService(r);
}

std::string closedUrl() { return "http://127.0.0.1:" + std::to_string(zt::test::freePort()); }

monitor::ServiceHealthMonitor::Settings settings(std::chrono::milliseconds timeout = 400ms, int unhealthy = 2,
                                                 int healthy = 1) {
    monitor::ServiceHealthMonitor::Settings s;
    s.interval = 10s;
    s.timeout = timeout;
    s.unhealthyThreshold = unhealthy;
    s.healthyThreshold = healthy;
    return s;
}

void assertStatus(ServiceStatus expected, const registry::MicroserviceManager& m, const std::string& name) {
    auto rec = m.find(name);
    CPPUNIT_ASSERT_EQUAL_MESSAGE(name + " (" + rec->error + ")", std::string(registry::toString(expected)),
                                 std::string(registry::toString(rec->status)));
}

}  // namespace

class ServiceHealthMonitorTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ServiceHealthMonitorTest);
    CPPUNIT_TEST(one_parallel_round_maps_every_kind_of_answer);
    CPPUNIT_TEST(bad_bodies_and_unknown_statuses_are_unhealthy);
    CPPUNIT_TEST(one_bad_result_does_not_flip_a_healthy_service_two_do);
    CPPUNIT_TEST(recovery_needs_healthy_threshold_good_results);
    CPPUNIT_TEST(healthy_and_degraded_switch_at_once);
    CPPUNIT_TEST(failed_services_are_not_polled_and_stay_failed);
    CPPUNIT_TEST(health_path_comes_from_the_resolver);
    CPPUNIT_TEST(settings_come_from_the_environment);
    CPPUNIT_TEST(settle_gives_a_dependent_its_real_status_in_one_call);
    CPPUNIT_TEST(settle_does_not_repeat_a_round_that_only_found_failures);
    CPPUNIT_TEST(settle_rechecks_only_degraded_services_and_keeps_the_hysteresis);
    CPPUNIT_TEST(background_thread_polls_on_the_interval);
    CPPUNIT_TEST(stop_wakes_the_sleeping_thread_promptly);
    CPPUNIT_TEST_SUITE_END();

    registry::MicroserviceManager registry_;

public:
    void one_parallel_round_maps_every_kind_of_answer() {
        TestHttpServer healthy([](int, const auto&) { return jsonReply(200, kHealthy); });
        TestHttpServer degraded([](int, const auto&) { return jsonReply(200, kDegraded); });
        TestHttpServer down([](int, const auto&) { return jsonReply(503, kUnhealthy); });
        TestHttpServer slow([](int, const auto&) {
            Reply r = jsonReply(200, kHealthy);
            r.delay = 3000ms;
            return r;
        });
        TestHttpServer slow2([](int, const auto&) {
            Reply r = jsonReply(200, kHealthy);
            r.delay = 3000ms;
            return r;
        });
        add(registry_, "users", healthy.baseUrl(), true);
        add(registry_, "orders", degraded.baseUrl(), true);
        add(registry_, "payments", down.baseUrl());
        add(registry_, "slow", slow.baseUrl());
        add(registry_, "slow2", slow2.baseUrl());
        add(registry_, "gone", closedUrl());
        monitor::ServiceHealthMonitor monitor(registry_, settings(400ms));
        std::map<std::string, monitor::ServiceHealthMonitor::CheckResult> results;
        const auto ms = elapsedMs([&] { results = monitor.checkNow(); });
        // Parallel: about one timeout, not the sum of two timeouts.
        CPPUNIT_ASSERT_MESSAGE("round took " + std::to_string(ms) + " ms", ms >= 390 && ms < 700);
        CPPUNIT_ASSERT_EQUAL(std::size_t(6), results.size());
        // First results of services in Starting apply at once.
        assertStatus(ServiceStatus::Healthy, registry_, "users");
        assertStatus(ServiceStatus::Degraded, registry_, "orders");
        assertStatus(ServiceStatus::Unhealthy, registry_, "payments");
        assertStatus(ServiceStatus::Unhealthy, registry_, "slow");
        assertStatus(ServiceStatus::Unhealthy, registry_, "gone");
        assertContains(registry_.find("payments")->error, "HTTP 503");
        assertContains(registry_.find("slow")->error, "no answer within 400 ms");
        assertContains(registry_.find("gone")->error, "unreachable");
        CPPUNIT_ASSERT_EQUAL(std::string(""), registry_.find("users")->error);
        CPPUNIT_ASSERT(registry_.find("users")->lastHealthCheck.has_value());
        CPPUNIT_ASSERT_EQUAL(std::string("/health"), healthy.requests().at(0).uri);
        CPPUNIT_ASSERT_EQUAL(std::string("GET"), healthy.requests().at(0).method);
    }
    void bad_bodies_and_unknown_statuses_are_unhealthy() {
        TestHttpServer notJson([](int, const auto&) { return jsonReply(200, "OK"); });
        TestHttpServer noStatus([](int, const auto&) { return jsonReply(200, R"({"up":true})"); });
        TestHttpServer odd([](int, const auto&) { return jsonReply(200, R"({"status":"sleepy"})"); });
        TestHttpServer redirect([](int, const auto&) { return jsonReply(302, kHealthy); });
        add(registry_, "a", notJson.baseUrl());
        add(registry_, "b", noStatus.baseUrl());
        add(registry_, "c", odd.baseUrl());
        add(registry_, "d", redirect.baseUrl());
        monitor::ServiceHealthMonitor monitor(registry_, settings());
        monitor.checkNow();
        for (const char* name : {"a", "b", "c", "d"}) assertStatus(ServiceStatus::Unhealthy, registry_, name);
        assertContains(registry_.find("a")->error, "not JSON");
        assertContains(registry_.find("c")->error, "sleepy");
        assertContains(registry_.find("d")->error, "HTTP 302");
    }
    void one_bad_result_does_not_flip_a_healthy_service_two_do() {
        std::atomic<bool> up{true};
        TestHttpServer server(
            [&](int, const auto&) { return up ? jsonReply(200, kHealthy) : jsonReply(503, kUnhealthy); });
        add(registry_, "users", server.baseUrl(), true);
        monitor::ServiceHealthMonitor monitor(registry_, settings(400ms, 2, 1));
        monitor.checkNow();
        assertStatus(ServiceStatus::Healthy, registry_, "users");
        up = false;
        auto raw = monitor.checkNow();
        CPPUNIT_ASSERT(raw.at("users").status == ServiceStatus::Unhealthy);  // the check saw it...
        assertStatus(ServiceStatus::Healthy, registry_, "users");            // ...the status waits
        monitor.checkNow();
        assertStatus(ServiceStatus::Unhealthy, registry_, "users");
        up = true;
        monitor.checkNow();  // healthyThreshold 1: back at once
        assertStatus(ServiceStatus::Healthy, registry_, "users");
    }
    void recovery_needs_healthy_threshold_good_results() {
        std::atomic<bool> up{false};
        TestHttpServer server(
            [&](int, const auto&) { return up ? jsonReply(200, kHealthy) : jsonReply(503, kUnhealthy); });
        add(registry_, "users", server.baseUrl());
        monitor::ServiceHealthMonitor monitor(registry_, settings(400ms, 1, 3));
        monitor.checkNow();
        assertStatus(ServiceStatus::Unhealthy, registry_, "users");
        up = true;
        monitor.checkNow();
        monitor.checkNow();
        assertStatus(ServiceStatus::Unhealthy, registry_, "users");
        monitor.checkNow();
        assertStatus(ServiceStatus::Healthy, registry_, "users");
        up = false;
        monitor.checkNow();  // unhealthyThreshold 1
        assertStatus(ServiceStatus::Unhealthy, registry_, "users");
    }
    void healthy_and_degraded_switch_at_once() {
        std::atomic<bool> degraded{false};
        TestHttpServer server([&](int, const auto&) { return jsonReply(200, degraded ? kDegraded : kHealthy); });
        add(registry_, "users", server.baseUrl());
        monitor::ServiceHealthMonitor monitor(registry_, settings(400ms, 3, 3));
        monitor.checkNow();
        assertStatus(ServiceStatus::Healthy, registry_, "users");
        degraded = true;
        monitor.checkNow();
        assertStatus(ServiceStatus::Degraded, registry_, "users");
        degraded = false;
        monitor.checkNow();
        assertStatus(ServiceStatus::Healthy, registry_, "users");
    }
    void failed_services_are_not_polled_and_stay_failed() {
        TestHttpServer server([](int, const auto&) { return jsonReply(200, kHealthy); });
        add(registry_, "broken", server.baseUrl(), true, ServiceStatus::Failed);
        registry_.setStatus("broken", ServiceStatus::Failed, "wrong ABI major");
        add(registry_, "users", server.baseUrl(), true);
        monitor::ServiceHealthMonitor monitor(registry_, settings());
        auto results = monitor.checkNow();
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), results.count("broken"));
        CPPUNIT_ASSERT_EQUAL(1, server.requestCount());  // only users
        assertStatus(ServiceStatus::Failed, registry_, "broken");
        CPPUNIT_ASSERT_EQUAL(std::string("wrong ABI major"), registry_.find("broken")->error);
    }
    void health_path_comes_from_the_resolver() {
        TestHttpServer server([](int, const zt::test::ReceivedRequest& req) {
            return req.uri == "/status" ? jsonReply(200, kHealthy) : jsonReply(404, "{}");
        });
        add(registry_, "users", server.baseUrl());
        add(registry_, "orders", server.baseUrl());
        monitor::ServiceHealthMonitor monitor(registry_, settings(), [](const std::string& name) {
            return name == "users" ? std::string("/status") : std::string();
        });
        monitor.checkNow();
        assertStatus(ServiceStatus::Healthy, registry_, "users");
        assertStatus(ServiceStatus::Unhealthy, registry_, "orders");  // default /health -> 404
    }
    void settle_gives_a_dependent_its_real_status_in_one_call() {
        // orders answers as a real service does: degraded while users is not Healthy in the registry.
        TestHttpServer users([](int, const auto&) { return jsonReply(200, kHealthy); });
        std::atomic<registry::MicroserviceManager*> watched{&registry_};
        TestHttpServer orders([&watched](int, const auto&) {
            const bool up = watched.load()->find("users")->status == ServiceStatus::Healthy;
            return jsonReply(200, up ? kHealthy : kDegraded);
        });
        add(registry_, "users", users.baseUrl(), true);
        add(registry_, "orders", orders.baseUrl(), true);
        monitor::ServiceHealthMonitor monitor(registry_, settings());
        const int rounds = monitor.settle();
        assertStatus(ServiceStatus::Healthy, registry_, "users");
        assertStatus(ServiceStatus::Healthy, registry_, "orders");
        CPPUNIT_ASSERT_EQUAL(std::string(), registry_.find("orders")->error);  // no stale "degraded"
        CPPUNIT_ASSERT_EQUAL(2, rounds);  // starting -> degraded, then -> healthy with no degraded answer left
        // A single round (what start-up did before) leaves the dependent degraded for an interval.
        registry::MicroserviceManager fresh;
        add(fresh, "users", users.baseUrl(), true);
        add(fresh, "orders", orders.baseUrl(), true);
        watched = &fresh;
        monitor::ServiceHealthMonitor single(fresh, settings());
        single.checkNow();
        CPPUNIT_ASSERT_EQUAL(std::string("degraded"), std::string(registry::toString(fresh.find("orders")->status)));
    }
    void settle_rechecks_only_degraded_services_and_keeps_the_hysteresis() {
        std::atomic<bool> usersUp{true}, ordersDegraded{false};
        TestHttpServer users(
            [&](int, const auto&) { return usersUp ? jsonReply(200, kHealthy) : jsonReply(503, kUnhealthy); });
        TestHttpServer orders([&](int, const auto&) { return jsonReply(200, ordersDegraded ? kDegraded : kHealthy); });
        add(registry_, "users", users.baseUrl(), true);
        add(registry_, "orders", orders.baseUrl(), true);
        monitor::ServiceHealthMonitor monitor(registry_, settings());  // unhealthyThreshold 2
        monitor.settle();
        assertStatus(ServiceStatus::Healthy, registry_, "users");
        usersUp = false;
        ordersDegraded = true;
        const int usersBefore = users.requestCount();
        CPPUNIT_ASSERT_EQUAL(2, monitor.settle());  // the round, then orders alone again
        CPPUNIT_ASSERT_EQUAL(usersBefore + 1, users.requestCount());
        assertStatus(ServiceStatus::Healthy, registry_, "users");  // one bad result is not two
        assertStatus(ServiceStatus::Degraded, registry_, "orders");
        monitor.settle();
        assertStatus(ServiceStatus::Unhealthy, registry_, "users");  // the second regular round
    }
    void settle_does_not_repeat_a_round_that_only_found_failures() {
        add(registry_, "gone", closedUrl());
        monitor::ServiceHealthMonitor monitor(registry_, settings());
        CPPUNIT_ASSERT_EQUAL(1, monitor.settle());
        assertStatus(ServiceStatus::Unhealthy, registry_, "gone");
    }
    void settings_come_from_the_environment() {
        config::EnvConfig env;
        env.healthCheckIntervalMs = 1234;
        env.healthCheckTimeoutMs = 321;
        auto s = monitor::ServiceHealthMonitor::Settings::fromEnv(env);
        CPPUNIT_ASSERT_EQUAL(1234LL, static_cast<long long>(s.interval.count()));
        CPPUNIT_ASSERT_EQUAL(321LL, static_cast<long long>(s.timeout.count()));
        CPPUNIT_ASSERT_EQUAL(2, s.unhealthyThreshold);
        CPPUNIT_ASSERT_EQUAL(1, s.healthyThreshold);
    }
    void background_thread_polls_on_the_interval() {
        TestHttpServer server([](int, const auto&) { return jsonReply(200, kHealthy); });
        add(registry_, "users", server.baseUrl());
        auto s = settings();
        s.interval = 100ms;
        monitor::ServiceHealthMonitor monitor(registry_, s);
        monitor.start();
        monitor.start();  // harmless
        CPPUNIT_ASSERT(monitor.running());
        const auto deadline = std::chrono::steady_clock::now() + 3s;
        while (server.requestCount() < 3 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(20ms);
        monitor.stop();
        CPPUNIT_ASSERT(!monitor.running());
        CPPUNIT_ASSERT(server.requestCount() >= 3);
        assertStatus(ServiceStatus::Healthy, registry_, "users");
        const int after = server.requestCount();
        std::this_thread::sleep_for(250ms);
        CPPUNIT_ASSERT_EQUAL(after, server.requestCount());  // stopped means stopped
    }
    void stop_wakes_the_sleeping_thread_promptly() {
        monitor::ServiceHealthMonitor monitor(registry_, settings());  // interval 10 s
        monitor.start();
        std::this_thread::sleep_for(50ms);
        const auto ms = elapsedMs([&] { monitor.stop(); });
        CPPUNIT_ASSERT_MESSAGE("stop took " + std::to_string(ms) + " ms", ms < 100);
        monitor.stop();  // idempotent
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ServiceHealthMonitorTest);
