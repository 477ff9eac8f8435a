// custom and none strategies (docs/FILTERS.md): allow, deny (401/403), throwing authenticators fail
// closed, missing authenticator is a start-up error.
#include <cppunit/extensions/HelperMacros.h>

#include <functional>
#include <stdexcept>

#include "support/FilterTestSupport.h"
#include "config/ConfigError.h"
#include "auth/CustomAuthFilter.h"
#include "auth/NoAuthFilter.h"

using namespace zt::auth;
using zt::http::FilterStatus;
using zt::test::filters::errorCode;
using zt::test::filters::makeExchange;

namespace {
class LambdaAuthenticator final : public CustomAuthenticator {
public:
    explicit LambdaAuthenticator(std::function<AuthDecision(const zt::http::Exchange&)> fn) : fn_(std::move(fn)) {}
    AuthDecision authenticate(const zt::http::Exchange& ex) const override { return fn_(ex); }

private:
    std::function<AuthDecision(const zt::http::Exchange&)> fn_;
};

std::shared_ptr<const CustomAuthenticator> auth(std::function<AuthDecision(const zt::http::Exchange&)> fn) {
    return std::make_shared<LambdaAuthenticator>(std::move(fn));
}
}  // namespace

class CustomAuthFilterTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(CustomAuthFilterTest);
    CPPUNIT_TEST(allow_sets_principal_and_sees_method_path_headers);
    CPPUNIT_TEST(deny_defaults_to_401_access_denied_with_message);
    CPPUNIT_TEST(deny_with_403_keeps_403);
    CPPUNIT_TEST(deny_with_other_status_becomes_401);
    CPPUNIT_TEST(throwing_authenticator_fails_closed_with_401);
    CPPUNIT_TEST(non_std_exception_fails_closed_with_401);
    CPPUNIT_TEST(default_decision_denies);
    CPPUNIT_TEST(missing_authenticator_is_config_error_at_creation);
    CPPUNIT_TEST(none_strategy_passes_everything_through);
    CPPUNIT_TEST_SUITE_END();

public:
    void allow_sets_principal_and_sees_method_path_headers() {
        std::string seen;
        CustomAuthFilter f(auth([&](const zt::http::Exchange& ex) {
                               seen = ex.request.method + " " + ex.request.path + " " +
                                      std::string(ex.request.headers.get("x-tenant").value_or(""));
                               return AuthDecision{true, "tenant-7", 401, ""};
                           }),
                           "users");
        auto ex = makeExchange("DELETE", "/users/7", {{"X-Tenant", "acme"}});
        CPPUNIT_ASSERT(f.onRequest(ex) == FilterStatus::Continue);
        CPPUNIT_ASSERT_EQUAL(std::string("DELETE /users/7 acme"), seen);
        CPPUNIT_ASSERT(ex.principal.authenticated);
        CPPUNIT_ASSERT_EQUAL(std::string("tenant-7"), ex.principal.subject);
        CPPUNIT_ASSERT_EQUAL(std::string("custom"), ex.principal.strategy);
    }

    void deny_defaults_to_401_access_denied_with_message() {
        CustomAuthFilter f(auth([](const zt::http::Exchange&) {
                               return AuthDecision{false, "", 401, "bad tenant"};
                           }),
                           "users");
        auto ex = makeExchange("GET", "/users");
        CPPUNIT_ASSERT(f.onRequest(ex) == FilterStatus::StopIteration);
        CPPUNIT_ASSERT_EQUAL(401, ex.response.status);
        CPPUNIT_ASSERT_EQUAL(std::string("access_denied"), errorCode(ex));
        CPPUNIT_ASSERT(ex.response.body.find("bad tenant") != std::string::npos);
        CPPUNIT_ASSERT(!ex.principal.authenticated);
    }

    void deny_with_403_keeps_403() {
        CustomAuthFilter f(auth([](const zt::http::Exchange&) {
                               return AuthDecision{false, "bob", 403, "read only"};
                           }),
                           "users");
        auto ex = makeExchange("POST", "/users");
        CPPUNIT_ASSERT(f.onRequest(ex) == FilterStatus::StopIteration);
        CPPUNIT_ASSERT_EQUAL(403, ex.response.status);
        CPPUNIT_ASSERT_EQUAL(std::string("access_denied"), errorCode(ex));
    }

    void deny_with_other_status_becomes_401() {
        CustomAuthFilter f(auth([](const zt::http::Exchange&) { return AuthDecision{false, "", 200, ""}; }), "users");
        auto ex = makeExchange("GET", "/users");
        CPPUNIT_ASSERT(f.onRequest(ex) == FilterStatus::StopIteration);
        CPPUNIT_ASSERT_EQUAL(401, ex.response.status);
    }

    void throwing_authenticator_fails_closed_with_401() {
        CustomAuthFilter f(
            auth([](const zt::http::Exchange&) -> AuthDecision { throw std::runtime_error("db down: secret dsn"); }),
            "users");
        auto ex = makeExchange("GET", "/users");
        CPPUNIT_ASSERT(f.onRequest(ex) == FilterStatus::StopIteration);
        CPPUNIT_ASSERT_EQUAL(401, ex.response.status);
        CPPUNIT_ASSERT_EQUAL(std::string("access_denied"), errorCode(ex));
        // Internals stay in the log, not in the response.
        CPPUNIT_ASSERT(ex.response.body.find("secret dsn") == std::string::npos);
        CPPUNIT_ASSERT(!ex.principal.authenticated);
    }

    void non_std_exception_fails_closed_with_401() {
        CustomAuthFilter f(auth([](const zt::http::Exchange&) -> AuthDecision { throw 42; }), "users");
        auto ex = makeExchange("GET", "/users");
        CPPUNIT_ASSERT(f.onRequest(ex) == FilterStatus::StopIteration);
        CPPUNIT_ASSERT_EQUAL(401, ex.response.status);
    }

    void default_decision_denies() {
        CustomAuthFilter f(auth([](const zt::http::Exchange&) { return AuthDecision{}; }), "users");
        auto ex = makeExchange("GET", "/users");
        CPPUNIT_ASSERT(f.onRequest(ex) == FilterStatus::StopIteration);
        CPPUNIT_ASSERT_EQUAL(401, ex.response.status);
    }

    void missing_authenticator_is_config_error_at_creation() {
        try {
            CustomAuthFilter f(nullptr, "payments");
            CPPUNIT_FAIL("expected ConfigError");
        } catch (const zt::config::ConfigError& e) {
            CPPUNIT_ASSERT(e.message().find("payments") != std::string::npos);
            CPPUNIT_ASSERT(e.message().find("authenticator") != std::string::npos);
        }
    }

    void none_strategy_passes_everything_through() {
        NoAuthFilter f;
        auto ex = makeExchange("POST", "/anything", {{"authorization", "Bearer garbage"}});
        CPPUNIT_ASSERT(f.onRequest(ex) == FilterStatus::Continue);
        CPPUNIT_ASSERT_EQUAL(std::string("none"), ex.principal.strategy);
        CPPUNIT_ASSERT(!ex.principal.authenticated);
        CPPUNIT_ASSERT(!ex.response.bodySet);
        CPPUNIT_ASSERT_EQUAL(200, ex.response.status);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(CustomAuthFilterTest);
