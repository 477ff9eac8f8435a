#include "metrics/DurationHistogram.h"

#include <stdexcept>

namespace zt::metrics {

HistogramSnapshot emptySnapshot(std::span<const double> bounds) {
    HistogramSnapshot s;
    s.bounds.assign(bounds.begin(), bounds.end());
    s.cumulative.assign(bounds.size() + 1, 0);
    return s;
}

HistogramSnapshot HistogramCounts::snapshot(std::span<const double> bounds) const {
    HistogramSnapshot s = emptySnapshot(bounds);
    addTo(s);
    return s;
}

void HistogramCounts::addTo(HistogramSnapshot& into) const {
    std::uint64_t running = 0;
    for (std::size_t i = 0; i < into.cumulative.size(); ++i) {
        running += counts_[i].load(std::memory_order_relaxed);
        into.cumulative[i] += running;
    }
    into.sumSeconds += static_cast<double>(sumNanos_.load(std::memory_order_relaxed)) / 1e9;
}

std::size_t bucketOf(std::span<const double> bounds, std::chrono::nanoseconds value) noexcept {
    const double seconds = static_cast<double>(value.count()) / 1e9;
    std::size_t i = 0;
    // 14 bounds: a linear scan beats a binary search (and most values land in the first few).
    while (i < bounds.size() && seconds > bounds[i]) ++i;
    return i;
}

void checkBounds(std::span<const double> bounds) {
    if (bounds.empty() || bounds.size() > kMaxBounds)
        throw std::invalid_argument("a histogram needs 1 to " + std::to_string(kMaxBounds) + " bounds");
    for (std::size_t i = 1; i < bounds.size(); ++i) {
        if (!(bounds[i - 1] < bounds[i])) throw std::invalid_argument("histogram bounds must be ascending");
    }
}

DurationHistogram::DurationHistogram(std::span<const double> bounds) : bounds_(bounds.begin(), bounds.end()) {
    checkBounds(bounds_);
}

}  // namespace zt::metrics
