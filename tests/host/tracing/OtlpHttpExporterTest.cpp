// OTLP/HTTP JSON export (docs/FILTERS.md) against a real HTTP receiver on 127.0.0.1:<ephemeral>.
#include <cppunit/extensions/HelperMacros.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <sstream>

#include "config/ConfigError.h"
#include "tracing/OtlpHttpExporter.h"

using namespace zt::tracing;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {
// Records every POST; can hold requests back to simulate a slow collector.
struct Receiver {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::pair<std::string, std::string>> requests;  // {uri + content-type, body}
    std::vector<std::string> contentTypes;
    bool hold = false;
    int waiting = 0;
    int status = 200;

    bool waitFor(std::size_t count, std::chrono::milliseconds timeout) {
        std::unique_lock<std::mutex> lock(mutex);
        return changed.wait_for(lock, timeout, [&] { return requests.size() >= count; });
    }
    bool waitForHeld(int count, std::chrono::milliseconds timeout) {
        std::unique_lock<std::mutex> lock(mutex);
        return changed.wait_for(lock, timeout, [&] { return waiting >= count; });
    }
    void release() {
        std::lock_guard<std::mutex> lock(mutex);
        hold = false;
        changed.notify_all();
    }
};

class RecordHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit RecordHandler(Receiver& r) : r_(r) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) override {
        std::ostringstream body;
        Poco::StreamCopier::copyStream(req.stream(), body);
        int status = 200;
        {
            std::unique_lock<std::mutex> lock(r_.mutex);
            ++r_.waiting;
            r_.changed.notify_all();
            r_.changed.wait(lock, [&] { return !r_.hold; });
            --r_.waiting;
            r_.requests.emplace_back(req.getMethod() + " " + req.getURI(), body.str());
            r_.contentTypes.push_back(req.getContentType());
            status = r_.status;
            r_.changed.notify_all();
        }
        resp.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
        resp.setContentType("application/json");
        resp.send() << "{}";
    }

private:
    Receiver& r_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(Receiver& r) : r_(r) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new RecordHandler(r_);
    }

private:
    Receiver& r_;
};

struct TestCollector {
    Receiver receiver;
    Poco::Net::ServerSocket socket{Poco::Net::SocketAddress("127.0.0.1", 0)};
    Poco::Net::HTTPServer server{new Factory(receiver), socket, new Poco::Net::HTTPServerParams};
    TestCollector() { server.start(); }
    ~TestCollector() {
        receiver.release();
        server.stopAll(true);
    }
    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(socket.address().port()); }
};

SpanRecord span(const std::string& service, int i, int status = 200) {
    SpanRecord s;
    s.serviceName = service;
    s.method = "GET";
    s.routePattern = "/users/:id";
    s.name = "GET /users/:id";
    s.status = status;
    s.traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016x", i + 1);
    s.spanId = buf;
    s.parentSpanId = i == 0 ? "" : "00f067aa0ba902b7";
    s.startUnixNano = 1700000000000000000ULL + static_cast<std::uint64_t>(i);
    s.endUnixNano = s.startUnixNano + 5'000'000ULL;
    return s;
}

std::string attr(const Array::Ptr& attrs, const std::string& key) {
    for (std::size_t i = 0; i < attrs->size(); ++i) {
        auto a = attrs->getObject(static_cast<unsigned>(i));
        if (a->getValue<std::string>("key") == key) {
            auto v = a->getObject("value");
            if (v->has("stringValue")) return v->getValue<std::string>("stringValue");
            if (v->has("intValue")) return v->get("intValue").toString();
        }
    }
    return "<missing>";
}

std::size_t spanCount(const std::string& body) {
    Poco::JSON::Parser parser;
    auto root = parser.parse(body).extract<Object::Ptr>();
    std::size_t n = 0;
    auto rs = root->getArray("resourceSpans");
    for (std::size_t i = 0; i < rs->size(); ++i) {
        auto ss = rs->getObject(static_cast<unsigned>(i))->getArray("scopeSpans");
        for (std::size_t j = 0; j < ss->size(); ++j)
            n += ss->getObject(static_cast<unsigned>(j))->getArray("spans")->size();
    }
    return n;
}

OtlpHttpExporter::Options options(const std::string& endpoint) {
    OtlpHttpExporter::Options o;
    o.endpoint = endpoint;
    o.flushInterval = std::chrono::milliseconds(100);
    o.requestTimeout = std::chrono::milliseconds(5000);
    return o;
}
}  // namespace

class OtlpHttpExporterTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(OtlpHttpExporterTest);
    CPPUNIT_TEST(exports_batch_with_otlp_json_shape);
    CPPUNIT_TEST(groups_spans_by_service_in_resource_spans);
    CPPUNIT_TEST(sends_when_batch_size_is_reached_before_interval);
    CPPUNIT_TEST(sends_on_time_trigger_below_batch_size);
    CPPUNIT_TEST(stop_flushes_queued_spans);
    CPPUNIT_TEST(counts_drops_when_queue_is_full_without_blocking);
    CPPUNIT_TEST(counts_failures_when_collector_errors_or_is_down);
    CPPUNIT_TEST(rejects_endpoint_that_is_not_http_url);
    CPPUNIT_TEST_SUITE_END();

public:
    void exports_batch_with_otlp_json_shape() {
        TestCollector collector;
        {
            OtlpHttpExporter exporter(options(collector.endpoint() + "/"));
            CPPUNIT_ASSERT_EQUAL(collector.endpoint() + "/v1/traces", exporter.tracesUrl());
            CPPUNIT_ASSERT(exporter.exportSpan(span("users", 0)));
            CPPUNIT_ASSERT(exporter.exportSpan(span("users", 1, 500)));
            exporter.stop();
            CPPUNIT_ASSERT_EQUAL(std::uint64_t{2}, exporter.exportedSpans());
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, collector.receiver.requests.size());
        CPPUNIT_ASSERT_EQUAL(std::string("POST /v1/traces"), collector.receiver.requests[0].first);
        CPPUNIT_ASSERT_EQUAL(std::string("application/json"), collector.receiver.contentTypes[0]);

        Poco::JSON::Parser parser;
        auto root = parser.parse(collector.receiver.requests[0].second).extract<Object::Ptr>();
        auto resourceSpans = root->getArray("resourceSpans");
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, resourceSpans->size());
        auto rs = resourceSpans->getObject(0);
        CPPUNIT_ASSERT_EQUAL(std::string("users"),
                             attr(rs->getObject("resource")->getArray("attributes"), "service.name"));
        auto spans = rs->getArray("scopeSpans")->getObject(0)->getArray("spans");
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, spans->size());
        auto root0 = spans->getObject(0);
        auto child = spans->getObject(1);
        CPPUNIT_ASSERT_EQUAL(std::string("4bf92f3577b34da6a3ce929d0e0e4736"), root0->getValue<std::string>("traceId"));
        CPPUNIT_ASSERT_EQUAL(std::string("0000000000000001"), root0->getValue<std::string>("spanId"));
        CPPUNIT_ASSERT(!root0->has("parentSpanId"));
        CPPUNIT_ASSERT_EQUAL(std::string("00f067aa0ba902b7"), child->getValue<std::string>("parentSpanId"));
        CPPUNIT_ASSERT_EQUAL(std::string("GET /users/:id"), root0->getValue<std::string>("name"));
        CPPUNIT_ASSERT_EQUAL(2, root0->getValue<int>("kind"));
        // 64-bit nanosecond times are JSON strings (protobuf JSON mapping).
        CPPUNIT_ASSERT(root0->get("startTimeUnixNano").isString());
        CPPUNIT_ASSERT_EQUAL(std::string("1700000000000000000"), root0->getValue<std::string>("startTimeUnixNano"));
        CPPUNIT_ASSERT_EQUAL(std::string("1700000000005000000"), root0->getValue<std::string>("endTimeUnixNano"));
        auto attrs = root0->getArray("attributes");
        CPPUNIT_ASSERT_EQUAL(std::string("GET"), attr(attrs, "http.method"));
        CPPUNIT_ASSERT_EQUAL(std::string("/users/:id"), attr(attrs, "http.route"));
        CPPUNIT_ASSERT_EQUAL(std::string("200"), attr(attrs, "http.status_code"));
        CPPUNIT_ASSERT_EQUAL(std::string("500"), attr(child->getArray("attributes"), "http.status_code"));
        CPPUNIT_ASSERT_EQUAL(2, child->getObject("status")->getValue<int>("code"));
        CPPUNIT_ASSERT(!root0->getObject("status")->has("code"));
    }

    void groups_spans_by_service_in_resource_spans() {
        const std::string json = OtlpHttpExporter::toOtlpJson({span("users", 0), span("orders", 1), span("users", 2)});
        Poco::JSON::Parser parser;
        auto rs = parser.parse(json).extract<Object::Ptr>()->getArray("resourceSpans");
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, rs->size());
        CPPUNIT_ASSERT_EQUAL(std::string("users"),
                             attr(rs->getObject(0)->getObject("resource")->getArray("attributes"), "service.name"));
        CPPUNIT_ASSERT_EQUAL(std::string("orders"),
                             attr(rs->getObject(1)->getObject("resource")->getArray("attributes"), "service.name"));
        CPPUNIT_ASSERT_EQUAL(std::size_t{2},
                             rs->getObject(0)->getArray("scopeSpans")->getObject(0)->getArray("spans")->size());
        CPPUNIT_ASSERT_EQUAL(std::size_t{3}, spanCount(json));
    }

    void sends_when_batch_size_is_reached_before_interval() {
        TestCollector collector;
        auto o = options(collector.endpoint());
        o.maxBatchSize = 3;
        o.flushInterval = std::chrono::seconds(60);  // only the size trigger can fire in time
        OtlpHttpExporter exporter(o);
        for (int i = 0; i < 3; ++i) exporter.exportSpan(span("users", i));
        CPPUNIT_ASSERT(collector.receiver.waitFor(1, std::chrono::seconds(5)));
        CPPUNIT_ASSERT_EQUAL(std::size_t{3}, spanCount(collector.receiver.requests[0].second));
        exporter.stop();
    }

    void sends_on_time_trigger_below_batch_size() {
        TestCollector collector;
        auto o = options(collector.endpoint());
        o.maxBatchSize = 100;
        o.flushInterval = std::chrono::milliseconds(50);
        OtlpHttpExporter exporter(o);
        const auto start = std::chrono::steady_clock::now();
        exporter.exportSpan(span("users", 0));
        CPPUNIT_ASSERT(collector.receiver.waitFor(1, std::chrono::seconds(5)));
        CPPUNIT_ASSERT(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, spanCount(collector.receiver.requests[0].second));
    }

    void stop_flushes_queued_spans() {
        TestCollector collector;
        auto o = options(collector.endpoint());
        o.maxBatchSize = 4;
        o.flushInterval = std::chrono::seconds(60);
        OtlpHttpExporter exporter(o);
        for (int i = 0; i < 10; ++i) exporter.exportSpan(span("users", i));
        exporter.stop();
        std::size_t total = 0;
        for (const auto& r : collector.receiver.requests) total += spanCount(r.second);
        CPPUNIT_ASSERT_EQUAL(std::size_t{10}, total);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{10}, exporter.exportedSpans());
        // After stop nothing more is accepted.
        CPPUNIT_ASSERT(!exporter.exportSpan(span("users", 11)));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, exporter.droppedSpans());
    }

    void counts_drops_when_queue_is_full_without_blocking() {
        TestCollector collector;
        collector.receiver.hold = true;  // the collector stalls: the sender thread is stuck in send
        auto o = options(collector.endpoint());
        o.maxBatchSize = 1;
        o.maxQueueSize = 2;
        OtlpHttpExporter exporter(o);
        CPPUNIT_ASSERT(exporter.exportSpan(span("users", 0)));
        CPPUNIT_ASSERT(collector.receiver.waitForHeld(1, std::chrono::seconds(5)));  // span 0 is in flight
        const auto start = std::chrono::steady_clock::now();
        CPPUNIT_ASSERT(exporter.exportSpan(span("users", 1)));
        CPPUNIT_ASSERT(exporter.exportSpan(span("users", 2)));
        for (int i = 3; i < 8; ++i) CPPUNIT_ASSERT(!exporter.exportSpan(span("users", i)));
        // Request threads never wait for the collector.
        CPPUNIT_ASSERT(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(500));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{5}, exporter.droppedSpans());
        collector.receiver.release();
        exporter.stop();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{3}, exporter.exportedSpans());
        std::size_t total = 0;
        for (const auto& r : collector.receiver.requests) total += spanCount(r.second);
        CPPUNIT_ASSERT_EQUAL(std::size_t{3}, total);
    }

    void counts_failures_when_collector_errors_or_is_down() {
        {
            TestCollector collector;
            collector.receiver.status = 503;
            OtlpHttpExporter exporter(options(collector.endpoint()));
            exporter.exportSpan(span("users", 0));
            exporter.exportSpan(span("users", 1));
            exporter.stop();
            CPPUNIT_ASSERT_EQUAL(std::uint64_t{2}, exporter.failedSpans());
            CPPUNIT_ASSERT_EQUAL(std::uint64_t{0}, exporter.exportedSpans());
        }
        // A port nobody listens on: bind one, remember it, close it.
        std::string deadEndpoint;
        {
            Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
            deadEndpoint = "http://127.0.0.1:" + std::to_string(s.address().port());
        }
        OtlpHttpExporter exporter(options(deadEndpoint));
        exporter.exportSpan(span("users", 0));
        exporter.stop();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, exporter.failedSpans());
    }

    void rejects_endpoint_that_is_not_http_url() {
        for (const char* bad : {"collector:4318", "ftp://collector", "http://", "not a url at all"}) {
            try {
                OtlpHttpExporter exporter(options(bad));
                CPPUNIT_FAIL(std::string("accepted ") + bad);
            } catch (const zt::config::ConfigError& e) {
                CPPUNIT_ASSERT(e.message().find("OTEL_EXPORTER_OTLP_ENDPOINT") != std::string::npos);
            }
        }
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(OtlpHttpExporterTest);
