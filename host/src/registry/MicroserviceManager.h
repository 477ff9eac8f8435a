#pragma once
// The registry of every service this host knows (docs/CALLS.md): loaded here, failed to load, or remote.
// Thread-safe: written by bootstrap and the health monitor, read by admin endpoints and callers.
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace zt::registry {

enum class ServiceStatus { Starting, Healthy, Degraded, Unhealthy, Failed, Stopped };

const char* toString(ServiceStatus s);

struct ServiceRecord {
    std::string name;
    std::string domain;
    std::string version;
    std::string baseUrl;  ///< "http://127.0.0.1:3001"
    int port = 0;
    bool local = false;  ///< served by a plugin in this process
    ServiceStatus status = ServiceStatus::Starting;
    std::string error;  ///< why it failed / is unhealthy
    std::string configFile;
    std::string plugin;
    std::optional<std::chrono::system_clock::time_point> lastHealthCheck;
};

class MicroserviceManager {
public:
    /// Adds or replaces the record of `record.name`.
    void registerService(ServiceRecord record);
    void setStatus(const std::string& name, ServiceStatus status, const std::string& error = "");
    /// Forgets `name` (a service folder removed by a reload); no-op when unknown.
    void remove(const std::string& name);
    std::optional<ServiceRecord> find(const std::string& name) const;
    std::vector<ServiceRecord> list() const;  ///< sorted by name

    /// {"services":[{name, domain, version, baseUrl, port, local, status, error?, lastHealthCheck}]}
    std::string toJson() const;

private:
    mutable std::mutex mutex_;
    std::map<std::string, ServiceRecord> services_;
};

}  // namespace zt::registry
