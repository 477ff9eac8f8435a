#pragma once
// Request/response helpers shared by the authentication filters (api-key, jwt, custom), so the
// three agree on where credentials come from, which paths are exempt and how a 401 looks.
#include <optional>
#include <string_view>

#include "http/Exchange.h"

namespace zt::auth {

/// The credential of `Authorization: Bearer <credential>` (scheme case-insensitive, surrounding
/// blanks trimmed); nullopt when the header is absent, uses another scheme, or is empty.
std::optional<std::string_view> bearerCredential(const http::HeaderList& headers);

/// True for `/health` and `/health/...`: orchestrators and the health monitor probe these without
/// credentials (docs/FILTERS.md, docs/HEALTH.md).
bool isHealthPath(std::string_view path);

/// Writes the JSON error body (docs/HTTP.md) and a `WWW-Authenticate` header (RFC 6750 §3 for Bearer,
/// so clients learn which scheme to use).
void rejectRequest(http::Exchange& exchange, int status, std::string_view code, std::string_view message,
                   std::string_view wwwAuthenticate);

}  // namespace zt::auth
