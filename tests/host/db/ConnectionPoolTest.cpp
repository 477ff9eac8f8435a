// ConnectionPool against the real private PostgreSQL: node-postgres waiting semantics, idle reaping,
// restart recovery, session reset, connect errors.
#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "PgTestEnv.h"
#include "support/Eventually.h"
#include "db/Connection.h"
#include "db/ConnectionPool.h"
#include "db/DatabaseErrors.h"
#include "deadline/RequestDeadline.h"

using namespace zt::db;
using zt::db::test::PgTestEnv;
using namespace std::chrono_literals;

using zt::test::eventually;

class ConnectionPoolTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ConnectionPoolTest);
    CPPUNIT_TEST(waiters_are_served_in_fifo_order_when_connections_return);
    CPPUNIT_TEST(waiting_past_connection_timeout_throws_PoolTimeoutError_and_waiters_are_counted);
    CPPUNIT_TEST(time_at_the_handler_gate_counts_as_waiting_for_a_connection);
    CPPUNIT_TEST(stats_count_total_and_idle_connections);
    CPPUNIT_TEST(idle_connections_are_closed_after_idle_timeout);
    CPPUNIT_TEST(unreachable_server_gives_DatabaseUnavailableError_with_host_port_and_no_password);
    CPPUNIT_TEST(set_search_path_temp_tables_and_open_transactions_do_not_leak_to_next_borrower);
    CPPUNIT_TEST(same_pool_works_again_after_postgresql_restart);
    CPPUNIT_TEST(idle_connection_the_server_dropped_is_replaced_at_checkout);
    CPPUNIT_TEST(a_returned_connection_serves_a_caller_whose_own_connect_is_slow);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override { PgTestEnv::get(); }

    void waiters_are_served_in_fifo_order_when_connections_return() {
        ConnectionPool pool(PgTestEnv::get().poolOptions(1, 30000, 5000));
        auto held = pool.acquire();
        std::mutex m;
        std::vector<int> order;
        std::vector<std::thread> threads;
        for (int i = 0; i < 4; ++i) {
            threads.emplace_back([&, i] {
                auto lease = pool.acquire();
                lease->executeStateless("SELECT 1");
                std::lock_guard lock(m);
                order.push_back(i);
            });
            // Start the next waiter only once this one is queued, so the queue order is 0,1,2,3.
            CPPUNIT_ASSERT(eventually([&] { return pool.stats().waitingRequests == i + 1; }));
        }
        held.release();
        for (auto& t : threads) t.join();
        CPPUNIT_ASSERT((order == std::vector<int>{0, 1, 2, 3}));
        CPPUNIT_ASSERT_EQUAL(0, pool.stats().waitingRequests);
        CPPUNIT_ASSERT_EQUAL(1, pool.stats().totalConnections);
    }

    void waiting_past_connection_timeout_throws_PoolTimeoutError_and_waiters_are_counted() {
        ConnectionPool pool(PgTestEnv::get().poolOptions(2, 30000, 400));
        auto a = pool.acquire();
        auto b = pool.acquire();
        std::atomic<bool> timedOut{false};
        std::atomic<long> waitedMs{0};
        std::thread waiter([&] {
            auto start = std::chrono::steady_clock::now();
            try {
                pool.acquire();
            } catch (const PoolTimeoutError&) {
                timedOut = true;
            }
            waitedMs =
                std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
        });
        CPPUNIT_ASSERT(eventually([&] { return pool.stats().waitingRequests == 1; }, 300ms));
        waiter.join();
        CPPUNIT_ASSERT(timedOut);
        CPPUNIT_ASSERT(waitedMs >= 380);
        CPPUNIT_ASSERT(waitedMs < 2000);
        CPPUNIT_ASSERT_EQUAL(0, pool.stats().waitingRequests);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, pool.stats().waitTimeouts);
        // A waiter that gets a returned connection before its deadline does not time out.
        std::thread releaser([&] {
            std::this_thread::sleep_for(100ms);
            a.release();
        });
        auto c = pool.acquire();
        releaser.join();
        CPPUNIT_ASSERT_EQUAL(1, c->executeStateless("SELECT 1").front()[0].asInt64() == 1 ? 1 : 0);
        CPPUNIT_ASSERT_EQUAL(2, pool.stats().totalConnections);
        // The successful wait (~100 ms) is the longest so far; the timed-out one does not count.
        const auto longest = pool.stats().longestWaitMs;
        CPPUNIT_ASSERT_MESSAGE(std::to_string(longest) + " ms", longest >= 80 && longest < 380);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, pool.stats().waitTimeouts);
    }

    void time_at_the_handler_gate_counts_as_waiting_for_a_connection() {
        ConnectionPool pool(PgTestEnv::get().poolOptions(1, 30000, 400));
        auto held = pool.acquire();
        {
            // Queued at the gate 300 ms ago: 100 ms of the 400 ms are left.
            zt::deadline::GateWait atGate(300ms);
            const auto start = std::chrono::steady_clock::now();
            CPPUNIT_ASSERT_THROW(pool.acquire(), PoolTimeoutError);
            const auto waited = std::chrono::steady_clock::now() - start;
            CPPUNIT_ASSERT_MESSAGE(std::to_string(waited.count()), waited >= 90ms && waited < 300ms);
            // Only the first checkout of a request takes the gate's time; the next waits in full.
            const auto again = std::chrono::steady_clock::now();
            CPPUNIT_ASSERT_THROW(pool.acquire(), PoolTimeoutError);
            CPPUNIT_ASSERT(std::chrono::steady_clock::now() - again >= 380ms);
        }
        held.release();
        // An idle connection is handed out at once, whatever the gate's time.
        zt::deadline::GateWait atGate(10s);
        auto lease = pool.acquire();
        CPPUNIT_ASSERT(lease);
    }

    void stats_count_total_and_idle_connections() {
        ConnectionPool pool(PgTestEnv::get().poolOptions(3));
        CPPUNIT_ASSERT_EQUAL(0, pool.stats().totalConnections);
        {
            auto a = pool.acquire();
            auto b = pool.acquire();
            auto s = pool.stats();
            CPPUNIT_ASSERT_EQUAL(2, s.totalConnections);
            CPPUNIT_ASSERT_EQUAL(0, s.idleConnections);
            CPPUNIT_ASSERT(a->backendPid() != b->backendPid());
        }
        auto s = pool.stats();
        CPPUNIT_ASSERT_EQUAL(2, s.totalConnections);
        CPPUNIT_ASSERT_EQUAL(2, s.idleConnections);
        CPPUNIT_ASSERT_EQUAL(0, s.waitingRequests);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{2}, s.connectionsOpened);
        { auto again = pool.acquire(); }  // reuses an idle one: nothing new opened
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{2}, pool.stats().connectionsOpened);
    }

    void idle_connections_are_closed_after_idle_timeout() {
        ConnectionPool pool(PgTestEnv::get().poolOptions(3, 200, 2000));
        int pidA = 0;
        {
            auto a = pool.acquire();
            auto b = pool.acquire();
            pidA = a->backendPid();
        }
        CPPUNIT_ASSERT_EQUAL(2, pool.stats().idleConnections);
        CPPUNIT_ASSERT(eventually([&] { return pool.stats().totalConnections == 0; }, 2000ms));
        CPPUNIT_ASSERT_EQUAL(0, pool.stats().idleConnections);
        // The server side really lost the backend (closed, not just forgotten).
        ConnectionPool observer(PgTestEnv::get().poolOptions(1));
        auto o = observer.acquire();
        CPPUNIT_ASSERT(eventually([&] {
            return o->executeStateless("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", {Value::integer(pidA)})
                       .front()[0]
                       .asInt64() == 0;
        }));
        // And the pool still serves afterwards.
        auto c = pool.acquire();
        CPPUNIT_ASSERT(c->isUsable());
    }

    void unreachable_server_gives_DatabaseUnavailableError_with_host_port_and_no_password() {
        auto options = PgTestEnv::get().poolOptions(2);
        options.connection.port = 1;  // nothing listens on port 1
        options.connection.password = "s3cret-Pa55";
        ConnectionPool pool(options);
        try {
            pool.acquire();
            CPPUNIT_FAIL("acquire succeeded against port 1");
        } catch (const DatabaseUnavailableError& e) {
            CPPUNIT_ASSERT_MESSAGE(e.message(), e.message().find(PgTestEnv::get().host + ":1/") != std::string::npos);
            CPPUNIT_ASSERT_MESSAGE(e.message(), e.message().find("s3cret-Pa55") == std::string::npos);
        }
        CPPUNIT_ASSERT_EQUAL(0, pool.stats().totalConnections);  // the failed slot was given back
    }

    void set_search_path_temp_tables_and_open_transactions_do_not_leak_to_next_borrower() {
        ConnectionPool pool(PgTestEnv::get().poolOptions(1));
        std::string defaultPath;
        int pid = 0;
        {
            auto lease = pool.acquire();
            pid = lease->backendPid();
            defaultPath = lease->execute("SHOW search_path").front()[0].asString();
            lease->execute("SET search_path TO pg_catalog");
            lease->execute("SET statement_timeout TO 1234");
            lease->execute("CREATE TEMP TABLE zt_leak (x int)");
            lease->execute("SELECT pg_advisory_lock(4242)");
            lease->execute("BEGIN");
            lease->execute("SET LOCAL work_mem TO '77MB'");
        }
        auto lease = pool.acquire();
        CPPUNIT_ASSERT_EQUAL(pid, lease->backendPid());  // same physical connection, reused
        CPPUNIT_ASSERT(!lease->inTransaction());
        CPPUNIT_ASSERT_EQUAL(defaultPath, lease->execute("SHOW search_path").front()[0].asString());
        CPPUNIT_ASSERT_EQUAL(std::string("0"), lease->execute("SHOW statement_timeout").front()[0].asString());
        CPPUNIT_ASSERT(lease->execute("SELECT to_regclass('pg_temp.zt_leak') IS NULL").front()[0].asBool());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(0),
                             lease
                                 ->execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = $1",
                                           {Value::integer(pid)})
                                 .front()[0]
                                 .asInt64());
    }

    void same_pool_works_again_after_postgresql_restart() {
        const auto& env = PgTestEnv::get();
        ConnectionPool pool(env.poolOptions(3, 30000, 3000));
        {
            auto a = pool.acquire();
            auto b = pool.acquire();
            a->executeStateless("SELECT 1");
            b->executeStateless("SELECT 1");
        }
        CPPUNIT_ASSERT_EQUAL(2, pool.stats().idleConnections);
        PgTestEnv::shell(env.stopCommand);
        bool unavailable = false;
        try {
            auto lease = pool.acquire();  // idle ones are dead; a new one cannot connect
            lease->executeStateless("SELECT 1");
        } catch (const DatabaseUnavailableError& e) {
            unavailable = true;
            CPPUNIT_ASSERT_MESSAGE(e.message(),
                                   e.message().find(env.host + ":" + std::to_string(env.port)) != std::string::npos);
        }
        PgTestEnv::shell(env.startCommand);
        CPPUNIT_ASSERT_MESSAGE("querying a stopped server must fail with DatabaseUnavailableError", unavailable);
        for (int i = 0; i < 5; ++i) {  // every checkout works again, with no host restart
            auto lease = pool.acquire();
            CPPUNIT_ASSERT_EQUAL(std::int64_t(7), lease->executeStateless("SELECT 7").front()[0].asInt64());
        }
        CPPUNIT_ASSERT(pool.stats().totalConnections <= 3);
    }

    // Under load a connect can take a second (bench/README: backend forks compete for the CPUs).
    // A caller that made the pool open a connection takes a returned one if that comes first, and
    // the slow one joins the pool when it is ready. pre_auth_delay makes every new backend wait 1 s.
    void a_returned_connection_serves_a_caller_whose_own_connect_is_slow() {
        const auto& env = PgTestEnv::get();
        ConnectionPool pool(env.poolOptions(2, 30000, 5000));
        auto held = pool.acquire();
        held->executeStateless("ALTER SYSTEM SET pre_auth_delay = 1");
        held->executeStateless("SELECT pg_reload_conf()");
        struct ResetDelay {  // also when an assertion fails: the other tests need fast connects
            const PgTestEnv& env;
            ~ResetDelay() {
                try {
                    Connection c(env.poolOptions(1, 0, 5000).connection);
                    c.executeStateless("ALTER SYSTEM RESET pre_auth_delay");
                    c.executeStateless("SELECT pg_reload_conf()");
                } catch (...) {
                }
            }
        } reset{env};
        std::this_thread::sleep_for(200ms);  // the postmaster reads the new setting
        std::atomic<long> waitedMs{-1};
        std::thread caller([&] {
            const auto start = std::chrono::steady_clock::now();
            auto lease = pool.acquire();  // no idle connection: the opener starts a (slow) connect
            waitedMs =
                std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
            lease->executeStateless("SELECT 1");
        });
        const bool queued = eventually([&] { return pool.stats().waitingRequests == 1; }, 1000ms);
        std::this_thread::sleep_for(100ms);
        const int heldPid = held->backendPid();
        held.release();  // comes back long before the new backend finishes its 1 s delay
        caller.join();
        CPPUNIT_ASSERT_MESSAGE("the caller was not waiting for a connection", queued);
        CPPUNIT_ASSERT_MESSAGE(std::to_string(waitedMs.load()) + " ms", waitedMs.load() >= 80 && waitedMs.load() < 900);
        // The slow connection still joins the pool: two open, both idle, no second connect attempt.
        CPPUNIT_ASSERT(eventually([&] { return pool.stats().idleConnections == 2; }, 5000ms));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{2}, pool.stats().connectionsOpened);
        auto a = pool.acquire();
        auto b = pool.acquire();
        CPPUNIT_ASSERT(a->backendPid() != b->backendPid());
        CPPUNIT_ASSERT(a->backendPid() == heldPid || b->backendPid() == heldPid);
    }

    // pg_terminate_backend (or a server-side idle timeout) on an idle pooled connection: once it
    // has been idle past the alive-bypass window, checkout notices and opens a fresh one.
    void idle_connection_the_server_dropped_is_replaced_at_checkout() {
        const auto& env = PgTestEnv::get();
        ConnectionPool pool(env.poolOptions(2, 30000, 3000));
        int victim = 0;
        {
            auto lease = pool.acquire();
            victim = lease->backendPid();
        }
        Connection killer(env.poolOptions(1, 0, 3000).connection);
        CPPUNIT_ASSERT(
            killer.executeStateless("SELECT pg_terminate_backend($1)", {Value::integer(victim)}).front()[0].asBool());
        std::this_thread::sleep_for(ConnectionPool::kAliveBypassWindow + std::chrono::milliseconds(100));
        auto lease = pool.acquire();
        CPPUNIT_ASSERT(lease->backendPid() != victim);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1), lease->executeStateless("SELECT 1").front()[0].asInt64());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), pool.stats().connectionsOpened);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ConnectionPoolTest);
