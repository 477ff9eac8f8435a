#include "metrics/HistogramFamily.h"

#include <stdexcept>
#include <thread>

namespace zt::metrics {

namespace {
std::size_t powerOfTwoAtLeast(std::size_t n) {
    std::size_t p = 1;
    while (p < n) p <<= 1;
    return p;
}
}  // namespace

HistogramFamily::HistogramFamily(std::vector<std::string> labelNames, std::span<const double> bounds,
                                 std::size_t capacity)
    : labelNames_(std::move(labelNames)),
      bounds_(bounds.begin(), bounds.end()),
      capacity_(powerOfTwoAtLeast(capacity == 0 ? 1 : capacity)),
      slots_(std::make_unique<Slot[]>(capacity_)) {
    if (labelNames_.empty()) throw std::invalid_argument("a histogram family needs at least one label");
    checkBounds(bounds_);
}

std::uint64_t HistogramFamily::hashOf(std::initializer_list<std::string_view> values, std::size_t n) noexcept {
    // Only spreads the series over the table: every hit is confirmed by comparing the labels, so
    // each value's length and first, middle and last bytes are enough - a dozen instructions a
    // value instead of a pass over every byte on every request.
    std::uint64_t h = 1469598103934665603ull;
    std::size_t i = 0;
    for (auto v : values) {
        if (i++ == n) break;
        std::uint64_t x = v.size();
        if (!v.empty()) {
            x = x << 24 ^ static_cast<unsigned char>(v.front()) << 16 ^
                static_cast<unsigned char>(v[v.size() / 2]) << 8 ^ static_cast<unsigned char>(v.back());
        }
        h = (h ^ x) * 1099511628211ull;
        h ^= h >> 31;
    }
    return h;
}

bool HistogramFamily::sameLabels(const Slot& slot, std::initializer_list<std::string_view> values) const noexcept {
    std::size_t i = 0;
    for (auto v : values) {
        if (i == labelNames_.size()) break;
        if (slot.labelValues[i] != v) return false;
        ++i;
    }
    for (; i < labelNames_.size(); ++i) {
        if (!slot.labelValues[i].empty()) return false;
    }
    return true;
}

void HistogramFamily::observe(std::initializer_list<std::string_view> values, std::chrono::nanoseconds value) noexcept {
    const std::uint64_t h = hashOf(values, labelNames_.size());
    const std::size_t mask = capacity_ - 1;
    std::size_t i = static_cast<std::size_t>(h) & mask;
    for (std::size_t probe = 0; probe < capacity_; ++probe, i = (i + 1) & mask) {
        Slot& slot = slots_[i];
        int state = slot.state.load(std::memory_order_acquire);
        if (state == Empty) {
            int expected = Empty;
            if (slot.state.compare_exchange_strong(expected, Claimed, std::memory_order_acq_rel)) {
                try {
                    slot.stripes = std::make_unique<Stripe[]>(kStripes);
                    slot.hash = h;
                    slot.labelValues.reserve(labelNames_.size());
                    std::size_t n = 0;
                    for (auto v : values) {
                        if (n++ == labelNames_.size()) break;
                        slot.labelValues.emplace_back(v);
                    }
                    slot.labelValues.resize(labelNames_.size());
                } catch (...) {
                    // Out of memory while naming the series: the slot stays claimed with the
                    // hash of no label set, so nothing ever matches it.
                    slot.hash = ~h;
                    slot.labelValues.assign(labelNames_.size(), std::string());
                    slot.stripes.reset();
                    slot.state.store(Ready, std::memory_order_release);
                    dropped_.fetch_add(1, std::memory_order_relaxed);
                    return;
                }
                slot.state.store(Ready, std::memory_order_release);
                slot.stripes[stripeOfThisThread()].counts.add(bucketOf(bounds_, value), value);
                return;
            }
            state = expected;
        }
        while (state == Claimed) {
            // Another thread is writing this slot's labels: a few hundred nanoseconds, once per series.
            std::this_thread::yield();
            state = slot.state.load(std::memory_order_acquire);
        }
        if (slot.hash == h && slot.stripes && sameLabels(slot, values)) {
            slot.stripes[stripeOfThisThread()].counts.add(bucketOf(bounds_, value), value);
            return;
        }
    }
    dropped_.fetch_add(1, std::memory_order_relaxed);
}

std::size_t HistogramFamily::stripeOfThisThread() noexcept {
    static std::atomic<std::size_t> nextStripe{0};
    thread_local const std::size_t stripe = nextStripe.fetch_add(1, std::memory_order_relaxed) % kStripes;
    return stripe;
}

HistogramSnapshot HistogramFamily::snapshotOf(const Slot& slot) const {
    HistogramSnapshot s = emptySnapshot(bounds_);
    if (slot.stripes) {
        for (std::size_t i = 0; i < kStripes; ++i) slot.stripes[i].counts.addTo(s);
    }
    return s;
}

std::vector<HistogramFamily::Series> HistogramFamily::collect() const {
    std::vector<Series> out;
    for (std::size_t i = 0; i < capacity_; ++i) {
        const Slot& slot = slots_[i];
        if (slot.state.load(std::memory_order_acquire) != Ready) continue;
        auto histogram = snapshotOf(slot);
        // 0: claimed a moment ago and not counted yet, or a slot given up for lack of memory.
        if (histogram.count() == 0) continue;
        out.push_back(Series{slot.labelValues, std::move(histogram)});
    }
    return out;
}

}  // namespace zt::metrics
