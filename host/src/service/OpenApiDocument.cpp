#include "service/OpenApiDocument.h"

#include <Poco/String.h>

#include <nlohmann/json.hpp>

#include <cctype>
#include <map>

namespace zt::service {

namespace {
using nlohmann::json;

/// The name of the parameter a final "*" segment captures (the request carries it as "*").
constexpr const char* kRestParameter = "wildcard";

const char* kAnyMethod[] = {"get", "put", "post", "delete", "options", "patch"};

/// "/users/:id/files/*" -> "/users/{id}/files/{wildcard}", and the parameters in order.
std::string templateOf(const std::string& pattern, std::vector<std::string>& parameters) {
    std::string out;
    std::size_t i = 0;
    while (i < pattern.size()) {
        if (pattern[i] != '/') {
            ++i;
            continue;
        }
        const auto end = pattern.find('/', i + 1);
        const std::string segment = pattern.substr(i + 1, end == std::string::npos ? std::string::npos : end - i - 1);
        out += '/';
        if (!segment.empty() && segment[0] == ':') {
            parameters.push_back(segment.substr(1));
            out += "{" + segment.substr(1) + "}";
        } else if (segment == "*") {
            parameters.emplace_back(kRestParameter);
            out += std::string("{") + kRestParameter + "}";
        } else {
            out += segment;
        }
        if (end == std::string::npos) break;
        i = end;
    }
    return out.empty() ? "/" : out;
}

/// An operationId unique in the document: "get_users_id".
std::string operationId(const std::string& method, const std::string& pattern) {
    std::string id = method;
    bool separator = true;
    for (char c : pattern) {
        if (std::isalnum(static_cast<unsigned char>(c))) {
            if (separator) id += '_';
            id += c;
            separator = false;
        } else if (c == '*') {
            id += "_any";
            separator = true;
        } else {
            separator = true;
        }
    }
    return id;
}

json errorResponse(const char* description) {
    return {{"description", description},
            {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
}

/// Answers every route may give whatever the plugin does: the host's own refusals.
json hostResponses(bool authenticated) {
    json r = {
        {"400", {{"$ref", "#/components/responses/BadRequest"}}},
        {"500", {{"$ref", "#/components/responses/InternalError"}}},
        {"503", {{"$ref", "#/components/responses/Unavailable"}}},
        {"504", {{"$ref", "#/components/responses/DeadlineExceeded"}}},
    };
    if (authenticated) {
        r["401"] = {{"$ref", "#/components/responses/Unauthorized"}};
        r["403"] = {{"$ref", "#/components/responses/Forbidden"}};
    }
    return r;
}

/// The security scheme of the service's auth strategy (empty name: none the document can state).
std::pair<std::string, json> securityScheme(const config::ServiceConfig& config) {
    const auto& strategy = config.auth.strategy;
    if (strategy == "api-key")
        return {
            "apiKey",
            {{"type", "apiKey"},
             {"in", "header"},
             {"name", "X-API-Key"},
             {"description", "One of the host's API keys (SERVICE_API_KEY); Authorization: Bearer <key> also works."}}};
    if (strategy == "jwt")
        return {
            "bearerJwt",
            {{"type", "http"},
             {"scheme", "bearer"},
             {"bearerFormat", "JWT"},
             {"description", "A JWT signed with the host's SERVICE_JWT_SECRET or SERVICE_JWT_PUBLIC_KEY_FILE key."}}};
    return {"", json()};
}

/// The document-wide security requirement applies to every plugin route.
json operation(const std::string& method, const std::string& pattern, const std::string& summary,
               const std::vector<std::string>& parameters, bool authenticated) {
    json op = {{"operationId", operationId(method, pattern)}};
    if (!summary.empty()) op["summary"] = summary;
    if (!parameters.empty()) {
        json list = json::array();
        for (const auto& name : parameters) {
            json p = {{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}};
            if (name == kRestParameter) p["description"] = "The rest of the path; may contain '/'.";
            list.push_back(std::move(p));
        }
        op["parameters"] = std::move(list);
    }
    json responses = hostResponses(authenticated);
    responses["default"] = {{"description", "The service's answer."}};
    op["responses"] = std::move(responses);
    return op;
}

json healthOperation(const std::string& id, const std::string& summary) {
    return {{"operationId", id},
            {"summary", summary},
            {"tags", {"health"}},
            {"security", json::array()},
            {"responses",
             {{"200",
               {{"description", "Up (healthy, or degraded and still serving)."},
                {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}}},
              {"503",
               {{"description", "Not up; the body says why."},
                {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}}}}}};
}
}  // namespace

std::string openApiDocument(const config::ServiceConfig& config, const std::vector<http::Router::RouteInfo>& routes) {
    const auto [schemeName, scheme] = securityScheme(config);
    const bool authenticated = config.auth.strategy != "none";
    json doc = {{"openapi", "3.1.0"},
                {"info",
                 {{"title", config.name},
                  {"version", config.version},
                  {"description", config.description.empty() ? "Service " + config.name + " of domain " + config.domain
                                                             : config.description}}},
                {"servers", {{{"url", "/"}}}}};
    if (!schemeName.empty()) doc["security"] = {{{schemeName, json::array()}}};

    json paths = json::object();
    for (const auto& route : routes) {
        std::vector<std::string> parameters;
        const std::string path = templateOf(route.pattern, parameters);
        json& item = paths[path];
        if (route.method == "*") {
            for (const char* m : kAnyMethod) {
                if (!item.contains(m)) item[m] = operation(m, route.pattern, route.summary, parameters, authenticated);
            }
        } else {
            const std::string m = Poco::toLower(route.method);
            item[m] = operation(m, route.pattern, route.summary, parameters, authenticated);
        }
    }
    // The host's own endpoints, outside authentication.
    std::map<std::string, std::pair<std::string, std::string>> health = {
        {"/health", {"health", "The service's health with its checks (database, plugin, dependencies)."}},
        {"/health/live", {"health_live", "Liveness: the process serves; never waits for the database."}},
        {"/health/ready", {"health_ready", "Readiness: the service can take traffic."}},
    };
    if (config.healthCheck != "/health")
        health[config.healthCheck] = {"health_check", "The service's health (its configured healthCheck path)."};
    for (const auto& [path, what] : health) {
        if (!paths.contains(path)) paths[path]["get"] = healthOperation(what.first, what.second);
    }
    json describe = {{"operationId", "openapi"},
                     {"summary", "This description."},
                     {"responses",
                      {{"200",
                        {{"description", "OpenAPI 3.1 document."},
                         {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}}}}}};
    const json refusals = hostResponses(authenticated);
    for (const auto& [code, response] : refusals.items()) describe["responses"][code] = response;
    paths[kOpenApiPath]["get"] = std::move(describe);
    doc["paths"] = std::move(paths);

    json components = {
        {"schemas",
         {{"Error",
           {{"type", "object"},
            {"description", "The body of every error answer of the host (docs/HTTP.md)."},
            {"required", {"error"}},
            {"properties",
             {{"error",
               {{"type", "object"},
                {"required", {"code", "message"}},
                {"properties",
                 {{"code", {{"type", "string"}, {"examples", {"not_found"}}}},
                  {"message", {{"type", "string"}}}}}}}}}}}}},
        {"responses",
         {{"BadRequest", errorResponse("The request is malformed or a parameter is invalid.")},
          {"Unauthorized", errorResponse("Credentials are missing or invalid.")},
          {"Forbidden", errorResponse("The credentials do not allow this request.")},
          {"InternalError", errorResponse("The service failed to handle the request.")},
          {"Unavailable", errorResponse("The service or a dependency is unavailable; retry after Retry-After.")},
          {"DeadlineExceeded", errorResponse("No answer before the request's deadline.")}}}};
    if (!schemeName.empty()) components["securitySchemes"] = {{schemeName, scheme}};
    doc["components"] = std::move(components);
    return doc.dump();
}

}  // namespace zt::service
