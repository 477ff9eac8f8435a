#include "calls/ServiceCredentials.h"

#include "config/EnvConfig.h"

namespace zt::calls {

ServiceCredentials::ServiceCredentials(const config::EnvConfig& env, std::chrono::seconds tokenTtl,
                                       std::chrono::seconds renewBefore)
    : issuer_(env.jwtIssuer),
      audience_(env.jwtAudience),
      ttl_(tokenTtl),
      renewBefore_(std::min(renewBefore, tokenTtl)) {
    for (const auto& key : env.apiKeys) {
        if (!key.empty()) {
            apiKey_ = key;
            break;
        }
    }
    if (!env.jwtSecret.empty()) signer_.emplace(jwt::JwtSigner::hs256(env.jwtSecret));
}

std::string ServiceCredentials::bearerToken(const std::string& caller) const {
    if (!signer_) return {};
    const auto now = std::chrono::system_clock::now();
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = tokens_.find(caller);
    if (it != tokens_.end() && now + renewBefore_ < it->second.expiresAt) return it->second.token;
    // Signing under the lock: one HMAC per caller every few minutes, and concurrent callers of
    // the same service then share one token instead of racing to make several.
    CachedToken fresh{signer_->issueServiceToken(caller, ttl_, issuer_, audience_), now + ttl_};
    tokens_[caller] = fresh;
    return fresh.token;
}

HeaderVector ServiceCredentials::headersFor(const std::string& caller, const std::string& strategy) const {
    HeaderVector out;
    const bool unknown = strategy.empty();
    if ((unknown || strategy == "api-key") && !apiKey_.empty()) out.emplace_back("x-api-key", apiKey_);
    if ((unknown || strategy == "jwt") && signer_) {
        out.emplace_back("authorization", "Bearer " + bearerToken(caller));
    }
    return out;
}

}  // namespace zt::calls
