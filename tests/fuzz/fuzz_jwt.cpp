// JwtVerifier on arbitrary tokens, and JwtSigner -> JwtVerifier round trips on arbitrary claims.
// The first input byte picks the mode, the rest is the token or the claims:
//   0: verify as a token with the HS256 verifier (iss/aud required)
//   1: verify as a token with the RS256 verifier      2: ... with the ES256 verifier
//   3: parse the rest as a JSON claims object, sign it with HS256, RS256 and ES256, then:
//      - its own verifier may only fail on claims (exp/nbf/iss/aud), never on format or signature;
//      - every other verifier refuses it (algorithm confusion);
//      - a token with a changed signature is refused.
// The RSA and EC keys are generated into a temp dir at start-up (FuzzSupport), never committed.
// verify() is documented never to throw: any exception is a finding.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <memory>
#include <string>

#include "FuzzSupport.h"
#include "jwt/JwtSigner.h"
#include "jwt/JwtVerifier.h"

using zt::fuzz::check;
using zt::jwt::JwtSigner;
using zt::jwt::JwtVerifier;

namespace {
constexpr std::int64_t kNow = 1700000000;  // fixed clock: runs are reproducible

struct Setup {
    std::unique_ptr<JwtVerifier> verifiers[3];  // HS256, RS256, ES256
    std::unique_ptr<JwtSigner> signers[3];
};

JwtVerifier::Settings settings(const std::string& secret, const std::string& keyFile) {
    JwtVerifier::Settings s;
    s.hmacSecret = secret;
    s.publicKeyFile = keyFile;
    s.clock = [] { return kNow; };
    s.context = "fuzz";
    return s;
}

const Setup& setup() {
    static const Setup s = [] {
        Setup out;
        auto hs = settings(zt::fuzz::kHmacSecret, "");
        hs.issuer = "zt-fuzz";
        hs.audience = "users";
        out.verifiers[0] = std::make_unique<JwtVerifier>(hs);
        out.verifiers[1] = std::make_unique<JwtVerifier>(settings("", zt::fuzz::keys().rsaPublic));
        auto es = settings("", zt::fuzz::keys().ecPublic);
        es.algorithms = {"ES256"};
        out.verifiers[2] = std::make_unique<JwtVerifier>(es);
        out.signers[0] = std::make_unique<JwtSigner>(JwtSigner::hs256(zt::fuzz::kHmacSecret));
        out.signers[1] = std::make_unique<JwtSigner>(JwtSigner::fromPrivateKeyFile(zt::fuzz::keys().rsaPrivate));
        out.signers[2] = std::make_unique<JwtSigner>(JwtSigner::fromPrivateKeyFile(zt::fuzz::keys().ecPrivate));
        return out;
    }();
    return s;
}

JwtVerifier::Result verify(const JwtVerifier& v, std::string_view token) {
    try {
        auto r = v.verify(token);
        if (r.ok()) {
            check(v.algorithms().count(r.algorithm) == 1, "accepted alg '" + r.algorithm + "' not on the allow-list");
            check(zt::fuzz::isJson(r.claimsJson), "accepted token with claims that are not JSON");
        }
        check(JwtVerifier::code(r.error) != nullptr, "no error code");
        return r;
    } catch (...) {
        zt::fuzz::unexpectedException();
    }
}

/// Failures a correctly signed token may still get: claim checks, a non-numeric exp/nbf, size.
bool claimsOnlyFailure(const JwtVerifier::Result& r, std::size_t tokenSize) {
    using E = JwtVerifier::Error;
    const E e = r.error;
    if (e == E::MalformedToken)
        return r.message.find("'exp'") != std::string::npos || r.message.find("'nbf'") != std::string::npos;
    if (e == E::TokenTooLarge) return tokenSize > 8192;
    return e == E::Ok || e == E::TokenExpired || e == E::TokenNotYetValid || e == E::InvalidIssuer ||
           e == E::InvalidAudience;
}

void roundTrip(const std::string& claimsText) {
    Poco::JSON::Object::Ptr claims;
    try {
        auto parsed = Poco::JSON::Parser().parse(claimsText);
        if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) return;
        claims = parsed.extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception&) {
        return;  // not a claims object: nothing to sign
    }
    const Setup& s = setup();
    for (int i = 0; i < 3; ++i) {
        std::string token;
        try {
            token = s.signers[i]->sign(*claims);
        } catch (...) {
            zt::fuzz::unexpectedException();
        }
        auto own = verify(*s.verifiers[i], token);
        check(claimsOnlyFailure(own, token.size()), std::string("own token refused by verifier ") + std::to_string(i) +
                                                        ": " + JwtVerifier::code(own.error) + " (" + own.message + ")");
        if (own.ok()) check(own.claimsJson.size() > 1 && own.claimsJson.front() == '{', "claims are not an object");
        for (int j = 0; j < 3; ++j) {
            if (j != i)
                check(!verify(*s.verifiers[j], token).ok(),
                      "token of signer " + std::to_string(i) + " accepted by verifier " + std::to_string(j));
        }
        // Change the first signature character (always significant in base64url).
        auto dot = token.rfind('.');
        check(dot != std::string::npos && dot + 1 < token.size(), "signed token has no signature: " + token);
        std::string forged = token;
        forged[dot + 1] = forged[dot + 1] == 'A' ? 'B' : 'A';
        auto r = verify(*s.verifiers[i], forged);
        check(!r.ok(), "token with a changed signature accepted by verifier " + std::to_string(i));
    }
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    zt::fuzz::quietLogging();
    setup();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const int mode = data[0] % 4;
    // A view over exactly the remaining bytes, so ASan sees reads past the end.
    const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    if (mode < 3) verify(*setup().verifiers[mode], rest);
    else roundTrip(std::string(rest));
    return 0;
}
