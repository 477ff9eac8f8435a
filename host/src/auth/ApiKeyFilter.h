#pragma once
// api-key authentication (docs/FILTERS.md).
//
// The key arrives in `X-API-Key` or `Authorization: Bearer <key>`. Several keys are accepted at
// once so a key can be rotated without downtime (add the new one, move clients, drop the old).
// Only SHA-256 digests of the keys are kept in memory, and the presented key is digested and
// compared against every stored digest with CRYPTO_memcmp: equal-length inputs and no early exit,
// so neither the key's length nor its matching prefix leaks through timing.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "http/HttpFilter.h"

namespace zt::auth {

class ApiKeyFilter final : public http::HttpFilter {
public:
    /// `keys`: every accepted key (empty entries are ignored). `realm` appears in
    /// WWW-Authenticate. Throws config::ConfigError naming SERVICE_API_KEY when no key remains.
    explicit ApiKeyFilter(const std::vector<std::string>& keys, std::string realm = "zintrust");

    const char* name() const override { return "auth.api-key"; }
    http::FilterStatus onRequest(http::Exchange& exchange) const override;

    /// Non-secret identifier of a key for logs and Principal.subject: "key-" + the first 8 hex
    /// digits of its SHA-256 (enough to tell rotated keys apart, useless to an attacker).
    static std::string keyId(std::string_view key);

    std::size_t keyCount() const { return keys_.size(); }

private:
    using Digest = std::array<unsigned char, 32>;
    struct StoredKey {
        Digest digest;
        std::string id;
    };
    std::vector<StoredKey> keys_;
    std::string wwwAuthenticate_;
};

}  // namespace zt::auth
