// ServiceCaller against real HTTP servers on 127.0.0.1 (retries, timeouts, refused ports,
// circuit breaker, keep-alive, trace headers, credentials) and against a real plugin pipeline
// in-process (same filters as the network path).
#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <map>
#include <regex>
#include <thread>

#include "calls/ServiceCaller.h"
#include "deadline/RequestDeadline.h"
#include "config/ServiceConfig.h"
#include "jwt/JwtVerifier.h"
#include "bootstrap/FilterChain.h"
#include "service/ServiceHealth.h"
#include "host/calls/TestHttpServer.h"
#include "plugin/PluginLibrary.h"
#include "service/LocalService.h"
#include "support/TestSupport.h"

using zt::test::assertContains;

using namespace zt;
using namespace std::chrono_literals;
using zt::test::elapsedMs;
using zt::test::jsonReply;
using zt::test::Reply;
using zt::test::TestHttpServer;

namespace {

const std::string kJwtSecret = "service-caller-test-secret-of-at-least-32-bytes";

config::EnvConfig testEnv() {
    config::EnvConfig env;
    env.serviceCallTimeoutMs = 2000;
    env.serviceCallRetries = 2;
    env.circuitBreakerThreshold = 5;
    env.circuitBreakerTimeoutMs = 30000;
    return env;
}

void registerRemote(registry::MicroserviceManager& registry, const std::string& name, const std::string& baseUrl) {
    registry::ServiceRecord r;
    r.name = name;
    r.domain = "test";
    r.baseUrl = baseUrl;
    r.local = false;
    registry.registerService(r);
}

calls::CallRequest get(const std::string& target, const std::string& path) {
    calls::CallRequest r;
    r.caller = "orders";
    r.target = target;
    r.method = "GET";
    r.pathAndQuery = path;
    return r;
}

std::string header(const calls::CallResponse& r, const std::string& name) {
    for (const auto& [n, v] : r.headers) {
        if (n == name) return v;
    }
    return "";
}

std::string errorCode(const calls::CallResponse& r) {
    std::smatch m;
    static const std::regex re("^\\{\"error\":\\{\"code\":\"([a-z_]+)\"");
    return std::regex_search(r.body, m, re) ? m[1].str() : "";
}

calls::ServiceCaller::AuthStrategyResolver strategy(const std::string& s) {
    return [s](const std::string&) { return s; };
}

}  // namespace

class ServiceCallerTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ServiceCallerTest);
    CPPUNIT_TEST(get_is_retried_after_gateway_errors_and_succeeds);
    CPPUNIT_TEST(post_is_never_retried);
    CPPUNIT_TEST(client_errors_are_passed_through_without_retry);
    CPPUNIT_TEST(slow_target_gives_504_within_the_call_timeout);
    CPPUNIT_TEST(callers_deadline_bounds_the_call_is_sent_on_and_never_opens_the_breaker);
    CPPUNIT_TEST(closed_port_gives_503_service_unavailable_fast);
    CPPUNIT_TEST(https_to_a_plain_http_port_is_a_connection_error);
    CPPUNIT_TEST(breaker_opens_after_threshold_and_refuses_without_touching_the_server);
    CPPUNIT_TEST(half_open_probe_recovers_the_target);
    CPPUNIT_TEST(four_hundreds_do_not_open_the_breaker);
    CPPUNIT_TEST(keep_alive_connections_are_reused);
    CPPUNIT_TEST(trace_headers_make_the_callers_span_the_parent);
    CPPUNIT_TEST(call_without_trace_starts_an_unsampled_trace);
    CPPUNIT_TEST(api_key_target_gets_the_first_configured_key);
    CPPUNIT_TEST(jwt_target_gets_a_bearer_token_that_verifies);
    CPPUNIT_TEST(unknown_strategy_sends_every_configured_credential);
    CPPUNIT_TEST(custom_target_gets_the_callers_own_headers);
    CPPUNIT_TEST(unknown_target_is_404_unknown_service);
    CPPUNIT_TEST(every_call_is_timed_by_caller_target_and_outcome);
    CPPUNIT_TEST(local_service_that_is_not_running_is_503);
    CPPUNIT_TEST(invalid_method_or_path_is_400);
    CPPUNIT_TEST(too_deep_call_chain_is_refused);
    CPPUNIT_TEST(request_body_query_and_response_headers_round_trip);
    CPPUNIT_TEST_SUITE_END();

    registry::MicroserviceManager registry_;

public:
    void get_is_retried_after_gateway_errors_and_succeeds() {
        TestHttpServer server([](int i, const auto&) {
            return i < 2 ? jsonReply(503, R"({"error":"busy"})") : jsonReply(200, R"({"ok":true})");
        });
        registerRemote(registry_, "payments", server.baseUrl());
        auto env = testEnv();
        calls::ServiceCaller caller(env, registry_, {}, {});
        auto r = caller.call(get("payments", "/pay/1"));
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"ok":true})"), r.body);
        CPPUNIT_ASSERT_EQUAL(3, r.attempts);
        CPPUNIT_ASSERT_EQUAL(3, server.requestCount());
        CPPUNIT_ASSERT(!r.inProcess);
    }
    void post_is_never_retried() {
        TestHttpServer server([](int, const auto&) { return jsonReply(503, R"({"error":"busy"})"); });
        registerRemote(registry_, "payments", server.baseUrl());
        auto env = testEnv();
        calls::ServiceCaller caller(env, registry_, {}, {});
        auto req = get("payments", "/pay");
        req.method = "post";
        req.body = R"({"amount":5})";
        auto r = caller.call(req);
        CPPUNIT_ASSERT_EQUAL(503, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"error":"busy"})"), r.body);
        CPPUNIT_ASSERT_EQUAL(1, r.attempts);
        CPPUNIT_ASSERT_EQUAL(1, server.requestCount());
        CPPUNIT_ASSERT_EQUAL(std::string("POST"), server.requests()[0].method);
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"amount":5})"), server.requests()[0].body);
    }
    void client_errors_are_passed_through_without_retry() {
        TestHttpServer server([](int, const auto&) { return jsonReply(404, R"({"error":"nope"})"); });
        registerRemote(registry_, "payments", server.baseUrl());
        auto env = testEnv();
        calls::ServiceCaller caller(env, registry_, {}, {});
        auto r = caller.call(get("payments", "/missing"));
        CPPUNIT_ASSERT_EQUAL(404, r.status);
        CPPUNIT_ASSERT_EQUAL(1, server.requestCount());
    }
    void slow_target_gives_504_within_the_call_timeout() {
        TestHttpServer server([](int, const auto&) {
            Reply r;
            r.delay = 3000ms;
            return r;
        });
        registerRemote(registry_, "payments", server.baseUrl());
        auto env = testEnv();
        env.serviceCallTimeoutMs = 300;
        calls::ServiceCaller caller(env, registry_, {}, {});
        calls::CallResponse r;
        const auto ms = elapsedMs([&] { r = caller.call(get("payments", "/slow")); });
        CPPUNIT_ASSERT_EQUAL(504, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("upstream_timeout"), errorCode(r));
        assertContains(r.body, "payments");
        CPPUNIT_ASSERT_MESSAGE("took " + std::to_string(ms) + " ms", ms >= 290 && ms < 450);
        CPPUNIT_ASSERT_EQUAL(std::string("application/json"), header(r, "content-type"));
    }
    void callers_deadline_bounds_the_call_is_sent_on_and_never_opens_the_breaker() {
        TestHttpServer server([](int, const auto& request) {
            Reply r;
            r.body = "{\"deadline\":\"" + request.header("x-request-deadline") + "\"}";
            if (request.uri == "/slow") r.delay = 2000ms;
            return r;
        });
        registerRemote(registry_, "payments", server.baseUrl());
        auto env = testEnv();
        env.serviceCallTimeoutMs = 5000;
        env.serviceCallRetries = 0;
        env.circuitBreakerThreshold = 2;
        calls::ServiceCaller caller(env, registry_, {}, {});
        {
            // The caller has 200 ms left: the call ends by then, and the target is told.
            zt::deadline::Scope request(std::chrono::steady_clock::now() + 200ms);
            const auto sentAt = std::chrono::system_clock::now();
            auto ok = caller.call(get("payments", "/fast"));
            CPPUNIT_ASSERT_EQUAL(200, ok.status);
            const long long told = std::stoll(ok.body.substr(13, ok.body.size() - 15));
            const long long expected =
                std::chrono::duration_cast<std::chrono::milliseconds>((sentAt + 200ms).time_since_epoch()).count();
            CPPUNIT_ASSERT_MESSAGE(ok.body, told <= expected + 20 && told >= expected - 200);
            for (int i = 0; i < 3; ++i) {
                calls::CallResponse r;
                const auto ms = elapsedMs([&] { r = caller.call(get("payments", "/slow")); });
                CPPUNIT_ASSERT_EQUAL(504, r.status);
                CPPUNIT_ASSERT_MESSAGE("took " + std::to_string(ms) + " ms", ms < 450);
            }
        }
        // Timeouts caused by the caller's own deadline said nothing about the target.
        CPPUNIT_ASSERT(caller.breakerStats("payments").state == calls::CircuitBreaker::State::Closed);
        {
            zt::deadline::Scope past(std::chrono::steady_clock::now() - 1ms);
            const int before = server.requestCount();
            auto r = caller.call(get("payments", "/fast"));
            CPPUNIT_ASSERT_EQUAL(504, r.status);
            CPPUNIT_ASSERT_EQUAL(std::string("deadline_exceeded"), errorCode(r));
            CPPUNIT_ASSERT_EQUAL(before, server.requestCount());  // never sent
        }
        CPPUNIT_ASSERT(caller.breakerStats("payments").state == calls::CircuitBreaker::State::Closed);
    }
    void closed_port_gives_503_service_unavailable_fast() {
        registerRemote(registry_, "payments", "http://127.0.0.1:" + std::to_string(zt::test::freePort()));
        auto env = testEnv();
        calls::ServiceCaller caller(env, registry_, {}, {});
        calls::CallResponse r;
        const auto ms = elapsedMs([&] { r = caller.call(get("payments", "/pay/1")); });
        CPPUNIT_ASSERT_EQUAL(503, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("service_unavailable"), errorCode(r));
        assertContains(r.body, "service 'payments' is unavailable");
        CPPUNIT_ASSERT_EQUAL(3, r.attempts);  // refused before sending: safe to retry a GET
        // two backoffs of ~50 and ~100 ms (+-20 %), nothing waits for a timeout
        CPPUNIT_ASSERT_MESSAGE("took " + std::to_string(ms) + " ms", ms < 500);
    }
    void https_to_a_plain_http_port_is_a_connection_error() {
        TestHttpServer server([](int, const auto&) { return jsonReply(200, "{}"); });
        registerRemote(registry_, "payments", "https://127.0.0.1:" + std::to_string(server.port()));
        auto env = testEnv();
        env.serviceCallRetries = 0;
        calls::ServiceCaller caller(env, registry_, {}, {});
        auto r = caller.call(get("payments", "/"));
        // The plain server either rejects the TLS ClientHello at once (connection error, 503) or
        // keeps waiting for a request line it never gets (the handshake times out, 504): which one
        // depends on how the hello's bytes arrive. Either way an error, never a pass-through.
        CPPUNIT_ASSERT_MESSAGE(r.body, (r.status == 503 && errorCode(r) == "service_unavailable") ||
                                           (r.status == 504 && errorCode(r) == "upstream_timeout"));
        // Poco's parser may still read the hello's bytes as a request line of garbage (a space
        // in the random bytes ends the "method"): what must never arrive is the caller's request.
        for (const auto& received : server.requests()) {
            CPPUNIT_ASSERT_MESSAGE(
                "the request reached the server in clear text: " + received.method + " " + received.uri,
                received.method != "GET" && received.uri != "/");
        }
    }
    void breaker_opens_after_threshold_and_refuses_without_touching_the_server() {
        TestHttpServer server([](int, const auto&) { return jsonReply(500, R"({"error":"boom"})"); });
        registerRemote(registry_, "payments", server.baseUrl());
        auto env = testEnv();
        env.serviceCallRetries = 0;
        env.circuitBreakerThreshold = 3;
        env.circuitBreakerTimeoutMs = 30000;
        calls::ServiceCaller caller(env, registry_, {}, {});
        for (int i = 0; i < 3; ++i) CPPUNIT_ASSERT_EQUAL(500, caller.call(get("payments", "/x")).status);
        CPPUNIT_ASSERT_EQUAL(3, server.requestCount());
        calls::CallResponse r;
        const auto ms = elapsedMs([&] { r = caller.call(get("payments", "/x")); });
        CPPUNIT_ASSERT_EQUAL(503, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("circuit_open"), errorCode(r));
        CPPUNIT_ASSERT_EQUAL(0, r.attempts);
        CPPUNIT_ASSERT_MESSAGE("took " + std::to_string(ms) + " ms", ms < 50);
        CPPUNIT_ASSERT_EQUAL(std::string("30"), header(r, "retry-after"));
        CPPUNIT_ASSERT_EQUAL(3, server.requestCount());
        assertContains(caller.breakersJson(), R"("payments":{"state":"open","consecutiveFailures":3,)");
    }
    void half_open_probe_recovers_the_target() {
        std::atomic<bool> healthy{false};
        TestHttpServer server(
            [&](int, const auto&) { return healthy ? jsonReply(200, R"({"ok":true})") : jsonReply(502, "{}"); });
        registerRemote(registry_, "payments", server.baseUrl());
        auto env = testEnv();
        env.serviceCallRetries = 0;
        env.circuitBreakerThreshold = 2;
        env.circuitBreakerTimeoutMs = 200;
        calls::ServiceCaller caller(env, registry_, {}, {});
        caller.call(get("payments", "/x"));
        caller.call(get("payments", "/x"));
        CPPUNIT_ASSERT_EQUAL(std::string("circuit_open"), errorCode(caller.call(get("payments", "/x"))));
        healthy = true;
        std::this_thread::sleep_for(250ms);
        auto probe = caller.call(get("payments", "/x"));
        CPPUNIT_ASSERT_EQUAL(200, probe.status);
        CPPUNIT_ASSERT(caller.breakerStats("payments").state == calls::CircuitBreaker::State::Closed);
        CPPUNIT_ASSERT_EQUAL(200, caller.call(get("payments", "/x")).status);
        CPPUNIT_ASSERT_EQUAL(4, server.requestCount());
    }
    void four_hundreds_do_not_open_the_breaker() {
        TestHttpServer server([](int, const auto&) { return jsonReply(422, "{}"); });
        registerRemote(registry_, "payments", server.baseUrl());
        auto env = testEnv();
        env.circuitBreakerThreshold = 2;
        calls::ServiceCaller caller(env, registry_, {}, {});
        for (int i = 0; i < 5; ++i) CPPUNIT_ASSERT_EQUAL(422, caller.call(get("payments", "/x")).status);
        CPPUNIT_ASSERT(caller.breakerStats("payments").state == calls::CircuitBreaker::State::Closed);
        CPPUNIT_ASSERT_EQUAL(5, server.requestCount());
    }
    void keep_alive_connections_are_reused() {
        TestHttpServer server([](int, const auto&) { return jsonReply(200, R"({"ok":true})"); });
        registerRemote(registry_, "payments", server.baseUrl());
        auto env = testEnv();
        calls::ServiceCaller caller(env, registry_, {}, {});
        for (int i = 0; i < 20; ++i) CPPUNIT_ASSERT_EQUAL(200, caller.call(get("payments", "/x")).status);
        CPPUNIT_ASSERT_EQUAL(20, server.requestCount());
        CPPUNIT_ASSERT_EQUAL(1, server.connectionCount());
    }
    void trace_headers_make_the_callers_span_the_parent() {
        TestHttpServer server([](int, const auto&) { return jsonReply(200, "{}"); });
        registerRemote(registry_, "payments", server.baseUrl());
        auto env = testEnv();
        calls::ServiceCaller caller(env, registry_, {}, {});
        http::TraceContext span;
        span.traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        span.spanId = "00f067aa0ba902b7";
        span.parentSpanId = "1111111111111111";
        span.flags = 1;
        span.tracestate = "vendor=1";
        span.depth = 2;
        auto req = get("payments", "/x");
        req.trace = &span;
        // Caller-supplied copies of host-controlled headers must not reach the target.
        req.headers = {{"TraceParent", "00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-00"},
                       {"X-Trace-Depth", "99"},
                       {"x-parent-service-id", "forged"},
                       {"X-Custom", "kept"}};
        CPPUNIT_ASSERT_EQUAL(200, caller.call(req).status);
        auto got = server.requests().at(0);
        CPPUNIT_ASSERT_EQUAL(std::string("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
                             got.header("traceparent"));
        CPPUNIT_ASSERT_EQUAL(span.traceId, got.header("x-trace-id"));
        CPPUNIT_ASSERT_EQUAL(std::string("orders"), got.header("x-parent-service-id"));
        CPPUNIT_ASSERT_EQUAL(std::string("3"), got.header("x-trace-depth"));
        CPPUNIT_ASSERT_EQUAL(std::string("vendor=1"), got.header("tracestate"));
        CPPUNIT_ASSERT_EQUAL(std::string("kept"), got.header("x-custom"));
        for (const char* name : {"traceparent", "x-trace-depth", "x-parent-service-id", "x-trace-id"}) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(name, 1, got.headerCount(name));
        }
    }
    void call_without_trace_starts_an_unsampled_trace() {
        TestHttpServer server([](int, const auto&) { return jsonReply(200, "{}"); });
        registerRemote(registry_, "payments", server.baseUrl());
        auto env = testEnv();
        calls::ServiceCaller caller(env, registry_, {}, {});
        caller.call(get("payments", "/x"));
        caller.call(get("payments", "/x"));
        auto got = server.requests();
        std::smatch m;
        const std::string tp = got[0].header("traceparent");
        CPPUNIT_ASSERT_MESSAGE(tp, std::regex_match(tp, m, std::regex("^00-([0-9a-f]{32})-([0-9a-f]{16})-00$")));
        CPPUNIT_ASSERT_EQUAL(m[1].str(), got[0].header("x-trace-id"));
        CPPUNIT_ASSERT_EQUAL(std::string("1"), got[0].header("x-trace-depth"));
        CPPUNIT_ASSERT(got[0].header("x-trace-id") != got[1].header("x-trace-id"));
    }
    void api_key_target_gets_the_first_configured_key() {
        TestHttpServer server([](int, const auto&) { return jsonReply(200, "{}"); });
        registerRemote(registry_, "payments", server.baseUrl());
        auto env = testEnv();
        env.apiKeys = {"first-key", "second-key"};
        env.jwtSecret = kJwtSecret;
        calls::ServiceCaller caller(env, registry_, {}, strategy("api-key"));
        auto req = get("payments", "/x");
        req.headers = {{"X-API-Key", "forged"}};
        caller.call(req);
        auto got = server.requests().at(0);
        CPPUNIT_ASSERT_EQUAL(std::string("first-key"), got.header("x-api-key"));
        CPPUNIT_ASSERT_EQUAL(1, got.headerCount("x-api-key"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), got.header("authorization"));
    }
    void jwt_target_gets_a_bearer_token_that_verifies() {
        TestHttpServer server([](int, const auto&) { return jsonReply(200, "{}"); });
        registerRemote(registry_, "payments", server.baseUrl());
        auto env = testEnv();
        env.apiKeys = {"first-key"};
        env.jwtSecret = kJwtSecret;
        env.jwtIssuer = "zintrust";
        calls::ServiceCaller caller(env, registry_, {}, strategy("jwt"));
        caller.call(get("payments", "/x"));
        caller.call(get("payments", "/x"));
        auto got = server.requests();
        CPPUNIT_ASSERT_EQUAL(std::string(""), got[0].header("x-api-key"));
        const std::string auth = got[0].header("authorization");
        CPPUNIT_ASSERT_EQUAL(std::string("Bearer "), auth.substr(0, 7));
        jwt::JwtVerifier::Settings s;
        s.hmacSecret = kJwtSecret;
        s.issuer = "zintrust";
        jwt::JwtVerifier verifier(s);
        auto result = verifier.verify(auth.substr(7));
        CPPUNIT_ASSERT_MESSAGE(result.message, result.ok());
        CPPUNIT_ASSERT_EQUAL(std::string("orders"), result.subject);
        assertContains(result.claimsJson, R"("serviceName":"orders")");
        CPPUNIT_ASSERT_EQUAL(auth, got[1].header("authorization"));  // cached, not re-signed
    }
    void unknown_strategy_sends_every_configured_credential() {
        TestHttpServer server([](int, const auto&) { return jsonReply(200, "{}"); });
        registerRemote(registry_, "payments", server.baseUrl());
        auto env = testEnv();
        env.apiKeys = {"first-key"};
        env.jwtSecret = kJwtSecret;
        calls::ServiceCaller caller(env, registry_, {}, strategy(""));
        caller.call(get("payments", "/x"));
        auto got = server.requests().at(0);
        CPPUNIT_ASSERT_EQUAL(std::string("first-key"), got.header("x-api-key"));
        CPPUNIT_ASSERT_EQUAL(std::string("Bearer "), got.header("authorization").substr(0, 7));
    }
    void custom_target_gets_the_callers_own_headers() {
        TestHttpServer server([](int, const auto&) { return jsonReply(200, "{}"); });
        registerRemote(registry_, "payments", server.baseUrl());
        auto env = testEnv();
        env.apiKeys = {"first-key"};
        env.jwtSecret = kJwtSecret;
        for (const char* s : {"custom", "none"}) {
            calls::ServiceCaller caller(env, registry_, {}, strategy(s));
            auto req = get("payments", "/x");
            req.headers = {{"Authorization", "Custom abc"}};
            caller.call(req);
        }
        for (const auto& got : server.requests()) {
            CPPUNIT_ASSERT_EQUAL(std::string(""), got.header("x-api-key"));
            CPPUNIT_ASSERT_EQUAL(std::string("Custom abc"), got.header("authorization"));
        }
        CPPUNIT_ASSERT_EQUAL(2, server.requestCount());
    }
    void unknown_target_is_404_unknown_service() {
        auto env = testEnv();
        calls::ServiceCaller caller(env, registry_, [](const std::string&) { return nullptr; }, {});
        auto r = caller.call(get("nowhere", "/x"));
        CPPUNIT_ASSERT_EQUAL(404, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("unknown_service"), errorCode(r));
        assertContains(r.body, "nowhere");
    }
    void every_call_is_timed_by_caller_target_and_outcome() {
        // http_client_request_duration_seconds (docs/MONITORING.md): a call the caller answers
        // itself is "refused", one that reached a remote target "http", with the final status.
        TestHttpServer server([](int, const auto&) { return jsonReply(201, R"({"ok":true})"); });
        registerRemote(registry_, "payments", server.baseUrl());
        auto env = testEnv();
        calls::ServiceCaller caller(env, registry_, [](const std::string&) { return nullptr; }, {});
        CPPUNIT_ASSERT_EQUAL(404, caller.call(get("nowhere", "/x")).status);
        auto remote = get("payments", "/pay/1");  // from "orders"
        remote.method = "get";                    // labelled by its RFC 9110 spelling
        CPPUNIT_ASSERT_EQUAL(201, caller.call(remote).status);
        CPPUNIT_ASSERT_EQUAL(201, caller.call(remote).status);
        std::map<std::string, std::uint64_t> counts;
        for (const auto& s : caller.clientDurations().collect()) {
            std::string key;
            for (const auto& v : s.labelValues) key += v + " ";
            counts[key] = s.histogram.count();
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, counts.size());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, counts.at("orders nowhere GET refused 404 "));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{2}, counts.at("orders payments GET http 201 "));
    }
    void local_service_that_is_not_running_is_503() {
        registry::ServiceRecord rec;
        rec.name = "users";
        rec.local = true;
        rec.baseUrl = "http://127.0.0.1:" + std::to_string(zt::test::freePort());
        rec.status = registry::ServiceStatus::Failed;
        rec.error = "init threw";
        registry_.registerService(rec);
        auto env = testEnv();
        calls::ServiceCaller caller(env, registry_, {}, {});
        auto r = caller.call(get("users", "/x"));
        CPPUNIT_ASSERT_EQUAL(503, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("service_unavailable"), errorCode(r));
        assertContains(r.body, "failed: init threw");
        CPPUNIT_ASSERT_EQUAL(0, r.attempts);
    }
    void invalid_method_or_path_is_400() {
        TestHttpServer server([](int, const auto&) { return jsonReply(200, "{}"); });
        registerRemote(registry_, "payments", server.baseUrl());
        auto env = testEnv();
        calls::ServiceCaller caller(env, registry_, {}, {});
        auto badMethod = get("payments", "/x");
        badMethod.method = "GE T";
        CPPUNIT_ASSERT_EQUAL(400, caller.call(badMethod).status);
        auto badPath = get("payments", "x");
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_request"), errorCode(caller.call(badPath)));
        CPPUNIT_ASSERT_EQUAL(0, server.requestCount());
    }
    void too_deep_call_chain_is_refused() {
        TestHttpServer server([](int, const auto&) { return jsonReply(200, "{}"); });
        registerRemote(registry_, "payments", server.baseUrl());
        auto env = testEnv();
        calls::ServiceCaller caller(env, registry_, {}, {});
        http::TraceContext span;
        span.traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        span.spanId = "00f067aa0ba902b7";
        span.depth = calls::ServiceCaller::kMaxCallDepth;
        auto req = get("payments", "/x");
        req.trace = &span;
        auto r = caller.call(req);
        CPPUNIT_ASSERT_EQUAL(508, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("loop_detected"), errorCode(r));
        span.depth = calls::ServiceCaller::kMaxCallDepth - 1;
        CPPUNIT_ASSERT_EQUAL(200, caller.call(req).status);
    }
    void request_body_query_and_response_headers_round_trip() {
        TestHttpServer server([](int, const zt::test::ReceivedRequest& req) {
            Reply r = jsonReply(201, "{\"echo\":" + req.body + "}");
            r.headers["X-Answer"] = "42";
            return r;
        });
        registerRemote(registry_, "payments", server.baseUrl());
        auto env = testEnv();
        calls::ServiceCaller caller(env, registry_, {}, {});
        auto req = get("payments", "/pay/a%20b?currency=EUR&x=1");
        req.method = "PUT";
        req.body = R"({"n":1})";
        auto r = caller.call(req);
        CPPUNIT_ASSERT_EQUAL(201, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"echo":{"n":1}})"), r.body);
        CPPUNIT_ASSERT_EQUAL(std::string("42"), header(r, "x-answer"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), header(r, "content-length"));
        CPPUNIT_ASSERT_EQUAL(std::string("/pay/a%20b?currency=EUR&x=1"), server.requests()[0].uri);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ServiceCallerTest);
