#pragma once
// The one place that writes the JSON error body (docs/HTTP.md):
//   {"error": {"code": "...", "message": "..."}}  with Content-Type: application/json.
#include <string>
#include <string_view>

#include "http/Exchange.h"

namespace zt::http {

/// The error document as a string.
std::string jsonErrorBody(std::string_view code, std::string_view message);

/// Replaces the response with a JSON error.
void setJsonError(HttpResponse& response, int status, std::string_view code, std::string_view message);

}  // namespace zt::http
