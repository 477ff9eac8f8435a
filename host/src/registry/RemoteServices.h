#pragma once
// Services this host does not load but may call or monitor: other processes (docs/CALLS.md; "one service
// per process ... other services are reached over HTTP through the registry").
//
// Two sources, read once at start-up:
//   SERVICE_URL_<NAME>=http://host:port   one variable per service. The service name is NAME
//       lower-cased with '_' mapped to '-' (SERVICE_URL_ORDER_HISTORY -> "order-history"), as
//       environment variable names cannot contain '-'. Names containing '_' need the file.
//   ZT_SERVICE_REGISTRY_FILE=/path.json   {"services":[{"name":"payments",
//       "baseUrl":"http://10.0.0.5:3003","domain":"ecommerce","version":"1.0.0","auth":"none",
//       "healthCheck":"/health"}]}   name and baseUrl required; auth "" (absent) = unknown.
// When both name the same service, the variable's URL wins and the file still supplies domain,
// version, auth and healthCheck (deployment overrides description).
//
// Base URLs must be http or https with a host and no user info, path, query or fragment; they are
// stored normalised as "scheme://host:port". Every error is a config::ConfigError naming the
// variable, or the file and the key ("services[2].baseUrl").
#include <optional>
#include <string>
#include <vector>

#include "config/EnvConfig.h"
#include "registry/MicroserviceManager.h"

namespace zt::registry {

struct RemoteService {
    std::string name;
    std::string baseUrl;  ///< normalised "http://10.0.0.5:3003"
    std::string host;
    int port = 0;
    std::string domain;
    std::string version;
    std::string auth;  ///< "api-key" | "jwt" | "custom" | "none" | "" (unknown)
    std::string healthCheck = "/health";
    std::string source;  ///< "SERVICE_URL_PAYMENTS" or "<file>: services[0]"
};

class RemoteServices {
public:
    static constexpr const char* kUrlPrefix = "SERVICE_URL_";
    static constexpr const char* kRegistryFileVariable = "ZT_SERVICE_REGISTRY_FILE";

    RemoteServices() = default;
    explicit RemoteServices(std::vector<RemoteService> services);

    /// Reads ZT_SERVICE_REGISTRY_FILE through `env` and every SERVICE_URL_* among `variableNames`
    /// (the names of the environment's variables: processVariableNames() in production, a list in
    /// tests). Sorted by name. Throws config::ConfigError.
    static std::vector<RemoteService> load(const config::EnvLookup& env, const std::vector<std::string>& variableNames);
    /// load() over the real process environment.
    static std::vector<RemoteService> loadFromProcess();
    /// Names of every variable of the process environment (from `environ`).
    static std::vector<std::string> processVariableNames();

    /// Registers every service as local=false, status Starting. Throws config::ConfigError naming
    /// both sides when a name belongs to a local service already registered (a service cannot be
    /// both loaded here and elsewhere); call it after the local services were registered.
    void registerAll(MicroserviceManager& manager) const;

    const std::vector<RemoteService>& services() const { return services_; }
    const RemoteService* find(const std::string& name) const;
    /// Auth strategy of a remote service ("" when unknown or not a remote service).
    std::string authStrategy(const std::string& name) const;
    /// Health check path of a remote service ("/health" when not a remote service).
    std::string healthCheckPath(const std::string& name) const;

private:
    std::vector<RemoteService> services_;
};

}  // namespace zt::registry
