#pragma once
// The admin port (ADMIN_PORT): aggregated views over every service of this host (docs/HEALTH.md, docs/CALLS.md).
//   GET /services          registry as JSON
//   GET /health/services   every service's health; 503 when any is unhealthy or failed
//   GET /health, /health/live   the admin server itself
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "service/ServiceHealth.h"
#include "registry/MicroserviceManager.h"
#include "http/Exchange.h"

namespace zt::admin {

class AdminApi {
public:
    /// Extra GET endpoints contributed by other concerns (e.g. "/db/pool"): return JSON + status.
    using Endpoint = std::function<std::pair<int, std::string>()>;

    explicit AdminApi(const registry::MicroserviceManager& registry) : registry_(registry) {}

    void addServiceHealth(const std::string& name, std::shared_ptr<service::ServiceHealth> h) {
        healths_[name] = std::move(h);
    }
    void addEndpoint(const std::string& path, Endpoint e) { endpoints_[path] = std::move(e); }

    void handle(http::Exchange& exchange) const;

private:
    std::pair<int, std::string> aggregateHealth() const;

    const registry::MicroserviceManager& registry_;
    std::map<std::string, std::shared_ptr<service::ServiceHealth>> healths_;
    std::map<std::string, Endpoint> endpoints_;
};

}  // namespace zt::admin
