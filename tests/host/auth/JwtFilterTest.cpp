// The JWT attack table (docs/FILTERS.md): every rejection with its own code, valid tokens of each
// algorithm accepted, verified claims reaching the handler, and start-up configuration errors.
#include <cppunit/extensions/HelperMacros.h>

#include <ctime>

#include "support/FilterTestSupport.h"
#include "config/ConfigError.h"
#include "jwt/Base64Url.h"
#include "jwt/JwsCrypto.h"
#include "auth/JwtFilter.h"
#include "jwt/JwtVerifier.h"

using namespace zt::auth;
using namespace zt::jwt;
using zt::http::FilterStatus;
using zt::test::filters::errorCode;
using zt::test::filters::expectConfigError;
using zt::test::filters::keys;
using zt::test::filters::makeExchange;

namespace {
const std::string kSecret = "0123456789abcdef0123456789abcdef-secret";
constexpr std::int64_t kNow = 1700000000;

PKeyPtr privateKey(const std::string& path) {
    std::string error;
    PKeyPtr key = loadPrivateKeyPem(path, error);
    if (!key) throw std::runtime_error(error);
    return key;
}

// Builds a token by hand so that every field (even invalid ones) is under the test's control.
std::string craft(const std::string& headerJson, const std::string& payloadJson, const std::string& alg,
                  const std::string& secret = kSecret, EVP_PKEY* key = nullptr) {
    std::string input = base64UrlEncode(headerJson) + "." + base64UrlEncode(payloadJson);
    auto sig = jwsSign(alg, secret, key, input);
    if (!sig) throw std::runtime_error("cannot sign with " + alg);
    return input + "." + base64UrlEncode(*sig);
}

std::string hs256(const std::string& payloadJson) {
    return craft(R"({"alg":"HS256","typ":"JWT"})", payloadJson, "HS256");
}

JwtVerifier::Settings settingsWith(std::string secret, std::string keyFile = {}) {
    JwtVerifier::Settings s;
    s.hmacSecret = std::move(secret);
    s.publicKeyFile = std::move(keyFile);
    s.clock = [] { return kNow; };
    return s;
}

struct Outcome {
    FilterStatus status;
    int http;
    std::string code;
    zt::http::Principal principal;
};

Outcome check(const JwtVerifier::Settings& settings, const std::string& authorization) {
    JwtFilter filter(std::make_shared<const JwtVerifier>(settings), "users");
    auto ex = makeExchange("GET", "/users/7", {{"authorization", authorization}});
    FilterStatus st = filter.onRequest(ex);
    return {st, ex.response.status, errorCode(ex), ex.principal};
}

void assertRejected(const std::string& expectedCode, const Outcome& o) {
    CPPUNIT_ASSERT_EQUAL(expectedCode, o.code);
    CPPUNIT_ASSERT(o.status == FilterStatus::StopIteration);
    CPPUNIT_ASSERT_EQUAL(401, o.http);
    CPPUNIT_ASSERT(!o.principal.authenticated);
}

void assertAccepted(const Outcome& o) {
    CPPUNIT_ASSERT_EQUAL(std::string(""), o.code);
    CPPUNIT_ASSERT(o.status == FilterStatus::Continue);
    CPPUNIT_ASSERT(o.principal.authenticated);
}

std::string claimsAt(std::int64_t exp) { return R"({"sub":"svc","exp":)" + std::to_string(exp) + "}"; }

}  // namespace

class JwtFilterTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(JwtFilterTest);
    CPPUNIT_TEST(accepts_valid_hs256_and_passes_claims_to_handler);
    CPPUNIT_TEST(accepts_valid_rs256);
    CPPUNIT_TEST(accepts_valid_es256);
    CPPUNIT_TEST(rejects_missing_authorization_with_missing_credentials);
    CPPUNIT_TEST(rejects_token_with_alg_none);
    CPPUNIT_TEST(rejects_hs256_token_signed_with_rsa_public_key_when_only_rs256_configured);
    CPPUNIT_TEST(rejects_hs256_token_signed_with_rsa_public_key_even_when_hs256_allowed);
    CPPUNIT_TEST(rejects_algorithm_outside_service_allow_list);
    CPPUNIT_TEST(rejects_rs256_token_when_only_ec_key_configured);
    CPPUNIT_TEST(rejects_unsupported_algorithm_names);
    CPPUNIT_TEST(rejects_bad_signature);
    CPPUNIT_TEST(rejects_tampered_payload);
    CPPUNIT_TEST(rejects_rs256_signed_by_another_key);
    CPPUNIT_TEST(rejects_es256_signature_of_wrong_length);
    CPPUNIT_TEST(rejects_expired_token_beyond_leeway_and_accepts_within);
    CPPUNIT_TEST(rejects_future_nbf_beyond_leeway_and_accepts_within);
    CPPUNIT_TEST(rejects_non_numeric_exp_as_malformed);
    CPPUNIT_TEST(rejects_wrong_or_missing_issuer_when_configured);
    CPPUNIT_TEST(checks_audience_as_string_or_array);
    CPPUNIT_TEST(rejects_malformed_tokens);
    CPPUNIT_TEST(rejects_critical_header_extensions);
    CPPUNIT_TEST(rejects_oversized_token_before_parsing);
    CPPUNIT_TEST(exempts_health_paths);
    CPPUNIT_TEST(jwt_without_secret_or_key_is_config_error);
    CPPUNIT_TEST(short_secret_is_config_error_naming_service_jwt_secret);
    CPPUNIT_TEST(unusable_key_files_are_config_errors_naming_the_variable);
    CPPUNIT_TEST(unknown_or_keyless_algorithm_in_allow_list_is_config_error);
    CPPUNIT_TEST(base64url_is_strict_and_round_trips);
    CPPUNIT_TEST_SUITE_END();

public:
    void accepts_valid_hs256_and_passes_claims_to_handler() {
        const std::string payload = R"({"sub":"user-42","serviceName":"orders","scopes":["read","write"],"exp":)" +
                                    std::to_string(kNow + 300) + "}";
        Outcome o = check(settingsWith(kSecret), "Bearer " + hs256(payload));
        assertAccepted(o);
        CPPUNIT_ASSERT_EQUAL(std::string("user-42"), o.principal.subject);
        CPPUNIT_ASSERT_EQUAL(payload, o.principal.claimsJson);
        CPPUNIT_ASSERT_EQUAL(std::string("jwt"), o.principal.strategy);
    }

    void accepts_valid_rs256() {
        auto key = privateKey(keys().rsaPrivate);
        auto token = craft(R"({"alg":"RS256","typ":"JWT"})", claimsAt(kNow + 60), "RS256", "", key.get());
        assertAccepted(check(settingsWith("", keys().rsaPublic), "Bearer " + token));
    }

    void accepts_valid_es256() {
        auto key = privateKey(keys().ecPrivate);
        auto token = craft(R"({"alg":"ES256"})", claimsAt(kNow + 60), "ES256", "", key.get());
        assertAccepted(check(settingsWith("", keys().ecPublic), "Bearer " + token));
    }

    void rejects_missing_authorization_with_missing_credentials() {
        JwtFilter filter(std::make_shared<const JwtVerifier>(settingsWith(kSecret)), "users");
        auto ex = makeExchange("GET", "/users");
        CPPUNIT_ASSERT(filter.onRequest(ex) == FilterStatus::StopIteration);
        CPPUNIT_ASSERT_EQUAL(401, ex.response.status);
        CPPUNIT_ASSERT_EQUAL(std::string("missing_credentials"), errorCode(ex));
        CPPUNIT_ASSERT(ex.response.headers.has("www-authenticate"));
    }

    void rejects_token_with_alg_none() {
        const std::string payload = base64UrlEncode(claimsAt(kNow + 60));
        for (const char* alg : {"none", "None", "NONE"}) {
            const std::string header = base64UrlEncode(std::string(R"({"alg":")") + alg + "\"}");
            assertRejected("unsigned_token", check(settingsWith(kSecret), "Bearer " + header + "." + payload + "."));
            // Even with a (meaningless) signature attached.
            assertRejected("unsigned_token",
                           check(settingsWith(kSecret), "Bearer " + header + "." + payload + ".c2ln"));
        }
    }

    void rejects_hs256_token_signed_with_rsa_public_key_when_only_rs256_configured() {
        // The classic confusion attack: the public key is public, so an attacker HMACs with it.
        const std::string pem = zt::test::filters::run("cat " + keys().rsaPublic).output;
        auto token = craft(R"({"alg":"HS256"})", claimsAt(kNow + 60), "HS256", pem);
        assertRejected("algorithm_not_allowed", check(settingsWith("", keys().rsaPublic), "Bearer " + token));
    }

    void rejects_hs256_token_signed_with_rsa_public_key_even_when_hs256_allowed() {
        const std::string pem = zt::test::filters::run("cat " + keys().rsaPublic).output;
        auto token = craft(R"({"alg":"HS256"})", claimsAt(kNow + 60), "HS256", pem);
        assertRejected("invalid_signature", check(settingsWith(kSecret, keys().rsaPublic), "Bearer " + token));
    }

    void rejects_algorithm_outside_service_allow_list() {
        auto s = settingsWith(kSecret, keys().rsaPublic);
        s.algorithms = {"RS256"};
        assertRejected("algorithm_not_allowed", check(s, "Bearer " + hs256(claimsAt(kNow + 60))));
        auto key = privateKey(keys().rsaPrivate);
        auto rs = craft(R"({"alg":"RS256"})", claimsAt(kNow + 60), "RS256", "", key.get());
        assertAccepted(check(s, "Bearer " + rs));
    }

    void rejects_rs256_token_when_only_ec_key_configured() {
        auto key = privateKey(keys().rsaPrivate);
        auto token = craft(R"({"alg":"RS256"})", claimsAt(kNow + 60), "RS256", "", key.get());
        assertRejected("algorithm_not_allowed", check(settingsWith("", keys().ecPublic), "Bearer " + token));
    }

    void rejects_unsupported_algorithm_names() {
        const std::string signed256 = hs256(claimsAt(kNow + 60));
        const std::string rest = signed256.substr(signed256.find('.'));
        for (const char* alg : {"HS512", "ES384", "PS256", "hs256", ""}) {
            const std::string header = base64UrlEncode(std::string(R"({"alg":")") + alg + "\"}");
            assertRejected("algorithm_not_allowed", check(settingsWith(kSecret), "Bearer " + header + rest));
        }
    }

    void rejects_bad_signature() {
        std::string token = hs256(claimsAt(kNow + 60));
        char& last = token[token.size() - 2];
        last = last == 'A' ? 'B' : 'A';
        assertRejected("invalid_signature", check(settingsWith(kSecret), "Bearer " + token));
        auto other = craft(R"({"alg":"HS256"})", claimsAt(kNow + 60), "HS256", kSecret + "-other");
        assertRejected("invalid_signature", check(settingsWith(kSecret), "Bearer " + other));
        // Empty signature.
        const std::string unsignedToken = token.substr(0, token.rfind('.') + 1);
        assertRejected("invalid_signature", check(settingsWith(kSecret), "Bearer " + unsignedToken));
    }

    void rejects_tampered_payload() {
        std::string token = hs256(R"({"sub":"alice","exp":)" + std::to_string(kNow + 60) + "}");
        const auto d1 = token.find('.');
        const auto d2 = token.find('.', d1 + 1);
        const std::string forged = token.substr(0, d1 + 1) +
                                   base64UrlEncode(R"({"sub":"admin","exp":)" + std::to_string(kNow + 60) + "}") +
                                   token.substr(d2);
        assertRejected("invalid_signature", check(settingsWith(kSecret), "Bearer " + forged));
    }

    void rejects_rs256_signed_by_another_key() {
        auto key = privateKey(keys().otherRsaPrivate);
        auto token = craft(R"({"alg":"RS256"})", claimsAt(kNow + 60), "RS256", "", key.get());
        assertRejected("invalid_signature", check(settingsWith("", keys().rsaPublic), "Bearer " + token));
    }

    void rejects_es256_signature_of_wrong_length() {
        auto key = privateKey(keys().ecPrivate);
        auto token = craft(R"({"alg":"ES256"})", claimsAt(kNow + 60), "ES256", "", key.get());
        auto sig = *base64UrlDecode(token.substr(token.rfind('.') + 1));
        CPPUNIT_ASSERT_EQUAL(std::size_t{64}, sig.size());
        const std::string prefix = token.substr(0, token.rfind('.') + 1);
        assertRejected("invalid_signature", check(settingsWith("", keys().ecPublic),
                                                  "Bearer " + prefix + base64UrlEncode(sig.substr(0, 63))));
        assertRejected("invalid_signature",
                       check(settingsWith("", keys().ecPublic), "Bearer " + prefix + base64UrlEncode(sig + "\x01")));
    }

    void rejects_expired_token_beyond_leeway_and_accepts_within() {
        assertRejected("token_expired", check(settingsWith(kSecret), "Bearer " + hs256(claimsAt(kNow - 61))));
        assertRejected("token_expired", check(settingsWith(kSecret), "Bearer " + hs256(claimsAt(kNow - 60))));
        assertAccepted(check(settingsWith(kSecret), "Bearer " + hs256(claimsAt(kNow - 59))));
    }

    void rejects_future_nbf_beyond_leeway_and_accepts_within() {
        auto at = [](std::int64_t nbf) { return R"({"sub":"svc","nbf":)" + std::to_string(nbf) + "}"; };
        assertRejected("token_not_yet_valid", check(settingsWith(kSecret), "Bearer " + hs256(at(kNow + 61))));
        assertAccepted(check(settingsWith(kSecret), "Bearer " + hs256(at(kNow + 60))));
        assertAccepted(check(settingsWith(kSecret), "Bearer " + hs256(at(kNow - 1000))));
    }

    void rejects_non_numeric_exp_as_malformed() {
        assertRejected("malformed_token", check(settingsWith(kSecret), "Bearer " + hs256(R"({"exp":"tomorrow"})")));
        assertRejected("malformed_token", check(settingsWith(kSecret), "Bearer " + hs256(R"({"nbf":true})")));
    }

    void rejects_wrong_or_missing_issuer_when_configured() {
        auto s = settingsWith(kSecret);
        s.issuer = "https://auth.example";
        assertAccepted(check(s, "Bearer " + hs256(R"({"iss":"https://auth.example"})")));
        assertRejected("invalid_issuer", check(s, "Bearer " + hs256(R"({"iss":"https://evil.example"})")));
        assertRejected("invalid_issuer", check(s, "Bearer " + hs256(R"({"sub":"x"})")));
        assertRejected("invalid_issuer", check(s, "Bearer " + hs256(R"({"iss":["https://auth.example"]})")));
    }

    void checks_audience_as_string_or_array() {
        auto s = settingsWith(kSecret);
        s.audience = "orders";
        assertAccepted(check(s, "Bearer " + hs256(R"({"aud":"orders"})")));
        assertAccepted(check(s, "Bearer " + hs256(R"({"aud":["users","orders"]})")));
        assertRejected("invalid_audience", check(s, "Bearer " + hs256(R"({"aud":["users","payments"]})")));
        assertRejected("invalid_audience", check(s, "Bearer " + hs256(R"({"aud":"users"})")));
        assertRejected("invalid_audience", check(s, "Bearer " + hs256(R"({"sub":"x"})")));
        // Without a configured audience any aud is fine.
        assertAccepted(check(settingsWith(kSecret), "Bearer " + hs256(R"({"aud":"anything"})")));
    }

    void rejects_malformed_tokens() {
        const std::string good = hs256(claimsAt(kNow + 60));
        const auto d1 = good.find('.');
        const auto d2 = good.find('.', d1 + 1);
        const std::string h = good.substr(0, d1);
        const std::string p = good.substr(d1 + 1, d2 - d1 - 1);
        const std::string sig = good.substr(d2 + 1);
        auto signedWith = [](const std::string& headerB64, const std::string& payloadB64) {
            const std::string input = headerB64 + "." + payloadB64;
            return input + "." + base64UrlEncode(*jwsSign("HS256", kSecret, nullptr, input));
        };
        const std::vector<std::pair<std::string, std::string>> cases = {
            {"two segments", h + "." + p},
            {"four segments", good + ".xx"},
            {"one segment", "abc"},
            {"empty header", "." + p + "." + sig},
            {"padding in header", h + "=." + p + "." + sig},
            {"standard base64 chars", h + "+." + p + "." + sig},
            {"impossible base64 length", "eyJhb." + p + "." + sig},
            {"header not json", base64UrlEncode("not json") + "." + p + "." + sig},
            {"header is an array", base64UrlEncode(R"(["HS256"])") + "." + p + "." + sig},
            {"header is a string", base64UrlEncode(R"("HS256")") + "." + p + "." + sig},
            {"header without alg", base64UrlEncode(R"({"typ":"JWT"})") + "." + p + "." + sig},
            {"alg not a string", base64UrlEncode(R"({"alg":256})") + "." + p + "." + sig},
            {"payload not json (signed)", signedWith(h, base64UrlEncode("{oops"))},
            {"payload is an array (signed)", signedWith(h, base64UrlEncode("[1,2]"))},
            {"payload bad base64 (signed)", signedWith(h, p + "*")},
            {"signature bad base64", h + "." + p + "." + sig + "!"},
            {"binary garbage", std::string("\x01\x02.\x03\x04.\x05", 7)},
        };
        for (const auto& [name, token] : cases) {
            Outcome o = check(settingsWith(kSecret), "Bearer " + token);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(name, std::string("malformed_token"), o.code);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(name, 401, o.http);
        }
    }

    void rejects_critical_header_extensions() {
        auto token = craft(R"({"alg":"HS256","crit":["exp"],"exp":1})", claimsAt(kNow + 60), "HS256");
        assertRejected("malformed_token", check(settingsWith(kSecret), "Bearer " + token));
    }

    void rejects_oversized_token_before_parsing() {
        const std::string big = hs256(R"({"sub":"x","pad":")" + std::string(9000, 'a') + "\"}");
        CPPUNIT_ASSERT(big.size() > 8192);
        assertRejected("token_too_large", check(settingsWith(kSecret), "Bearer " + big));
        assertRejected("token_too_large", check(settingsWith(kSecret), "Bearer " + std::string(8193, 'a')));
        // Just below the limit is processed normally.
        const std::string fits = hs256(R"({"sub":"x","pad":")" + std::string(5000, 'a') + "\"}");
        CPPUNIT_ASSERT(fits.size() <= 8192);
        assertAccepted(check(settingsWith(kSecret), "Bearer " + fits));
    }

    void exempts_health_paths() {
        JwtFilter filter(std::make_shared<const JwtVerifier>(settingsWith(kSecret)), "users");
        auto ex = makeExchange("GET", "/health/ready");
        CPPUNIT_ASSERT(filter.onRequest(ex) == FilterStatus::Continue);
        auto other = makeExchange("GET", "/healthy");
        CPPUNIT_ASSERT(filter.onRequest(other) == FilterStatus::StopIteration);
    }

    void jwt_without_secret_or_key_is_config_error() {
        expectConfigError("SERVICE_JWT_SECRET", [] { JwtVerifier v(settingsWith("")); });
        expectConfigError("SERVICE_JWT_PUBLIC_KEY_FILE", [] { JwtVerifier v(settingsWith("")); });
    }

    void short_secret_is_config_error_naming_service_jwt_secret() {
        expectConfigError("SERVICE_JWT_SECRET", [] { JwtVerifier v(settingsWith(std::string(31, 's'))); });
        JwtVerifier ok(settingsWith(std::string(32, 's')));
        CPPUNIT_ASSERT(ok.algorithms().count("HS256"));
    }

    void unusable_key_files_are_config_errors_naming_the_variable() {
        for (const std::string& file :
             {std::string("/nonexistent/key.pem"), keys().notAKey, keys().ec384Public, keys().rsa1024Public}) {
            expectConfigError("SERVICE_JWT_PUBLIC_KEY_FILE", [&] { JwtVerifier v(settingsWith("", file)); });
        }
        JwtVerifier rsa(settingsWith("", keys().rsaPublic));
        CPPUNIT_ASSERT(rsa.algorithms() == std::set<std::string>{"RS256"});
        JwtVerifier ec(settingsWith(kSecret, keys().ecPublic));
        CPPUNIT_ASSERT((ec.algorithms() == std::set<std::string>{"ES256", "HS256"}));
    }

    void unknown_or_keyless_algorithm_in_allow_list_is_config_error() {
        auto s = settingsWith(kSecret);
        s.algorithms = {"HS256", "HS512"};
        expectConfigError("HS512", [&] { JwtVerifier v(s); });
        s.algorithms = {"none"};
        expectConfigError("auth.algorithms", [&] { JwtVerifier v(s); });
        s.algorithms = {"RS256"};
        expectConfigError("SERVICE_JWT_PUBLIC_KEY_FILE", [&] { JwtVerifier v(s); });
        auto e = settingsWith("", keys().rsaPublic);
        e.algorithms = {"HS256"};
        expectConfigError("SERVICE_JWT_SECRET", [&] { JwtVerifier v(e); });
    }

    void base64url_is_strict_and_round_trips() {
        for (const std::string& s : {std::string(""), std::string("f"), std::string("fo"), std::string("foo"),
                                     std::string("\xff\xfe\x00\x01", 4)}) {
            CPPUNIT_ASSERT(base64UrlDecode(base64UrlEncode(s)) == s);
        }
        CPPUNIT_ASSERT_EQUAL(std::string("_-8"), base64UrlEncode("\xff\xef"));
        CPPUNIT_ASSERT(!base64UrlDecode("Zm9v=").has_value());
        CPPUNIT_ASSERT(!base64UrlDecode("Zm+v").has_value());
        CPPUNIT_ASSERT(!base64UrlDecode("Z").has_value());
        CPPUNIT_ASSERT(!base64UrlDecode("Zh").has_value());  // non-zero trailing bits ("Zg" is canonical)
        CPPUNIT_ASSERT(base64UrlDecode("Zg") == std::string("f"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(JwtFilterTest);
