// Interoperability with an independent JWT implementation (docs/FILTERS.md): tokens made by PyJWT
// (Debian's python3-jwt) with keys from the openssl CLI are accepted, and the host's JwtSigner
// tokens verify in PyJWT.
#include <cppunit/extensions/HelperMacros.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <ctime>

#include "support/FilterTestSupport.h"
#include "config/ConfigError.h"
#include "auth/JwtFilter.h"
#include "jwt/JwtSigner.h"
#include "jwt/JwtVerifier.h"

using namespace zt::auth;
using namespace zt::jwt;
using namespace zt::test::filters;
using zt::http::FilterStatus;

namespace {
const std::string kSecret = "interop-secret-0123456789abcdef0123456789";

zt::http::Exchange verifyWith(const std::string& secret, const std::string& keyFile, const std::string& token,
                              const std::string& issuer = {}, const std::string& audience = {}) {
    JwtVerifier::Settings s;
    s.hmacSecret = secret;
    s.publicKeyFile = keyFile;
    s.issuer = issuer;
    s.audience = audience;
    JwtFilter filter(std::make_shared<const JwtVerifier>(s), "orders");
    auto ex = makeExchange("POST", "/orders", {{"Authorization", "Bearer " + token}});
    filter.onRequest(ex);
    return ex;
}

std::string futureClaims() {
    const auto now = static_cast<long long>(std::time(nullptr));
    return R"({"sub":"svc-users","serviceName":"users","scope":"orders:write","iss":"zintrust","aud":["orders","payments"],"iat":)" +
           std::to_string(now) + R"(,"nbf":)" + std::to_string(now - 5) + R"(,"exp":)" + std::to_string(now + 600) +
           "}";
}
}  // namespace

class JwtInteropTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(JwtInteropTest);
    CPPUNIT_TEST(accepts_hs256_token_made_by_pyjwt);
    CPPUNIT_TEST(accepts_rs256_token_made_by_pyjwt_with_openssl_key);
    CPPUNIT_TEST(accepts_es256_token_made_by_pyjwt_with_openssl_key);
    CPPUNIT_TEST(rejects_expired_pyjwt_token);
    CPPUNIT_TEST(rejects_pyjwt_token_signed_by_other_rsa_key);
    CPPUNIT_TEST(host_hs256_token_verifies_in_pyjwt);
    CPPUNIT_TEST(host_rs256_token_verifies_in_pyjwt);
    CPPUNIT_TEST(host_es256_token_verifies_in_pyjwt);
    CPPUNIT_TEST(host_tokens_verify_in_host);
    CPPUNIT_TEST(pyjwt_refuses_host_token_with_wrong_key);
    CPPUNIT_TEST(signer_refuses_short_secret_and_unusable_keys);
    CPPUNIT_TEST_SUITE_END();

    TempDir dir_;

public:
    void accepts_hs256_token_made_by_pyjwt() {
        const std::string secretFile = dir_.write("secret", kSecret);
        const std::string token = pyJwtEncode(futureClaims(), secretFile, "HS256");
        auto ex = verifyWith(kSecret, "", token, "zintrust", "orders");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(ex.response.body, std::string("svc-users"), ex.principal.subject);
        CPPUNIT_ASSERT(ex.principal.authenticated);
        Poco::JSON::Parser parser;
        auto claims = parser.parse(ex.principal.claimsJson).extract<Poco::JSON::Object::Ptr>();
        CPPUNIT_ASSERT_EQUAL(std::string("users"), claims->getValue<std::string>("serviceName"));
        CPPUNIT_ASSERT_EQUAL(std::string("orders:write"), claims->getValue<std::string>("scope"));
    }

    void accepts_rs256_token_made_by_pyjwt_with_openssl_key() {
        const std::string token = pyJwtEncode(futureClaims(), keys().rsaPrivate, "RS256", R"({"kid":"k1"})");
        auto ex = verifyWith("", keys().rsaPublic, token, "zintrust", "payments");
        CPPUNIT_ASSERT_MESSAGE(ex.response.body, ex.principal.authenticated);
        CPPUNIT_ASSERT_EQUAL(std::string("svc-users"), ex.principal.subject);
    }

    void accepts_es256_token_made_by_pyjwt_with_openssl_key() {
        // Several tokens: ECDSA signatures are randomised, and r or s with leading zero bytes
        // must still be handled (fixed-width JOSE encoding).
        for (int i = 0; i < 5; ++i) {
            const std::string token = pyJwtEncode(futureClaims(), keys().ecPrivate, "ES256");
            auto ex = verifyWith("", keys().ecPublic, token);
            CPPUNIT_ASSERT_MESSAGE(ex.response.body, ex.principal.authenticated);
        }
    }

    void rejects_expired_pyjwt_token() {
        const auto now = static_cast<long long>(std::time(nullptr));
        const std::string token =
            pyJwtEncode(R"({"sub":"x","exp":)" + std::to_string(now - 120) + "}", keys().rsaPrivate, "RS256");
        auto ex = verifyWith("", keys().rsaPublic, token);
        CPPUNIT_ASSERT_EQUAL(401, ex.response.status);
        CPPUNIT_ASSERT_EQUAL(std::string("token_expired"), errorCode(ex));
    }

    void rejects_pyjwt_token_signed_by_other_rsa_key() {
        const std::string token = pyJwtEncode(futureClaims(), keys().otherRsaPrivate, "RS256");
        auto ex = verifyWith("", keys().rsaPublic, token);
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_signature"), errorCode(ex));
    }

    void host_hs256_token_verifies_in_pyjwt() {
        const std::string secretFile = dir_.write("secret", kSecret);
        const std::string token =
            JwtSigner::hs256(kSecret).issueServiceToken("users", std::chrono::seconds(300), "zintrust", "orders");
        const std::string out = pyJwtDecode(token, secretFile, "HS256", "orders", "zintrust");
        CPPUNIT_ASSERT_MESSAGE(out, out.starts_with("OK "));
        CPPUNIT_ASSERT_MESSAGE(out, out.find(R"("serviceName": "users")") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(out, out.find(R"("sub": "users")") != std::string::npos);
    }

    void host_rs256_token_verifies_in_pyjwt() {
        JwtSigner signer = JwtSigner::fromPrivateKeyFile(keys().rsaPrivate);
        CPPUNIT_ASSERT_EQUAL(std::string("RS256"), signer.algorithm());
        const std::string token = signer.issueServiceToken("users", std::chrono::seconds(300));
        const std::string out = pyJwtDecode(token, keys().rsaPublic, "RS256");
        CPPUNIT_ASSERT_MESSAGE(out, out.starts_with("OK "));
    }

    void host_es256_token_verifies_in_pyjwt() {
        JwtSigner signer = JwtSigner::fromPrivateKeyFile(keys().ecPrivate);
        CPPUNIT_ASSERT_EQUAL(std::string("ES256"), signer.algorithm());
        signer.setKeyId("ec-1");
        for (int i = 0; i < 5; ++i) {
            const std::string token = signer.issueServiceToken("payments", std::chrono::seconds(300));
            const std::string out = pyJwtDecode(token, keys().ecPublic, "ES256");
            CPPUNIT_ASSERT_MESSAGE(out, out.starts_with("OK "));
            CPPUNIT_ASSERT_MESSAGE(out, out.find(R"("serviceName": "payments")") != std::string::npos);
        }
    }

    void host_tokens_verify_in_host() {
        const std::string hs = JwtSigner::hs256(kSecret).issueServiceToken("users", std::chrono::seconds(60));
        CPPUNIT_ASSERT(verifyWith(kSecret, "", hs).principal.authenticated);
        const std::string rs =
            JwtSigner::fromPrivateKeyFile(keys().rsaPrivate).issueServiceToken("users", std::chrono::seconds(60));
        CPPUNIT_ASSERT(verifyWith("", keys().rsaPublic, rs).principal.authenticated);
        const std::string es =
            JwtSigner::fromPrivateKeyFile(keys().ecPrivate).issueServiceToken("users", std::chrono::seconds(60));
        CPPUNIT_ASSERT(verifyWith("", keys().ecPublic, es).principal.authenticated);
        // A token whose ttl is already over (beyond the 60 s leeway) is refused by the host.
        const std::string old = JwtSigner::hs256(kSecret).issueServiceToken("users", std::chrono::seconds(-120));
        CPPUNIT_ASSERT_EQUAL(std::string("token_expired"), errorCode(verifyWith(kSecret, "", old)));
    }

    void pyjwt_refuses_host_token_with_wrong_key() {
        const std::string token =
            JwtSigner::fromPrivateKeyFile(keys().otherRsaPrivate).issueServiceToken("users", std::chrono::seconds(60));
        const std::string out = pyJwtDecode(token, keys().rsaPublic, "RS256");
        CPPUNIT_ASSERT_MESSAGE(out, out.starts_with("ERR InvalidSignatureError"));
    }

    void signer_refuses_short_secret_and_unusable_keys() {
        CPPUNIT_ASSERT_THROW(JwtSigner::hs256("short"), zt::config::ConfigError);
        CPPUNIT_ASSERT_THROW(JwtSigner::fromPrivateKeyFile(keys().notAKey), zt::config::ConfigError);
        // A public key is not a signing key.
        CPPUNIT_ASSERT_THROW(JwtSigner::fromPrivateKeyFile(keys().rsaPublic), zt::config::ConfigError);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(JwtInteropTest);
