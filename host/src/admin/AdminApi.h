#pragma once
// The admin port (ADMIN_PORT): aggregated views over every service of this host (docs/HEALTH.md, docs/CALLS.md).
//   GET /services          registry as JSON
//   GET /health/services   every service's health; 503 when any is unhealthy or failed
//   GET /health, /health/live   the admin server itself
//   GET /metrics           Prometheus text (docs/MONITORING.md); JSON under Accept: application/json
//   GET /metrics.json      the JSON counters
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
    /// GET /metrics: `prometheus` makes the text exposition; `json` answers /metrics.json and
    /// /metrics asked for with Accept: application/json.
    void setMetrics(std::function<std::string()> prometheus, Endpoint json) {
        prometheus_ = std::move(prometheus);
        metricsJson_ = std::move(json);
    }

    void handle(http::Exchange& exchange) const;

private:
    std::pair<int, std::string> aggregateHealth() const;

    const registry::MicroserviceManager& registry_;
    std::map<std::string, std::shared_ptr<service::ServiceHealth>> healths_;
    std::map<std::string, Endpoint> endpoints_;
    std::function<std::string()> prometheus_;
    Endpoint metricsJson_;
};

}  // namespace zt::admin
