#pragma once
// "none" (docs/FILTERS.md): no check. Kept as a real filter (not an absent one) so every chain has the
// same shape and the principal always says which strategy applied.
#include "http/HttpFilter.h"

namespace zt::auth {

class NoAuthFilter final : public http::HttpFilter {
public:
    const char* name() const override { return "auth.none"; }
    http::FilterStatus onRequest(http::Exchange& exchange) const override;
};

}  // namespace zt::auth
