// BoundedCall: a check that blocks never holds its callers past the bound; a call already past it
// is answered at once; a late outcome is still recorded; concurrent callers share one call.
#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <vector>

#include "service/BoundedCall.h"

using namespace std::chrono;
using zt::service::BoundedCall;

namespace {

/// A call that blocks until released, counting how often it ran.
struct Gate {
    std::promise<void> open;
    std::shared_future<void> opened = open.get_future().share();
    std::atomic<int> calls{0};
};

long long msSince(steady_clock::time_point t) { return duration_cast<milliseconds>(steady_clock::now() - t).count(); }

std::string timedOut(milliseconds elapsed) { return "timed out after " + std::to_string(elapsed.count()); }

}  // namespace

class BoundedCallTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(BoundedCallTest);
    CPPUNIT_TEST(a_call_that_answers_in_time_is_returned);
    CPPUNIT_TEST(a_blocked_call_is_answered_at_the_bound_then_at_once);
    CPPUNIT_TEST(a_late_outcome_is_recorded_for_the_next_caller);
    CPPUNIT_TEST(concurrent_callers_share_one_call);
    CPPUNIT_TEST(a_throwing_call_is_answered_like_a_timeout);
    CPPUNIT_TEST(results_are_reused_for_the_cache_time);
    CPPUNIT_TEST_SUITE_END();

public:
    void a_call_that_answers_in_time_is_returned() {
        BoundedCall<std::string> call([] { return std::string("ok"); }, timedOut, milliseconds(500), milliseconds(0));
        CPPUNIT_ASSERT_EQUAL(std::string("ok"), call.run());
        CPPUNIT_ASSERT_EQUAL(std::string("ok"), call.run());
    }

    void a_blocked_call_is_answered_at_the_bound_then_at_once() {
        auto gate = std::make_shared<Gate>();
        {
            BoundedCall<std::string> call(
                [gate] {
                    ++gate->calls;
                    gate->opened.wait();
                    return std::string("late");
                },
                timedOut, milliseconds(200), milliseconds(0));
            auto t0 = steady_clock::now();
            auto first = call.run();
            auto firstMs = msSince(t0);
            CPPUNIT_ASSERT_MESSAGE(first, first.rfind("timed out after ", 0) == 0);
            CPPUNIT_ASSERT_MESSAGE(std::to_string(firstMs), firstMs >= 190 && firstMs < 300);
            // Still stuck: the next caller does not wait another 200 ms.
            auto t1 = steady_clock::now();
            CPPUNIT_ASSERT(call.run().rfind("timed out after ", 0) == 0);
            CPPUNIT_ASSERT_MESSAGE(std::to_string(msSince(t1)), msSince(t1) < 50);
            CPPUNIT_ASSERT_EQUAL(1, gate->calls.load());
        }
        // Destroyed while stuck: nothing waited for the call; releasing it afterwards is harmless.
        gate->open.set_value();
    }

    void a_late_outcome_is_recorded_for_the_next_caller() {
        auto gate = std::make_shared<Gate>();
        std::atomic<int> n{0};
        BoundedCall<std::string> call(
            [gate, &n] {
                if (n++ == 0) gate->opened.wait();
                return "answer " + std::to_string(n.load());
            },
            timedOut, milliseconds(100), milliseconds(10000));
        CPPUNIT_ASSERT(call.run().rfind("timed out", 0) == 0);
        gate->open.set_value();
        std::this_thread::sleep_for(milliseconds(50));
        CPPUNIT_ASSERT_EQUAL(std::string("answer 1"), call.run());  // the late one, cached
    }

    void concurrent_callers_share_one_call() {
        std::atomic<int> calls{0};
        BoundedCall<int> call(
            [&calls] {
                std::this_thread::sleep_for(milliseconds(100));
                return ++calls;
            },
            [](milliseconds) { return -1; }, milliseconds(1000), milliseconds(0));
        std::vector<std::future<int>> results;
        for (int i = 0; i < 8; ++i) results.push_back(std::async(std::launch::async, [&call] { return call.run(); }));
        for (auto& r : results) CPPUNIT_ASSERT_EQUAL(1, r.get());
        CPPUNIT_ASSERT_EQUAL(1, calls.load());
    }

    void a_throwing_call_is_answered_like_a_timeout() {
        BoundedCall<std::string> call([]() -> std::string { throw std::runtime_error("boom"); }, timedOut,
                                      milliseconds(500), milliseconds(0));
        CPPUNIT_ASSERT(call.run().rfind("timed out after ", 0) == 0);
    }

    void results_are_reused_for_the_cache_time() {
        std::atomic<int> calls{0};
        BoundedCall<int> call([&calls] { return ++calls; }, [](milliseconds) { return -1; }, milliseconds(500),
                              milliseconds(200));
        CPPUNIT_ASSERT_EQUAL(1, call.run());
        CPPUNIT_ASSERT_EQUAL(1, call.run());
        std::this_thread::sleep_for(milliseconds(250));
        CPPUNIT_ASSERT_EQUAL(2, call.run());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(BoundedCallTest);
