// What an HTTP server measures (docs/MONITORING.md): every answered request lands in
// http_server_request_duration_seconds under its method, route template and status; a path no
// route matched is "_unmatched" (never the raw path), a method outside RFC 9110's is "_OTHER",
// and a request the server refuses before routing is counted too. Requests in flight and open
// connections are gauges that go back to 0.
#include <cppunit/extensions/HelperMacros.h>

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>

#include "http/HttpServer.h"
#include "http/ServerMetrics.h"
#include "support/TestSupport.h"

using namespace zt::http;
using zt::test::httpRequest;

namespace {
/// label values "method route status" -> count
std::map<std::string, std::uint64_t> counts(const ServerMetrics& m) {
    std::map<std::string, std::uint64_t> out;
    for (const auto& s : m.requestDurations().collect())
        out[s.labelValues[0] + " " + s.labelValues[1] + " " + s.labelValues[2]] = s.histogram.count();
    return out;
}

/// Routes /users/<anything> as "/users/:id"; everything else is left unmatched (404).
void handler(Exchange& ex) {
    if (ex.request.path.rfind("/users/", 0) == 0) {
        ex.routePattern = "/users/:id";
        if (ex.request.path == "/users/slow") std::this_thread::sleep_for(std::chrono::milliseconds(30));
        ex.response.setJson(200, "{}");
    } else {
        ex.response.setJson(404, "{}");
    }
}
}  // namespace

class ServerMetricsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ServerMetricsTest);
    CPPUNIT_TEST(methods_outside_rfc_9110_are_other);
    CPPUNIT_TEST(requests_are_counted_by_method_route_and_status);
    CPPUNIT_TEST(durations_fall_in_the_right_buckets);
    CPPUNIT_TEST(refused_requests_are_counted_unmatched);
    CPPUNIT_TEST(gauges_return_to_zero);
    CPPUNIT_TEST_SUITE_END();

    std::shared_ptr<ServerMetrics> metrics_;
    std::unique_ptr<HttpServer> server_;

public:
    void setUp() override {
        metrics_ = std::make_shared<ServerMetrics>();
        HttpServerOptions o;
        o.bindAddress = "127.0.0.1";
        o.metrics = metrics_;
        server_ = std::make_unique<HttpServer>("test", o, handler);
        server_->start();
    }
    void tearDown() override { server_.reset(); }

    void methods_outside_rfc_9110_are_other() {
        CPPUNIT_ASSERT_EQUAL(std::string_view("PATCH"), ServerMetrics::methodLabel("PATCH"));
        CPPUNIT_ASSERT_EQUAL(std::string_view("_OTHER"), ServerMetrics::methodLabel("PROPFIND"));
        CPPUNIT_ASSERT_EQUAL(std::string_view("_OTHER"), ServerMetrics::methodLabel("get"));
    }

    void requests_are_counted_by_method_route_and_status() {
        for (int i = 0; i < 3; ++i)
            CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", server_->port(), "/users/" + std::to_string(i)).status);
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("DELETE", server_->port(), "/users/7").status);
        for (int i = 0; i < 5; ++i)
            CPPUNIT_ASSERT_EQUAL(404, httpRequest("GET", server_->port(), "/nope/" + std::to_string(i)).status);
        const auto c = counts(*metrics_);
        CPPUNIT_ASSERT_EQUAL(std::size_t{3}, c.size());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{3}, c.at("GET /users/:id 200"));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, c.at("DELETE /users/:id 200"));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{5}, c.at("GET _unmatched 404"));
    }

    void durations_fall_in_the_right_buckets() {
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", server_->port(), "/users/slow").status);
        const auto series = metrics_->requestDurations().collect();
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, series.size());
        const auto& h = series[0].histogram;
        // 30 ms of handler: above le=0.025, within le=0.05.
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{0}, h.cumulative[2]);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, h.cumulative[3]);
        CPPUNIT_ASSERT(h.sumSeconds >= 0.030 && h.sumSeconds < 0.5);
    }

    void refused_requests_are_counted_unmatched() {
        Poco::Net::StreamSocket s(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(server_->port())));
        s.setReceiveTimeout(Poco::Timespan(3, 0));
        const std::string bad = "GET /users/1 HTTP/1.1\r\nHost: a b\r\n\r\n";
        s.sendBytes(bad.data(), static_cast<int>(bad.size()));
        char buf[1024];
        CPPUNIT_ASSERT(s.receiveBytes(buf, sizeof buf) > 0);
        const auto c = counts(*metrics_);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, c.at("_OTHER _unmatched 400"));
    }

    void gauges_return_to_zero() {
        Poco::Net::StreamSocket s(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(server_->port())));
        bool seen = false;
        for (int i = 0; i < 100 && !seen; ++i) {
            seen = metrics_->openConnections() == 1;
            if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        CPPUNIT_ASSERT(seen);
        s.close();
        bool closed = false;
        for (int i = 0; i < 200 && !closed; ++i) {
            closed = metrics_->openConnections() == 0;
            if (!closed) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        CPPUNIT_ASSERT(closed);
        CPPUNIT_ASSERT_EQUAL(0, metrics_->activeRequests());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ServerMetricsTest);
