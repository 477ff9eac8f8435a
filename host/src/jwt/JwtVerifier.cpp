#include "jwt/JwtVerifier.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cmath>
#include <ctime>

#include "config/ConfigError.h"
#include "jwt/Base64Url.h"
#include "jwt/JwsCrypto.h"

namespace zt::jwt {

namespace {
const std::set<std::string>& supportedAlgorithms() {
    // ES384/ES512 are wrong in Poco 1.11 and HS384/512, RS384/512, PS* are not asked for by the
    // spec: a short list keeps the attack surface small.
    static const std::set<std::string> algs{"HS256", "RS256", "ES256"};
    return algs;
}

constexpr std::size_t kMinHmacSecretBytes = 32;  // RFC 7518 §3.2: key >= hash output size

JwtVerifier::Result fail(JwtVerifier::Error error, std::string message, std::string alg = {}) {
    JwtVerifier::Result r;
    r.error = error;
    r.message = std::move(message);
    r.algorithm = std::move(alg);
    return r;
}

// Parses a JSON object; anything else (array, number, trailing garbage, bad UTF-8...) is nullptr.
Poco::JSON::Object::Ptr parseObject(const std::string& text) {
    try {
        Poco::JSON::Parser parser;
        Poco::Dynamic::Var v = parser.parse(text);
        if (v.type() != typeid(Poco::JSON::Object::Ptr)) return nullptr;
        return v.extract<Poco::JSON::Object::Ptr>();
    } catch (...) {
        return nullptr;
    }
}

// A NumericDate (RFC 7519 §2): a JSON number, possibly fractional. False if present but not one.
bool numericDate(const Poco::JSON::Object::Ptr& obj, const std::string& name, bool& present, double& value) {
    present = obj->has(name);
    if (!present) return true;
    const Poco::Dynamic::Var v = obj->get(name);
    if (!v.isNumeric() || v.isBoolean()) return false;
    try {
        value = v.convert<double>();
    } catch (...) {
        return false;
    }
    return std::isfinite(value);
}
}  // namespace

JwtVerifier::JwtVerifier(Settings settings) : settings_(std::move(settings)) {
    const std::string where = settings_.context.empty() ? std::string() : settings_.context + ": ";
    for (const auto& alg : settings_.algorithms) {
        if (!supportedAlgorithms().count(alg)) {
            throw config::ConfigError(where + "auth.algorithms: unsupported algorithm '" + alg +
                                      "' (supported: HS256, RS256, ES256)");
        }
    }
    if (settings_.hmacSecret.empty() && settings_.publicKeyFile.empty()) {
        throw config::ConfigError(where +
                                  "SERVICE_JWT_SECRET / SERVICE_JWT_PUBLIC_KEY_FILE: auth strategy "
                                  "'jwt' needs a secret (HS256) or a public key file (RS256/ES256)");
    }
    std::set<std::string> available;
    if (!settings_.hmacSecret.empty()) {
        if (settings_.hmacSecret.size() < kMinHmacSecretBytes) {
            throw config::ConfigError("SERVICE_JWT_SECRET: must be at least 32 bytes for HS256, got " +
                                      std::to_string(settings_.hmacSecret.size()));
        }
        available.insert("HS256");
    }
    if (!settings_.publicKeyFile.empty()) {
        std::string error;
        PKeyPtr key = loadPublicKeyPem(settings_.publicKeyFile, error);
        if (!key) throw config::ConfigError("SERVICE_JWT_PUBLIC_KEY_FILE: " + error);
        std::string alg = jwsAlgorithmForKey(key.get(), error);
        if (alg.empty()) {
            throw config::ConfigError("SERVICE_JWT_PUBLIC_KEY_FILE: '" + settings_.publicKeyFile + "': " + error);
        }
        (alg == "RS256" ? rsaKey_ : ecKey_) = key;
        available.insert(alg);
    }
    if (settings_.algorithms.empty()) {
        allowed_ = available;
    } else {
        for (const auto& alg : settings_.algorithms) {
            if (!available.count(alg)) {
                const char* var = alg == "HS256" ? "SERVICE_JWT_SECRET" : "SERVICE_JWT_PUBLIC_KEY_FILE";
                throw config::ConfigError(where + "auth.algorithms: '" + alg + "' is allowed but " + var +
                                          " provides no key for it");
            }
            allowed_.insert(alg);
        }
    }
}

const char* JwtVerifier::code(Error error) {
    switch (error) {
    case Error::Ok:
        return "ok";
    case Error::MissingCredentials:
        return "missing_credentials";
    case Error::TokenTooLarge:
        return "token_too_large";
    case Error::MalformedToken:
        return "malformed_token";
    case Error::UnsignedToken:
        return "unsigned_token";
    case Error::AlgorithmNotAllowed:
        return "algorithm_not_allowed";
    case Error::InvalidSignature:
        return "invalid_signature";
    case Error::TokenExpired:
        return "token_expired";
    case Error::TokenNotYetValid:
        return "token_not_yet_valid";
    case Error::InvalidIssuer:
        return "invalid_issuer";
    case Error::InvalidAudience:
        return "invalid_audience";
    }
    return "invalid_token";
}

std::int64_t JwtVerifier::now() const {
    if (settings_.clock) return settings_.clock();
    return static_cast<std::int64_t>(std::time(nullptr));
}

bool JwtVerifier::checkSignature(const std::string& alg, std::string_view signingInput,
                                 const std::string& signature) const {
    EVP_PKEY* key = alg == "RS256" ? rsaKey_.get() : alg == "ES256" ? ecKey_.get() : nullptr;
    const std::string_view secret = alg == "HS256" ? std::string_view(settings_.hmacSecret) : std::string_view();
    return jwsVerify(alg, secret, key, signingInput, signature);
}

JwtVerifier::Result JwtVerifier::verify(std::string_view token) const {
    try {
        if (token.empty()) return fail(Error::MissingCredentials, "a bearer token is required");
        // Checked first so a huge header costs no base64 or JSON work.
        if (token.size() > settings_.maxTokenBytes) {
            return fail(Error::TokenTooLarge,
                        "the token is larger than " + std::to_string(settings_.maxTokenBytes) + " bytes");
        }
        const auto dot1 = token.find('.');
        const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
        if (dot1 == std::string_view::npos || dot2 == std::string_view::npos ||
            token.find('.', dot2 + 1) != std::string_view::npos) {
            return fail(Error::MalformedToken, "a JWT has exactly three dot-separated segments");
        }
        const std::string_view headerB64 = token.substr(0, dot1);
        const std::string_view payloadB64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
        const std::string_view signatureB64 = token.substr(dot2 + 1);

        auto headerText = base64UrlDecode(headerB64);
        if (!headerText || headerB64.empty()) return fail(Error::MalformedToken, "the header is not base64url");
        auto header = parseObject(*headerText);
        if (!header) return fail(Error::MalformedToken, "the header is not a JSON object");
        if (!header->has("alg") || !header->get("alg").isString()) {
            return fail(Error::MalformedToken, "the header has no 'alg' string");
        }
        const std::string alg = header->getValue<std::string>("alg");
        // RFC 7515 §4.1.11: extensions we do not understand must not be ignored.
        if (header->has("crit"))
            return fail(Error::MalformedToken, "critical header extensions are not supported", alg);

        std::string algLower = alg;
        for (auto& c : algLower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (algLower == "none") return fail(Error::UnsignedToken, "unsigned tokens (alg none) are never accepted", alg);
        if (!allowed_.count(alg)) {
            return fail(Error::AlgorithmNotAllowed, "algorithm '" + alg + "' is not allowed for this service", alg);
        }

        auto payloadText = base64UrlDecode(payloadB64);
        if (!payloadText || payloadB64.empty()) return fail(Error::MalformedToken, "the payload is not base64url", alg);
        auto payload = parseObject(*payloadText);
        if (!payload) return fail(Error::MalformedToken, "the payload is not a JSON object", alg);
        auto signature = base64UrlDecode(signatureB64);
        if (!signature) return fail(Error::MalformedToken, "the signature is not base64url", alg);

        const std::string_view signingInput = token.substr(0, dot2);
        if (!checkSignature(alg, signingInput, *signature)) {
            return fail(Error::InvalidSignature, "the token signature is not valid", alg);
        }

        // Claims are only looked at once the signature proved who wrote them.
        const std::int64_t t = now();
        const auto leeway = static_cast<double>(settings_.leeway.count());
        bool present = false;
        double value = 0;
        if (!numericDate(payload, "exp", present, value))
            return fail(Error::MalformedToken, "'exp' is not a number", alg);
        if (present && static_cast<double>(t) >= value + leeway)
            return fail(Error::TokenExpired, "the token has expired", alg);
        if (!numericDate(payload, "nbf", present, value))
            return fail(Error::MalformedToken, "'nbf' is not a number", alg);
        if (present && static_cast<double>(t) + leeway < value) {
            return fail(Error::TokenNotYetValid, "the token is not valid yet", alg);
        }
        if (!settings_.issuer.empty()) {
            if (!payload->has("iss") || !payload->get("iss").isString() ||
                payload->getValue<std::string>("iss") != settings_.issuer) {
                return fail(Error::InvalidIssuer, "the token was not issued by the expected issuer", alg);
            }
        }
        if (!settings_.audience.empty()) {
            bool match = false;
            if (payload->has("aud")) {
                const Poco::Dynamic::Var aud = payload->get("aud");
                if (aud.isString()) {
                    match = aud.extract<std::string>() == settings_.audience;
                } else if (auto arr = payload->getArray("aud")) {
                    for (std::size_t i = 0; i < arr->size() && !match; ++i) {
                        match = arr->get(i).isString() && arr->get(i).extract<std::string>() == settings_.audience;
                    }
                }
            }
            if (!match) return fail(Error::InvalidAudience, "the token is not meant for this audience", alg);
        }

        Result ok;
        ok.algorithm = alg;
        if (payload->has("sub") && payload->get("sub").isString()) ok.subject = payload->getValue<std::string>("sub");
        // The payload exactly as signed: what the issuer wrote is what the handler reads.
        ok.claimsJson = *payloadText;
        return ok;
    } catch (...) {
        // Nothing above should throw, but a verifier must fail closed whatever happens.
        return fail(Error::MalformedToken, "the token could not be processed");
    }
}

}  // namespace zt::jwt
