// Health and inter-service calls (docs/HEALTH.md, docs/CALLS.md) end to end: the ecommerce flow (orders -> users, orders -> payments) in one host
// (in-process calls) and split over two host processes (HTTP calls via SERVICE_URL_*), one trace
// id across services, the health monitor, and the circuit breaker when payments goes away.
#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>

#include "support/TestSupport.h"

using namespace zt::test;

namespace {
std::map<std::string, std::string> usersAuth() { return {{"X-API-Key", kTestApiKey}}; }
std::map<std::string, std::string> ordersAuth(std::map<std::string, std::string> extra = {}) {
    extra["Authorization"] = "Bearer " + testJwt("user-1");
    return extra;
}
const std::string kOrder = R"({"userId":1,"items":[{"sku":"A-1","quantity":2,"priceCents":250}]})";

/// Polls `fn` every 50 ms until it returns true or `ms` passed.
template <class Fn>
bool eventually(int ms, Fn&& fn) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < deadline) {
        if (fn()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return fn();
}
/// Environment of a host serving only orders, reaching users and payments over HTTP at `services`'
/// ports (where another host serves them).
std::map<std::string, std::string> ordersOnlyEnv(ExampleServices& services, int admin) {
    auto env = hostEnv(services, admin);
    env["SERVICES"] = "orders";
    env["SERVICE_URL_USERS"] = "http://127.0.0.1:" + std::to_string(services.ports["users"]);
    env["SERVICE_URL_PAYMENTS"] = "http://127.0.0.1:" + std::to_string(services.ports["payments"]);
    return env;
}
std::map<std::string, std::string> servicesOnlyEnv(ExampleServices& services, int admin, const std::string& list) {
    auto env = hostEnv(services, admin);
    env["SERVICES"] = list;
    return env;
}
}  // namespace

class ServiceCallsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ServiceCallsTest);
    CPPUNIT_TEST(order_checks_user_and_charges_payment_in_process_with_one_trace_id);
    CPPUNIT_TEST(order_for_unknown_user_is_422_and_stores_nothing);
    CPPUNIT_TEST(split_hosts_call_each_other_over_http);
    CPPUNIT_TEST(payments_down_makes_orders_degraded_and_fails_fast_with_breaker_open);
    CPPUNIT_TEST_SUITE_END();

public:
    void order_checks_user_and_charges_payment_in_process_with_one_trace_id() {
        ExampleServices services;
        int admin = freePort();
        auto env = hostEnv(services, admin);
        env["MICROSERVICES_TRACING"] = "true";
        HostProcess host(env, admin);
        CPPUNIT_ASSERT_EQUAL(201, httpRequest("POST", services.ports["users"], "/users",
                                              R"({"name":"Ada","email":"ada@x"})", usersAuth())
                                      .status);
        const std::string traceId = "0af7651916cd43dd8448eb211c80319c";
        auto order = httpRequest("POST", services.ports["orders"], "/orders", kOrder,
                                 ordersAuth({{"traceparent", "00-" + traceId + "-b7ad6b7169203331-01"}}));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(order.body + host.log(), 201, order.status);
        assertContains(order.body, "\"status\":\"paid\"");
        assertContains(order.body, "\"paymentId\":1");
        CPPUNIT_ASSERT_EQUAL(traceId, order.header("x-trace-id"));
        auto pg = TestPostgres::fromEnvironment();
        CPPUNIT_ASSERT_EQUAL(
            std::string("order-1:500"),
            pg.scalar(services.database.name() + "_payments",
                      "SELECT idempotency_key || ':' || amount_cents FROM ecommerce_payments.payments"));
        // The three services logged spans of the same trace; users and payments are children.
        auto log = host.log();
        for (const char* svc : {"orders", "users", "payments"}) {
            std::regex span(std::string("span service=") + svc +
                            " route=[^ ]+ method=[A-Z]+ status=20[01] .*trace_id=" + traceId);
            CPPUNIT_ASSERT_MESSAGE(std::string(svc) + " span missing in:\n" + log, std::regex_search(log, span));
        }
        std::smatch m;
        CPPUNIT_ASSERT(std::regex_search(
            log, m, std::regex("span service=orders .*span_id=([0-9a-f]{16}) parent_span_id=b7ad6b7169203331")));
        std::string ordersSpan = m[1];
        CPPUNIT_ASSERT_MESSAGE(log,
                               std::regex_search(log, std::regex("span service=users .*parent_span_id=" + ordersSpan)));
        CPPUNIT_ASSERT_MESSAGE(
            log, std::regex_search(log, std::regex("span service=payments .*parent_span_id=" + ordersSpan)));
    }

    void order_for_unknown_user_is_422_and_stores_nothing() {
        ExampleServices services;
        int admin = freePort();
        HostProcess host(hostEnv(services, admin), admin);
        auto order = httpRequest("POST", services.ports["orders"], "/orders", kOrder, ordersAuth());
        CPPUNIT_ASSERT_EQUAL_MESSAGE(order.body, 422, order.status);
        assertContains(order.body, "\"code\":\"unknown_user\"");
        auto pg = TestPostgres::fromEnvironment();
        CPPUNIT_ASSERT_EQUAL(std::string("0"),
                             pg.scalar(services.database.name(), "SELECT count(*) FROM ecommerce_orders.orders"));
    }

    void split_hosts_call_each_other_over_http() {
        ExampleServices services;
        int adminB = freePort();
        HostProcess hostB(servicesOnlyEnv(services, adminB, "users,payments"), adminB);
        int adminA = freePort();
        HostProcess hostA(ordersOnlyEnv(services, adminA), adminA);
        CPPUNIT_ASSERT_EQUAL(201, httpRequest("POST", services.ports["users"], "/users",
                                              R"({"name":"Ada","email":"ada@x"})", usersAuth())
                                      .status);
        auto order = httpRequest("POST", services.ports["orders"], "/orders", kOrder, ordersAuth());
        CPPUNIT_ASSERT_EQUAL_MESSAGE(order.body + hostA.log(), 201, order.status);
        assertContains(order.body, "\"status\":\"paid\"");
        auto list = httpRequest("GET", adminA, "/services");
        assertContains(list.body,
                       "\"name\":\"users\",\"domain\":\"\",\"version\":\"\",\"baseUrl\":\"http://127.0.0.1:" +
                           std::to_string(services.ports["users"]));
        assertContains(list.body, "\"local\":false");
        auto agg = httpRequest("GET", adminA, "/health/services");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(agg.body, 200, agg.status);
        assertContains(agg.body, "\"summary\":{\"total\":3,\"healthy\":3");
    }

    void payments_down_makes_orders_degraded_and_fails_fast_with_breaker_open() {
        ExampleServices services;
        int adminB = freePort();
        HostProcess hostB(servicesOnlyEnv(services, adminB, "users,payments"), adminB);
        int adminA = freePort();
        auto envA = ordersOnlyEnv(services, adminA);
        envA["SERVICE_HEALTH_CHECK_INTERVAL_MS"] = "200";
        envA["SERVICE_HEALTH_CHECK_TIMEOUT_MS"] = "300";
        envA["CIRCUIT_BREAKER_THRESHOLD"] = "3";
        envA["SERVICE_CALL_TIMEOUT_MS"] = "1000";
        HostProcess hostA(envA, adminA);
        CPPUNIT_ASSERT_EQUAL(201, httpRequest("POST", services.ports["users"], "/users",
                                              R"({"name":"Ada","email":"ada@x"})", usersAuth())
                                      .status);
        CPPUNIT_ASSERT_EQUAL(201,
                             httpRequest("POST", services.ports["orders"], "/orders", kOrder, ordersAuth()).status);

        // Take users+payments away, bring users back alone: payments is now down.
        CPPUNIT_ASSERT_EQUAL(0, hostB.terminate());
        HostProcess hostC(servicesOnlyEnv(services, adminB, "users"), adminB);

        CPPUNIT_ASSERT_MESSAGE("orders never turned degraded", eventually(5000, [&] {
                                   auto h = httpRequest("GET", services.ports["orders"], "/health");
                                   return h.status == 200 &&
                                          h.body.find("\"status\":\"degraded\"") != std::string::npos &&
                                          h.body.find("\"payments\":{\"status\":\"unhealthy\"") != std::string::npos;
                               }));
        auto agg = httpRequest("GET", adminA, "/health/services");
        CPPUNIT_ASSERT_EQUAL(503, agg.status);

        // POST is not retried: each failing call counts once; after 3 the breaker is open.
        for (int i = 0; i < 3; ++i) {
            auto failed = httpRequest("POST", services.ports["orders"], "/orders", kOrder, ordersAuth());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(failed.body, 503, failed.status);
            assertContains(failed.body, "payments answered 503");
        }
        auto started = std::chrono::steady_clock::now();
        auto fast = httpRequest("POST", services.ports["orders"], "/orders", kOrder, ordersAuth());
        auto elapsedMs =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
        CPPUNIT_ASSERT_EQUAL(503, fast.status);
        assertContains(fast.body, "circuit_open");
        CPPUNIT_ASSERT_MESSAGE(std::to_string(elapsedMs) + " ms", elapsedMs < 300);
        auto breakers = httpRequest("GET", adminA, "/calls/breakers");
        assertContains(breakers.body, "\"payments\":{\"state\":\"open\"");
        // Nothing half-created: only the first order exists.
        auto pg = TestPostgres::fromEnvironment();
        CPPUNIT_ASSERT_EQUAL(std::string("1"),
                             pg.scalar(services.database.name(), "SELECT count(*) FROM ecommerce_orders.orders"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ServiceCallsTest);
