#include "metrics/TextExposition.h"

#include <charconv>
#include <cmath>

namespace zt::metrics {

namespace {
void appendEscaped(std::string& out, std::string_view text, bool quote) {
    for (char c : text) {
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else if (c == '"' && quote) out += "\\\"";
        else out += c;
    }
}
}  // namespace

std::string formatNumber(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general);
    return std::string(buf, r.ptr);
}

void TextExposition::family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    appendEscaped(out_, help, false);
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
}

void TextExposition::labels(const Labels& labels, std::string_view le) {
    if (labels.empty() && le.empty()) return;
    out_ += '{';
    bool first = true;
    for (const auto& [name, value] : labels) {
        if (!first) out_ += ',';
        first = false;
        out_ += name;
        out_ += "=\"";
        appendEscaped(out_, value, true);
        out_ += '"';
    }
    if (!le.empty()) {
        if (!first) out_ += ',';
        out_ += "le=\"";
        out_ += le;
        out_ += '"';
    }
    out_ += '}';
}

void TextExposition::line(std::string_view name, const Labels& l, std::string_view value, std::string_view le) {
    out_ += name;
    labels(l, le);
    out_ += ' ';
    out_ += value;
    out_ += '\n';
}

void TextExposition::sample(std::string_view name, const Labels& l, double v) { line(name, l, formatNumber(v)); }

void TextExposition::sample(std::string_view name, const Labels& l, std::uint64_t v) {
    line(name, l, std::to_string(v));
}

void TextExposition::sample(std::string_view name, const Labels& l, std::int64_t v) {
    line(name, l, std::to_string(v));
}

void TextExposition::histogram(std::string_view name, const Labels& l, const HistogramSnapshot& h) {
    const std::string bucket = std::string(name) + "_bucket";
    for (std::size_t i = 0; i < h.cumulative.size(); ++i)
        line(bucket, l, std::to_string(h.cumulative[i]), i < h.bounds.size() ? formatNumber(h.bounds[i]) : "+Inf");
    sample(std::string(name) + "_sum", l, h.sumSeconds);
    sample(std::string(name) + "_count", l, h.count());
}

}  // namespace zt::metrics
