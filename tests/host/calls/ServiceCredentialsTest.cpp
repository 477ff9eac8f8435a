// Which credentials each auth strategy gets, and the per-caller token cache with renewal.
#include <cppunit/extensions/HelperMacros.h>

#include <thread>

#include "calls/ServiceCredentials.h"
#include "config/ConfigError.h"
#include "config/EnvConfig.h"
#include "jwt/JwtVerifier.h"

using namespace zt;
using namespace std::chrono_literals;

namespace {
const std::string kSecret = "credentials-test-secret-of-at-least-32-bytes!";

std::string find(const calls::HeaderVector& h, const std::string& name) {
    for (const auto& [n, v] : h) {
        if (n == name) return v;
    }
    return "";
}
}  // namespace

class ServiceCredentialsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ServiceCredentialsTest);
    CPPUNIT_TEST(strategy_table);
    CPPUNIT_TEST(nothing_is_sent_when_nothing_is_configured);
    CPPUNIT_TEST(tokens_are_per_caller_and_carry_issuer_and_audience);
    CPPUNIT_TEST(token_is_renewed_before_it_expires);
    CPPUNIT_TEST(short_secret_is_a_config_error);
    CPPUNIT_TEST_SUITE_END();

public:
    void strategy_table() {
        config::EnvConfig env;
        env.apiKeys = {"", "k1", "k2"};
        env.jwtSecret = kSecret;
        calls::ServiceCredentials c(env);
        auto apiKey = c.headersFor("orders", "api-key");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), apiKey.size());
        CPPUNIT_ASSERT_EQUAL(std::string("k1"), find(apiKey, "x-api-key"));  // first non-empty key
        auto jwt = c.headersFor("orders", "jwt");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), jwt.size());
        CPPUNIT_ASSERT_EQUAL(std::string("Bearer ") + c.bearerToken("orders"), find(jwt, "authorization"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), c.headersFor("orders", "").size());
        CPPUNIT_ASSERT(c.headersFor("orders", "custom").empty());
        CPPUNIT_ASSERT(c.headersFor("orders", "none").empty());
    }
    void nothing_is_sent_when_nothing_is_configured() {
        config::EnvConfig env;
        calls::ServiceCredentials c(env);
        CPPUNIT_ASSERT(c.headersFor("orders", "").empty());
        CPPUNIT_ASSERT(c.headersFor("orders", "jwt").empty());
        CPPUNIT_ASSERT(c.headersFor("orders", "api-key").empty());
        CPPUNIT_ASSERT_EQUAL(std::string(""), c.bearerToken("orders"));
    }
    void tokens_are_per_caller_and_carry_issuer_and_audience() {
        config::EnvConfig env;
        env.jwtSecret = kSecret;
        env.jwtIssuer = "zt-issuer";
        env.jwtAudience = "zt-services";
        calls::ServiceCredentials c(env);
        const auto orders = c.bearerToken("orders");
        const auto users = c.bearerToken("users");
        CPPUNIT_ASSERT(orders != users);
        CPPUNIT_ASSERT_EQUAL(orders, c.bearerToken("orders"));
        jwt::JwtVerifier::Settings s;
        s.hmacSecret = kSecret;
        s.issuer = "zt-issuer";
        s.audience = "zt-services";
        jwt::JwtVerifier verifier(s);
        auto r = verifier.verify(users);
        CPPUNIT_ASSERT_MESSAGE(r.message, r.ok());
        CPPUNIT_ASSERT_EQUAL(std::string("users"), r.subject);
    }
    void token_is_renewed_before_it_expires() {
        config::EnvConfig env;
        env.jwtSecret = kSecret;
        // Valid 62 s, renewed when less than 61 s are left: renewed after about one second.
        calls::ServiceCredentials c(env, 62s, 61s);
        const auto first = c.bearerToken("orders");
        CPPUNIT_ASSERT_EQUAL(first, c.bearerToken("orders"));
        std::this_thread::sleep_for(1100ms);
        const auto second = c.bearerToken("orders");
        CPPUNIT_ASSERT(first != second);
        CPPUNIT_ASSERT_EQUAL(second, c.bearerToken("orders"));
    }
    void short_secret_is_a_config_error() {
        config::EnvConfig env;
        env.jwtSecret = "short";
        CPPUNIT_ASSERT_THROW(calls::ServiceCredentials c(env), config::ConfigError);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ServiceCredentialsTest);
