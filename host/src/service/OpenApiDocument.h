#pragma once
// GET /openapi.json of a service port (docs/MONITORING.md: OpenAPI): an OpenAPI 3.1 description
// made from what the host knows for certain - the routes the plugin registered (method, path
// template and parameters, the summaries it gave), the health endpoints, the service's auth
// strategy as a security scheme, and the JSON error every refusal answers with. Request and
// response bodies are the plugin's own business and are left open.
#include <string>
#include <vector>

#include "config/ServiceConfig.h"
#include "http/Router.h"

namespace zt::service {

/// The path every service port serves its description at.
inline constexpr const char* kOpenApiPath = "/openapi.json";

/// The document as JSON text. `routes`: the plugin's, in any order.
std::string openApiDocument(const config::ServiceConfig& config, const std::vector<http::Router::RouteInfo>& routes);

}  // namespace zt::service
