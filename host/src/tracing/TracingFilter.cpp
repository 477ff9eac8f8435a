#include "tracing/TracingFilter.h"

#include "tracing/IdRandom.h"

#include <Poco/Logger.h>

#include <cmath>
#include <cstdio>

#include "config/ConfigError.h"
#include "config/EnvConfig.h"
#include "config/ServiceConfig.h"
#include "tracing/TraceParent.h"

namespace zt::tracing {

namespace {
constexpr int kMaxTraceDepth = 1000;
constexpr std::size_t kMaxServiceIdLength = 128;
constexpr std::size_t kMaxTracestateLength = 512;  // W3C: 32 members of bounded size

bool validRate(double rate) { return std::isfinite(rate) && rate >= 0.0 && rate <= 1.0; }

// Printable ASCII without separators that could break a header: safe to echo back.
bool isSafeToken(std::string_view s, std::size_t maxLength) {
    if (s.empty() || s.size() > maxLength) return false;
    for (char c : s) {
        if (c <= 0x20 || c >= 0x7F) return false;
    }
    return true;
}

// ZinTrust's x-trace-id is 32 hex digits; W3C needs it lower case.
std::optional<std::string> normaliseTraceId(std::string_view s) {
    if (s.size() != 32) return std::nullopt;
    std::string out(s);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    }
    if (!isLowerHex(out, 32) || isAllZero(out)) return std::nullopt;
    return out;
}

std::uint64_t unixNanosNow() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}
}  // namespace

void stampNewTrace(http::HttpResponse& response) {
    http::TraceContext trace;
    trace.traceId = newTraceId();
    trace.spanId = newSpanId();
    response.headers.set("traceparent", trace.traceparent());
    response.headers.set("x-trace-id", trace.traceId);
}

TracingSettings TracingSettings::fromConfig(const config::ServiceConfig& service, const config::EnvConfig& env) {
    if (!validRate(env.tracingRate)) {
        throw config::ConfigError("MICROSERVICES_TRACING_RATE: expected a number in [0, 1], got " +
                                  std::to_string(env.tracingRate));
    }
    TracingSettings s;
    s.serviceName = service.name;
    s.enabled = service.tracing.enabled.value_or(env.tracing);
    s.samplingRate = service.tracing.samplingRate.value_or(env.tracingRate);
    if (!validRate(s.samplingRate)) {
        const std::string where = service.configFile.empty() ? "service '" + service.name + "'" : service.configFile;
        throw config::ConfigError(where + ": tracing.samplingRate: expected a number in [0, 1], got " +
                                  std::to_string(s.samplingRate));
    }
    return s;
}

TracingFilter::TracingFilter(TracingSettings settings, std::shared_ptr<SpanExporter> exporter)
    : settings_(std::move(settings)), exporter_(std::move(exporter)), logger_(Poco::Logger::get("zt.tracing")) {
    if (!validRate(settings_.samplingRate)) {
        throw config::ConfigError("service '" + settings_.serviceName +
                                  "': tracing.samplingRate: expected a number in [0, 1], got " +
                                  std::to_string(settings_.samplingRate));
    }
}

bool TracingFilter::sampleAtEdge() const {
    if (!settings_.enabled || settings_.samplingRate <= 0.0) return false;
    if (settings_.samplingRate >= 1.0) return true;
    const std::uint64_t r = idRandom64();
    // 53 random bits -> uniform double in [0, 1).
    const double u = static_cast<double>(r >> 11) * (1.0 / 9007199254740992.0);
    return u < settings_.samplingRate;
}

http::FilterStatus TracingFilter::onRequest(http::Exchange& exchange) const {
    const http::HeaderList& headers = exchange.request.headers;
    http::TraceContext& trace = exchange.trace;
    trace = http::TraceContext{};

    std::optional<TraceParent> incoming;
    if (auto tp = headers.get("traceparent")) incoming = TraceParent::parse(*tp);

    if (incoming) {
        trace.traceId = incoming->traceId;
        trace.parentSpanId = incoming->parentId;
        // Only the sampled bit is defined by W3C level 1; it is kept as it came, never re-rolled.
        trace.flags = incoming->flags & 0x01u;
        // tracestate only means something next to the traceparent it belongs to.
        if (auto ts = headers.get("tracestate"); ts && ts->size() <= kMaxTracestateLength) {
            trace.tracestate = std::string(*ts);
        }
    } else {
        // The edge: an invalid traceparent is treated like none and starts a new trace, but a
        // ZinTrust caller's x-trace-id keeps the trace joined up.
        std::optional<std::string> zintrustId;
        if (auto xid = headers.get("x-trace-id")) zintrustId = normaliseTraceId(*xid);
        trace.traceId = zintrustId ? *zintrustId : newTraceId();
        trace.flags = sampleAtEdge() ? 0x01u : 0x00u;
    }
    trace.spanId = newSpanId();

    if (auto parent = headers.get("x-parent-service-id"); parent && isSafeToken(*parent, kMaxServiceIdLength)) {
        trace.parentServiceId = std::string(*parent);
    }
    if (auto depth = headers.get("x-trace-depth")) {
        int value = 0;
        bool ok = !depth->empty() && depth->size() <= 4;
        for (char c : *depth) {
            ok = ok && c >= '0' && c <= '9';
            if (ok) value = value * 10 + (c - '0');
        }
        trace.depth = ok && value <= kMaxTraceDepth ? value : 0;
    }
    return http::FilterStatus::Continue;
}

void TracingFilter::onResponse(http::Exchange& exchange) const {
    const http::TraceContext& trace = exchange.trace;
    if (!trace.valid()) return;  // onRequest did not run for this exchange
    http::HeaderList& out = exchange.response.headers;
    out.set("traceparent", trace.traceparent());
    out.set("x-trace-id", trace.traceId);
    if (!trace.tracestate.empty()) out.set("tracestate", trace.tracestate);
    if (!trace.parentServiceId.empty()) out.set("x-parent-service-id", trace.parentServiceId);
    if (exchange.request.headers.has("x-trace-depth")) out.set("x-trace-depth", std::to_string(trace.depth));

    if (!settings_.enabled || !trace.sampled()) return;

    const auto elapsed = std::chrono::steady_clock::now() - exchange.startedAt;
    const auto elapsedNs = static_cast<std::uint64_t>(
        std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()));
    SpanRecord span;
    span.serviceName = settings_.serviceName;
    span.method = exchange.request.method;
    span.routePattern = exchange.routePattern;
    span.name = span.method + " " + (span.routePattern.empty() ? std::string("(unmatched)") : span.routePattern);
    span.status = exchange.response.status;
    span.traceId = trace.traceId;
    span.spanId = trace.spanId;
    span.parentSpanId = trace.parentSpanId;
    span.endUnixNano = unixNanosNow();
    span.startUnixNano = span.endUnixNano - std::min(elapsedNs, span.endUnixNano);

    if (logger_.information()) {
        char duration[32];
        std::snprintf(duration, sizeof duration, "%.3f", static_cast<double>(elapsedNs) / 1e6);
        logger_.information("span service=" + span.serviceName +
                            " route=" + (span.routePattern.empty() ? std::string("-") : span.routePattern) +
                            " method=" + span.method + " status=" + std::to_string(span.status) +
                            " duration_ms=" + duration + " trace_id=" + span.traceId + " span_id=" + span.spanId +
                            " parent_span_id=" + (span.parentSpanId.empty() ? std::string("-") : span.parentSpanId));
    }
    if (exporter_) exporter_->exportSpan(std::move(span));
}

}  // namespace zt::tracing
