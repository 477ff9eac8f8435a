// A hung PostgreSQL (every server process stopped with SIGSTOP, not crashed: connections stay
// open and never answer): health answers within SERVICE_HEALTH_CHECK_TIMEOUT_MS, unhealthy, and
// recovers once the server runs again (docs/HEALTH.md).
#include <cppunit/extensions/HelperMacros.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "support/TestSupport.h"

using namespace zt::test;
using namespace std::chrono;

namespace {

/// Stops the private PostgreSQL's postmaster and every backend; resumes them on destruction.
class PostgresFreeze {
public:
    PostgresFreeze() {
        const char* dir = std::getenv("ZT_PG_DIR");
        if (!dir) throw std::runtime_error("ZT_PG_DIR is not set: run ./scripts/test");
        std::ifstream pidFile(std::string(dir) + "/data/postmaster.pid");
        pid_t postmaster = 0;
        pidFile >> postmaster;
        if (postmaster <= 0) throw std::runtime_error("no postmaster.pid in " + std::string(dir));
        pids_.push_back(postmaster);
        for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
            std::ifstream status(entry.path() / "status");
            std::string line;
            while (std::getline(status, line)) {
                if (line.rfind("PPid:", 0) == 0 && std::stol(line.substr(5)) == postmaster)
                    pids_.push_back(static_cast<pid_t>(std::stol(entry.path().filename().string())));
            }
        }
        ::kill(postmaster, SIGSTOP);  // first, so it forks no new backend we would miss
        for (std::size_t i = 1; i < pids_.size(); ++i) ::kill(pids_[i], SIGSTOP);
    }
    ~PostgresFreeze() { release(); }
    void release() {
        for (auto pid : pids_) ::kill(pid, SIGCONT);
        pids_.clear();
    }

private:
    std::vector<pid_t> pids_;
};

struct Timed {
    HttpResult result;
    long long ms;
};
Timed timed(int port, const std::string& path) {
    auto t0 = steady_clock::now();
    auto r = httpRequest("GET", port, path, "", {}, 10000);
    return {r, duration_cast<milliseconds>(steady_clock::now() - t0).count()};
}

}  // namespace

class HungDatabaseTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(HungDatabaseTest);
    CPPUNIT_TEST(health_answers_503_within_the_check_timeout_while_the_database_hangs);
    CPPUNIT_TEST(start_up_with_the_database_hung_ends_with_every_service_ready_once_it_runs);
    CPPUNIT_TEST(a_200_ms_deadline_on_a_hung_database_is_504_within_450_ms_and_frees_the_pool_slot);
    CPPUNIT_TEST(requests_beyond_the_pool_wait_at_the_gate_and_get_the_pools_503_at_its_timeout);
    CPPUNIT_TEST_SUITE_END();

public:
    void health_answers_503_within_the_check_timeout_while_the_database_hangs() {
        constexpr int kTimeoutMs = 500;
        ExampleServices services({"users", "payments"});
        int admin = freePort();
        auto env = hostEnv(services, admin);
        env["SERVICE_HEALTH_CHECK_TIMEOUT_MS"] = std::to_string(kTimeoutMs);
        HostProcess host(env, admin);
        const int users = services.ports["users"];
        CPPUNIT_ASSERT_EQUAL_MESSAGE(host.log(), 200, httpRequest("GET", users, "/health").status);
        {
            PostgresFreeze freeze;
            std::this_thread::sleep_for(milliseconds(1100));  // past the database check's 1 s reuse
            for (int round = 0; round < 3; ++round) {
                for (const char* path : {"/health", "/health/ready"}) {
                    auto t = timed(users, path);
                    CPPUNIT_ASSERT_EQUAL_MESSAGE(std::string(path) + ": " + t.result.body, 503, t.result.status);
                    CPPUNIT_ASSERT_MESSAGE(std::string(path) + " took " + std::to_string(t.ms) + " ms",
                                           t.ms <= kTimeoutMs + 100);
                }
            }
            auto health = httpRequest("GET", users, "/health");
            assertContains(health.body,
                           "\"database\":{\"status\":\"unhealthy\",\"message\":\"the database did not answer within ");
            auto live = timed(users, "/health/live");
            CPPUNIT_ASSERT_EQUAL(200, live.result.status);
            CPPUNIT_ASSERT_MESSAGE(std::to_string(live.ms), live.ms <= 100);
            auto aggregate = timed(admin, "/health/services");
            CPPUNIT_ASSERT_EQUAL_MESSAGE(aggregate.result.body, 503, aggregate.result.status);
            CPPUNIT_ASSERT_MESSAGE("admin /health/services took " + std::to_string(aggregate.ms) + " ms",
                                   aggregate.ms <= kTimeoutMs + 100);
        }
        // Running again: healthy without a restart.
        auto deadline = steady_clock::now() + seconds(15);
        int status = 0;
        while (steady_clock::now() < deadline && (status = httpRequest("GET", users, "/health").status) != 200)
            std::this_thread::sleep_for(milliseconds(100));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(host.log(), 200, status);
    }

    void start_up_with_the_database_hung_ends_with_every_service_ready_once_it_runs() {
        ExampleServices services({"users", "payments"});  // shared and isolated
        int admin = freePort();
        auto env = hostEnv(services, admin);
        env["DB_POOL_CONNECTION_TIMEOUT_MS"] = "1000";
        auto freeze = std::make_unique<PostgresFreeze>();
        HostProcess host(env, admin, 30000);
        CPPUNIT_ASSERT_MESSAGE(host.log(), host.running());
        for (const char* name : {"users", "payments"}) {
            auto ready = httpRequest("GET", services.ports[name], "/health/ready");
            CPPUNIT_ASSERT_EQUAL_MESSAGE(std::string(name) + ": " + ready.body, 503, ready.status);
        }
        CPPUNIT_ASSERT_EQUAL(503, httpRequest("GET", admin, "/health/services").status);
        std::this_thread::sleep_for(milliseconds(1500));  // a few background attempts fail meanwhile
        freeze.reset();
        auto deadline = steady_clock::now() + seconds(20);
        int status = 0;
        while (steady_clock::now() < deadline && (status = httpRequest("GET", admin, "/health/services").status) != 200)
            std::this_thread::sleep_for(milliseconds(200));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(host.log(), 200, status);
        auto log = host.log();
        assertContains(log, "service users: database not ready at start, retrying in the background");
        assertContains(log, "service payments: database ready");
        auto created = httpRequest("POST", services.ports["payments"], "/payments", R"({"orderId":1,"amountCents":5})");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(created.body, 201, created.status);
    }

    void a_200_ms_deadline_on_a_hung_database_is_504_within_450_ms_and_frees_the_pool_slot() {
        ExampleServices services({"users"});
        int admin = freePort();
        auto env = hostEnv(services, admin);
        env["DB_POOL_MAX"] = "1";  // one slot: a request that kept it would block every later one
        HostProcess host(env, admin);
        const int users = services.ports["users"];
        const std::map<std::string, std::string> key = {{"X-API-Key", kTestApiKey}};
        CPPUNIT_ASSERT_EQUAL(
            201, httpRequest("POST", users, "/users", R"({"name":"Ada","email":"ada@example.com"})", key).status);
        auto deadline = key;
        deadline["X-Request-Timeout-Ms"] = "200";
        {
            PostgresFreeze freeze;
            for (int i = 0; i < 3; ++i) {
                auto t0 = steady_clock::now();
                auto r = httpRequest("GET", users, "/users/1", "", deadline, 5000);
                auto ms = duration_cast<milliseconds>(steady_clock::now() - t0).count();
                CPPUNIT_ASSERT_EQUAL_MESSAGE(r.body, 504, r.status);
                assertContains(r.body, "\"code\":\"deadline_exceeded\"");
                CPPUNIT_ASSERT_MESSAGE("took " + std::to_string(ms) + " ms", ms <= 450);
            }
        }
        // Running again: the slot the timed-out requests held is free, the next request is served.
        auto until = steady_clock::now() + seconds(15);
        int status = 0;
        while (steady_clock::now() < until && (status = httpRequest("GET", users, "/users/1", "", key).status) != 200)
            std::this_thread::sleep_for(milliseconds(100));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(host.log(), 200, status);
        auto pools = httpRequest("GET", admin, "/db/pool");
        assertContains(pools.body, "\"waitingRequests\":0");
    }

    // The handler gate (docs/HTTP.md: handler threads and the database pool): with the database
    // hung, the pool's two connections are held by two requests; the two beyond them wait at the
    // gate (not in the pool), get the pool's 503 once they waited DB_POOL_CONNECTION_TIMEOUT_MS in
    // all, and health probes skip the gate.
    void requests_beyond_the_pool_wait_at_the_gate_and_get_the_pools_503_at_its_timeout() {
        constexpr int kPoolTimeoutMs = 600;
        ExampleServices services({"users"});
        int admin = freePort();
        auto env = hostEnv(services, admin);
        env["DB_POOL_MAX"] = "2";
        env["DB_POOL_CONNECTION_TIMEOUT_MS"] = std::to_string(kPoolTimeoutMs);
        env["SERVICE_HEALTH_CHECK_TIMEOUT_MS"] = "500";
        HostProcess host(env, admin);
        const int users = services.ports["users"];
        std::map<std::string, std::string> headers = {{"X-API-Key", kTestApiKey}};
        CPPUNIT_ASSERT_EQUAL(
            201, httpRequest("POST", users, "/users", R"({"name":"Ada","email":"ada@example.com"})", headers).status);
        // Both connections open and idle, so the first two requests get one each.
        for (int i = 0; i < 2; ++i) {
            std::thread a([&] { httpRequest("GET", users, "/users/1", "", headers); });
            std::thread b([&] { httpRequest("GET", users, "/users/1", "", headers); });
            a.join();
            b.join();
        }
        headers["X-Request-Timeout-Ms"] = "3000";
        std::this_thread::sleep_for(milliseconds(1100));  // past the database check's 1 s reuse
        {
            PostgresFreeze freeze;
            struct Outcome {
                int status = 0;
                std::string body;
                long long ms = 0;
            };
            std::vector<Outcome> outcomes(4);
            std::vector<std::thread> clients;
            const auto t0 = steady_clock::now();
            for (int i = 0; i < 4; ++i) {
                clients.emplace_back([&, i] {
                    auto r = httpRequest("GET", users, "/users/1", "", headers, 10000);
                    outcomes[i] = {r.status, r.body, duration_cast<milliseconds>(steady_clock::now() - t0).count()};
                });
                std::this_thread::sleep_for(milliseconds(20));  // in this order
            }
            std::this_thread::sleep_for(milliseconds(200));
            auto pools = httpRequest("GET", admin, "/db/pool");
            auto health = timed(users, "/health");
            for (auto& t : clients) t.join();  // before any assertion, so a failure is reported cleanly
            assertContains(pools.body, "\"waitingRequests\":0");  // the two beyond the pool hold no thread
            CPPUNIT_ASSERT_EQUAL_MESSAGE(health.result.body, 503, health.result.status);
            CPPUNIT_ASSERT_MESSAGE("/health took " + std::to_string(health.ms) + " ms", health.ms <= 600);
            int stuck = 0, refused = 0;
            for (const auto& o : outcomes) {
                if (o.status == 504) {
                    ++stuck;
                    CPPUNIT_ASSERT_MESSAGE(std::to_string(o.ms), o.ms <= 3000 + 250 + 100);
                } else {
                    CPPUNIT_ASSERT_EQUAL_MESSAGE(o.body, 503, o.status);
                    assertContains(o.body, "pool_timeout");
                    ++refused;
                    CPPUNIT_ASSERT_MESSAGE("503 after " + std::to_string(o.ms) + " ms",
                                           o.ms >= kPoolTimeoutMs - 50 && o.ms <= kPoolTimeoutMs + 250 + 100);
                }
            }
            CPPUNIT_ASSERT_EQUAL(2, stuck);
            CPPUNIT_ASSERT_EQUAL(2, refused);
        }
        auto until = steady_clock::now() + seconds(15);
        int status = 0;
        headers.erase("X-Request-Timeout-Ms");
        while (steady_clock::now() < until &&
               (status = httpRequest("GET", users, "/users/1", "", headers).status) != 200)
            std::this_thread::sleep_for(milliseconds(100));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(host.log(), 200, status);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(HungDatabaseTest);
