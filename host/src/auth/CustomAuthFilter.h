#pragma once
// custom authentication (docs/FILTERS.md): asks a plugin-registered CustomAuthenticator. Fails closed: a
// deny, or any exception from the authenticator, ends the request with a JSON error.
#include <memory>
#include <string>

#include "auth/CustomAuthenticator.h"
#include "http/HttpFilter.h"

namespace Poco {
class Logger;
}

namespace zt::auth {

class CustomAuthFilter final : public http::HttpFilter {
public:
    /// Throws config::ConfigError naming `serviceName` when `authenticator` is null (the service
    /// chose strategy "custom" but its plugin registered no authenticator).
    CustomAuthFilter(std::shared_ptr<const CustomAuthenticator> authenticator, std::string serviceName);

    const char* name() const override { return "auth.custom"; }
    http::FilterStatus onRequest(http::Exchange& exchange) const override;

private:
    std::shared_ptr<const CustomAuthenticator> authenticator_;
    std::string serviceName_;
    Poco::Logger& logger_;
};

}  // namespace zt::auth
