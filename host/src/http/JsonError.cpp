#include "http/JsonError.h"

#include "json/JsonEscape.h"

#include <cstdio>

namespace zt::http {

std::string jsonErrorBody(std::string_view code, std::string_view message) {
    std::string out = R"({"error":{"code":")";
    out += json::jsonEscape(code);
    out += R"(","message":")";
    out += json::jsonEscape(message);
    out += "\"}}";
    return out;
}

void setJsonError(HttpResponse& response, int status, std::string_view code, std::string_view message) {
    response.setJson(status, jsonErrorBody(code, message));
}

}  // namespace zt::http
