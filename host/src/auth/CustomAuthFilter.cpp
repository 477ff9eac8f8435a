#include "auth/CustomAuthFilter.h"

#include <Poco/Logger.h>

#include <exception>

#include "config/ConfigError.h"
#include "auth/AuthHeaders.h"
#include "http/JsonError.h"

namespace zt::auth {

CustomAuthFilter::CustomAuthFilter(std::shared_ptr<const CustomAuthenticator> authenticator, std::string serviceName)
    : authenticator_(std::move(authenticator)),
      serviceName_(std::move(serviceName)),
      logger_(Poco::Logger::get("zt.auth")) {
    if (!authenticator_) {
        throw config::ConfigError("service '" + serviceName_ +
                                  "': auth.strategy is 'custom' but its plugin registered no "
                                  "authenticator (zt_host_api.register_authenticator)");
    }
}

http::FilterStatus CustomAuthFilter::onRequest(http::Exchange& exchange) const {
    exchange.principal.strategy = "custom";
    if (isHealthPath(exchange.request.path)) return http::FilterStatus::Continue;

    AuthDecision decision;
    try {
        decision = authenticator_->authenticate(exchange);
    } catch (const std::exception& e) {
        // The reason stays in the log: it may describe internals the client must not see.
        logger_.warning("service '" + serviceName_ + "': custom authenticator threw: " + e.what());
        http::setJsonError(exchange.response, 401, "access_denied", "authentication failed");
        return http::FilterStatus::StopIteration;
    } catch (...) {
        logger_.warning("service '" + serviceName_ + "': custom authenticator threw a non-standard exception");
        http::setJsonError(exchange.response, 401, "access_denied", "authentication failed");
        return http::FilterStatus::StopIteration;
    }
    if (!decision.allow) {
        const int status = decision.denyStatus == 403 ? 403 : 401;
        http::setJsonError(exchange.response, status, "access_denied",
                           decision.message.empty() ? std::string("access denied") : decision.message);
        return http::FilterStatus::StopIteration;
    }
    exchange.principal.authenticated = true;
    exchange.principal.subject = std::move(decision.principal);
    exchange.principal.claimsJson = "{}";
    return http::FilterStatus::Continue;
}

}  // namespace zt::auth
