#pragma once
// Duration histograms by label values (docs/MONITORING.md), such as one per
// {method, route, status} of a service. Lock-free: the series live in a fixed table of slots
// found by hashing the label values (open addressing). Recording into an existing series is
// a hash, a compare and a few relaxed atomic adds; the first observation of new label values
// claims an empty slot with one compare-and-swap. The table never grows and never forgets, so
// its capacity is also the bound on the family's cardinality: past it, observations are counted
// in dropped() instead of making new series.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/DurationHistogram.h"

namespace zt::metrics {

class HistogramFamily {
public:
    struct Series {
        std::vector<std::string> labelValues;  ///< in the order of labelNames()
        HistogramSnapshot histogram;
    };

    /// `capacity`: the most series (rounded up to a power of two). Throws std::invalid_argument
    /// for bad bounds or no label names.
    HistogramFamily(std::vector<std::string> labelNames, std::span<const double> bounds, std::size_t capacity);
    HistogramFamily(const HistogramFamily&) = delete;
    HistogramFamily& operator=(const HistogramFamily&) = delete;

    /// [any-thread] `labelValues`: one per label name, in order (extra values are ignored,
    /// missing ones are empty). Never throws, never blocks (except, once per series, a few
    /// spins while another thread finishes writing the labels of the slot it just claimed).
    void observe(std::initializer_list<std::string_view> labelValues, std::chrono::nanoseconds value) noexcept;

    /// [any-thread] Every series recorded so far, in table order (the same order on every call).
    std::vector<Series> collect() const;
    /// Observations not recorded because the table was full.
    std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
    const std::vector<std::string>& labelNames() const { return labelNames_; }
    std::size_t capacity() const { return capacity_; }

private:
    enum SlotState : int { Empty = 0, Claimed = 1, Ready = 2 };
    /// Each series' counters, once per stripe: a thread adds to its own stripe (threads are dealt
    /// stripes in turn), so the event loops and handler threads on different cores do not fight
    /// over one cache line on every request; a snapshot adds the stripes up.
    static constexpr std::size_t kStripes = 8;
    struct alignas(64) Stripe {
        HistogramCounts counts;
    };
    struct Slot {
        std::atomic<int> state{Empty};
        std::uint64_t hash = 0;                ///< written before state becomes Ready
        std::vector<std::string> labelValues;  ///< idem
        std::unique_ptr<Stripe[]> stripes;     ///< idem: kStripes of them, made when the slot is claimed
    };
    static std::size_t stripeOfThisThread() noexcept;
    HistogramSnapshot snapshotOf(const Slot& slot) const;
    static std::uint64_t hashOf(std::initializer_list<std::string_view> values, std::size_t n) noexcept;
    bool sameLabels(const Slot& slot, std::initializer_list<std::string_view> values) const noexcept;

    const std::vector<std::string> labelNames_;
    const std::vector<double> bounds_;
    const std::size_t capacity_;  ///< a power of two
    std::unique_ptr<Slot[]> slots_;
    alignas(64) std::atomic<std::uint64_t> dropped_{0};  ///< apart from the read-mostly fields above
};

}  // namespace zt::metrics
