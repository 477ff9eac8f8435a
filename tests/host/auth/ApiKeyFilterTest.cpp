// api-key strategy (docs/FILTERS.md): header variants, rotation, exemption, error shape.
#include <cppunit/extensions/HelperMacros.h>

#include "support/FilterTestSupport.h"
#include "config/ConfigError.h"
#include "auth/ApiKeyFilter.h"

using zt::auth::ApiKeyFilter;
using zt::http::FilterStatus;
using zt::test::filters::errorCode;
using zt::test::filters::makeExchange;

class ApiKeyFilterTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ApiKeyFilterTest);
    CPPUNIT_TEST(accepts_key_in_x_api_key_header);
    CPPUNIT_TEST(accepts_key_as_bearer_token);
    CPPUNIT_TEST(accepts_bearer_scheme_in_any_case);
    CPPUNIT_TEST(accepts_both_keys_during_rotation);
    CPPUNIT_TEST(refuses_key_removed_by_rotation);
    CPPUNIT_TEST(rejects_missing_key_with_401_missing_credentials);
    CPPUNIT_TEST(rejects_empty_x_api_key_and_basic_auth_as_missing);
    CPPUNIT_TEST(rejects_wrong_key_with_401_invalid_credentials);
    CPPUNIT_TEST(rejects_prefix_and_extension_of_a_valid_key);
    CPPUNIT_TEST(exempts_health_and_health_subpaths);
    CPPUNIT_TEST(does_not_exempt_paths_that_only_start_with_health);
    CPPUNIT_TEST(subject_is_non_secret_key_id);
    CPPUNIT_TEST(creation_without_keys_throws_config_error_naming_service_api_key);
    CPPUNIT_TEST_SUITE_END();

    const std::string keyA = "key-A-0123456789abcdef0123456789";
    const std::string keyB = "key-B-fedcba9876543210fedcba9876";

public:
    void accepts_key_in_x_api_key_header() {
        ApiKeyFilter f({keyA});
        auto ex = makeExchange("GET", "/users", {{"X-API-Key", keyA}});
        CPPUNIT_ASSERT(f.onRequest(ex) == FilterStatus::Continue);
        CPPUNIT_ASSERT(ex.principal.authenticated);
        CPPUNIT_ASSERT_EQUAL(std::string("api-key"), ex.principal.strategy);
    }

    void accepts_key_as_bearer_token() {
        ApiKeyFilter f({keyA});
        auto ex = makeExchange("GET", "/users", {{"Authorization", "Bearer " + keyA}});
        CPPUNIT_ASSERT(f.onRequest(ex) == FilterStatus::Continue);
        CPPUNIT_ASSERT(ex.principal.authenticated);
    }

    void accepts_bearer_scheme_in_any_case() {
        ApiKeyFilter f({keyA});
        auto ex = makeExchange("GET", "/users", {{"authorization", "bEaReR   " + keyA + "  "}});
        CPPUNIT_ASSERT(f.onRequest(ex) == FilterStatus::Continue);
    }

    void accepts_both_keys_during_rotation() {
        ApiKeyFilter f({keyA, keyB});
        auto a = makeExchange("GET", "/users", {{"x-api-key", keyA}});
        auto b = makeExchange("GET", "/users", {{"x-api-key", keyB}});
        CPPUNIT_ASSERT(f.onRequest(a) == FilterStatus::Continue);
        CPPUNIT_ASSERT(f.onRequest(b) == FilterStatus::Continue);
        CPPUNIT_ASSERT(a.principal.subject != b.principal.subject);
    }

    void refuses_key_removed_by_rotation() {
        ApiKeyFilter afterRotation({keyB});
        auto ex = makeExchange("GET", "/users", {{"x-api-key", keyA}});
        CPPUNIT_ASSERT(afterRotation.onRequest(ex) == FilterStatus::StopIteration);
        CPPUNIT_ASSERT_EQUAL(401, ex.response.status);
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_credentials"), errorCode(ex));
    }

    void rejects_missing_key_with_401_missing_credentials() {
        ApiKeyFilter f({keyA});
        auto ex = makeExchange("GET", "/users");
        CPPUNIT_ASSERT(f.onRequest(ex) == FilterStatus::StopIteration);
        CPPUNIT_ASSERT_EQUAL(401, ex.response.status);
        CPPUNIT_ASSERT_EQUAL(std::string("missing_credentials"), errorCode(ex));
        CPPUNIT_ASSERT_EQUAL(std::string("application/json"),
                             std::string(ex.response.headers.get("content-type").value_or("")));
        CPPUNIT_ASSERT(ex.response.headers.get("www-authenticate").value_or("").starts_with("Bearer realm="));
        CPPUNIT_ASSERT(!ex.principal.authenticated);
    }

    void rejects_empty_x_api_key_and_basic_auth_as_missing() {
        ApiKeyFilter f({keyA});
        auto empty = makeExchange("GET", "/users", {{"x-api-key", ""}});
        auto basic = makeExchange("GET", "/users", {{"authorization", "Basic " + keyA}});
        auto bare = makeExchange("GET", "/users", {{"authorization", "Bearer"}});
        for (auto* ex : {&empty, &basic, &bare}) {
            CPPUNIT_ASSERT(f.onRequest(*ex) == FilterStatus::StopIteration);
            CPPUNIT_ASSERT_EQUAL(std::string("missing_credentials"), errorCode(*ex));
        }
    }

    void rejects_wrong_key_with_401_invalid_credentials() {
        ApiKeyFilter f({keyA});
        auto ex = makeExchange("GET", "/users", {{"authorization", "Bearer nope"}});
        CPPUNIT_ASSERT(f.onRequest(ex) == FilterStatus::StopIteration);
        CPPUNIT_ASSERT_EQUAL(401, ex.response.status);
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_credentials"), errorCode(ex));
        auto challenge = std::string(ex.response.headers.get("www-authenticate").value_or(""));
        CPPUNIT_ASSERT(challenge.find("error=\"invalid_token\"") != std::string::npos);
    }

    void rejects_prefix_and_extension_of_a_valid_key() {
        ApiKeyFilter f({keyA});
        auto prefix = makeExchange("GET", "/users", {{"x-api-key", keyA.substr(0, keyA.size() - 1)}});
        auto longer = makeExchange("GET", "/users", {{"x-api-key", keyA + "x"}});
        CPPUNIT_ASSERT(f.onRequest(prefix) == FilterStatus::StopIteration);
        CPPUNIT_ASSERT(f.onRequest(longer) == FilterStatus::StopIteration);
    }

    void exempts_health_and_health_subpaths() {
        ApiKeyFilter f({keyA});
        for (const char* path : {"/health", "/health/live", "/health/ready"}) {
            auto ex = makeExchange("GET", path);
            CPPUNIT_ASSERT_MESSAGE(path, f.onRequest(ex) == FilterStatus::Continue);
            CPPUNIT_ASSERT(!ex.principal.authenticated);
        }
    }

    void does_not_exempt_paths_that_only_start_with_health() {
        ApiKeyFilter f({keyA});
        for (const char* path : {"/healthz", "/health-admin", "/api/health"}) {
            auto ex = makeExchange("GET", path);
            CPPUNIT_ASSERT_MESSAGE(path, f.onRequest(ex) == FilterStatus::StopIteration);
        }
    }

    void subject_is_non_secret_key_id() {
        ApiKeyFilter f({keyA});
        auto ex = makeExchange("GET", "/users", {{"x-api-key", keyA}});
        f.onRequest(ex);
        // sha256("key-A-0123456789abcdef0123456789") starts with these 8 hex digits (computed
        // independently with `printf %s key | sha256sum`).
        const auto r = zt::test::filters::run("printf %s " + zt::test::filters::shellQuote(keyA) + " | sha256sum");
        CPPUNIT_ASSERT_EQUAL(0, r.status);
        CPPUNIT_ASSERT_EQUAL("key-" + r.output.substr(0, 8), ex.principal.subject);
        CPPUNIT_ASSERT(ex.principal.subject.find(keyA) == std::string::npos);
        CPPUNIT_ASSERT_EQUAL(ApiKeyFilter::keyId(keyA), ex.principal.subject);
    }

    void creation_without_keys_throws_config_error_naming_service_api_key() {
        for (const auto& list : {std::vector<std::string>{}, std::vector<std::string>{""}}) {
            try {
                ApiKeyFilter f(list);
                CPPUNIT_FAIL("expected ConfigError");
            } catch (const zt::config::ConfigError& e) {
                CPPUNIT_ASSERT(e.message().find("SERVICE_API_KEY") != std::string::npos);
            }
        }
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ApiKeyFilterTest);
