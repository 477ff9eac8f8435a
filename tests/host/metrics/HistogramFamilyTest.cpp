// Lock-free histograms (docs/MONITORING.md): Prometheus bucket semantics (le = "less or equal"),
// one series per label set, exact counts under concurrent recording, and the capacity bound that
// keeps a flood of new label values from growing memory.
#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "metrics/DurationHistogram.h"
#include "metrics/HistogramFamily.h"

using namespace std::chrono_literals;
using zt::metrics::HistogramFamily;

class HistogramFamilyTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(HistogramFamilyTest);
    CPPUNIT_TEST(a_value_on_a_bound_falls_in_that_bucket);
    CPPUNIT_TEST(buckets_are_cumulative_and_the_last_is_the_count);
    CPPUNIT_TEST(each_label_set_is_its_own_series);
    CPPUNIT_TEST(concurrent_observations_are_all_counted);
    CPPUNIT_TEST(a_full_table_drops_new_series_and_counts_them);
    CPPUNIT_TEST(bad_bounds_are_refused);
    CPPUNIT_TEST_SUITE_END();

public:
    void a_value_on_a_bound_falls_in_that_bucket() {
        const double bounds[] = {0.005, 0.01};
        CPPUNIT_ASSERT_EQUAL(std::size_t{0}, zt::metrics::bucketOf(bounds, 5ms));
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, zt::metrics::bucketOf(bounds, 5001us));
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, zt::metrics::bucketOf(bounds, 10ms));
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, zt::metrics::bucketOf(bounds, 11ms));
        CPPUNIT_ASSERT_EQUAL(std::size_t{0}, zt::metrics::bucketOf(bounds, 0ns));
    }

    void buckets_are_cumulative_and_the_last_is_the_count() {
        zt::metrics::DurationHistogram h(zt::metrics::kHttpDurationBounds);
        h.observe(1ms);    // <= 0.005
        h.observe(7ms);    // <= 0.01
        h.observe(300ms);  // <= 0.5
        h.observe(20s);    // +Inf only
        const auto s = h.snapshot();
        CPPUNIT_ASSERT_EQUAL(std::size_t{15}, s.cumulative.size());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, s.cumulative[0]);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{2}, s.cumulative[1]);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{2}, s.cumulative[6]);   // le=0.25
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{3}, s.cumulative[7]);   // le=0.5
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{3}, s.cumulative[13]);  // le=10
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{4}, s.count());
        CPPUNIT_ASSERT_DOUBLES_EQUAL(20.308, s.sumSeconds, 1e-9);
    }

    void each_label_set_is_its_own_series() {
        HistogramFamily f({"method", "route"}, zt::metrics::kHttpDurationBounds, 64);
        f.observe({"GET", "/users/:id"}, 1ms);
        f.observe({"GET", "/users/:id"}, 2ms);
        f.observe({"POST", "/users"}, 3ms);
        // ("ab","c") and ("a","bc") must not meet in one series.
        f.observe({"ab", "c"}, 1ms);
        f.observe({"a", "bc"}, 1ms);
        auto series = f.collect();
        CPPUNIT_ASSERT_EQUAL(std::size_t{4}, series.size());
        std::uint64_t users = 0;
        for (const auto& s : series) {
            if (s.labelValues == std::vector<std::string>{"GET", "/users/:id"}) users = s.histogram.count();
        }
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{2}, users);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{0}, f.dropped());
    }

    void concurrent_observations_are_all_counted() {
        HistogramFamily f({"status"}, zt::metrics::kHttpDurationBounds, 64);
        constexpr int kThreads = 4, kEach = 50000;
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&f, t] {
                // Every thread races to create the same three series first.
                for (int i = 0; i < kEach; ++i) f.observe({i % 3 == 0 ? "200" : i % 3 == 1 ? "404" : "500"}, 1ms * t);
            });
        }
        for (auto& t : threads) t.join();
        auto series = f.collect();
        CPPUNIT_ASSERT_EQUAL(std::size_t{3}, series.size());
        std::uint64_t total = 0;
        for (const auto& s : series) total += s.histogram.count();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{kThreads} * kEach, total);
    }

    void a_full_table_drops_new_series_and_counts_them() {
        HistogramFamily f({"path"}, zt::metrics::kHttpDurationBounds, 8);
        for (int i = 0; i < 100; ++i) f.observe({"/p" + std::to_string(i)}, 1ms);
        CPPUNIT_ASSERT_EQUAL(std::size_t{8}, f.collect().size());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{92}, f.dropped());
        // A series that exists still records.
        f.observe({"/p0"}, 1ms);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{92}, f.dropped());
    }

    void bad_bounds_are_refused() {
        const double descending[] = {0.1, 0.05};
        CPPUNIT_ASSERT_THROW(zt::metrics::DurationHistogram{descending}, std::invalid_argument);
        std::vector<double> tooMany(zt::metrics::kMaxBounds + 1);
        for (std::size_t i = 0; i < tooMany.size(); ++i) tooMany[i] = static_cast<double>(i + 1);
        CPPUNIT_ASSERT_THROW(zt::metrics::DurationHistogram{tooMany}, std::invalid_argument);
        CPPUNIT_ASSERT_THROW(HistogramFamily({}, zt::metrics::kHttpDurationBounds, 8), std::invalid_argument);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(HistogramFamilyTest);
