#include "auth/JwtFilter.h"

#include <Poco/Exception.h>

#include "auth/AuthHeaders.h"

namespace zt::auth {

JwtFilter::JwtFilter(std::shared_ptr<const jwt::JwtVerifier> verifier, std::string realm)
    : verifier_(std::move(verifier)), realm_(std::move(realm)) {
    if (!verifier_) throw Poco::InvalidArgumentException("JwtFilter: verifier is null");
}

http::FilterStatus JwtFilter::onRequest(http::Exchange& exchange) const {
    exchange.principal.strategy = "jwt";
    // Orchestrators and the health monitor probe /health without tokens (docs/HEALTH.md).
    if (isHealthPath(exchange.request.path)) return http::FilterStatus::Continue;

    const std::string challenge = "Bearer realm=\"" + realm_ + "\"";
    auto token = bearerCredential(exchange.request.headers);
    if (!token) {
        rejectRequest(exchange, 401, "missing_credentials", "a bearer token is required in Authorization: Bearer <jwt>",
                      challenge);
        return http::FilterStatus::StopIteration;
    }
    jwt::JwtVerifier::Result result = verifier_->verify(*token);
    if (!result.ok()) {
        rejectRequest(exchange, 401, jwt::JwtVerifier::code(result.error), result.message,
                      challenge + ", error=\"invalid_token\"");
        return http::FilterStatus::StopIteration;
    }
    exchange.principal.authenticated = true;
    exchange.principal.subject = std::move(result.subject);
    exchange.principal.claimsJson = std::move(result.claimsJson);
    return http::FilterStatus::Continue;
}

}  // namespace zt::auth
