#pragma once
// zintrust/sdk/services.hpp: part of the header-only SDK.
// Include "zintrust/sdk.hpp", not this file.
//
// zt::sdk::Services and CallResult: calls to other services (callService).

#include "zintrust/sdk/db.hpp"

namespace zt::sdk {

/// The answer of another service (copied out of the host's zt_call_response).
struct CallResult {
    int status = 0;
    std::string body;
    std::vector<std::pair<std::string, std::string>>
        headers;  ///< those named in the call's `keepHeaders`

    bool ok() const { return status >= 200 && status < 300; }
    /// The body parsed as JSON (discarded value when it is not JSON).
    Json json() const { return Json::parse(body, nullptr, false); }
    std::optional<std::string> header(const std::string& name) const {
        for (const auto& [n, v] : headers) {
            if (n.size() == name.size() &&
                std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
                    return std::tolower(static_cast<unsigned char>(a)) ==
                           std::tolower(static_cast<unsigned char>(b));
                }))
                return v;
        }
        return std::nullopt;
    }
};

/// Calls to other services (docs/CALLS.md): in-process when the target is loaded in this host, else
/// HTTP; trace context, credentials, timeout, retries and circuit breaking are the host's job.
/// Failures come back as statuses with JSON error bodies (503 circuit_open, 504 upstream_timeout...).
/// OWNERSHIP: wraps host pointers valid until the plugin's shutdown().
class Services {
public:
    Services(const zt_host_api* api, zt_host* host) : api_(api), host_(host) {}

    /// True when the host offers calls (ABI >= 1.2).
    bool supported() const { return ZT_HOST_API_HAS(api_, call_response_free); }

    /// `context`: the request being handled (its trace continues in the target), or nullptr.
    /// `keepHeaders`: answer headers to copy into CallResult::headers.
    CallResult call(const Request* context, const std::string& service, const std::string& method,
                    const std::string& pathAndQuery, const std::string& body = "",
                    const std::vector<std::pair<std::string, std::string>>& headers = {},
                    const std::vector<std::string>& keepHeaders = {}) const {
        if (!supported())
            throw HttpError(503, "calls_unsupported",
                            "the host does not offer inter-service calls (plugin ABI < 1.2)");
        std::vector<zt_header> hs;
        hs.reserve(headers.size());
        for (const auto& [n, v] : headers) hs.push_back({str(n), str(v)});
        zt_call_response* resp = nullptr;
        zt_status rc =
            api_->call_service(host_, context ? context->raw() : nullptr, str(service), str(method),
                               str(pathAndQuery), hs.data(), hs.size(), str(body), &resp);
        if (rc != ZT_OK || resp == nullptr)
            throw HttpError(500, "call_failed",
                            "call_service failed with status " + std::to_string(rc));
        CallResult r;
        r.status = api_->call_response_status(resp);
        r.body = std::string(view(api_->call_response_body(resp)));
        for (const auto& name : keepHeaders) {
            zt_str v{nullptr, 0};
            if (api_->call_response_header(resp, str(name), &v) == ZT_OK)
                r.headers.emplace_back(name, std::string(view(v)));
        }
        api_->call_response_free(resp);
        return r;
    }
    CallResult get(const Request* context, const std::string& service,
                   const std::string& path) const {
        return call(context, service, "GET", path);
    }
    CallResult post(const Request* context, const std::string& service, const std::string& path,
                    const Json& body,
                    const std::vector<std::pair<std::string, std::string>>& headers = {}) const {
        auto hs = headers;
        hs.emplace_back("Content-Type", "application/json");
        return call(context, service, "POST", path, body.dump(), hs);
    }

private:
    const zt_host_api* api_;
    zt_host* host_;
};

using Handler = std::function<Response(const Request&)>;
using HealthCheck = std::function<HealthResult()>;
using Authenticator = std::function<AuthDecision(const Request&)>;

}  // namespace zt::sdk
