// RetryPolicy: which methods and outcomes are retried, how many times, backoff growth, cap,
// jitter bounds, and the budget check.
#include <cppunit/extensions/HelperMacros.h>

#include "calls/RetryPolicy.h"

using namespace zt::calls;
using namespace std::chrono_literals;

namespace {
ClientResult status(int s) {
    ClientResult r;
    r.transport = Transport::Response;
    r.status = s;
    return r;
}
ClientResult transport(Transport t) {
    ClientResult r;
    r.transport = t;
    return r;
}
}  // namespace

class RetryPolicyTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RetryPolicyTest);
    CPPUNIT_TEST(retries_only_idempotent_methods);
    CPPUNIT_TEST(retries_connection_errors_timeouts_and_gateway_statuses_only);
    CPPUNIT_TEST(stops_after_max_retries);
    CPPUNIT_TEST(backoff_doubles_from_base_and_is_capped);
    CPPUNIT_TEST(jitter_stays_within_twenty_percent);
    CPPUNIT_TEST(retry_must_fit_the_remaining_budget);
    CPPUNIT_TEST_SUITE_END();

public:
    void retries_only_idempotent_methods() {
        RetryPolicy p;
        const auto refused = transport(Transport::ConnectionError);
        for (const char* m : {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}) {
            CPPUNIT_ASSERT_MESSAGE(m, p.shouldRetry(m, refused, 1));
        }
        for (const char* m : {"POST", "PATCH", "CONNECT", "TRACE", "get"}) {
            CPPUNIT_ASSERT_MESSAGE(m, !p.shouldRetry(m, refused, 1));
        }
    }
    void retries_connection_errors_timeouts_and_gateway_statuses_only() {
        RetryPolicy p;
        CPPUNIT_ASSERT(p.shouldRetry("GET", transport(Transport::Timeout), 1));
        CPPUNIT_ASSERT(p.shouldRetry("GET", transport(Transport::ConnectionError), 1));
        for (int s : {502, 503, 504}) CPPUNIT_ASSERT(p.shouldRetry("GET", status(s), 1));
        for (int s : {200, 201, 204, 301, 400, 401, 404, 409, 429, 500, 501, 505}) {
            CPPUNIT_ASSERT_MESSAGE(std::to_string(s), !p.shouldRetry("GET", status(s), 1));
        }
    }
    void stops_after_max_retries() {
        RetryPolicy p(RetryPolicy::Settings{2});
        const auto r = status(503);
        CPPUNIT_ASSERT(p.shouldRetry("GET", r, 1));
        CPPUNIT_ASSERT(p.shouldRetry("GET", r, 2));
        CPPUNIT_ASSERT(!p.shouldRetry("GET", r, 3));
        RetryPolicy none(RetryPolicy::Settings{0});
        CPPUNIT_ASSERT(!none.shouldRetry("GET", r, 1));
    }
    void backoff_doubles_from_base_and_is_capped() {
        RetryPolicy::Settings s;
        s.baseDelay = 50ms;
        s.maxDelay = 300ms;
        RetryPolicy p(s);
        // unitRandom 0.5 = no jitter
        CPPUNIT_ASSERT_EQUAL(50LL, static_cast<long long>(p.backoff(0, 0.5).count()));
        CPPUNIT_ASSERT_EQUAL(100LL, static_cast<long long>(p.backoff(1, 0.5).count()));
        CPPUNIT_ASSERT_EQUAL(200LL, static_cast<long long>(p.backoff(2, 0.5).count()));
        CPPUNIT_ASSERT_EQUAL(300LL, static_cast<long long>(p.backoff(3, 0.5).count()));
        CPPUNIT_ASSERT_EQUAL(300LL, static_cast<long long>(p.backoff(1000, 0.5).count()));
    }
    void jitter_stays_within_twenty_percent() {
        RetryPolicy p;  // 50 ms base, 20 % jitter
        CPPUNIT_ASSERT_EQUAL(80LL, static_cast<long long>(p.backoff(1, 0.0).count()));
        CPPUNIT_ASSERT_EQUAL(120LL, static_cast<long long>(p.backoff(1, 1.0).count()));
        bool varied = false;
        const auto first = p.backoff(1);
        for (int i = 0; i < 200; ++i) {
            const auto d = p.backoff(1).count();
            CPPUNIT_ASSERT(d >= 80 && d <= 120);
            varied = varied || d != first.count();
        }
        CPPUNIT_ASSERT_MESSAGE("random jitter never varied", varied);
    }
    void retry_must_fit_the_remaining_budget() {
        RetryPolicy p;  // minAttemptTime 20 ms
        CPPUNIT_ASSERT(p.fitsBudget(50ms, 100ms));
        CPPUNIT_ASSERT(p.fitsBudget(80ms, 100ms));
        CPPUNIT_ASSERT(!p.fitsBudget(81ms, 100ms));
        CPPUNIT_ASSERT(!p.fitsBudget(50ms, -5ms));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RetryPolicyTest);
