// The request deadline: which header wins, how a bad value is refused, how scopes nest, and what
// an outgoing call sends on.
#include <cppunit/extensions/HelperMacros.h>

#include <atomic>

#include <stdexcept>

#include "deadline/RequestDeadline.h"

using namespace std::chrono;
using namespace zt::deadline;

class RequestDeadlineTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RequestDeadlineTest);
    CPPUNIT_TEST(headers_give_the_sooner_deadline);
    CPPUNIT_TEST(bad_header_values_are_refused_naming_the_header);
    CPPUNIT_TEST(scopes_nest_and_never_extend_the_enclosing_deadline);
    CPPUNIT_TEST(a_commit_stays_in_doubt_until_resolved);
    CPPUNIT_TEST(outgoing_header_is_unix_milliseconds_of_the_same_instant);
    CPPUNIT_TEST_SUITE_END();

public:
    void headers_give_the_sooner_deadline() {
        const auto now = Clock::now();
        const auto wall = system_clock::time_point(milliseconds(1764583200000));  // 2025-12-01T10:00:00Z
        CPPUNIT_ASSERT(!fromHeaders(std::nullopt, std::nullopt, now, wall));
        CPPUNIT_ASSERT(*fromHeaders(std::nullopt, "250", now, wall) == now + milliseconds(250));
        CPPUNIT_ASSERT(*fromHeaders("1764583200500", std::nullopt, now, wall) == now + milliseconds(500));
        CPPUNIT_ASSERT(*fromHeaders("2025-12-01T10:00:00.750Z", std::nullopt, now, wall) == now + milliseconds(750));
        CPPUNIT_ASSERT(*fromHeaders("2025-12-01T11:00:01+01:00", std::nullopt, now, wall) == now + milliseconds(1000));
        CPPUNIT_ASSERT(*fromHeaders("1764583200500", "100", now, wall) == now + milliseconds(100));
        CPPUNIT_ASSERT(*fromHeaders("1764583200050", "100", now, wall) == now + milliseconds(50));
        CPPUNIT_ASSERT(*fromHeaders("1764583100000", std::nullopt, now, wall) < now);  // already past
        // Whatever a client sends stays within a day either way: no clock arithmetic overflows.
        CPPUNIT_ASSERT(*fromHeaders(std::nullopt, "999999999999999", now, wall) == now + hours(24));
        CPPUNIT_ASSERT(*fromHeaders("999999999999999", std::nullopt, now, wall) == now + hours(24));
        CPPUNIT_ASSERT(*fromHeaders("0", std::nullopt, now, wall) == now - hours(24));
        CPPUNIT_ASSERT(*fromHeaders("9999-12-31T23:59:59Z", std::nullopt, now, wall) == now + hours(24));
    }

    void bad_header_values_are_refused_naming_the_header() {
        const auto now = Clock::now();
        const auto wall = system_clock::now();
        for (const char* bad : {"soon", "-5", "12.5", "2025-13-01T10:00:00Z", ""}) {
            try {
                fromHeaders(bad, std::nullopt, now, wall);
                CPPUNIT_FAIL(std::string("accepted X-Request-Deadline: ") + bad);
            } catch (const std::invalid_argument& e) {
                CPPUNIT_ASSERT(std::string(e.what()).rfind("X-Request-Deadline:", 0) == 0);
            }
        }
        for (const char* bad : {"-1", "1e3", "ten", "1 0"}) {
            try {
                fromHeaders(std::nullopt, bad, now, wall);
                CPPUNIT_FAIL(std::string("accepted X-Request-Timeout-Ms: ") + bad);
            } catch (const std::invalid_argument& e) {
                CPPUNIT_ASSERT(std::string(e.what()).rfind("X-Request-Timeout-Ms:", 0) == 0);
            }
        }
    }

    void a_commit_stays_in_doubt_until_resolved() {
        using namespace zt::deadline;
        { CommitInDoubt nowhere; }  // no watch on this thread: nothing to mark, nothing breaks
        std::atomic<bool> flag{false};
        {
            CommitWatch watch(&flag);
            {
                CommitInDoubt commit;
                CPPUNIT_ASSERT(flag.load());
                commit.resolved();
                CPPUNIT_ASSERT(!flag.load());
            }
            {
                CommitInDoubt lost;  // never resolved: the deadline passed while it was in flight
            }
            CPPUNIT_ASSERT(flag.load());
            std::atomic<bool> inner{false};
            {
                CommitWatch nested(&inner);
                CommitInDoubt commit;
                CPPUNIT_ASSERT(inner.load());
            }
        }
        flag = false;
        { CommitInDoubt afterTheWatch; }  // the watch ended with its scope
        CPPUNIT_ASSERT(!flag.load());
    }

    void scopes_nest_and_never_extend_the_enclosing_deadline() {
        CPPUNIT_ASSERT(current() == kNone);
        CPPUNIT_ASSERT(!remaining());
        const auto outer = Clock::now() + milliseconds(300);
        {
            Scope a(outer);
            CPPUNIT_ASSERT(current() == outer);
            CPPUNIT_ASSERT(remaining()->count() <= 300);
            {
                Scope longer(outer + seconds(10));  // an in-process call with a longer timeout
                CPPUNIT_ASSERT(current() == outer);
                Scope shorter(outer - milliseconds(100));
                CPPUNIT_ASSERT(current() == outer - milliseconds(100));
            }
            CPPUNIT_ASSERT(current() == outer);
            Scope past(Clock::now() - seconds(1));
            CPPUNIT_ASSERT_EQUAL(0LL, static_cast<long long>(remaining()->count()));
        }
        CPPUNIT_ASSERT(current() == kNone);
    }

    void outgoing_header_is_unix_milliseconds_of_the_same_instant() {
        const auto now = Clock::now();
        const auto wall = system_clock::time_point(milliseconds(1764583200000));
        const std::string value = toHeaderValue(now + milliseconds(1234), now, wall);
        CPPUNIT_ASSERT_EQUAL(std::string("1764583201234"), value);
        CPPUNIT_ASSERT(*fromHeaders(value, std::nullopt, now, wall) == now + milliseconds(1234));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RequestDeadlineTest);
