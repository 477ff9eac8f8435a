#pragma once
// The credentials a service presents when it calls another one (docs/CALLS.md; "adds service
// credentials"), chosen by the target's auth strategy:
//   api-key -> X-API-Key: <first SERVICE_API_KEY>
//   jwt     -> Authorization: Bearer <HS256 token, sub = serviceName = caller> (SERVICE_JWT_SECRET)
//   ""      -> strategy unknown (a remote service without registry info): everything configured,
//              X-API-Key and the Bearer token (the api-key filter reads X-API-Key first, so the two
//              do not clash)
//   custom, none -> nothing: the caller's own headers pass through
// Tokens are cached per caller and renewed before they expire: signing on every call is wasted
// work, and a token that expires in flight would be refused.
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "calls/ClientResult.h"
#include "jwt/JwtSigner.h"

namespace zt::config {
struct EnvConfig;
}

namespace zt::calls {

class ServiceCredentials {
public:
    /// Throws config::ConfigError when SERVICE_JWT_SECRET is set but shorter than 32 bytes
    /// (EnvConfig::load already refuses that at start-up).
    explicit ServiceCredentials(const config::EnvConfig& env, std::chrono::seconds tokenTtl = std::chrono::minutes(5),
                                std::chrono::seconds renewBefore = std::chrono::seconds(60));

    /// Credential headers for a call from `caller` to a target using `strategy`.
    HeaderVector headersFor(const std::string& caller, const std::string& strategy) const;

    /// The cached or a fresh token for `caller`; empty without SERVICE_JWT_SECRET.
    std::string bearerToken(const std::string& caller) const;

    bool hasApiKey() const { return !apiKey_.empty(); }
    bool hasJwt() const { return signer_.has_value(); }

private:
    struct CachedToken {
        std::string token;
        std::chrono::system_clock::time_point expiresAt;
    };

    std::string apiKey_;
    std::optional<jwt::JwtSigner> signer_;
    std::string issuer_;
    std::string audience_;
    std::chrono::seconds ttl_;
    std::chrono::seconds renewBefore_;
    mutable std::mutex mutex_;
    mutable std::map<std::string, CachedToken> tokens_;
};

}  // namespace zt::calls
