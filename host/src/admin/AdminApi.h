#pragma once
// The admin port (ADMIN_PORT): aggregated views over every service of this host (docs/HEALTH.md, docs/CALLS.md).
//   GET /services          registry as JSON
//   GET /health/services   every service's health; 503 when any is unhealthy or failed; the
//                          error of a service's last failed reload
//   GET /health, /health/live   the admin server itself
//   GET /metrics           Prometheus text (docs/MONITORING.md); JSON under Accept: application/json
//   GET /metrics.json      the JSON counters
//   POST /control/...      operations (reload, restart: docs/OPERATIONS.md), only with
//                          Authorization: Bearer <ADMIN_TOKEN>; refused with 403 while no token is set
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

    /// The health of the local service `name` now (a reload replaces it), or null; and the error
    /// of its last failed reload ("" when the last one worked), shown in GET /health/services.
    /// Called on admin threads, so both must be thread-safe. Set before serving only.
    using HealthLookup = std::function<std::shared_ptr<service::ServiceHealth>(const std::string& name)>;
    using ReloadErrorLookup = std::function<std::string(const std::string& name)>;
    /// `worker`: the JSON object describing an isolated service's worker process ("" for a
    /// service that is not isolated), shown as "worker".
    using WorkerLookup = std::function<std::string(const std::string& name)>;
    void setServiceHealth(HealthLookup health, ReloadErrorLookup reloadError = {}, WorkerLookup worker = {}) {
        healthOf_ = std::move(health);
        reloadErrorOf_ = std::move(reloadError);
        workerOf_ = std::move(worker);
    }
    void addEndpoint(const std::string& path, Endpoint e) { endpoints_[path] = std::move(e); }
    /// GET /metrics: `prometheus` makes the text exposition; `json` answers /metrics.json and
    /// /metrics asked for with Accept: application/json.
    void setMetrics(std::function<std::string()> prometheus, Endpoint json) {
        prometheus_ = std::move(prometheus);
        metricsJson_ = std::move(json);
    }

    /// POST /control/<rest>: `handler` gets the path after "/control" ("/reload",
    /// "/services/users/restart") and answers status + JSON (404 JSON for a path it does not
    /// know). Only requests that carry `Authorization: Bearer <token>` reach it; with an empty
    /// `token` every /control request is refused with 403. May be called before serving only.
    using ControlHandler = std::function<std::pair<int, std::string>(const std::string& rest)>;
    void setControl(std::string token, ControlHandler handler);

    void handle(http::Exchange& exchange) const;

private:
    std::pair<int, std::string> aggregateHealth() const;
    void handleControl(http::Exchange& exchange) const;

    const registry::MicroserviceManager& registry_;
    HealthLookup healthOf_;
    ReloadErrorLookup reloadErrorOf_;
    WorkerLookup workerOf_;
    std::map<std::string, Endpoint> endpoints_;
    std::function<std::string()> prometheus_;
    Endpoint metricsJson_;
    /// SHA-256 of ADMIN_TOKEN (empty = no token set): compared in constant time, and equal in
    /// length whatever a client sends, so timing says nothing about the token.
    std::string controlTokenDigest_;
    ControlHandler control_;
};

}  // namespace zt::admin
