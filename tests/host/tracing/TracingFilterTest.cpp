// Tracing filter (docs/FILTERS.md): context adoption, edge sampling, propagation across services, response
// headers, span records.
#include <cppunit/extensions/HelperMacros.h>

#include <cmath>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "support/FilterTestSupport.h"
#include "config/ConfigError.h"
#include "tracing/TraceParent.h"
#include "tracing/TracingFilter.h"

using namespace zt::tracing;
using zt::http::FilterStatus;
using zt::test::filters::makeExchange;

namespace {
const std::string kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
const std::string kSpan = "00f067aa0ba902b7";

class RecordingExporter final : public SpanExporter {
public:
    bool exportSpan(SpanRecord span) override {
        std::lock_guard<std::mutex> lock(mutex);
        spans.push_back(std::move(span));
        return true;
    }
    std::vector<SpanRecord> spans;
    std::mutex mutex;
};

TracingSettings settings(bool enabled, double rate, const std::string& name = "users") {
    TracingSettings s;
    s.serviceName = name;
    s.enabled = enabled;
    s.samplingRate = rate;
    return s;
}

// Runs the filter around a "handler" that sets a status, like the chain would.
zt::http::Exchange roundTrip(const TracingFilter& f, std::vector<std::pair<std::string, std::string>> headers,
                             int status = 200, const std::string& route = "/users/:id") {
    auto ex = makeExchange("GET", "/users/7", headers);
    CPPUNIT_ASSERT(f.onRequest(ex) == FilterStatus::Continue);
    ex.routePattern = route;
    ex.response.status = status;
    f.onResponse(ex);
    return ex;
}

std::string header(const zt::http::Exchange& ex, const char* name) {
    return std::string(ex.response.headers.get(name).value_or(""));
}
}  // namespace

class TracingFilterTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(TracingFilterTest);
    CPPUNIT_TEST(adopts_valid_traceparent_and_opens_child_span);
    CPPUNIT_TEST(starts_new_trace_at_edge_without_parent);
    CPPUNIT_TEST(invalid_traceparent_starts_new_trace);
    CPPUNIT_TEST(keeps_valid_x_trace_id_without_traceparent);
    CPPUNIT_TEST(ignores_invalid_x_trace_id);
    CPPUNIT_TEST(traceparent_wins_over_x_trace_id);
    CPPUNIT_TEST(rate_one_samples_every_edge_request);
    CPPUNIT_TEST(rate_zero_samples_no_edge_request);
    CPPUNIT_TEST(fractional_rate_samples_roughly_that_share);
    CPPUNIT_TEST(incoming_sampled_flag_is_kept_even_with_rate_zero);
    CPPUNIT_TEST(incoming_unsampled_flag_is_kept_even_with_rate_one);
    CPPUNIT_TEST(propagates_across_two_chained_services);
    CPPUNIT_TEST(response_headers_present_when_tracing_disabled);
    CPPUNIT_TEST(response_headers_present_after_auth_rejection);
    CPPUNIT_TEST(passes_tracestate_and_zintrust_headers_through);
    CPPUNIT_TEST(drops_unsafe_parent_service_id_and_bad_depth);
    CPPUNIT_TEST(sampled_span_is_exported_with_ids_route_status_duration);
    CPPUNIT_TEST(unsampled_or_disabled_requests_export_nothing);
    CPPUNIT_TEST(concurrent_requests_get_distinct_spans);
    CPPUNIT_TEST(rate_outside_zero_one_is_config_error);
    CPPUNIT_TEST_SUITE_END();

public:
    void adopts_valid_traceparent_and_opens_child_span() {
        TracingFilter f(settings(true, 1.0), nullptr);
        auto ex = roundTrip(f, {{"traceparent", "00-" + kTrace + "-" + kSpan + "-01"}});
        CPPUNIT_ASSERT_EQUAL(kTrace, ex.trace.traceId);
        CPPUNIT_ASSERT_EQUAL(kSpan, ex.trace.parentSpanId);
        CPPUNIT_ASSERT(ex.trace.spanId != kSpan);
        CPPUNIT_ASSERT(isLowerHex(ex.trace.spanId, 16));
        CPPUNIT_ASSERT_EQUAL("00-" + kTrace + "-" + ex.trace.spanId + "-01", header(ex, "traceparent"));
        CPPUNIT_ASSERT_EQUAL(kTrace, header(ex, "x-trace-id"));
    }

    void starts_new_trace_at_edge_without_parent() {
        TracingFilter f(settings(true, 1.0), nullptr);
        auto a = roundTrip(f, {});
        auto b = roundTrip(f, {});
        CPPUNIT_ASSERT(isLowerHex(a.trace.traceId, 32));
        CPPUNIT_ASSERT(a.trace.parentSpanId.empty());
        CPPUNIT_ASSERT(a.trace.traceId != b.trace.traceId);
        CPPUNIT_ASSERT(TraceParent::parse(header(a, "traceparent")).has_value());
    }

    void invalid_traceparent_starts_new_trace() {
        TracingFilter f(settings(true, 1.0), nullptr);
        for (const std::string& bad :
             {"ff-" + kTrace + "-" + kSpan + "-01", "00-" + std::string(32, '0') + "-" + kSpan + "-01",
              "00-" + kTrace + "-" + kSpan, std::string("garbage")}) {
            auto ex = roundTrip(f, {{"traceparent", bad}, {"tracestate", "vendor=1"}});
            CPPUNIT_ASSERT(ex.trace.traceId != kTrace);
            CPPUNIT_ASSERT(ex.trace.parentSpanId.empty());
            // tracestate belongs to the discarded traceparent.
            CPPUNIT_ASSERT(ex.trace.tracestate.empty());
        }
    }

    void keeps_valid_x_trace_id_without_traceparent() {
        TracingFilter f(settings(false, 1.0), nullptr);
        auto ex = roundTrip(f, {{"x-trace-id", "ABCDEF0123456789abcdef0123456789"}});
        CPPUNIT_ASSERT_EQUAL(std::string("abcdef0123456789abcdef0123456789"), ex.trace.traceId);
        CPPUNIT_ASSERT_EQUAL(ex.trace.traceId, header(ex, "x-trace-id"));
        CPPUNIT_ASSERT(header(ex, "traceparent").find(ex.trace.traceId) == 3);
    }

    void ignores_invalid_x_trace_id() {
        TracingFilter f(settings(false, 1.0), nullptr);
        for (const std::string& bad : {std::string("abc"), std::string(32, '0'), std::string(31, 'a') + "g",
                                       std::string("4bf92f35-77b3-4da6-a3ce-929d0e0e4736")}) {
            auto ex = roundTrip(f, {{"x-trace-id", bad}});
            CPPUNIT_ASSERT(ex.trace.traceId != bad);
            CPPUNIT_ASSERT(isLowerHex(ex.trace.traceId, 32) && !isAllZero(ex.trace.traceId));
        }
    }

    void traceparent_wins_over_x_trace_id() {
        TracingFilter f(settings(true, 1.0), nullptr);
        auto ex = roundTrip(f, {{"x-trace-id", "abcdef0123456789abcdef0123456789"},
                                {"traceparent", "00-" + kTrace + "-" + kSpan + "-00"}});
        CPPUNIT_ASSERT_EQUAL(kTrace, ex.trace.traceId);
    }

    void rate_one_samples_every_edge_request() {
        TracingFilter f(settings(true, 1.0), nullptr);
        for (int i = 0; i < 200; ++i) {
            auto ex = roundTrip(f, {});
            CPPUNIT_ASSERT(ex.trace.sampled());
            CPPUNIT_ASSERT(header(ex, "traceparent").ends_with("-01"));
        }
    }

    void rate_zero_samples_no_edge_request() {
        TracingFilter f(settings(true, 0.0), nullptr);
        for (int i = 0; i < 200; ++i) {
            auto ex = roundTrip(f, {});
            CPPUNIT_ASSERT(!ex.trace.sampled());
            CPPUNIT_ASSERT(header(ex, "traceparent").ends_with("-00"));
        }
    }

    void fractional_rate_samples_roughly_that_share() {
        TracingFilter f(settings(true, 0.5), nullptr);
        int sampled = 0;
        for (int i = 0; i < 4000; ++i) sampled += f.sampleAtEdge() ? 1 : 0;
        // Binomial(4000, 0.5): sd ~ 32; +-300 is ~9 sd, so this only fails if sampling is broken.
        CPPUNIT_ASSERT_MESSAGE(std::to_string(sampled), sampled > 1700 && sampled < 2300);
    }

    void incoming_sampled_flag_is_kept_even_with_rate_zero() {
        RecordingExporter exporter;
        auto shared = std::shared_ptr<SpanExporter>(std::shared_ptr<void>(), &exporter);
        TracingFilter f(settings(true, 0.0), shared);
        auto ex = roundTrip(f, {{"traceparent", "00-" + kTrace + "-" + kSpan + "-01"}});
        CPPUNIT_ASSERT(ex.trace.sampled());
        CPPUNIT_ASSERT(header(ex, "traceparent").ends_with("-01"));
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, exporter.spans.size());
    }

    void incoming_unsampled_flag_is_kept_even_with_rate_one() {
        RecordingExporter exporter;
        auto shared = std::shared_ptr<SpanExporter>(std::shared_ptr<void>(), &exporter);
        TracingFilter f(settings(true, 1.0), shared);
        for (int i = 0; i < 50; ++i) {
            auto ex = roundTrip(f, {{"traceparent", "00-" + kTrace + "-" + kSpan + "-00"}});
            CPPUNIT_ASSERT(!ex.trace.sampled());
            CPPUNIT_ASSERT(header(ex, "traceparent").ends_with("-00"));
        }
        CPPUNIT_ASSERT(exporter.spans.empty());
    }

    void propagates_across_two_chained_services() {
        auto exporter = std::make_shared<RecordingExporter>();
        TracingFilter serviceA(settings(true, 1.0, "users"), exporter);
        TracingFilter serviceB(settings(true, 0.0, "orders"), exporter);  // B never rolls its own dice

        auto a = makeExchange("GET", "/users/7");
        serviceA.onRequest(a);
        // What A's handler would send on its call to B (callService copies exchange.trace).
        const std::string outgoing = a.trace.traceparent();
        auto b = makeExchange("GET", "/orders",
                              {{"traceparent", outgoing},
                               {"x-parent-service-id", "users"},
                               {"x-trace-depth", std::to_string(a.trace.depth + 1)}});
        serviceB.onRequest(b);
        b.routePattern = "/orders";
        serviceB.onResponse(b);
        a.routePattern = "/users/:id";
        serviceA.onResponse(a);

        CPPUNIT_ASSERT_EQUAL(a.trace.traceId, b.trace.traceId);
        CPPUNIT_ASSERT_EQUAL(a.trace.spanId, b.trace.parentSpanId);
        CPPUNIT_ASSERT(b.trace.sampled());
        CPPUNIT_ASSERT_EQUAL(std::string("users"), b.trace.parentServiceId);
        CPPUNIT_ASSERT_EQUAL(1, b.trace.depth);
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, exporter->spans.size());
        const SpanRecord& spanB = exporter->spans[0];
        const SpanRecord& spanA = exporter->spans[1];
        CPPUNIT_ASSERT_EQUAL(std::string("orders"), spanB.serviceName);
        CPPUNIT_ASSERT_EQUAL(spanA.spanId, spanB.parentSpanId);
        CPPUNIT_ASSERT(spanA.parentSpanId.empty());
        CPPUNIT_ASSERT_EQUAL(spanA.traceId, spanB.traceId);
    }

    void response_headers_present_when_tracing_disabled() {
        TracingFilter f(settings(false, 1.0), nullptr);
        auto ex = roundTrip(f, {});
        CPPUNIT_ASSERT(TraceParent::parse(header(ex, "traceparent")).has_value());
        CPPUNIT_ASSERT_EQUAL(ex.trace.traceId, header(ex, "x-trace-id"));
        CPPUNIT_ASSERT(!ex.trace.sampled());
    }

    void response_headers_present_after_auth_rejection() {
        TracingFilter f(settings(true, 1.0), nullptr);
        auto ex = makeExchange("GET", "/users");
        f.onRequest(ex);
        ex.response.setJson(401, R"({"error":{"code":"missing_credentials","message":"x"}})");
        f.onResponse(ex);
        CPPUNIT_ASSERT_EQUAL(401, ex.response.status);
        CPPUNIT_ASSERT(!header(ex, "traceparent").empty());
        CPPUNIT_ASSERT(!header(ex, "x-trace-id").empty());
    }

    void passes_tracestate_and_zintrust_headers_through() {
        TracingFilter f(settings(true, 1.0), nullptr);
        auto ex = roundTrip(f, {{"traceparent", "00-" + kTrace + "-" + kSpan + "-01"},
                                {"tracestate", "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"},
                                {"x-parent-service-id", "gateway"},
                                {"x-trace-depth", "3"}});
        CPPUNIT_ASSERT_EQUAL(std::string("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"), ex.trace.tracestate);
        CPPUNIT_ASSERT_EQUAL(std::string("gateway"), ex.trace.parentServiceId);
        CPPUNIT_ASSERT_EQUAL(3, ex.trace.depth);
        CPPUNIT_ASSERT_EQUAL(std::string("gateway"), header(ex, "x-parent-service-id"));
        CPPUNIT_ASSERT_EQUAL(std::string("3"), header(ex, "x-trace-depth"));
        CPPUNIT_ASSERT_EQUAL(std::string("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"), header(ex, "tracestate"));
    }

    void drops_unsafe_parent_service_id_and_bad_depth() {
        TracingFilter f(settings(true, 1.0), nullptr);
        auto ex = roundTrip(f, {{"x-parent-service-id", "evil\r\nset-cookie: x"}, {"x-trace-depth", "-4"}});
        CPPUNIT_ASSERT(ex.trace.parentServiceId.empty());
        CPPUNIT_ASSERT(!ex.response.headers.has("x-parent-service-id"));
        CPPUNIT_ASSERT_EQUAL(0, ex.trace.depth);
        auto huge = roundTrip(f, {{"x-trace-depth", "99999999999"}});
        CPPUNIT_ASSERT_EQUAL(0, huge.trace.depth);
    }

    void sampled_span_is_exported_with_ids_route_status_duration() {
        auto exporter = std::make_shared<RecordingExporter>();
        TracingFilter f(settings(true, 1.0), exporter);
        auto ex = makeExchange("POST", "/users/7", {{"traceparent", "00-" + kTrace + "-" + kSpan + "-01"}});
        ex.startedAt = std::chrono::steady_clock::now() - std::chrono::milliseconds(25);
        f.onRequest(ex);
        ex.routePattern = "/users/:id";
        ex.response.status = 503;
        f.onResponse(ex);
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, exporter->spans.size());
        const SpanRecord& s = exporter->spans[0];
        CPPUNIT_ASSERT_EQUAL(std::string("users"), s.serviceName);
        CPPUNIT_ASSERT_EQUAL(std::string("POST /users/:id"), s.name);
        CPPUNIT_ASSERT_EQUAL(std::string("POST"), s.method);
        CPPUNIT_ASSERT_EQUAL(std::string("/users/:id"), s.routePattern);
        CPPUNIT_ASSERT_EQUAL(503, s.status);
        CPPUNIT_ASSERT_EQUAL(kTrace, s.traceId);
        CPPUNIT_ASSERT_EQUAL(ex.trace.spanId, s.spanId);
        CPPUNIT_ASSERT_EQUAL(kSpan, s.parentSpanId);
        CPPUNIT_ASSERT(s.endUnixNano - s.startUnixNano >= 25'000'000ULL);
        CPPUNIT_ASSERT(s.endUnixNano - s.startUnixNano < 10'000'000'000ULL);
    }

    void unsampled_or_disabled_requests_export_nothing() {
        auto exporter = std::make_shared<RecordingExporter>();
        TracingFilter disabled(settings(false, 1.0), exporter);
        roundTrip(disabled, {});
        // Disabled for this service: even a sampled caller is not recorded here, but the flag
        // still travels on.
        auto ex = roundTrip(disabled, {{"traceparent", "00-" + kTrace + "-" + kSpan + "-01"}});
        CPPUNIT_ASSERT(header(ex, "traceparent").ends_with("-01"));
        TracingFilter unsampled(settings(true, 0.0), exporter);
        roundTrip(unsampled, {});
        CPPUNIT_ASSERT(exporter->spans.empty());
    }

    void concurrent_requests_get_distinct_spans() {
        auto exporter = std::make_shared<RecordingExporter>();
        const TracingFilter f(settings(true, 1.0), exporter);
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&] {
                for (int i = 0; i < 100; ++i) {
                    auto ex = makeExchange("GET", "/x");
                    f.onRequest(ex);
                    f.onResponse(ex);
                }
            });
        }
        for (auto& t : threads) t.join();
        std::set<std::string> ids;
        for (const auto& s : exporter->spans) ids.insert(s.spanId);
        CPPUNIT_ASSERT_EQUAL(std::size_t{400}, exporter->spans.size());
        CPPUNIT_ASSERT_EQUAL(std::size_t{400}, ids.size());
    }

    void rate_outside_zero_one_is_config_error() {
        CPPUNIT_ASSERT_THROW(TracingFilter(settings(true, 1.5), nullptr), zt::config::ConfigError);
        CPPUNIT_ASSERT_THROW(TracingFilter(settings(true, -0.1), nullptr), zt::config::ConfigError);
        CPPUNIT_ASSERT_THROW(TracingFilter(settings(true, std::nan("")), nullptr), zt::config::ConfigError);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(TracingFilterTest);
