// CircuitBreaker state machine with a fake clock: opening at the threshold, refusing while open,
// exactly one half-open probe under concurrency, and what the probe's outcome does.
#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <barrier>
#include <thread>
#include <vector>

#include "calls/CircuitBreaker.h"

using zt::calls::CircuitBreaker;
using namespace std::chrono_literals;

namespace {
struct FakeClock {
    std::shared_ptr<std::atomic<std::int64_t>> ms = std::make_shared<std::atomic<std::int64_t>>(1'000'000);
    CircuitBreaker::Clock fn() const {
        auto p = ms;
        return [p] { return std::chrono::steady_clock::time_point(std::chrono::milliseconds(p->load())); };
    }
    void advance(std::chrono::milliseconds d) const { ms->fetch_add(d.count()); }
};

void fail(CircuitBreaker& b, int n) {
    for (int i = 0; i < n; ++i) {
        CPPUNIT_ASSERT(b.allowRequest());
        b.onFailure();
    }
}
}  // namespace

class CircuitBreakerTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(CircuitBreakerTest);
    CPPUNIT_TEST(stays_closed_below_threshold_and_success_resets_the_count);
    CPPUNIT_TEST(opens_after_threshold_consecutive_failures);
    CPPUNIT_TEST(refuses_every_call_while_open_until_the_timeout_passed);
    CPPUNIT_TEST(half_open_admits_exactly_one_probe_under_concurrency);
    CPPUNIT_TEST(probe_success_closes_and_resets_failures);
    CPPUNIT_TEST(probe_failure_reopens_with_a_new_timeout);
    CPPUNIT_TEST(late_results_while_open_do_not_close_or_extend);
    CPPUNIT_TEST(stats_report_counts_and_retry_after);
    CPPUNIT_TEST_SUITE_END();

public:
    void stays_closed_below_threshold_and_success_resets_the_count() {
        FakeClock clock;
        CircuitBreaker b(3, 1000ms, clock.fn());
        fail(b, 2);
        CPPUNIT_ASSERT(b.allowRequest());
        b.onSuccess();
        fail(b, 2);  // 2 again, not 4: the success reset the run
        CPPUNIT_ASSERT(b.state() == CircuitBreaker::State::Closed);
        CPPUNIT_ASSERT_EQUAL(2, b.stats().consecutiveFailures);
    }
    void opens_after_threshold_consecutive_failures() {
        FakeClock clock;
        CircuitBreaker b(3, 1000ms, clock.fn());
        fail(b, 2);
        CPPUNIT_ASSERT(b.state() == CircuitBreaker::State::Closed);
        fail(b, 1);
        CPPUNIT_ASSERT(b.state() == CircuitBreaker::State::Open);
        CPPUNIT_ASSERT_EQUAL(std::string("open"), std::string(zt::calls::toString(b.state())));
    }
    void refuses_every_call_while_open_until_the_timeout_passed() {
        FakeClock clock;
        CircuitBreaker b(1, 1000ms, clock.fn());
        fail(b, 1);
        for (int i = 0; i < 5; ++i) CPPUNIT_ASSERT(!b.allowRequest());
        clock.advance(999ms);
        CPPUNIT_ASSERT(!b.allowRequest());
        CPPUNIT_ASSERT(b.state() == CircuitBreaker::State::Open);
        clock.advance(1ms);
        CPPUNIT_ASSERT(b.allowRequest());
        CPPUNIT_ASSERT(b.state() == CircuitBreaker::State::HalfOpen);
    }
    void half_open_admits_exactly_one_probe_under_concurrency() {
        FakeClock clock;
        CircuitBreaker b(2, 500ms, clock.fn());
        fail(b, 2);
        clock.advance(500ms);
        constexpr int kThreads = 16;
        std::atomic<int> admitted{0};
        std::barrier start(kThreads);
        std::vector<std::thread> threads;
        for (int i = 0; i < kThreads; ++i) {
            threads.emplace_back([&] {
                start.arrive_and_wait();
                if (b.allowRequest()) ++admitted;
            });
        }
        for (auto& t : threads) t.join();
        CPPUNIT_ASSERT_EQUAL(1, admitted.load());
        CPPUNIT_ASSERT(b.state() == CircuitBreaker::State::HalfOpen);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(kThreads - 1), b.stats().rejected);
        // Still only the one probe later on, however much time passes, until it reports.
        clock.advance(10s);
        CPPUNIT_ASSERT(!b.allowRequest());
    }
    void probe_success_closes_and_resets_failures() {
        FakeClock clock;
        CircuitBreaker b(2, 500ms, clock.fn());
        fail(b, 2);
        clock.advance(500ms);
        CPPUNIT_ASSERT(b.allowRequest());
        b.onSuccess();
        CPPUNIT_ASSERT(b.state() == CircuitBreaker::State::Closed);
        CPPUNIT_ASSERT_EQUAL(0, b.stats().consecutiveFailures);
        CPPUNIT_ASSERT(b.allowRequest());
        CPPUNIT_ASSERT(b.allowRequest());
        b.onFailure();  // one failure after closing does not reopen (threshold 2)
        CPPUNIT_ASSERT(b.state() == CircuitBreaker::State::Closed);
    }
    void probe_failure_reopens_with_a_new_timeout() {
        FakeClock clock;
        CircuitBreaker b(2, 500ms, clock.fn());
        fail(b, 2);
        clock.advance(600ms);
        CPPUNIT_ASSERT(b.allowRequest());
        b.onFailure();
        CPPUNIT_ASSERT(b.state() == CircuitBreaker::State::Open);
        // The new timeout counts from the probe's failure, not from the first opening.
        clock.advance(499ms);
        CPPUNIT_ASSERT(!b.allowRequest());
        clock.advance(1ms);
        CPPUNIT_ASSERT(b.allowRequest());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), b.stats().timesOpened);
    }
    void late_results_while_open_do_not_close_or_extend() {
        FakeClock clock;
        CircuitBreaker b(2, 1000ms, clock.fn());
        // Three requests admitted while closed; two fail and open the breaker.
        CPPUNIT_ASSERT(b.allowRequest());
        CPPUNIT_ASSERT(b.allowRequest());
        CPPUNIT_ASSERT(b.allowRequest());
        b.onFailure();
        b.onFailure();
        CPPUNIT_ASSERT(b.state() == CircuitBreaker::State::Open);
        clock.advance(600ms);
        b.onSuccess();  // the third one, late
        CPPUNIT_ASSERT(b.state() == CircuitBreaker::State::Open);
        b.onFailure();  // a late failure must not restart the timeout either
        clock.advance(400ms);
        CPPUNIT_ASSERT(b.allowRequest());
    }
    void stats_report_counts_and_retry_after() {
        FakeClock clock;
        CircuitBreaker b(2, 3000ms, clock.fn());
        CPPUNIT_ASSERT(b.allowRequest());
        b.onSuccess();
        fail(b, 2);
        CPPUNIT_ASSERT(!b.allowRequest());
        clock.advance(1000ms);
        auto s = b.stats();
        CPPUNIT_ASSERT(s.state == CircuitBreaker::State::Open);
        CPPUNIT_ASSERT_EQUAL(2, s.consecutiveFailures);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), s.totalSuccesses);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), s.totalFailures);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), s.rejected);
        CPPUNIT_ASSERT_EQUAL(2000LL, static_cast<long long>(s.retryAfter.count()));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(CircuitBreakerTest);
