// The database layer through the real host and the C ABI (docs/DATABASE.md): the example services on
// PostgreSQL, isolation, migrations, transactions, raw SQL gating, pool stats, and recovery after a
// PostgreSQL restart - against the private server scripts/test starts.
#include <cppunit/extensions/HelperMacros.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "support/TestSupport.h"

using namespace zt::test;

namespace {
std::map<std::string, std::string> usersAuth() { return {{"X-API-Key", kTestApiKey}}; }
std::map<std::string, std::string> ordersAuth() { return {{"Authorization", "Bearer " + testJwt("user-1")}}; }

/// Adds the db_probe test service (its own schema "probe_db", a notes table) to `services`.
int addDbProbe(ExampleServices& services);

/// Example services `names` plus the db_probe service, in one host with the test plugins.
struct ProbeHost {
    ExampleServices services;
    TestPluginFolder plugins;
    int port;
    int admin = freePort();
    std::map<std::string, std::string> env;
    std::unique_ptr<HostProcess> host;

    explicit ProbeHost(const std::vector<std::string>& names, std::map<std::string, std::string> extraEnv = {})
        : services(names), port(addDbProbe(services)) {
        env = hostEnv(services, admin, plugins.path());
        for (const auto& [k, v] : extraEnv) env[k] = v;
        host = std::make_unique<HostProcess>(env, admin);
    }
};

int addDbProbe(ExampleServices& services) {
    int port = freePort();
    services.dir.write("probe/db/service.config.json",
                       R"({"name":"db","domain":"probe","port":)" + std::to_string(port) +
                           R"(,"plugin":"libzt_db_probe.so","database":{"isolation":"shared","migrations":true}})");
    services.dir.write("probe/db/migrations/001_notes.sql",
                       "CREATE TABLE notes (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL);\n");
    return port;
}

void runShell(const char* variable) {
    const char* cmd = std::getenv(variable);
    if (cmd == nullptr) throw std::runtime_error(std::string(variable) + " is not set: run ./scripts/test");
    if (std::system((std::string(cmd) + " >/dev/null 2>&1").c_str()) != 0)
        throw std::runtime_error(std::string("command failed: ") + cmd);
}

/// Stops the private PostgreSQL; starts it again on start() or, at the latest, on destruction.
class PostgresOutage {
public:
    PostgresOutage() { runShell("ZT_TEST_PG_STOP_CMD"); }
    ~PostgresOutage() {
        try {
            start();
        } catch (...) {
        }
    }
    void start() {
        if (down_) runShell("ZT_TEST_PG_START_CMD");
        down_ = false;
    }

private:
    bool down_ = true;
};
}  // namespace

class DatabaseServicesTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DatabaseServicesTest);
    CPPUNIT_TEST(users_crud_is_stored_in_the_service_schema_and_duplicate_email_is_409);
    CPPUNIT_TEST(order_and_items_are_written_in_one_transaction);
    CPPUNIT_TEST(payments_use_their_own_database_and_idempotency_keys);
    CPPUNIT_TEST(health_reports_database_latency_and_admin_shows_pool_stats);
    CPPUNIT_TEST(transaction_rolls_back_when_the_body_throws_and_savepoints_are_partial);
    CPPUNIT_TEST(builder_cannot_reach_another_services_table);
    CPPUNIT_TEST(raw_sql_is_refused_without_use_raw_qry_and_confined_with_it);
    CPPUNIT_TEST(typed_values_keep_microseconds_and_numeric_precision);
    CPPUNIT_TEST(failed_migration_keeps_the_service_not_ready_and_is_retried_until_fixed);
    CPPUNIT_TEST(database_down_at_start_then_up_becomes_healthy);
    CPPUNIT_TEST(postgres_restart_gives_503_then_recovers_without_host_restart);
    CPPUNIT_TEST(every_write_acknowledged_during_an_outage_under_load_is_stored);
    CPPUNIT_TEST(pool_wait_past_the_connection_timeout_is_503_with_retry_after);
    CPPUNIT_TEST_SUITE_END();

public:
    void users_crud_is_stored_in_the_service_schema_and_duplicate_email_is_409() {
        ExampleServices services({"users"});
        int admin = freePort();
        HostProcess host(hostEnv(services, admin), admin);
        int port = services.ports["users"];
        auto created = httpRequest("POST", port, "/users", R"({"name":"Ada","email":"ada@example.com"})", usersAuth());
        CPPUNIT_ASSERT_EQUAL_MESSAGE(created.body + host.log(), 201, created.status);
        assertContains(created.body, "\"id\":1");
        auto pg = TestPostgres::fromEnvironment();
        CPPUNIT_ASSERT_EQUAL(
            std::string("ada@example.com"),
            pg.scalar(services.database.name(), "SELECT email FROM ecommerce_users.users WHERE id = 1"));
        CPPUNIT_ASSERT_EQUAL(std::string("1:create_users"),
                             pg.scalar(services.database.name(),
                                       "SELECT version || ':' || name FROM ecommerce_users.schema_migrations"));
        auto dup = httpRequest("POST", port, "/users", R"({"name":"Other","email":"ada@example.com"})", usersAuth());
        CPPUNIT_ASSERT_EQUAL(409, dup.status);
        assertContains(dup.body, "\"code\":\"email_taken\"");
        auto updated = httpRequest("PUT", port, "/users/1", R"({"name":"Ada L."})", usersAuth());
        CPPUNIT_ASSERT_EQUAL_MESSAGE(updated.body, 200, updated.status);
        assertContains(updated.body, "\"name\":\"Ada L.\"");
        CPPUNIT_ASSERT_EQUAL(404, httpRequest("GET", port, "/users/99", "", usersAuth()).status);
        // Malformed ids and query integers are the client's mistake: 400 naming them, never a 500.
        auto abc = httpRequest("GET", port, "/users/abc", "", usersAuth());
        CPPUNIT_ASSERT_EQUAL_MESSAGE(abc.body, 400, abc.status);
        assertContains(abc.body, "\"code\":\"bad_request\"");
        assertContains(abc.body, "path parameter 'id' must be a positive integer, got 'abc'");
        auto limit = httpRequest("GET", port, "/users?limit=9999", "", usersAuth());
        CPPUNIT_ASSERT_EQUAL_MESSAGE(limit.body, 400, limit.status);
        assertContains(limit.body, "query parameter 'limit' must be an integer in [1, 500]");
        auto injection =
            httpRequest("POST", port, "/users", R"({"name":"x'); DROP TABLE users; --","email":"e@x"})", usersAuth());
        CPPUNIT_ASSERT_EQUAL(201, injection.status);
        CPPUNIT_ASSERT_EQUAL(std::string("2"),
                             pg.scalar(services.database.name(), "SELECT count(*) FROM ecommerce_users.users"));
        CPPUNIT_ASSERT_EQUAL(204, httpRequest("DELETE", port, "/users/1", "", usersAuth()).status);
        CPPUNIT_ASSERT_EQUAL(404, httpRequest("DELETE", port, "/users/1", "", usersAuth()).status);
        auto list = httpRequest("GET", port, "/users?limit=10", "", usersAuth());
        assertContains(list.body, "DROP TABLE");
        CPPUNIT_ASSERT_EQUAL(400, httpRequest("GET", port, "/users?limit=abc", "", usersAuth()).status);
    }

    void order_and_items_are_written_in_one_transaction() {
        ExampleServices services;
        int admin = freePort();
        HostProcess host(hostEnv(services, admin), admin);
        int port = services.ports["orders"];
        for (int i = 0; i < 7; ++i) {
            CPPUNIT_ASSERT_EQUAL(201,
                                 httpRequest("POST", services.ports["users"], "/users",
                                             "{\"name\":\"U\",\"email\":\"u" + std::to_string(i) + "@x\"}", usersAuth())
                                     .status);
        }
        auto created = httpRequest(
            "POST", port, "/orders",
            R"({"userId":7,"items":[{"sku":"A","quantity":2,"priceCents":250},{"sku":"B","quantity":1,"priceCents":100}]})",
            ordersAuth());
        CPPUNIT_ASSERT_EQUAL_MESSAGE(created.body + host.log(), 201, created.status);
        assertContains(created.body, "\"totalCents\":600");
        auto fetched = httpRequest("GET", port, "/orders/1", "", ordersAuth());
        assertContains(fetched.body, "\"sku\":\"B\"");
        // An invalid item value fails inside the transaction (CHECK quantity > 0 is enforced by
        // validation first; a too-long SKU is refused before any write).
        auto bad = httpRequest("POST", port, "/orders",
                               R"({"userId":7,"items":[{"sku":"A","quantity":0,"priceCents":1}]})", ordersAuth());
        CPPUNIT_ASSERT_EQUAL(422, bad.status);
        auto pg = TestPostgres::fromEnvironment();
        CPPUNIT_ASSERT_EQUAL(std::string("1"),
                             pg.scalar(services.database.name(), "SELECT count(*) FROM ecommerce_orders.orders"));
        CPPUNIT_ASSERT_EQUAL(std::string("2"),
                             pg.scalar(services.database.name(), "SELECT count(*) FROM ecommerce_orders.order_items"));
        auto byUser = httpRequest("GET", port, "/orders?userId=7", "", ordersAuth());
        assertContains(byUser.body, "\"userId\":7");

        // The list carries each order's own items (read in one query for the page, then grouped).
        CPPUNIT_ASSERT_EQUAL(
            201, httpRequest("POST", port, "/orders",
                             R"({"userId":3,"items":[{"sku":"C","quantity":3,"priceCents":10}]})", ordersAuth())
                     .status);
        auto all = httpRequest("GET", port, "/orders", "", ordersAuth());
        CPPUNIT_ASSERT_EQUAL_MESSAGE(all.body, 200, all.status);
        Poco::JSON::Parser parser;
        auto list = parser.parse(all.body).extract<Poco::JSON::Object::Ptr>()->getArray("orders");
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), list->size());
        auto skus = [&](std::size_t i) {
            std::string out;
            auto items = list->getObject(static_cast<unsigned>(i))->getArray("items");
            for (std::size_t k = 0; k < items->size(); ++k)
                out += items->getObject(static_cast<unsigned>(k))->getValue<std::string>("sku");
            return out;
        };
        CPPUNIT_ASSERT_EQUAL(std::string("AB"), skus(0));
        CPPUNIT_ASSERT_EQUAL(std::string("C"), skus(1));
        auto none = httpRequest("GET", port, "/orders?userId=5", "", ordersAuth());
        CPPUNIT_ASSERT_EQUAL(std::string("{\"orders\":[]}"), none.body);
    }

    void payments_use_their_own_database_and_idempotency_keys() {
        ExampleServices services({"payments"});
        int admin = freePort();
        HostProcess host(hostEnv(services, admin), admin);
        int port = services.ports["payments"];
        auto first = httpRequest("POST", port, "/payments", R"({"orderId":1,"amountCents":500,"currency":"EUR"})",
                                 {{"Idempotency-Key", "k-1"}});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(first.body + host.log(), 201, first.status);
        auto replay = httpRequest("POST", port, "/payments", R"({"orderId":1,"amountCents":500,"currency":"EUR"})",
                                  {{"Idempotency-Key", "k-1"}});
        CPPUNIT_ASSERT_EQUAL(200, replay.status);
        CPPUNIT_ASSERT_EQUAL(std::string("true"), replay.header("idempotent-replayed"));
        auto misuse =
            httpRequest("POST", port, "/payments", R"({"orderId":2,"amountCents":500})", {{"Idempotency-Key", "k-1"}});
        CPPUNIT_ASSERT_EQUAL(422, misuse.status);
        auto pg = TestPostgres::fromEnvironment();
        std::string isolatedDb = services.database.name() + "_payments";
        CPPUNIT_ASSERT_EQUAL(std::string("1"),
                             pg.scalar(isolatedDb, "SELECT count(*) FROM ecommerce_payments.payments"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), pg.scalar(services.database.name(),
                                                        "SELECT 1 FROM pg_tables WHERE tablename = 'payments'"));
    }

    void health_reports_database_latency_and_admin_shows_pool_stats() {
        ExampleServices services({"users", "payments"});
        int admin = freePort();
        HostProcess host(hostEnv(services, admin), admin);
        auto health = httpRequest("GET", services.ports["users"], "/health");
        CPPUNIT_ASSERT_EQUAL(200, health.status);
        assertContains(health.body, "\"database\":{\"status\":\"healthy\",\"message\":\"reachable\",\"latencyMs\":");
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", services.ports["users"], "/health/ready").status);
        auto pools = httpRequest("GET", admin, "/db/pool");
        CPPUNIT_ASSERT_EQUAL(200, pools.status);
        assertContains(pools.body, "\"users\":{\"database\":\"" + services.database.name() +
                                       "\",\"role\":\"ecommerce_users\",\"totalConnections\":");
        assertContains(pools.body, "\"payments\":{\"database\":\"" + services.database.name() +
                                       "_payments\",\"role\":\"ecommerce_payments\",\"totalConnections\":");
        assertContains(pools.body, "\"waitingRequests\":0");
        assertContains(pools.body, "\"waitTimeouts\":0");
    }

    void transaction_rolls_back_when_the_body_throws_and_savepoints_are_partial() {
        ProbeHost probe({"users"});
        int port = probe.port;
        auto rolled = httpRequest("POST", port, "/notes/rollback");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(rolled.body + probe.host->log(), 409, rolled.status);
        assertContains(rolled.body, "rolled_back_on_purpose");
        CPPUNIT_ASSERT_EQUAL(std::string("{\"count\":0}"), httpRequest("GET", port, "/notes/count").body);
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("POST", port, "/notes/savepoint").status);
        auto pg = TestPostgres::fromEnvironment();
        CPPUNIT_ASSERT_EQUAL(std::string("outer"), pg.scalar(probe.services.database.name(),
                                                             "SELECT string_agg(body, ',') FROM probe_db.notes"));
    }

    void builder_cannot_reach_another_services_table() {
        ProbeHost probe({"users"});
        int port = probe.port;
        CPPUNIT_ASSERT_EQUAL(201, httpRequest("POST", probe.services.ports["users"], "/users",
                                              R"({"name":"S","email":"secret@x"})", usersAuth())
                                      .status);
        auto peek = httpRequest("GET", port, "/peek/users");
        CPPUNIT_ASSERT(peek.status >= 400);
        CPPUNIT_ASSERT(peek.body.find("secret@x") == std::string::npos);
        auto qualified = httpRequest("GET", port, "/peek/ecommerce_users.users");
        CPPUNIT_ASSERT_EQUAL(400, qualified.status);  // not an identifier: refused before SQL
        CPPUNIT_ASSERT(qualified.body.find("secret@x") == std::string::npos);
    }

    void raw_sql_is_refused_without_use_raw_qry_and_confined_with_it() {
        ExampleServices services(std::vector<std::string>{});
        TestPluginFolder plugins;
        int port = addDbProbe(services);
        int admin = freePort();
        auto env = hostEnv(services, admin, plugins.path());
        {
            HostProcess host(env, admin);
            auto refused = httpRequest("GET", port, "/schema");
            CPPUNIT_ASSERT_EQUAL_MESSAGE(refused.body + host.log(), 403, refused.status);
            assertContains(refused.body, "USE_RAW_QRY");
        }
        env["USE_RAW_QRY"] = "true";
        HostProcess host(env, admin);
        auto allowed = httpRequest("GET", port, "/schema");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(allowed.body, 200, allowed.status);
        assertContains(allowed.body, "\"schema\":\"probe_db\"");
        assertContains(allowed.body, "\"search_path\":\"probe_db\"");
    }

    void typed_values_keep_microseconds_and_numeric_precision() {
        ProbeHost probe(std::vector<std::string>{}, {{"USE_RAW_QRY", "true"}});
        int port = probe.port;
        auto typed = httpRequest("GET", port, "/typed");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(typed.body, 200, typed.status);
        assertContains(typed.body, ".123456");
        assertContains(typed.body, "\"n\":\"12345678901234567890.123456789\"");
        assertContains(typed.body, "\"u\":\"3f2504e0-4f89-11d3-9a0c-0305e82c3301\"");
        assertContains(typed.body, "\"j\":{\"k\":[1,2]}");
        assertContains(typed.body, "\"b\":true");
        assertContains(typed.body, "\"zIsNull\":true");
    }

    void failed_migration_keeps_the_service_not_ready_and_is_retried_until_fixed() {
        ExampleServices services({"payments"});
        TestPluginFolder plugins;
        int port = addDbProbe(services);
        auto broken = services.dir.write("probe/db/migrations/002_broken.sql", "CREATE TABLE broken (id INT,,);\n");
        int admin = freePort();
        HostProcess host(hostEnv(services, admin, plugins.path()), admin);
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", services.ports["payments"], "/health").status);
        auto log = host.log();
        assertContains(log, "002_broken.sql");
        assertContains(log, "syntax error");
        assertContains(log, "service db: database not ready at start, retrying in the background");
        // Serving, not ready: database calls fail fast naming the migration, health says why.
        CPPUNIT_ASSERT_EQUAL(503, httpRequest("GET", port, "/health/ready").status);
        auto call = httpRequest("GET", port, "/notes/count");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(call.body, 503, call.status);
        assertContains(call.body, "migration_failed");
        assertContains(httpRequest("GET", admin, "/health/services").body, "\"db\":{\"status\":\"unhealthy\"");
        auto pg = TestPostgres::fromEnvironment();
        CPPUNIT_ASSERT_EQUAL(
            std::string("notes"),
            pg.scalar(services.database.name(), "SELECT string_agg(name, ',') FROM probe_db.schema_migrations"));
        // The operator fixes the file: the service becomes ready without a restart.
        services.dir.write("probe/db/migrations/002_broken.sql", "CREATE TABLE broken (id INT);\n");
        int ready = 0;
        for (int i = 0; i < 100 && (ready = httpRequest("GET", port, "/health/ready").status) != 200; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(host.log(), 200, ready);
        CPPUNIT_ASSERT_EQUAL(
            std::string("notes,broken"),
            pg.scalar(services.database.name(),
                      "SELECT string_agg(name, ',' ORDER BY version) FROM probe_db.schema_migrations"));
        CPPUNIT_ASSERT_EQUAL(std::string("{\"count\":0}"), httpRequest("GET", port, "/notes/count").body);
        (void)broken;
    }

    void database_down_at_start_then_up_becomes_healthy() {
        ExampleServices services({"payments"});
        int admin = freePort();
        auto env = hostEnv(services, admin);
        // The private server is stopped before the host starts and started again below.
        env["DB_POOL_CONNECTION_TIMEOUT_MS"] = "1000";
        PostgresOutage outage;
        HostProcess host(env, admin);
        CPPUNIT_ASSERT_MESSAGE(host.log(), host.running());
        auto down = httpRequest("GET", services.ports["payments"], "/health");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(down.body, 503, down.status);
        assertContains(down.body, "\"database\":{\"status\":\"unhealthy\"");
        CPPUNIT_ASSERT_EQUAL(503, httpRequest("GET", services.ports["payments"], "/health/ready").status);
        auto call = httpRequest("GET", services.ports["payments"], "/payments/1");
        CPPUNIT_ASSERT_EQUAL(503, call.status);
        CPPUNIT_ASSERT(!call.header("retry-after").empty());
        outage.start();
        HttpResult up;
        for (int i = 0; i < 50; ++i) {
            up = httpRequest("GET", services.ports["payments"], "/health");
            if (up.status == 200) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        CPPUNIT_ASSERT_EQUAL_MESSAGE(up.body, 200, up.status);
        auto created = httpRequest("POST", services.ports["payments"], "/payments", R"({"orderId":1,"amountCents":5})");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(created.body, 201, created.status);
    }

    void postgres_restart_gives_503_then_recovers_without_host_restart() {
        ExampleServices services({"users"});
        int admin = freePort();
        auto env = hostEnv(services, admin);
        env["DB_POOL_CONNECTION_TIMEOUT_MS"] = "1000";
        HostProcess host(env, admin);
        int port = services.ports["users"];
        CPPUNIT_ASSERT_EQUAL(201,
                             httpRequest("POST", port, "/users", R"({"name":"A","email":"a@x"})", usersAuth()).status);
        PostgresOutage outage;
        auto during = httpRequest("GET", port, "/users/1", "", usersAuth());
        CPPUNIT_ASSERT_EQUAL_MESSAGE(during.body, 503, during.status);
        CPPUNIT_ASSERT_EQUAL(std::string("1"), during.header("retry-after"));
        outage.start();
        HttpResult after;
        for (int i = 0; i < 50; ++i) {
            after = httpRequest("GET", port, "/users/1", "", usersAuth());
            if (after.status == 200) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        CPPUNIT_ASSERT_EQUAL_MESSAGE(after.body, 200, after.status);
        assertContains(after.body, "\"email\":\"a@x\"");
        CPPUNIT_ASSERT(host.running());
        // The operator sees why requests failed (rate-limited: one line per second at most).
        assertContains(host.log(), "service users: database call failed (database_unavailable): ");
    }

    void every_write_acknowledged_during_an_outage_under_load_is_stored() {
        ExampleServices services({"users"});
        int admin = freePort();
        auto env = hostEnv(services, admin);
        env["DB_POOL_CONNECTION_TIMEOUT_MS"] = "1000";
        HostProcess host(env, admin);
        int port = services.ports["users"];
        struct Outcome {
            std::string email;
            int status;
            long long ms;
        };
        std::mutex mutex;
        std::vector<Outcome> outcomes;
        std::atomic<bool> stop{false};
        auto writer = [&](int id) {
            for (int i = 0; !stop.load(); ++i) {
                std::string email = "w" + std::to_string(id) + "-" + std::to_string(i) + "@x";
                auto t0 = std::chrono::steady_clock::now();
                auto r = httpRequest("POST", port, "/users", "{\"name\":\"W\",\"email\":\"" + email + "\"}",
                                     usersAuth(), 10000);
                auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
                              .count();
                std::lock_guard<std::mutex> lock(mutex);
                outcomes.push_back({email, r.status, ms});
            }
        };
        std::vector<std::thread> writers;
        for (int i = 0; i < 4; ++i) writers.emplace_back(writer, i);
        std::this_thread::sleep_for(std::chrono::milliseconds(700));
        {
            PostgresOutage outage;
            std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        stop = true;
        for (auto& t : writers) t.join();

        auto pg = TestPostgres::fromEnvironment();
        int ok = 0, unavailable = 0;
        for (const auto& o : outcomes) {
            CPPUNIT_ASSERT_MESSAGE(o.email + " got " + std::to_string(o.status), o.status == 201 || o.status == 503);
            // Fails fast: the pool wait (1 s) plus a margin, never a hang.
            CPPUNIT_ASSERT_MESSAGE(o.email + " took " + std::to_string(o.ms) + " ms", o.ms < 3000);
            if (o.status == 201) {
                ++ok;
                CPPUNIT_ASSERT_EQUAL_MESSAGE(
                    o.email + " acknowledged but not stored", std::string("1"),
                    pg.scalar(services.database.name(),
                              "SELECT count(*) FROM ecommerce_users.users WHERE email = '" + o.email + "'"));
            } else {
                ++unavailable;
            }
        }
        CPPUNIT_ASSERT_MESSAGE("no write succeeded", ok > 0);
        CPPUNIT_ASSERT_MESSAGE("the outage was not observed", unavailable > 0);
        // After the outage the service writes again.
        CPPUNIT_ASSERT_EQUAL(
            201, httpRequest("POST", port, "/users", R"({"name":"After","email":"after@x"})", usersAuth()).status);
    }

    void pool_wait_past_the_connection_timeout_is_503_with_retry_after() {
        ProbeHost probe(std::vector<std::string>{},
                        {{"USE_RAW_QRY", "true"}, {"DB_POOL_MAX", "1"}, {"DB_POOL_CONNECTION_TIMEOUT_MS", "300"}});
        int port = probe.port;
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", port, "/notes/count").status);  // warm the one connection
        auto holder = std::async(std::launch::async, [port] { return httpRequest("GET", port, "/hold/1500"); });
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        auto started = std::chrono::steady_clock::now();
        auto waited = httpRequest("GET", port, "/notes/count");
        auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(waited.body, 503, waited.status);
        assertContains(waited.body, "\"code\":\"pool_timeout\"");
        CPPUNIT_ASSERT_EQUAL(std::string("1"), waited.header("retry-after"));
        CPPUNIT_ASSERT_MESSAGE(std::to_string(ms) + " ms", ms >= 250 && ms < 1200);  // waited ~300 ms, no longer
        CPPUNIT_ASSERT_EQUAL(200, holder.get().status);
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", port, "/notes/count").status);  // the pool recovers
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(DatabaseServicesTest);
