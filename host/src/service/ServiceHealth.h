#pragma once
// Builds a service's own /health, /health/live and /health/ready answers (docs/HEALTH.md).
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "service/BoundedCall.h"
#include "registry/MicroserviceManager.h"
#include "service/LocalService.h"
#include "service/ServiceDatabase.h"

namespace zt::service {

enum class HealthState { Healthy, Degraded, Unhealthy };
const char* toString(HealthState s);

/// One named check's outcome, rendered as {"status": ..., "message": ..., "latencyMs": ...}.
struct CheckOutcome {
    HealthState state = HealthState::Healthy;
    std::string message;
    std::optional<double> latencyMs;
};

struct HealthAnswer {
    int httpStatus = 200;
    std::string json;
    HealthState state = HealthState::Healthy;
};

class ServiceHealth {
public:
    /// The database check is optional: unset for a service without database access.
    using DatabaseCheck = std::function<CheckOutcome()>;

    /// Every check (the database's, the plugin's own) is bounded by `checkTimeout`
    /// (SERVICE_HEALTH_CHECK_TIMEOUT_MS): past it the answer is unhealthy, at once (BoundedCall).
    /// An outcome is reused for kReuseFor: frequent probes cost one check a second, answered on the
    /// caller's thread (a hand-over to the check's thread per probe halved /health's req/s).
    /// `service` is shared with the plugin-check thread, which may still be inside a plugin's
    /// check when this object is gone.
    ServiceHealth(std::shared_ptr<const service::LocalService> service, const registry::MicroserviceManager& registry,
                  std::chrono::milliseconds checkTimeout = std::chrono::milliseconds(2000));

    void setDatabaseCheck(DatabaseCheck check);
    static constexpr std::chrono::milliseconds kReuseFor{1000};

    /// Full report: unhealthy (503) when the database or a plugin check is unhealthy; degraded
    /// (200, status "degraded") when a dependency is not healthy or a plugin check is degraded.
    HealthAnswer health() const;
    /// Process alive: always 200.
    HealthAnswer live() const;
    /// Ready for traffic: database reachable and every dependency healthy (else 503).
    HealthAnswer ready() const;

private:
    CheckOutcome dependencyOutcome(const std::string& name) const;

    std::shared_ptr<const service::LocalService> serviceRef_;
    const service::LocalService& service_;
    const registry::MicroserviceManager& registry_;
    std::chrono::milliseconds checkTimeout_;
    std::unique_ptr<BoundedCall<CheckOutcome>> databaseCheck_;
    std::unique_ptr<BoundedCall<std::vector<service::PluginCheckResult>>> pluginChecks_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

/// The database check of a service's health: SELECT 1 on a pooled connection, given up just after
/// `timeout` (SERVICE_HEALTH_CHECK_TIMEOUT_MS; the health answer has said "did not answer" by
/// then), so the next check can start.
ServiceHealth::DatabaseCheck databaseHealthCheck(std::shared_ptr<ServiceDatabase> database,
                                                 std::chrono::milliseconds timeout);

}  // namespace zt::service
