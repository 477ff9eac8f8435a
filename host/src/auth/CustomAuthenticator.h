#pragma once
// The host-side contract of the "custom" auth strategy (docs/FILTERS.md). The plugin registers a C
// callback (zt_host_api.register_authenticator); the host adapts it to this interface, so the
// filter neither knows nor cares about the C ABI.
#include <string>

#include "http/Exchange.h"

namespace zt::auth {

/// What an authenticator decided about one request.
struct AuthDecision {
    bool allow = false;     ///< default deny: a half-filled decision never lets a request in
    std::string principal;  ///< who the caller is when allowed
    int denyStatus = 401;   ///< 401 or 403 when denied (anything else is treated as 401)
    std::string message;    ///< shown in the JSON error when denied
};

class CustomAuthenticator {
public:
    virtual ~CustomAuthenticator();
    /// Called concurrently from many worker threads: must be thread-safe. May throw; the filter
    /// then denies the request (fail closed).
    virtual AuthDecision authenticate(const http::Exchange& exchange) const = 0;
};

}  // namespace zt::auth
