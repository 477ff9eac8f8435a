#pragma once
// zintrust/sdk/response.hpp: part of the header-only SDK.
// Include "zintrust/sdk.hpp", not this file.
//
// zt::sdk::Response, HealthResult and AuthDecision: what handlers, health checks and authenticators
// return.

#include "zintrust/sdk/request.hpp"

namespace zt::sdk {

/// What a handler returns. Copied into the host's response after the handler returns.
struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    static Response json(int status, std::string body) {
        Response r;
        r.status = status;
        r.headers.emplace_back("Content-Type", "application/json");
        r.body = std::move(body);
        return r;
    }
    static Response text(int status, std::string body) {
        Response r;
        r.status = status;
        r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
        r.body = std::move(body);
        return r;
    }
    static Response error(int status, std::string_view code, std::string_view message) {
        return json(status, errorJson(code, message));
    }
    Response& header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }
};

enum class HealthState {
    Healthy = ZT_HEALTH_HEALTHY,
    Degraded = ZT_HEALTH_DEGRADED,
    Unhealthy = ZT_HEALTH_UNHEALTHY
};

struct HealthResult {
    HealthState state = HealthState::Healthy;
    std::string message;
};

/// Decision of a custom authenticator (auth strategy "custom").
struct AuthDecision {
    bool allow = false;
    std::string principal;
    int denyStatus = 401;  ///< 401 or 403
    std::string message;

    static AuthDecision allowAs(std::string principal) {
        return {true, std::move(principal), 401, ""};
    }
    static AuthDecision deny(int status, std::string message) {
        return {false, "", status, std::move(message)};
    }
};

}  // namespace zt::sdk
