#pragma once
// Verification of JWS compact tokens (RFC 7515/7519) for the jwt auth strategy (docs/FILTERS.md).
//
// Why not Poco::JWT::Signer::verify: in Poco 1.11 it checks no claims, compares HMACs with `==`,
// throws on malformed input even from tryVerify, and cannot tell us *why* a token failed. Clients
// need distinct error codes, so parsing, signature checks (OpenSSL EVP, CRYPTO_memcmp for HMAC) and
// claim checks are done here; Poco::JSON parses the header and payload.
//
// Algorithm confusion is impossible by construction: each algorithm is bound to one key of the
// matching type (HS256 -> the secret, RS256 -> an RSA key, ES256 -> an EC P-256 key) and a token
// is only checked with the key of the algorithm it names, if that algorithm is on the allow-list.
#include <openssl/evp.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace zt::jwt {

class JwtVerifier {
public:
    struct Settings {
        std::string hmacSecret;               ///< SERVICE_JWT_SECRET; enables HS256 (>= 32 bytes)
        std::string publicKeyFile;            ///< SERVICE_JWT_PUBLIC_KEY_FILE; RSA -> RS256, EC P-256 -> ES256
        std::vector<std::string> algorithms;  ///< allow-list; empty = every algorithm with a key
        std::string issuer;                   ///< required `iss` when not empty
        std::string audience;                 ///< required in `aud` (string or array) when not empty
        std::chrono::seconds leeway{60};      ///< clock skew tolerated on `exp` and `nbf`
        std::size_t maxTokenBytes = 8192;     ///< larger tokens are refused before any parsing
        std::string context;                  ///< names the config in error messages ("<file>")
        /// Seconds since the epoch; tests inject a fixed clock. Default: the system clock.
        std::function<std::int64_t()> clock;
    };

    /// Why a token failed (or Ok). `code()` gives the error code of the JSON body (docs/HTTP.md).
    enum class Error {
        Ok,
        MissingCredentials,
        TokenTooLarge,
        MalformedToken,
        UnsignedToken,
        AlgorithmNotAllowed,
        InvalidSignature,
        TokenExpired,
        TokenNotYetValid,
        InvalidIssuer,
        InvalidAudience,
    };

    struct Result {
        Error error = Error::Ok;
        std::string message;     ///< safe to send to the client
        std::string algorithm;   ///< the token's alg when known
        std::string subject;     ///< `sub` when it is a string
        std::string claimsJson;  ///< the payload object exactly as signed
        bool ok() const { return error == Error::Ok; }
    };

    /// Validates the settings and loads the key file. Throws config::ConfigError naming
    /// SERVICE_JWT_SECRET / SERVICE_JWT_PUBLIC_KEY_FILE / auth.algorithms for misconfiguration.
    explicit JwtVerifier(Settings settings);

    /// Checks one token. Never throws (a malformed token is a result, not an exception).
    Result verify(std::string_view token) const;

    /// The algorithms this verifier accepts (allow-list intersected with configured keys).
    const std::set<std::string>& algorithms() const { return allowed_; }

    /// "token_expired", "invalid_signature", ...
    static const char* code(Error error);

private:
    bool checkSignature(const std::string& alg, std::string_view signingInput, const std::string& signature) const;
    std::int64_t now() const;

    Settings settings_;
    std::set<std::string> allowed_;
    std::shared_ptr<EVP_PKEY> rsaKey_;
    std::shared_ptr<EVP_PKEY> ecKey_;
};

}  // namespace zt::jwt
