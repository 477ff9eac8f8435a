#pragma once
// Issues JWS compact tokens (HS256 / RS256 / ES256) for service-to-service calls. The tokens are
// standard (verified by any JWT library, e.g. PyJWT) and by this host's own JwtVerifier.
#include <chrono>
#include <string>

#include <Poco/JSON/Object.h>

#include "jwt/JwsCrypto.h"

namespace zt::jwt {

class JwtSigner {
public:
    /// HS256 with a shared secret (>= 32 bytes, else ConfigError naming SERVICE_JWT_SECRET).
    static JwtSigner hs256(std::string secret);
    /// RS256 or ES256 chosen from the key in a PEM private key file (RSA >= 2048 bits or EC
    /// P-256). Throws ConfigError naming `variable` when the file is unusable.
    static JwtSigner fromPrivateKeyFile(const std::string& path,
                                        const std::string& variable = "SERVICE_JWT_PRIVATE_KEY_FILE");

    /// "HS256", "RS256" or "ES256".
    const std::string& algorithm() const { return algorithm_; }

    /// Signs `claims` as the payload (header {"alg","typ":"JWT"} plus `kid` when set).
    /// Throws Poco::RuntimeException if OpenSSL fails.
    std::string sign(const Poco::JSON::Object& claims) const;

    /// A token for `subject`: sub, iat, exp = iat+ttl, and iss/aud when not empty.
    std::string issueToken(const std::string& subject, std::chrono::seconds ttl, const std::string& issuer = {},
                           const std::string& audience = {}) const;

    /// A token for calls made by `serviceName`: issueToken's claims with sub = serviceName, plus
    /// serviceName.
    std::string issueServiceToken(const std::string& serviceName, std::chrono::seconds ttl,
                                  const std::string& issuer = {}, const std::string& audience = {}) const;

    /// Optional key id written to the header.
    void setKeyId(std::string kid) { keyId_ = std::move(kid); }

private:
    JwtSigner(std::string algorithm, std::string secret, PKeyPtr key);
    static Poco::JSON::Object claimsFor(const std::string& subject, std::chrono::seconds ttl, const std::string& issuer,
                                        const std::string& audience);

    std::string algorithm_;
    std::string secret_;
    PKeyPtr key_;
    std::string keyId_;
};

}  // namespace zt::jwt
