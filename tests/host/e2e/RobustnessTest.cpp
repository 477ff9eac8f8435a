// Bad input and misbehaving plugins against the real host (issue 8): every bad request gets a
// JSON error with the right status, slow clients and slow handlers are cut off by deadlines,
// plugin failures are contained and counted, and SIGTERM drains in-flight requests.
#include <cppunit/extensions/HelperMacros.h>

#include <signal.h>

#include <Poco/JSON/Parser.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/NumberFormatter.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <string>
#include <thread>

#include "support/TestSupport.h"
#include "zintrust/plugin.h"

using namespace zt::test;

namespace {
void assertJsonError(const HttpResult& r, int status, const std::string& code) {
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.body, status, r.status);
    CPPUNIT_ASSERT_EQUAL(std::string("application/json"), r.header("content-type"));
    Poco::JSON::Parser parser;
    auto doc = parser.parse(r.body).extract<Poco::JSON::Object::Ptr>();  // throws when not JSON
    CPPUNIT_ASSERT_EQUAL(code, doc->getObject("error")->getValue<std::string>("code"));
}
long long msSince(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t).count();
}

using Env = std::map<std::string, std::string>;

/// The payments example plus the misbehaving test plugin in one host.
struct Fixture {
    ExampleServices services{{"payments"}};
    TestPluginFolder plugins;
    int admin = freePort();
    int misbehaving = freePort();
    std::map<std::string, std::string> env;
    std::unique_ptr<HostProcess> host;

    explicit Fixture(Env extraEnv = {}) {
        services.dir.write("test/misbehaving/service.config.json", R"({"name":"misbehaving","domain":"test","port":)" +
                                                                       std::to_string(misbehaving) +
                                                                       R"(,"plugin":"libzt_misbehaving.so"})");
        env = hostEnv(services, admin, plugins.path());
        for (const auto& [k, v] : extraEnv) env[k] = v;
        host = std::make_unique<HostProcess>(env, admin);
        CPPUNIT_ASSERT_MESSAGE(host->log(), host->running());
    }
    int payments() { return services.ports["payments"]; }
    std::string metrics() { return httpRequest("GET", admin, "/metrics.json").body; }
};

/// Sends raw bytes on a new connection and reads the whole answer (until close or timeout).
std::string rawExchange(int port, const std::string& bytes, int timeoutMs = 3000) {
    Poco::Net::StreamSocket s(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
    s.setReceiveTimeout(Poco::Timespan(static_cast<long>(timeoutMs) * 1000));
    s.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
    std::string out;
    char buf[4096];
    try {
        int n;
        while ((n = s.receiveBytes(buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    } catch (const Poco::TimeoutException&) {
    }
    return out;
}
}  // namespace

class RobustnessTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RobustnessTest);
    CPPUNIT_TEST(oversized_body_is_413_json_and_counted);
    CPPUNIT_TEST(malformed_json_is_400_with_the_parse_position);
    CPPUNIT_TEST(invalid_utf8_is_400_and_the_error_stays_valid_json);
    CPPUNIT_TEST(header_flood_is_refused_and_the_server_keeps_serving);
    CPPUNIT_TEST(slowloris_connection_is_closed_at_the_header_deadline);
    CPPUNIT_TEST(path_traversal_attempts_are_404_json);
    CPPUNIT_TEST(unknown_method_is_501_and_a_wrong_one_405_with_allow);
    CPPUNIT_TEST(handler_past_its_timeout_gets_504_and_is_counted);
    CPPUNIT_TEST(throwing_handlers_are_500_json_and_counted);
    CPPUNIT_TEST(abi_misuse_is_refused_with_invalid_argument);
    CPPUNIT_TEST(throwing_health_check_reports_unhealthy);
    CPPUNIT_TEST(sigterm_lets_in_flight_requests_finish_refuses_new_ones_and_exits_0);
    CPPUNIT_TEST_SUITE_END();

public:
    void oversized_body_is_413_json_and_counted() {
        Fixture f(Env{{"ZT_MAX_BODY_BYTES", "1024"}});
        std::string big(2000, 'x');
        assertJsonError(httpRequest("POST", f.payments(), "/payments", "{\"pad\":\"" + big + "\"}"), 413,
                        "payload_too_large");
        // Without Content-Length (chunked), the limit still holds while reading.
        std::string chunk(1500, 'y');
        std::string raw = "POST /payments HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                          Poco::NumberFormatter::formatHex(chunk.size()) + "\r\n" + chunk + "\r\n0\r\n\r\n";
        auto answer = rawExchange(f.payments(), raw);
        assertContains(answer, "HTTP/1.1 413");
        assertContains(answer, "payload_too_large");
        assertContains(f.metrics(), "\"rejectedBodies\":2");
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", f.payments(), "/health").status);
    }

    void malformed_json_is_400_with_the_parse_position() {
        Fixture f;
        auto r = httpRequest("POST", f.payments(), "/payments", "{\"orderId\": 1,\n \"amountCents\": }");
        assertJsonError(r, 400, "invalid_json");
        assertContains(r.body, "line 2, column 17");
    }

    void invalid_utf8_is_400_and_the_error_stays_valid_json() {
        Fixture f;
        auto r = httpRequest("POST", f.payments(), "/payments",
                             "{\"orderId\":1,\"amountCents\":5,\"currency\":\"E\xff\xfe\"}");
        assertJsonError(r, 400, "invalid_json");
    }

    void header_flood_is_refused_and_the_server_keeps_serving() {
        Fixture f;
        std::string raw = "GET /health HTTP/1.1\r\nHost: x\r\n";
        for (int i = 0; i < 500; ++i) raw += "X-Flood-" + std::to_string(i) + ": " + std::string(100, 'a') + "\r\n";
        raw += "\r\n";
        auto answer = rawExchange(f.payments(), raw);
        assertContains(answer, "HTTP/1.1 431");
        assertContains(answer, "\"code\":\"header_fields_too_large\"");
        std::string huge = "GET /health HTTP/1.1\r\nHost: x\r\nX-Huge: " + std::string(100000, 'b') + "\r\n\r\n";
        auto hugeAnswer = rawExchange(f.payments(), huge);
        assertContains(hugeAnswer, "HTTP/1.1 431");
        assertContains(hugeAnswer, "application/json");
        std::string longTarget = "GET /health?" + std::string(20000, 'q') + " HTTP/1.1\r\nHost: x\r\n\r\n";
        assertContains(rawExchange(f.payments(), longTarget), "HTTP/1.1 414");
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", f.payments(), "/health").status);
    }

    void slowloris_connection_is_closed_at_the_header_deadline() {
        Fixture f(Env{{"ZT_HTTP_HEADER_TIMEOUT_MS", "1000"}});
        Poco::Net::StreamSocket s(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(f.payments())));
        auto started = std::chrono::steady_clock::now();
        std::string head = "GET /health HTTP/1.1\r\nHost: x\r\n";
        s.sendBytes(head.data(), static_cast<int>(head.size()));
        bool closed = false;
        for (int i = 0; i < 40 && !closed; ++i) {  // one header line every 100 ms, never finishing
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            try {
                std::string line = "X-Slow-" + std::to_string(i) + ": 1\r\n";
                s.sendBytes(line.data(), static_cast<int>(line.size()));
                s.setReceiveTimeout(Poco::Timespan(0, 1000));
                char c;
                if (s.receiveBytes(&c, 1) == 0) closed = true;
            } catch (const Poco::TimeoutException&) {
            } catch (const Poco::Exception&) {
                closed = true;  // reset by peer
            }
        }
        auto elapsed = msSince(started);
        CPPUNIT_ASSERT_MESSAGE("connection was never closed", closed);
        CPPUNIT_ASSERT_MESSAGE(std::to_string(elapsed) + " ms", elapsed >= 900 && elapsed < 2500);
        assertContains(f.metrics(), "\"headerTimeouts\":1");
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", f.payments(), "/health").status);
    }

    void path_traversal_attempts_are_404_json() {
        Fixture f;
        for (const char* path : {"/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                                 "/payments/..%2f..%2f..%2fetc%2fpasswd", "/payments/%00", "//etc/passwd"}) {
            auto r = httpRequest("GET", f.payments(), path);
            CPPUNIT_ASSERT_MESSAGE(std::string(path) + " -> " + std::to_string(r.status),
                                   r.status == 404 || r.status == 400);
            CPPUNIT_ASSERT_EQUAL(std::string("application/json"), r.header("content-type"));
            CPPUNIT_ASSERT(r.body.find("root:") == std::string::npos);
        }
    }

    void unknown_method_is_501_and_a_wrong_one_405_with_allow() {
        Fixture f;
        // A method the host does not serve at all is 501 (RFC 9110 15.6.2); one it serves but
        // the route does not is 405 with Allow.
        assertJsonError(httpRequest("BREW", f.payments(), "/payments"), 501, "not_implemented");
        auto r = httpRequest("PUT", f.payments(), "/payments");
        assertJsonError(r, 405, "method_not_allowed");
        CPPUNIT_ASSERT_EQUAL(std::string("POST"), r.header("allow"));
        auto health = httpRequest("DELETE", f.payments(), "/health");
        assertJsonError(health, 405, "method_not_allowed");
        CPPUNIT_ASSERT_EQUAL(std::string("GET, HEAD"), health.header("allow"));
    }

    void handler_past_its_timeout_gets_504_and_is_counted() {
        Fixture f(Env{{"ZT_HANDLER_TIMEOUT_MS", "300"}});
        auto started = std::chrono::steady_clock::now();
        auto r = httpRequest("GET", f.misbehaving, "/sleep/1500");
        auto elapsed = msSince(started);
        assertJsonError(r, 504, "deadline_exceeded");
        CPPUNIT_ASSERT_MESSAGE(std::to_string(elapsed) + " ms", elapsed >= 250 && elapsed < 1000);
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", f.misbehaving, "/sleep/10").status);
        assertContains(f.metrics(), "\"handlerTimeouts\":1");
    }

    void throwing_handlers_are_500_json_and_counted() {
        Fixture f;
        auto sdk = httpRequest("GET", f.misbehaving, "/throw/sdk");
        assertJsonError(sdk, 500, "internal_error");
        // The exception's text is logged, never sent: it may be a library's message.
        CPPUNIT_ASSERT_MESSAGE(sdk.body, sdk.body.find("exploded") == std::string::npos);
        assertContains(f.host->log(), "handler failed (GET /throw/sdk): sdk handler exploded");
        // Input a handler could not take is the client's error, in the SDK's words.
        auto badJson = httpRequest("POST", f.misbehaving, "/echo-json", "{not json");
        assertJsonError(badJson, 400, "invalid_json");
        CPPUNIT_ASSERT_MESSAGE(badJson.body, badJson.body.find("json.exception") == std::string::npos);
        auto badUtf8 = httpRequest("POST", f.misbehaving, "/echo-json", "{}", {{"X-Tag", "k\xff"}});
        assertJsonError(badUtf8, 400, "invalid_utf8");
        CPPUNIT_ASSERT_MESSAGE(badUtf8.body, badUtf8.body.find("json.exception") == std::string::npos);
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("POST", f.misbehaving, "/echo-json", "{}", {{"X-Tag", "ok"}}).status);
        assertJsonError(httpRequest("GET", f.misbehaving, "/throw/raw"), 500, "internal_error");
        Poco::JSON::Parser parser;
        auto counters = parser.parse(f.metrics())
                            .extract<Poco::JSON::Object::Ptr>()
                            ->getObject("services")
                            ->getObject("misbehaving");
        CPPUNIT_ASSERT_EQUAL(1, counters->getValue<int>("handlerFailures"));  // the raw throw; the SDK catches its own
        // >= because the health monitor's /health polls of this service answer 503 too.
        CPPUNIT_ASSERT(counters->getValue<int>("serverErrors") >= 2);
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", f.misbehaving, "/sleep/1").status);
        assertContains(f.host->log(), "handler threw across the C ABI: raw handler exploded");
    }

    void abi_misuse_is_refused_with_invalid_argument() {
        Fixture f;
        auto r = httpRequest("GET", f.misbehaving, "/abi-misuse");
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        for (const char* key : {"statusTooLow", "statusTooHigh", "bodyNullWithLength", "headerWithNewline",
                                "headerEmptyName", "valueWithNewline", "nullResponse"}) {
            assertContains(r.body, std::string("\"") + key + "\":" + std::to_string(ZT_ERR_INVALID_ARGUMENT));
        }
        CPPUNIT_ASSERT(r.header("x-a").empty());
    }

    void throwing_health_check_reports_unhealthy() {
        Fixture f;
        auto h = httpRequest("GET", f.misbehaving, "/health");
        CPPUNIT_ASSERT_EQUAL(503, h.status);
        assertContains(h.body,
                       "\"raw-throw\":{\"status\":\"unhealthy\",\"message\":\"health check threw an exception\"}");
    }

    void sigterm_lets_in_flight_requests_finish_refuses_new_ones_and_exits_0() {
        Fixture f(Env{{"ZT_SHUTDOWN_DRAIN_TIMEOUT_MS", "5000"}});
        auto inFlight =
            std::async(std::launch::async, [&] { return httpRequest("GET", f.misbehaving, "/sleep/1000"); });
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        auto started = std::chrono::steady_clock::now();
        ::kill(f.host->pid(), SIGTERM);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        auto refused = httpRequest("GET", f.payments(), "/health", "", {}, 500);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(refused.body + f.host->log(), 0, refused.status);
        auto finished = inFlight.get();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(finished.error, 200, finished.status);
        assertContains(finished.body, "\"slept\":true");
        CPPUNIT_ASSERT_EQUAL(0, f.host->terminate(10000));
        CPPUNIT_ASSERT_MESSAGE(std::to_string(msSince(started)) + " ms", msSince(started) < 5000);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RobustnessTest);
