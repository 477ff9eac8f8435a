// The Prometheus text format 0.0.4 as the exposition writes it (docs/MONITORING.md): escaping of
// label values and help texts, number formatting, and a histogram's _bucket/_sum/_count lines.
#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>

#include "metrics/DurationHistogram.h"
#include "metrics/ProcessStats.h"
#include "metrics/TextExposition.h"

using namespace std::chrono_literals;
using zt::metrics::TextExposition;

class TextExpositionTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(TextExpositionTest);
    CPPUNIT_TEST(label_values_and_help_are_escaped);
    CPPUNIT_TEST(numbers_are_written_as_prometheus_reads_them);
    CPPUNIT_TEST(a_histogram_has_every_bucket_then_sum_and_count);
    CPPUNIT_TEST(process_stats_are_read_from_proc);
    CPPUNIT_TEST_SUITE_END();

public:
    void label_values_and_help_are_escaped() {
        TextExposition out;
        out.family("x_total", "counter", "a \\ b\nc \"q\"");
        out.sample("x_total", {{"path", "a\"b\\c\nd"}}, std::uint64_t{3});
        CPPUNIT_ASSERT_EQUAL(std::string("# HELP x_total a \\\\ b\\nc \"q\"\n# TYPE x_total counter\n"
                                         "x_total{path=\"a\\\"b\\\\c\\nd\"} 3\n"),
                             out.text());
    }

    void numbers_are_written_as_prometheus_reads_them() {
        CPPUNIT_ASSERT_EQUAL(std::string("0.005"), zt::metrics::formatNumber(0.005));
        CPPUNIT_ASSERT_EQUAL(std::string("0.0001"), zt::metrics::formatNumber(0.0001));
        CPPUNIT_ASSERT_EQUAL(std::string("10"), zt::metrics::formatNumber(10.0));
        CPPUNIT_ASSERT_EQUAL(std::string("+Inf"), zt::metrics::formatNumber(std::numeric_limits<double>::infinity()));
        CPPUNIT_ASSERT_EQUAL(std::string("NaN"), zt::metrics::formatNumber(std::nan("")));
        // Shortest text that reads back to the same double.
        CPPUNIT_ASSERT_EQUAL(0.1 + 0.2, std::stod(zt::metrics::formatNumber(0.1 + 0.2)));
    }

    void a_histogram_has_every_bucket_then_sum_and_count() {
        const double bounds[] = {0.01, 0.1};
        zt::metrics::DurationHistogram h(bounds);
        h.observe(5ms);
        h.observe(50ms);
        h.observe(2s);
        TextExposition out;
        out.histogram("d_seconds", {{"service", "users"}}, h.snapshot());
        CPPUNIT_ASSERT_EQUAL(std::string("d_seconds_bucket{service=\"users\",le=\"0.01\"} 1\n"
                                         "d_seconds_bucket{service=\"users\",le=\"0.1\"} 2\n"
                                         "d_seconds_bucket{service=\"users\",le=\"+Inf\"} 3\n"
                                         "d_seconds_sum{service=\"users\"} 2.055\n"
                                         "d_seconds_count{service=\"users\"} 3\n"),
                             out.text());
    }

    void process_stats_are_read_from_proc() {
        const auto p = zt::metrics::ProcessStats::read();
        CPPUNIT_ASSERT(p.residentBytes > 1024 * 1024);
        CPPUNIT_ASSERT(p.virtualBytes >= p.residentBytes);
        CPPUNIT_ASSERT(p.openFds >= 3);  // stdin, stdout, stderr at least
        CPPUNIT_ASSERT(p.maxFds >= p.openFds);
        CPPUNIT_ASSERT(p.threads >= 1);
        const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
        // Started a moment ago (boot time + start ticks), not at the epoch or in the future.
        CPPUNIT_ASSERT(p.startTimeSeconds > now - 600 && p.startTimeSeconds <= now + 1);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(TextExpositionTest);
