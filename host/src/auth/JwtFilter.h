#pragma once
// jwt authentication (docs/FILTERS.md): `Authorization: Bearer <jwt>`, verified by JwtVerifier.
// Every rejection is a 401 whose error code says why (token_expired, invalid_signature, ...), with
// an RFC 6750 WWW-Authenticate header; the verified claims become the exchange's Principal.
#include <memory>
#include <string>

#include "jwt/JwtVerifier.h"
#include "http/HttpFilter.h"

namespace zt::auth {

class JwtFilter final : public http::HttpFilter {
public:
    /// `verifier` must not be null. `realm` appears in WWW-Authenticate.
    explicit JwtFilter(std::shared_ptr<const jwt::JwtVerifier> verifier, std::string realm = "zintrust");

    const char* name() const override { return "auth.jwt"; }
    http::FilterStatus onRequest(http::Exchange& exchange) const override;

    const jwt::JwtVerifier& verifier() const { return *verifier_; }

private:
    std::shared_ptr<const jwt::JwtVerifier> verifier_;
    std::string realm_;
};

}  // namespace zt::auth
