#pragma once
// Lock-free duration histograms for the Prometheus exposition (docs/MONITORING.md).
//
// observe() is a handful of relaxed atomic adds on the recording thread: no lock, no allocation
// (what it costs a request: bench/metrics-overhead). A snapshot reads the counters one by
// one while others keep recording; every bucket and the count come from the same reads, so a
// snapshot is always a well-formed histogram (cumulative buckets, +Inf == count), only the sum
// may be a few observations ahead or behind.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

namespace zt::metrics {

/// The most upper bounds a histogram may have (not counting +Inf).
inline constexpr std::size_t kMaxBounds = 16;

/// OpenTelemetry's advice for http.server.request.duration and http.client.request.duration (s).
inline constexpr std::array<double, 14> kHttpDurationBounds{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25,
                                                            0.5,   0.75, 1.0,   2.5,  5.0,   7.5, 10.0};
/// Waits for a pooled database connection (s): most are immediate, a slow one is a saturated pool.
inline constexpr std::array<double, 14> kPoolWaitBounds{0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                        0.05,   0.1,    0.25,  0.5,    1.0,   2.5,  5.0};

/// What a histogram held when it was read.
struct HistogramSnapshot {
    std::vector<double> bounds;             ///< upper bounds in seconds, ascending
    std::vector<std::uint64_t> cumulative;  ///< bounds.size() + 1 counts; the last is +Inf (the count)
    double sumSeconds = 0;

    std::uint64_t count() const { return cumulative.empty() ? 0 : cumulative.back(); }
};

/// A histogram with `bounds` and nothing counted yet.
HistogramSnapshot emptySnapshot(std::span<const double> bounds);

/// The counters of one histogram, without its bounds (a family shares one set of bounds).
/// [any-thread]
class HistogramCounts {
public:
    /// `bucket`: the index of the first bound >= the value (bounds.size() for +Inf).
    void add(std::size_t bucket, std::chrono::nanoseconds value) noexcept {
        counts_[bucket].fetch_add(1, std::memory_order_relaxed);
        sumNanos_.fetch_add(static_cast<std::uint64_t>(value.count() > 0 ? value.count() : 0),
                            std::memory_order_relaxed);
    }
    HistogramSnapshot snapshot(std::span<const double> bounds) const;
    /// Adds these counters to `into` (made with the same bounds).
    void addTo(HistogramSnapshot& into) const;

private:
    std::array<std::atomic<std::uint64_t>, kMaxBounds + 1> counts_{};
    std::atomic<std::uint64_t> sumNanos_{0};
};

/// The index of the bucket `value` falls in: the first bound >= it in seconds, else bounds.size().
std::size_t bucketOf(std::span<const double> bounds, std::chrono::nanoseconds value) noexcept;

/// One histogram of durations with its own bounds (at most kMaxBounds). [any-thread]
class DurationHistogram {
public:
    /// Throws std::invalid_argument when `bounds` is empty, too long or not ascending.
    explicit DurationHistogram(std::span<const double> bounds);

    void observe(std::chrono::nanoseconds value) noexcept { counts_.add(bucketOf(bounds_, value), value); }
    HistogramSnapshot snapshot() const { return counts_.snapshot(bounds_); }

private:
    std::vector<double> bounds_;
    HistogramCounts counts_;
};

/// Checks a set of bounds (ascending, 1..kMaxBounds): throws std::invalid_argument when not.
void checkBounds(std::span<const double> bounds);

}  // namespace zt::metrics
