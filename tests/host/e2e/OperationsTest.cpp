// The host as systemd and an operator see it (docs/OPERATIONS.md): the admin token on /control,
// the sd_notify messages in order (NOTIFY_SOCKET pointed at a datagram socket this test reads,
// no systemd needed), and the watchdog that stops pinging when a handler pool is stuck.
#include <cppunit/extensions/HelperMacros.h>

#include <csignal>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/NotifySocket.h"
#include "support/TestSupport.h"

using namespace zt::test;

namespace {
const std::string kToken = "0123456789abcdef0123456789abcdef";

std::map<std::string, std::string> bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

std::string errorCode(const HttpResult& r) {
    auto doc = nlohmann::json::parse(r.body, nullptr, false);
    if (doc.is_discarded() || !doc.contains("error")) return "";
    return doc["error"].value("code", "");
}
}  // namespace

class OperationsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(OperationsTest);
    CPPUNIT_TEST(control_is_refused_with_403_while_admin_token_is_unset);
    CPPUNIT_TEST(control_needs_the_bearer_token);
    CPPUNIT_TEST(a_short_admin_token_is_a_bad_environment);
    CPPUNIT_TEST(notify_messages_arrive_in_order_ready_reloading_ready_stopping);
    CPPUNIT_TEST(watchdog_stops_pinging_while_the_handler_pool_is_stuck);
    CPPUNIT_TEST_SUITE_END();

public:
    void control_is_refused_with_403_while_admin_token_is_unset() {
        ExampleServices services{{"payments"}};
        int admin = freePort();
        HostProcess host(hostEnv(services, admin), admin);
        CPPUNIT_ASSERT_MESSAGE(host.log(), host.running());
        for (const char* path : {"/control/reload", "/control/services/payments/restart", "/control/nothing"}) {
            auto r = httpRequest("POST", admin, path, "", bearer(kToken));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(r.body, 403, r.status);
            CPPUNIT_ASSERT_EQUAL(std::string("control_disabled"), errorCode(r));
            assertContains(r.body, "ADMIN_TOKEN is not set");
        }
        // The rest of the admin port is as before.
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", admin, "/services").status);
    }

    void control_needs_the_bearer_token() {
        ExampleServices services{{"payments"}};
        int admin = freePort();
        auto env = hostEnv(services, admin);
        env["ADMIN_TOKEN"] = kToken;
        HostProcess host(env, admin);
        CPPUNIT_ASSERT_MESSAGE(host.log(), host.running());

        auto missing = httpRequest("POST", admin, "/control/reload");
        CPPUNIT_ASSERT_EQUAL(401, missing.status);
        CPPUNIT_ASSERT_EQUAL(std::string("missing_credentials"), errorCode(missing));
        assertContains(missing.header("www-authenticate"), "Bearer");
        auto wrong = httpRequest("POST", admin, "/control/reload", "", bearer(kToken.substr(1) + "x"));
        CPPUNIT_ASSERT_EQUAL(401, wrong.status);
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_credentials"), errorCode(wrong));
        auto otherScheme = httpRequest("POST", admin, "/control/reload", "", {{"Authorization", "Basic " + kToken}});
        CPPUNIT_ASSERT_EQUAL(401, otherScheme.status);
        auto prefix = httpRequest("POST", admin, "/control/reload", "", bearer(kToken.substr(0, 16)));
        CPPUNIT_ASSERT_EQUAL(401, prefix.status);
        // An anonymous client learns nothing about which endpoints exist.
        CPPUNIT_ASSERT_EQUAL(401, httpRequest("POST", admin, "/control/nothing").status);

        auto get = httpRequest("GET", admin, "/control/reload", "", bearer(kToken));
        CPPUNIT_ASSERT_EQUAL(405, get.status);
        CPPUNIT_ASSERT_EQUAL(std::string("POST"), get.header("allow"));
        auto unknown = httpRequest("POST", admin, "/control/nothing", "", bearer(kToken));
        CPPUNIT_ASSERT_EQUAL(404, unknown.status);
        auto noService = httpRequest("POST", admin, "/control/services/nosuch/restart", "", bearer(kToken));
        CPPUNIT_ASSERT_EQUAL(404, noService.status);
        assertContains(noService.body, "nosuch");

        auto reload = httpRequest("POST", admin, "/control/reload", "", bearer(kToken), 30000);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(reload.body, 200, reload.status);
        auto doc = nlohmann::json::parse(reload.body);
        CPPUNIT_ASSERT_EQUAL(std::string("ok"), doc["status"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("unchanged"), doc["services"]["payments"]["outcome"].get<std::string>());
        auto restart = httpRequest("POST", admin, "/control/services/payments/restart", "", bearer(kToken), 30000);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(restart.body, 200, restart.status);
        CPPUNIT_ASSERT_EQUAL(std::string("restarted"),
                             nlohmann::json::parse(restart.body)["services"]["payments"]["outcome"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", services.ports["payments"], "/health").status);
        CPPUNIT_ASSERT(host.log().find(kToken) == std::string::npos);  // never logged
    }

    void a_short_admin_token_is_a_bad_environment() {
        ExampleServices services{{"payments"}};
        int admin = freePort();
        auto env = hostEnv(services, admin);
        env["ADMIN_TOKEN"] = "short";
        std::string out;
        std::vector<std::string> argv{ZT_TEST_HOST_BINARY};
        int rc = runCommand(argv, env, out);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out, 2, rc);
        assertContains(out, "ADMIN_TOKEN");
        assertContains(out, "at least 16 characters");
    }

    void notify_messages_arrive_in_order_ready_reloading_ready_stopping() {
        ExampleServices services;
        int admin = freePort();
        NotifySocket notify;
        auto env = hostEnv(services, admin);
        env["NOTIFY_SOCKET"] = notify.path();
        HostProcess host(env, admin);
        CPPUNIT_ASSERT_MESSAGE(host.log(), host.running());
        auto start = notify.read(15000, "READY=1");
        CPPUNIT_ASSERT_MESSAGE(host.log(), !start.empty() && start.back().has("READY=1"));
        CPPUNIT_ASSERT_EQUAL(std::string("3/3 services ready"), start.back().value("STATUS"));
        // READY=1 comes once every port listens and every migration ran: the database is there.
        CPPUNIT_ASSERT_EQUAL(std::string("1"), TestPostgres::fromEnvironment().scalar(
                                                   services.database.name(),
                                                   "SELECT count(*) FROM information_schema.tables WHERE "
                                                   "table_schema = 'ecommerce_users' AND table_name = 'users'"));
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", services.ports["users"], "/health").status);

        ::kill(host.pid(), SIGHUP);
        auto reload = notify.read(30000, "READY=1");
        CPPUNIT_ASSERT_MESSAGE(host.log(), reload.size() >= 2);
        CPPUNIT_ASSERT_MESSAGE(reload.front().text, reload.front().has("RELOADING=1"));
        CPPUNIT_ASSERT(!reload.front().value("MONOTONIC_USEC").empty());
        CPPUNIT_ASSERT(reload.back().has("READY=1"));
        CPPUNIT_ASSERT_EQUAL(std::string("3/3 services ready"), reload.back().value("STATUS"));
        assertContains(host.log(), "SIGHUP: reloading");

        ::kill(host.pid(), SIGTERM);
        auto stop = notify.read(15000, "STOPPING=1");
        CPPUNIT_ASSERT(!stop.empty() && stop.back().has("STOPPING=1"));
        CPPUNIT_ASSERT_EQUAL(0, host.terminate());
    }

    void watchdog_stops_pinging_while_the_handler_pool_is_stuck() {
        ExampleServices services{{"payments"}};
        TestPluginFolder plugins;
        int admin = freePort();
        int misbehaving = freePort();
        services.dir.write("test/misbehaving/service.config.json", R"({"name":"misbehaving","domain":"test","port":)" +
                                                                       std::to_string(misbehaving) +
                                                                       R"(,"plugin":"libzt_misbehaving.so"})");
        NotifySocket notify;
        auto env = hostEnv(services, admin, plugins.path());
        env["NOTIFY_SOCKET"] = notify.path();
        env["WATCHDOG_USEC"] = "600000";  // a ping every 300 ms while all is well
        env["ZT_HTTP_MAX_THREADS"] = "2";
        env["ZT_HANDLER_TIMEOUT_MS"] = "0";
        HostProcess host(env, admin);
        CPPUNIT_ASSERT_MESSAGE(host.log(), host.running());

        auto healthy = notify.read(1500);
        int pings = 0;
        for (const auto& m : healthy) pings += m.text == "WATCHDOG=1";
        CPPUNIT_ASSERT_MESSAGE(std::to_string(pings) + "\n" + host.log(), pings >= 3);

        // Both handler threads sleep 4 s in the plugin and two more requests wait behind them:
        // the pool takes no task for 4 s, so the pings stop; the event loop still turns.
        std::vector<std::thread> clients;
        std::vector<int> statuses(4, 0);
        struct JoinAll {
            std::vector<std::thread>& threads;
            ~JoinAll() {
                for (auto& t : threads) {
                    if (t.joinable()) t.join();
                }
            }
        } joinAll{clients};
        for (int i = 0; i < 4; ++i) {
            clients.emplace_back(
                [&, i] { statuses[i] = httpRequest("GET", misbehaving, "/sleep/4000", "", {}, 15000).status; });
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        // /health/live is answered on the event loop: it does not wait behind the pool.
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", misbehaving, "/health/live", "", {}, 1000).status);
        notify.read(900);  // the pings sent before the stall was seen (within one period) are dropped
        auto stalled = notify.read(2500);
        int stalledPings = 0;
        for (const auto& m : stalled) stalledPings += m.text == "WATCHDOG=1";
        CPPUNIT_ASSERT_EQUAL_MESSAGE(host.log(), 0, stalledPings);
        assertContains(host.log(),
                       "no progress, watchdog pings withheld: service misbehaving: the handler pool took no task");

        for (auto& c : clients) c.join();
        for (int s : statuses) CPPUNIT_ASSERT_EQUAL(200, s);
        auto after = notify.read(1500);
        int resumed = 0;
        for (const auto& m : after) resumed += m.text == "WATCHDOG=1";
        CPPUNIT_ASSERT_MESSAGE(std::to_string(resumed), resumed >= 3);
        assertContains(host.log(), "watchdog pings resumed");
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(OperationsTest);
