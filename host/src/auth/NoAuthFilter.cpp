#include "auth/NoAuthFilter.h"

namespace zt::auth {

http::FilterStatus NoAuthFilter::onRequest(http::Exchange& exchange) const {
    exchange.principal.authenticated = false;
    exchange.principal.strategy = "none";
    return http::FilterStatus::Continue;
}

}  // namespace zt::auth
