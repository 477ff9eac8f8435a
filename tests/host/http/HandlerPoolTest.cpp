// HandlerPool (docs/HTTP.md: handler threads and the database pool): FIFO, the gate's limit,
// tasks that skip it, the gate's longest wait, and that a thread finishing a gated task takes the
// next one itself (no more threads than the gate needs).
#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "http/HandlerPool.h"
#include "support/Eventually.h"

using namespace std::chrono_literals;
using zt::http::HandlerPool;
using zt::test::eventually;

namespace {

/// A gate the test opens: tasks block in wait() until open().
class Latch {
public:
    void wait() {
        std::unique_lock lock(m_);
        cv_.wait(lock, [&] { return open_; });
    }
    void open() {
        {
            std::lock_guard lock(m_);
            open_ = true;
        }
        cv_.notify_all();
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    bool open_ = false;
};

}  // namespace

class HandlerPoolTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(HandlerPoolTest);
    CPPUNIT_TEST(without_a_gate_every_task_runs_at_once);
    CPPUNIT_TEST(gated_tasks_run_at_most_gate_limit_at_once_in_fifo_order);
    CPPUNIT_TEST(ungated_tasks_run_while_the_gate_is_full);
    CPPUNIT_TEST(a_gated_task_runs_anyway_once_it_waited_the_gate_wait);
    CPPUNIT_TEST(a_finishing_thread_takes_the_next_gated_task_itself);
    CPPUNIT_TEST(stop_runs_the_tasks_still_waiting_at_the_gate);
    CPPUNIT_TEST_SUITE_END();

public:
    void without_a_gate_every_task_runs_at_once() {
        HandlerPool pool(8);
        Latch latch;
        std::atomic<int> running{0};
        for (int i = 0; i < 6; ++i) {
            pool.submit(
                [&](auto) {
                    ++running;
                    latch.wait();
                },
                true);  // gated, but the pool has no gate
        }
        CPPUNIT_ASSERT(eventually([&] { return running == 6; }));
        latch.open();
        pool.stop();
    }

    void gated_tasks_run_at_most_gate_limit_at_once_in_fifo_order() {
        HandlerPool pool(16, 2, 60000ms);
        Latch latch;
        std::mutex m;
        std::vector<int> order;
        std::atomic<int> running{0}, most{0}, done{0};
        for (int i = 0; i < 10; ++i) {
            pool.submit(
                [&, i](auto) {
                    {
                        std::lock_guard lock(m);
                        order.push_back(i);
                    }
                    const int now = ++running;
                    int seen = most.load();
                    while (now > seen && !most.compare_exchange_weak(seen, now)) {
                    }
                    latch.wait();
                    std::this_thread::sleep_for(1ms);
                    --running;
                    ++done;
                },
                true);
        }
        CPPUNIT_ASSERT(eventually([&] { return running == 2; }));
        std::this_thread::sleep_for(50ms);
        CPPUNIT_ASSERT_EQUAL(2, running.load());  // the other 8 wait at the gate
        // They wait for the database, not for a thread: the systemd watchdog's "no thread took a
        // task" must not fire for them.
        CPPUNIT_ASSERT_EQUAL(std::size_t{0}, pool.progress().waiting);
        latch.open();
        CPPUNIT_ASSERT(eventually([&] { return done == 10; }));
        CPPUNIT_ASSERT_EQUAL(2, most.load());
        // Started in submission order; the first two may start in either order.
        CPPUNIT_ASSERT_EQUAL(std::size_t{10}, order.size());
        for (std::size_t k = 2; k < order.size(); ++k) CPPUNIT_ASSERT_EQUAL(static_cast<int>(k), order[k]);
        pool.stop();
    }

    void ungated_tasks_run_while_the_gate_is_full() {
        HandlerPool pool(8, 1, 60000ms);
        Latch latch;
        std::atomic<bool> gatedStarted{false}, secondGatedStarted{false}, ungatedRan{false};
        pool.submit(
            [&](auto) {
                gatedStarted = true;
                latch.wait();
            },
            true);
        CPPUNIT_ASSERT(eventually([&] { return gatedStarted.load(); }));
        pool.submit([&](auto) { secondGatedStarted = true; }, true);
        pool.submit([&](auto) { ungatedRan = true; }, false);
        CPPUNIT_ASSERT(eventually([&] { return ungatedRan.load(); }, 1000ms));
        CPPUNIT_ASSERT(!secondGatedStarted);
        latch.open();
        CPPUNIT_ASSERT(eventually([&] { return secondGatedStarted.load(); }));
        pool.stop();
    }

    void a_gated_task_runs_anyway_once_it_waited_the_gate_wait() {
        HandlerPool pool(8, 1, 150ms);
        Latch latch;
        std::atomic<bool> firstStarted{false};
        std::atomic<long long> waitedMs{-1};
        pool.submit(
            [&](auto) {
                firstStarted = true;
                latch.wait();
            },
            true);
        CPPUNIT_ASSERT(eventually([&] { return firstStarted.load(); }));
        const auto submittedAt = std::chrono::steady_clock::now();
        pool.submit(
            [&](HandlerPool::Clock::time_point submitted) {
                // It is told when it was queued: the pool counts that wait as its own.
                CPPUNIT_ASSERT(submitted >= submittedAt - 1ms);
                waitedMs =
                    std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - submitted)
                        .count();
            },
            true);
        CPPUNIT_ASSERT(eventually([&] { return waitedMs >= 0; }, 2000ms));
        CPPUNIT_ASSERT_MESSAGE(std::to_string(waitedMs) + " ms", waitedMs >= 145 && waitedMs < 1000);
        latch.open();
        pool.stop();
    }

    void a_finishing_thread_takes_the_next_gated_task_itself() {
        HandlerPool pool(64, 2, 60000ms);
        Latch latch;
        std::mutex m;
        std::set<std::thread::id> threads;
        std::atomic<int> done{0};
        for (int i = 0; i < 200; ++i) {
            pool.submit(
                [&](auto) {
                    latch.wait();
                    {
                        std::lock_guard lock(m);
                        threads.insert(std::this_thread::get_id());
                    }
                    ++done;
                },
                true);
        }
        // A burst of submits starts only the threads the gate lets run, and one to watch its clock.
        CPPUNIT_ASSERT(eventually([&] { return pool.progress().threads == 3; }, 500ms));
        latch.open();
        CPPUNIT_ASSERT(eventually([&] { return done == 200; }));
        // Two run the tasks, at most one more watches the gate's clock; without the gate (or with
        // a hand-over per task) 64 threads would have run them.
        CPPUNIT_ASSERT_MESSAGE(std::to_string(threads.size()) + " threads", threads.size() <= 3);
        CPPUNIT_ASSERT_MESSAGE(std::to_string(pool.progress().threads), pool.progress().threads <= 3);
        pool.stop();
    }

    void stop_runs_the_tasks_still_waiting_at_the_gate() {
        std::atomic<int> done{0};
        {
            HandlerPool pool(8, 1, 60000ms);
            for (int i = 0; i < 5; ++i) {
                pool.submit(
                    [&](auto) {
                        std::this_thread::sleep_for(5ms);
                        ++done;
                    },
                    true);
            }
            pool.stop();
            CPPUNIT_ASSERT_EQUAL(5, done.load());
        }
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(HandlerPoolTest);
