// W3C traceparent parsing table.
#include <cppunit/extensions/HelperMacros.h>

#include <set>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "tracing/TraceParent.h"

using zt::tracing::TraceParent;

namespace {
const std::string kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
const std::string kSpan = "00f067aa0ba902b7";
}  // namespace

class TraceParentTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(TraceParentTest);
    CPPUNIT_TEST(parses_valid_version_00_sampled_and_unsampled);
    CPPUNIT_TEST(rejects_version_ff);
    CPPUNIT_TEST(rejects_all_zero_trace_id_or_span_id);
    CPPUNIT_TEST(rejects_non_hex_and_uppercase_hex);
    CPPUNIT_TEST(rejects_wrong_length_and_separators);
    CPPUNIT_TEST(parses_future_version_by_first_four_fields);
    CPPUNIT_TEST(new_ids_are_random_lower_hex_and_not_zero);
    CPPUNIT_TEST(ids_from_different_threads_differ);
    CPPUNIT_TEST(a_forked_child_does_not_repeat_the_parents_ids);
    CPPUNIT_TEST_SUITE_END();

public:
    void parses_valid_version_00_sampled_and_unsampled() {
        auto tp = TraceParent::parse("00-" + kTrace + "-" + kSpan + "-01");
        CPPUNIT_ASSERT(tp.has_value());
        CPPUNIT_ASSERT_EQUAL(kTrace, tp->traceId);
        CPPUNIT_ASSERT_EQUAL(kSpan, tp->parentId);
        CPPUNIT_ASSERT_EQUAL(1, int(tp->flags));
        CPPUNIT_ASSERT_EQUAL(0, int(tp->version));
        auto unsampled = TraceParent::parse("00-" + kTrace + "-" + kSpan + "-00");
        CPPUNIT_ASSERT(unsampled.has_value());
        CPPUNIT_ASSERT_EQUAL(0, int(unsampled->flags));
    }

    void rejects_version_ff() { CPPUNIT_ASSERT(!TraceParent::parse("ff-" + kTrace + "-" + kSpan + "-01").has_value()); }

    void rejects_all_zero_trace_id_or_span_id() {
        CPPUNIT_ASSERT(!TraceParent::parse("00-" + std::string(32, '0') + "-" + kSpan + "-01").has_value());
        CPPUNIT_ASSERT(!TraceParent::parse("00-" + kTrace + "-" + std::string(16, '0') + "-01").has_value());
    }

    void rejects_non_hex_and_uppercase_hex() {
        std::string upperTrace = kTrace;
        upperTrace[0] = 'B';
        CPPUNIT_ASSERT(!TraceParent::parse("00-" + upperTrace + "-" + kSpan + "-01").has_value());
        CPPUNIT_ASSERT(!TraceParent::parse("00-" + kTrace + "-00F067AA0BA902B7-01").has_value());
        CPPUNIT_ASSERT(!TraceParent::parse("00-" + kTrace + "-" + kSpan + "-0g").has_value());
        CPPUNIT_ASSERT(!TraceParent::parse("0x-" + kTrace + "-" + kSpan + "-01").has_value());
        CPPUNIT_ASSERT(!TraceParent::parse("00-" + kTrace.substr(0, 31) + "z-" + kSpan + "-01").has_value());
        CPPUNIT_ASSERT(!TraceParent::parse("00-" + kTrace + "-" + kSpan + "-0A").has_value());
    }

    void rejects_wrong_length_and_separators() {
        const std::string good = "00-" + kTrace + "-" + kSpan + "-01";
        CPPUNIT_ASSERT_EQUAL(std::size_t{55}, good.size());
        CPPUNIT_ASSERT(!TraceParent::parse(good.substr(0, 54)).has_value());
        CPPUNIT_ASSERT(!TraceParent::parse(good + "-").has_value());  // version 00 allows nothing after
        CPPUNIT_ASSERT(!TraceParent::parse(good + " ").has_value());
        CPPUNIT_ASSERT(!TraceParent::parse("").has_value());
        CPPUNIT_ASSERT(!TraceParent::parse("00_" + kTrace + "-" + kSpan + "-01").has_value());
        CPPUNIT_ASSERT(!TraceParent::parse("00-" + kTrace + "_" + kSpan + "-01").has_value());
        CPPUNIT_ASSERT(!TraceParent::parse("00-" + kTrace + "-" + kSpan + "_01").has_value());
        CPPUNIT_ASSERT(!TraceParent::parse("00-" + kTrace + "1-" + kSpan.substr(1) + "-01").has_value());
    }

    void parses_future_version_by_first_four_fields() {
        auto exact = TraceParent::parse("01-" + kTrace + "-" + kSpan + "-01");
        CPPUNIT_ASSERT(exact.has_value());
        CPPUNIT_ASSERT_EQUAL(1, int(exact->version));
        auto extended = TraceParent::parse("cc-" + kTrace + "-" + kSpan + "-01-what-the-future-holds");
        CPPUNIT_ASSERT(extended.has_value());
        CPPUNIT_ASSERT_EQUAL(kTrace, extended->traceId);
        CPPUNIT_ASSERT_EQUAL(kSpan, extended->parentId);
        // Extra data must start with '-'.
        CPPUNIT_ASSERT(!TraceParent::parse("cc-" + kTrace + "-" + kSpan + "-01x").has_value());
    }

    void new_ids_are_random_lower_hex_and_not_zero() {
        std::set<std::string> traces, spans;
        for (int i = 0; i < 200; ++i) {
            auto t = zt::tracing::newTraceId();
            auto s = zt::tracing::newSpanId();
            CPPUNIT_ASSERT(zt::tracing::isLowerHex(t, 32) && !zt::tracing::isAllZero(t));
            CPPUNIT_ASSERT(zt::tracing::isLowerHex(s, 16) && !zt::tracing::isAllZero(s));
            traces.insert(t);
            spans.insert(s);
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t{200}, traces.size());
        CPPUNIT_ASSERT_EQUAL(std::size_t{200}, spans.size());
    }

    // The generator is per thread: two threads must not walk the same sequence.
    void ids_from_different_threads_differ() {
        std::vector<std::string> a, b;
        std::thread ta([&] {
            for (int i = 0; i < 50; ++i) a.push_back(zt::tracing::newTraceId());
        });
        std::thread tb([&] {
            for (int i = 0; i < 50; ++i) b.push_back(zt::tracing::newTraceId());
        });
        ta.join();
        tb.join();
        std::set<std::string> all(a.begin(), a.end());
        all.insert(b.begin(), b.end());
        CPPUNIT_ASSERT_EQUAL(std::size_t{100}, all.size());
    }

    // A forked child reseeds: otherwise parent and child would hand out the same ids.
    void a_forked_child_does_not_repeat_the_parents_ids() {
        (void)zt::tracing::newSpanId();  // this thread's generator is seeded before the fork
        int fds[2];
        CPPUNIT_ASSERT_EQUAL(0, ::pipe(fds));
        const pid_t pid = ::fork();
        CPPUNIT_ASSERT(pid >= 0);
        if (pid == 0) {
            const std::string id = zt::tracing::newTraceId();
            (void)!::write(fds[1], id.data(), id.size());
            ::_exit(0);
        }
        ::close(fds[1]);
        const std::string parentId = zt::tracing::newTraceId();
        char buf[32];
        std::size_t got = 0;
        while (got < sizeof buf) {
            const ssize_t n = ::read(fds[0], buf + got, sizeof buf - got);
            if (n <= 0) break;
            got += static_cast<std::size_t>(n);
        }
        ::close(fds[0]);
        int status = 0;
        ::waitpid(pid, &status, 0);
        CPPUNIT_ASSERT_EQUAL(std::size_t{32}, got);
        CPPUNIT_ASSERT(parentId != std::string(buf, got));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(TraceParentTest);
