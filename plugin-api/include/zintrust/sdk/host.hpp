#pragma once
// zintrust/sdk/host.hpp: part of the header-only SDK.
// Include "zintrust/sdk.hpp", not this file.
//
// zt::sdk::Host: what a service gets in configure() (config values, logging, health checks, the
// authenticator, the database and other services).

#include "zintrust/sdk/services.hpp"

namespace zt::sdk {

/// The host as seen by a service: logging, config, health checks, custom authentication.
/// OWNERSHIP: wraps the host table and handle, both valid until the plugin's shutdown().
class Host {
public:
    Host(const zt_host_api* api, zt_host* host) : api_(api), host_(host) {}

    void log(zt_log_level level, std::string_view message) const {
        api_->log(host_, level, str(message));
    }
    void info(std::string_view m) const { log(ZT_LOG_INFORMATION, m); }
    void warn(std::string_view m) const { log(ZT_LOG_WARNING, m); }
    void error(std::string_view m) const { log(ZT_LOG_ERROR, m); }

    /// A service.config.json value by dotted path ("config.greeting"); non-strings as JSON text.
    std::optional<std::string> config(std::string_view key) const {
        zt_str out{nullptr, 0};
        if (api_->config_get(host_, str(key), &out) != ZT_OK) return std::nullopt;
        return std::string(view(out));
    }

    /// The service's database (docs/DATABASE.md).
    Db db() const { return Db(api_, host_); }
    /// Calls to other services (docs/CALLS.md).
    Services services() const { return Services(api_, host_); }

    /// Registers a health check shown under checks.plugin.<name>. Only inside configure().
    void addHealthCheck(std::string name, HealthCheck check);
    /// Registers the custom authenticator. Only inside configure().
    void setAuthenticator(Authenticator authenticator);

    const zt_host_api* api() const { return api_; }
    zt_host* handle() const { return host_; }

    // SDK internals: where configure()-time registrations are kept; null outside configure().
    std::vector<std::unique_ptr<HealthCheck>>* healthStorage_ = nullptr;
    std::unique_ptr<Authenticator>* authStorage_ = nullptr;

private:
    const zt_host_api* api_;
    zt_host* host_;
};

}  // namespace zt::sdk
