// `zintrust-host token`: argument and --ttl parsing, tokens that the host's own JwtVerifier
// accepts (HS256 from SERVICE_JWT_SECRET, ES256 from --key), iss/aud taken from the environment,
// and the real binary printing a usable token or exiting 2 with the variable named.
#include <cppunit/extensions/HelperMacros.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "app/TokenCommand.h"
#include "config/ConfigError.h"
#include "jwt/JwtVerifier.h"
#include "support/TestSupport.h"

using namespace zt;
using zt::test::assertContains;

namespace {

const std::string kSecret = "0123456789abcdef0123456789abcdef-token-test";

std::string configError(const std::function<void()>& f) {
    try {
        f();
    } catch (const config::ConfigError& e) {
        return e.message();
    }
    CPPUNIT_FAIL("expected a ConfigError");
    return {};
}

jwt::JwtVerifier::Result verifyHs256(const std::string& token, const std::string& issuer = "",
                                     const std::string& audience = "") {
    jwt::JwtVerifier::Settings s;
    s.hmacSecret = kSecret;
    s.issuer = issuer;
    s.audience = audience;
    return jwt::JwtVerifier(s).verify(token);
}

long long claim(const std::string& claimsJson, const std::string& name) {
    Poco::JSON::Parser parser;
    return parser.parse(claimsJson).extract<Poco::JSON::Object::Ptr>()->getValue<Poco::Int64>(name);
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}

}  // namespace

class TokenCommandTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(TokenCommandTest);
    CPPUNIT_TEST(ttl_takes_seconds_minutes_hours_days);
    CPPUNIT_TEST(bad_ttls_name_the_option);
    CPPUNIT_TEST(arguments_need_a_subject_and_refuse_unknown_ones);
    CPPUNIT_TEST(hs256_token_passes_the_hosts_verifier_with_env_issuer_and_audience);
    CPPUNIT_TEST(options_override_issuer_and_audience);
    CPPUNIT_TEST(private_key_signs_es256);
    CPPUNIT_TEST(no_key_names_what_to_set);
    CPPUNIT_TEST(binary_prints_a_token_and_reads_the_env_file);
    CPPUNIT_TEST(binary_exits_2_naming_the_variable);
    CPPUNIT_TEST_SUITE_END();

public:
    void ttl_takes_seconds_minutes_hours_days() {
        CPPUNIT_ASSERT_EQUAL(90LL, static_cast<long long>(app::parseTokenTtl("90").count()));
        CPPUNIT_ASSERT_EQUAL(90LL, static_cast<long long>(app::parseTokenTtl("90s").count()));
        CPPUNIT_ASSERT_EQUAL(900LL, static_cast<long long>(app::parseTokenTtl("15m").count()));
        CPPUNIT_ASSERT_EQUAL(3600LL, static_cast<long long>(app::parseTokenTtl("1h").count()));
        CPPUNIT_ASSERT_EQUAL(7 * 86400LL, static_cast<long long>(app::parseTokenTtl("7d").count()));
    }
    void bad_ttls_name_the_option() {
        for (const std::string bad : {"", "h", "1w", "-5", "1.5h"}) {
            assertContains(configError([&] { app::parseTokenTtl(bad); }), "--ttl: '" + bad + "' is not a duration");
        }
        for (const std::string bad : {"0", "367d", "99999999999", "31622401"}) {
            assertContains(configError([&] { app::parseTokenTtl(bad); }), "--ttl: '" + bad + "' is outside 1s..366d");
        }
    }
    void arguments_need_a_subject_and_refuse_unknown_ones() {
        assertContains(configError([] { app::parseTokenArguments({}); }), "--sub: required");
        assertContains(configError([] { app::parseTokenArguments({"--sub"}); }), "--sub: needs a value");
        assertContains(configError([] { app::parseTokenArguments({"--sub", "a", "--role", "x"}); }), "'--role'");
        auto r = app::parseTokenArguments({"--sub=alice", "--ttl", "2h", "--aud=orders", "--iss", "ops"});
        CPPUNIT_ASSERT_EQUAL(std::string("alice"), r.subject);
        CPPUNIT_ASSERT_EQUAL(7200LL, static_cast<long long>(r.ttl.count()));
        CPPUNIT_ASSERT_EQUAL(std::string("orders"), r.audience.value());
        CPPUNIT_ASSERT_EQUAL(std::string("ops"), r.issuer.value());
        CPPUNIT_ASSERT(app::parseTokenArguments({"--help"}).help);
    }
    void hs256_token_passes_the_hosts_verifier_with_env_issuer_and_audience() {
        app::TokenRequest request;
        request.subject = "alice";
        request.ttl = std::chrono::seconds(900);
        auto env = config::mapEnvironment(
            {{"SERVICE_JWT_SECRET", kSecret}, {"SERVICE_JWT_ISSUER", "zintrust"}, {"SERVICE_JWT_AUDIENCE", "shop"}});
        const std::string token = app::issueToken(request, env);
        auto result = verifyHs256(token, "zintrust", "shop");
        CPPUNIT_ASSERT_MESSAGE(result.message, result.ok());
        CPPUNIT_ASSERT_EQUAL(std::string("HS256"), result.algorithm);
        CPPUNIT_ASSERT_EQUAL(std::string("alice"), result.subject);
        CPPUNIT_ASSERT_EQUAL(900LL, claim(result.claimsJson, "exp") - claim(result.claimsJson, "iat"));
        // A verifier that requires another audience refuses it: the claims are really in the token.
        CPPUNIT_ASSERT(!verifyHs256(token, "zintrust", "other").ok());
    }
    void options_override_issuer_and_audience() {
        auto request = app::parseTokenArguments({"--sub", "bob", "--aud", "orders", "--iss", ""});
        auto env = config::mapEnvironment(
            {{"SERVICE_JWT_SECRET", kSecret}, {"SERVICE_JWT_ISSUER", "zintrust"}, {"SERVICE_JWT_AUDIENCE", "shop"}});
        auto result = verifyHs256(app::issueToken(request, env), "", "orders");
        CPPUNIT_ASSERT_MESSAGE(result.message, result.ok());
        CPPUNIT_ASSERT(result.claimsJson.find("\"iss\"") == std::string::npos);  // --iss "" drops it
    }
    void private_key_signs_es256() {
        test::TempDir dir;
        std::string output;
        const std::string key = dir.path() + "/ec.pem", pub = dir.path() + "/ec.pub.pem";
        CPPUNIT_ASSERT_EQUAL(0, test::runCommand({"/usr/bin/openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                                                  "ec_paramgen_curve:P-256", "-out", key},
                                                 {}, output));
        CPPUNIT_ASSERT_EQUAL(
            0, test::runCommand({"/usr/bin/openssl", "pkey", "-in", key, "-pubout", "-out", pub}, {}, output));
        auto request = app::parseTokenArguments({"--sub", "carol", "--key", key});
        const std::string token = app::issueToken(request, config::mapEnvironment({}));
        jwt::JwtVerifier::Settings s;
        s.publicKeyFile = pub;
        auto result = jwt::JwtVerifier(s).verify(token);
        CPPUNIT_ASSERT_MESSAGE(result.message, result.ok());
        CPPUNIT_ASSERT_EQUAL(std::string("ES256"), result.algorithm);
        assertContains(
            configError([&] {
                app::issueToken(app::parseTokenArguments({"--sub", "x", "--key", pub}), config::mapEnvironment({}));
            }),
            "--key");
    }
    void no_key_names_what_to_set() {
        auto request = app::parseTokenArguments({"--sub", "x"});
        assertContains(configError([&] { app::issueToken(request, config::mapEnvironment({})); }),
                       "SERVICE_JWT_SECRET: not set");
        assertContains(
            configError([&] {
                app::issueToken(request, config::mapEnvironment({{"SERVICE_JWT_PUBLIC_KEY_FILE", "/k.pem"}}));
            }),
            "pass the matching private key with --key FILE");
        assertContains(configError([&] {
                           app::issueToken(request, config::mapEnvironment({{"SERVICE_JWT_SECRET", "short"}}));
                       }),
                       "at least 32 bytes");
    }
    void binary_prints_a_token_and_reads_the_env_file() {
        test::TempDir dir;
        const std::string envFile =
            dir.write("host.env", "SERVICE_JWT_SECRET=" + kSecret + "\nSERVICE_JWT_AUDIENCE=shop\n");
        std::string output;
        const int status = test::runCommand(
            {ZT_TEST_HOST_BINARY, "token", "--sub", "alice", "--ttl", "15m", "--env-file", envFile}, {}, output);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, status);
        auto result = verifyHs256(trimmed(output), "", "shop");
        CPPUNIT_ASSERT_MESSAGE(result.message + ": " + output, result.ok());
        CPPUNIT_ASSERT_EQUAL(900LL, claim(result.claimsJson, "exp") - claim(result.claimsJson, "iat"));
        CPPUNIT_ASSERT_EQUAL(0, test::runCommand({ZT_TEST_HOST_BINARY, "token", "--help"}, {}, output));
        assertContains(output, "usage: zintrust-host token --sub NAME");
    }
    void binary_exits_2_naming_the_variable() {
        std::string output;
        CPPUNIT_ASSERT_EQUAL(2, test::runCommand({ZT_TEST_HOST_BINARY, "token", "--sub", "alice"}, {}, output));
        assertContains(output, "zintrust-host token: SERVICE_JWT_SECRET: not set");
        CPPUNIT_ASSERT_EQUAL(2, test::runCommand({ZT_TEST_HOST_BINARY, "token"}, {}, output));
        assertContains(output, "--sub: required");
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(TokenCommandTest);
