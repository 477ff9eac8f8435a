#include "auth/ApiKeyFilter.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

#include "config/ConfigError.h"
#include "auth/AuthHeaders.h"

namespace zt::auth {

namespace {
// Fetched once: OpenSSL 3's one-shot SHA256() looks the algorithm up in the provider store (locks
// and all) on every call, which was half the filter's cost per request in bench/ profiles.
const EVP_MD* sha256Algorithm() {
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md;
}

std::array<unsigned char, 32> sha256(std::string_view data) {
    // One digest context per thread, re-initialised per use (no allocation per request).
    thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    std::array<unsigned char, 32> out{};
    const EVP_MD* md = sha256Algorithm();
    if (!md || !ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), out.data(), nullptr) != 1) {
        throw std::runtime_error("OpenSSL SHA-256 is unavailable");
    }
    return out;
}
}  // namespace

ApiKeyFilter::ApiKeyFilter(const std::vector<std::string>& keys, std::string realm)
    : wwwAuthenticate_("Bearer realm=\"" + realm + "\"") {
    for (const auto& key : keys) {
        // An empty key would match an empty header value: never store it.
        if (key.empty()) continue;
        keys_.push_back(StoredKey{sha256(key), keyId(key)});
    }
    if (keys_.empty()) {
        throw config::ConfigError(
            "SERVICE_API_KEY: auth strategy 'api-key' needs at least one key "
            "(set SERVICE_API_KEY or SERVICE_API_KEYS_FILE)");
    }
}

std::string ApiKeyFilter::keyId(std::string_view key) {
    auto digest = sha256(key);
    char buf[9];
    std::snprintf(buf, sizeof buf, "%02x%02x%02x%02x", digest[0], digest[1], digest[2], digest[3]);
    return std::string("key-") + buf;
}

http::FilterStatus ApiKeyFilter::onRequest(http::Exchange& exchange) const {
    exchange.principal.strategy = "api-key";
    if (isHealthPath(exchange.request.path)) return http::FilterStatus::Continue;

    std::optional<std::string_view> presented;
    if (auto header = exchange.request.headers.get("x-api-key"); header && !header->empty()) {
        presented = *header;
    } else {
        presented = bearerCredential(exchange.request.headers);
    }
    if (!presented) {
        rejectRequest(exchange, 401, "missing_credentials",
                      "an API key is required in X-API-Key or Authorization: Bearer", wwwAuthenticate_);
        return http::FilterStatus::StopIteration;
    }

    const Digest candidate = sha256(*presented);
    // Visit every key whatever matched, so the time taken does not say which key (or whether the
    // first one) matched.
    const StoredKey* match = nullptr;
    for (const auto& key : keys_) {
        bool equal = CRYPTO_memcmp(candidate.data(), key.digest.data(), candidate.size()) == 0;
        if (equal && match == nullptr) match = &key;
    }
    if (match == nullptr) {
        rejectRequest(exchange, 401, "invalid_credentials", "the API key is not valid",
                      wwwAuthenticate_ + ", error=\"invalid_token\"");
        return http::FilterStatus::StopIteration;
    }
    exchange.principal.authenticated = true;
    exchange.principal.subject = match->id;
    exchange.principal.claimsJson = "{}";
    return http::FilterStatus::Continue;
}

}  // namespace zt::auth
