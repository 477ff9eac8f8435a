#pragma once
// Prometheus text exposition format 0.0.4 (docs/MONITORING.md): what admin GET /metrics answers.
// Families are written one after the other, each with # HELP and # TYPE once and all its samples
// together, as the format requires. Label values and help texts are escaped here.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "metrics/DurationHistogram.h"

namespace zt::metrics {

class TextExposition {
public:
    using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

    static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// Starts a family: `type` is "counter", "gauge" or "histogram".
    void family(std::string_view name, std::string_view type, std::string_view help);
    void sample(std::string_view name, const Labels& labels, double value);
    void sample(std::string_view name, const Labels& labels, std::uint64_t value);
    void sample(std::string_view name, const Labels& labels, std::int64_t value);
    /// <name>_bucket{...,le="..."} for every bound and +Inf, then <name>_sum and <name>_count.
    void histogram(std::string_view name, const Labels& labels, const HistogramSnapshot& histogram);

    const std::string& text() const { return out_; }
    std::string take() { return std::move(out_); }

private:
    void labels(const Labels& labels, std::string_view le = {});
    /// `name{labels,le="..."} value` and the line end (`le` only when given).
    void line(std::string_view name, const Labels& labels, std::string_view value, std::string_view le = {});

    std::string out_;
};

/// A number as the exposition writes it: the shortest text that reads back to the same double,
/// "+Inf", "-Inf" or "NaN".
std::string formatNumber(double value);

}  // namespace zt::metrics
