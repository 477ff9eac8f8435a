// The filters wired into the real host (docs/FILTERS.md): tracing -> auth -> handler on every service,
// as the example configs declare them (users api-key, orders jwt, payments none).
#include <cppunit/extensions/HelperMacros.h>

#include <filesystem>
#include <regex>
#include <string>

#include "support/TestSupport.h"

using namespace zt::test;

namespace {
const std::regex kTraceparent("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$");
}  // namespace

class FilterChainTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(FilterChainTest);
    CPPUNIT_TEST(api_key_service_refuses_missing_and_wrong_keys_and_exempts_health);
    CPPUNIT_TEST(jwt_service_accepts_a_valid_token_and_refuses_others);
    CPPUNIT_TEST(every_response_carries_traceparent_and_trace_id);
    CPPUNIT_TEST(incoming_trace_is_continued_with_its_sampled_flag);
    CPPUNIT_TEST(custom_strategy_uses_the_plugin_authenticator);
    CPPUNIT_TEST(api_key_service_without_key_refuses_to_start_naming_the_variable);
    CPPUNIT_TEST_SUITE_END();

    std::unique_ptr<ExampleServices> services_;
    std::unique_ptr<HostProcess> host_;
    int admin_ = 0;

public:
    void setUp() override {
        services_ = std::make_unique<ExampleServices>();
        admin_ = freePort();
        host_ = std::make_unique<HostProcess>(hostEnv(*services_, admin_), admin_);
        CPPUNIT_ASSERT_MESSAGE(host_->log(), host_->running());
    }
    void tearDown() override {
        host_.reset();
        services_.reset();
    }

    void api_key_service_refuses_missing_and_wrong_keys_and_exempts_health() {
        int port = services_->ports["users"];
        auto missing = httpRequest("GET", port, "/users");
        CPPUNIT_ASSERT_EQUAL(401, missing.status);
        assertContains(missing.body, "\"code\":\"missing_credentials\"");
        CPPUNIT_ASSERT(!missing.header("www-authenticate").empty());
        auto wrong = httpRequest("GET", port, "/users", "", {{"X-API-Key", "nope"}});
        CPPUNIT_ASSERT_EQUAL(401, wrong.status);
        assertContains(wrong.body, "\"code\":\"invalid_credentials\"");
        auto bearer = httpRequest("GET", port, "/users", "", {{"Authorization", std::string("Bearer ") + kTestApiKey}});
        CPPUNIT_ASSERT_EQUAL(200, bearer.status);
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", port, "/health").status);
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", port, "/health/live").status);
    }

    void jwt_service_accepts_a_valid_token_and_refuses_others() {
        int port = services_->ports["orders"];
        auto ok = httpRequest("GET", port, "/orders", "", {{"Authorization", "Bearer " + testJwt("u1")}});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(ok.body, 200, ok.status);
        auto none = httpRequest("GET", port, "/orders");
        CPPUNIT_ASSERT_EQUAL(401, none.status);
        std::string token = testJwt("u1");
        // Flip a character inside the signature (the last one may carry padding bits that a strict
        // base64url decoder rejects as malformed instead).
        char& c = token[token.size() - 10];
        c = c == 'A' ? 'B' : 'A';
        auto tampered = httpRequest("GET", port, "/orders", "", {{"Authorization", "Bearer " + token}});
        CPPUNIT_ASSERT_EQUAL(401, tampered.status);
        assertContains(tampered.body, "\"code\":\"invalid_signature\"");
        auto algNone =
            httpRequest("GET", port, "/orders", "", {{"Authorization", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."}});
        CPPUNIT_ASSERT_EQUAL(401, algNone.status);
    }

    void every_response_carries_traceparent_and_trace_id() {
        for (const auto& [path, port] : std::vector<std::pair<std::string, int>>{
                 {"/users", services_->ports["users"]},            // 401 from auth
                 {"/payments/999", services_->ports["payments"]},  // 404 from the plugin
                 {"/health", services_->ports["orders"]}}) {
            auto r = httpRequest("GET", port, path);
            CPPUNIT_ASSERT_MESSAGE(path + ": " + r.header("traceparent"),
                                   std::regex_match(r.header("traceparent"), kTraceparent));
            CPPUNIT_ASSERT_EQUAL(r.header("traceparent").substr(3, 32), r.header("x-trace-id"));
        }
    }

    void incoming_trace_is_continued_with_its_sampled_flag() {
        const std::string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        auto r = httpRequest("GET", services_->ports["payments"], "/health", "",
                             {{"traceparent", "00-" + traceId + "-00f067aa0ba902b7-00"}, {"tracestate", "vendor=1"}});
        CPPUNIT_ASSERT_EQUAL(traceId, r.header("x-trace-id"));
        CPPUNIT_ASSERT(r.header("traceparent").rfind("00-" + traceId + "-", 0) == 0);
        CPPUNIT_ASSERT(r.header("traceparent").find("00f067aa0ba902b7") == std::string::npos);  // new span id
        CPPUNIT_ASSERT_EQUAL(std::string("-00"), r.header("traceparent").substr(52));  // not re-rolled to sampled
    }

    void custom_strategy_uses_the_plugin_authenticator() {
        host_.reset();
        TestPluginFolder plugins;
        int port = freePort();
        services_->dir.write(
            "test/probe/service.config.json",
            R"({"name":"probe","domain":"test","port":)" + std::to_string(port) +
                R"(,"plugin":"libzt_c_probe.so","auth":{"strategy":"custom"},"config":{"greeting":"hi"}})");
        auto env = hostEnv(*services_, admin_);
        env["ZT_PLUGIN_DIR"] = plugins.path();
        env["SERVICES"] = "probe";
        HostProcess host(env, admin_);
        auto denied = httpRequest("GET", port, "/probe/7");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(denied.body + host.log(), 403, denied.status);
        assertContains(denied.body, "x-probe-user header required");
        auto allowed = httpRequest("GET", port, "/probe/7", "", {{"X-Probe-User", "alice"}});
        CPPUNIT_ASSERT_EQUAL(200, allowed.status);
        assertContains(allowed.body, "\"greeting\":\"hi\"");
    }

    void api_key_service_without_key_refuses_to_start_naming_the_variable() {
        host_.reset();
        int admin = freePort();
        auto env = hostEnv(*services_, admin);
        env.erase("SERVICE_API_KEY");
        std::string out;
        CPPUNIT_ASSERT_EQUAL(1, runCommand({ZT_TEST_HOST_BINARY, "--check-config"}, env, out));
        assertContains(out, "SERVICE_API_KEY");
        HostProcess host(env, admin);
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", services_->ports["payments"], "/health").status);
        CPPUNIT_ASSERT_EQUAL(0, httpRequest("GET", services_->ports["users"], "/health", "", {}, 500).status);
        assertContains(host.log(), "SERVICE_API_KEY");
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(FilterChainTest);
