// zintrust/testing.hpp over libzintrust-testing.so, as a plugin author uses it: the example orders
// plugin with its real config and migrations, its database on the test PostgreSQL, its calls to
// users and payments answered by stubs.
#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

#include <zintrust/testing.hpp>

#include <chrono>
#include <set>
#include <string>

#include "support/TestSupport.h"

namespace {

using zt::testing::Call;
using zt::testing::Reply;
using zt::testing::TestHost;

const std::string kOrdersPlugin = std::string(ZT_TEST_PLUGIN_DIR) + "/libzt_orders.so";
const std::string kOrdersConfig = std::string(ZT_TEST_SERVICES_DIR) + "/ecommerce/orders/service.config.json";
const std::string kUsersPlugin = std::string(ZT_TEST_PLUGIN_DIR) + "/libzt_users.so";

/// The orders config without its database section, for tests that need none.
const nlohmann::json kNoDatabase = {{"database", nullptr}};

const nlohmann::json kOrder = {{"userId", 7}, {"items", {{{"sku", "book"}, {"quantity", 2}, {"priceCents", 1500}}}}};

class TestHostTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(TestHostTest);
    CPPUNIT_TEST(routes_are_the_ones_the_plugin_registered);
    CPPUNIT_TEST(an_order_is_stored_in_the_real_database_and_read_back);
    CPPUNIT_TEST(a_failing_dependency_rolls_the_transaction_back);
    CPPUNIT_TEST(a_call_without_a_stub_is_404_unknown_service_and_recorded);
    CPPUNIT_TEST(the_hosts_errors_for_unrouted_and_refused_requests);
    CPPUNIT_TEST(health_reports_the_database);
    CPPUNIT_TEST(without_a_database_section_the_plugins_queries_are_refused);
    CPPUNIT_TEST(config_patch_reaches_the_plugin_and_its_log_reaches_the_test);
    CPPUNIT_TEST(bad_inputs_name_the_file_and_the_reason);
    CPPUNIT_TEST_SUITE_END();

public:
    void routes_are_the_ones_the_plugin_registered() {
        TestHost host({.pluginFile = kOrdersPlugin, .configFile = kOrdersConfig, .configPatch = kNoDatabase});
        const std::set<std::pair<std::string, std::string>> expected = {
            {"GET", "/orders"}, {"GET", "/orders/:id"}, {"POST", "/orders"}};
        std::string listed;
        for (const auto& [method, pattern] : host.routes()) listed += method + " " + pattern + "; ";
        const auto routes = host.routes();
        CPPUNIT_ASSERT_MESSAGE(listed, expected == std::set(routes.begin(), routes.end()));
        CPPUNIT_ASSERT_EQUAL(expected.size(), routes.size());
    }

    void an_order_is_stored_in_the_real_database_and_read_back() {
        zt::test::TestDatabase db;
        TestHost host({.pluginFile = kOrdersPlugin, .configFile = kOrdersConfig, .databaseUrl = db.url()});
        host.stub("users", "GET", "/users/7", {200, {}, R"({"id":7,"name":"Ada"})"});
        host.stub("payments", [](const Call& call) {
            return Reply{
                201, {}, R"({"id":41,"amountCents":)" + std::to_string(call.json()["amountCents"].get<int>()) + "}"};
        });
        const auto started = std::chrono::steady_clock::now();
        Reply created = host.postJson("/orders", kOrder, {{"Authorization", "Bearer not-checked-here"}});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(created.body, 201, created.status);
        const auto order = created.json();
        CPPUNIT_ASSERT_EQUAL(std::string("paid"), order["status"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(41LL, order["paymentId"].get<long long>());
        CPPUNIT_ASSERT_EQUAL("/orders/" + std::to_string(order["id"].get<long long>()), *created.header("Location"));

        // What the plugin sent to the payments stub, in the order it sent it.
        const auto calls = host.calls();
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), calls.size());
        CPPUNIT_ASSERT_EQUAL(std::string("users"), calls[0].service);
        CPPUNIT_ASSERT_EQUAL(std::string("payments"), calls[1].service);
        CPPUNIT_ASSERT_EQUAL(std::string("POST"), calls[1].method);
        CPPUNIT_ASSERT_EQUAL(3000, calls[1].json()["amountCents"].get<int>());

        // Stored for real: read back through the plugin and straight from PostgreSQL.
        Reply read = host.get("/orders/" + std::to_string(order["id"].get<long long>()));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(read.body, 200, read.status);
        CPPUNIT_ASSERT_EQUAL(std::string("book"), read.json()["items"][0]["sku"].get<std::string>());
        auto pg = zt::test::TestPostgres::fromEnvironment();
        CPPUNIT_ASSERT_EQUAL(std::string("3000"),
                             pg.scalar(db.name(), "SELECT total_cents FROM ecommerce_orders.orders"));
        // In-process: the whole round trip (two handlers, three transactions' worth of SQL) is quick.
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        CPPUNIT_ASSERT_MESSAGE(std::to_string(ms.count()) + " ms", ms.count() < 5000);
    }

    void a_failing_dependency_rolls_the_transaction_back() {
        zt::test::TestDatabase db;
        TestHost host({.pluginFile = kOrdersPlugin, .configFile = kOrdersConfig, .databaseUrl = db.url()});
        host.stub("users", "GET", "/users/7", {200, {}, R"({"id":7})"});
        host.stub("payments", "POST", "/payments",
                  {503, {}, R"({"error":{"code":"service_unavailable","message":"down"}})"});
        Reply r = host.postJson("/orders", kOrder);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.body, 503, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("dependency_failed"), r.json()["error"]["code"].get<std::string>());
        auto pg = zt::test::TestPostgres::fromEnvironment();
        CPPUNIT_ASSERT_EQUAL(std::string("0"), pg.scalar(db.name(), "SELECT count(*) FROM ecommerce_orders.orders"));

        host.stub("users", "GET", "/users/7", {404, {}, R"({"error":{"code":"not_found","message":"no"}})"});
        r = host.postJson("/orders", kOrder);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.body, 422, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("unknown_user"), r.json()["error"]["code"].get<std::string>());
    }

    void a_call_without_a_stub_is_404_unknown_service_and_recorded() {
        zt::test::TestDatabase db;
        TestHost host({.pluginFile = kOrdersPlugin, .configFile = kOrdersConfig, .databaseUrl = db.url()});
        Reply r = host.postJson("/orders", kOrder);
        // The plugin treats a 404 from users as an unknown user.
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.body, 422, r.status);
        const auto calls = host.calls();
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), calls.size());
        CPPUNIT_ASSERT_EQUAL(std::string("/users/7"), calls[0].target);
        CPPUNIT_ASSERT_EQUAL(std::string("GET"), calls[0].method);
    }

    void the_hosts_errors_for_unrouted_and_refused_requests() {
        TestHost host({.pluginFile = kOrdersPlugin, .configFile = kOrdersConfig, .configPatch = kNoDatabase});
        Reply r = host.get("/nothing-here");
        CPPUNIT_ASSERT_EQUAL(404, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("not_found"), r.json()["error"]["code"].get<std::string>());
        r = host.del("/orders/1");
        CPPUNIT_ASSERT_EQUAL(405, r.status);
        CPPUNIT_ASSERT(r.header("Allow").has_value());
        r = host.get("/orders/abc");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.body, 400, r.status);
        r = host.send({.method = "get", .target = "/orders"});
        CPPUNIT_ASSERT_EQUAL(501, r.status);
        r = host.get("/orders/%zz");
        CPPUNIT_ASSERT_EQUAL(400, r.status);
        CPPUNIT_ASSERT(host.calls().empty());
    }

    void health_reports_the_database() {
        zt::test::TestDatabase db;
        TestHost host({.pluginFile = kOrdersPlugin, .configFile = kOrdersConfig, .databaseUrl = db.url()});
        Reply h = host.health();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(h.body, 200, h.status);
        const auto j = h.json();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(h.body, std::string("healthy"), j["status"].get<std::string>());
        zt::test::assertContains(h.body, "reachable");
    }

    void without_a_database_section_the_plugins_queries_are_refused() {
        TestHost host({.pluginFile = kOrdersPlugin, .configFile = kOrdersConfig, .configPatch = kNoDatabase});
        Reply r = host.get("/orders");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.body, 500, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("no_database"), r.json()["error"]["code"].get<std::string>());
    }

    void config_patch_reaches_the_plugin_and_its_log_reaches_the_test() {
        zt::test::TestDatabase db;
        TestHost host({.pluginFile = kOrdersPlugin,
                       .configFile = kOrdersConfig,
                       .configPatch = {{"database", {{"schema", "orders_under_test"}}}},
                       .databaseUrl = db.url()});
        auto pg = zt::test::TestPostgres::fromEnvironment();
        CPPUNIT_ASSERT_EQUAL(std::string("1"), pg.scalar(db.name(),
                                                         "SELECT count(*) FROM pg_tables WHERE schemaname = "
                                                         "'orders_under_test' AND tablename = 'orders'"));
        host.stub("users", "GET", "/users/7", {500, {}, "boom"});
        CPPUNIT_ASSERT_EQUAL(503, host.postJson("/orders", kOrder).status);

        // The users plugin logs from its configure(): the line reaches the test with its level.
        TestHost users({.pluginFile = kUsersPlugin,
                        .configFile = std::string(ZT_TEST_SERVICES_DIR) + "/ecommerce/users/service.config.json",
                        .databaseUrl = db.url()});
        CPPUNIT_ASSERT_MESSAGE("the plugin's log line did not reach the test",
                               users.logged("users service configured"));
        bool info = false;
        for (const auto& line : users.logs()) info |= line.level == ZT_LOG_INFORMATION;
        CPPUNIT_ASSERT(info);
    }

    void bad_inputs_name_the_file_and_the_reason() {
        zt::test::TempDir dir;
        const std::string bad =
            dir.write("service.config.json", R"({"name":"orders","domain":"ecommerce","port":"x"})");
        assertThrows([&] { TestHost({.pluginFile = kOrdersPlugin, .configFile = bad}); }, bad + ": port");
        assertThrows(
            [&] {
                TestHost({.pluginFile = dir.path() + "/missing.so",
                          .configFile = kOrdersConfig,
                          .configPatch = kNoDatabase});
            },
            dir.path() + "/missing.so");
        assertThrows(
            [&] { TestHost({.pluginFile = kUsersPlugin, .configFile = kOrdersConfig, .configPatch = kNoDatabase}); },
            "the plugin says its service is 'users'");
        assertThrows(
            [&] {
                TestHost({.pluginFile = kOrdersPlugin,
                          .configFile = kOrdersConfig,
                          .databaseUrl = "postgresql://nobody:wrong@127.0.0.1:1/none"});
            },
            "is not ready");
        assertThrows([&] { TestHost({.pluginFile = kOrdersPlugin, .configFile = dir.path() + "/none.json"}); },
                     "cannot be read");
        assertThrows([&] { TestHost({.pluginFile = kOrdersPlugin, .configFile = kOrdersConfig}); },
                     kOrdersConfig + ": database: service orders has a database");
    }

private:
    template <typename F>
    static void assertThrows(F&& fn, const std::string& part) {
        try {
            fn();
        } catch (const std::runtime_error& e) {
            zt::test::assertContains(e.what(), part);
            return;
        }
        CPPUNIT_FAIL("no error; expected one containing: " + part);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(TestHostTest);

}  // namespace
