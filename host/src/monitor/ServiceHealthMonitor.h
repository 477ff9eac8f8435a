#pragma once
// Polls every registered service's health endpoint and keeps MicroserviceManager's status current
// (docs/HEALTH.md). Local services are polled over HTTP too: the monitor checks what a client sees (port
// open, server answering), not what the plugin believes.
//
// One round checks all services in parallel, one thread per check, each bounded by the check
// timeout: a hanging service delays nothing but its own result, and a round takes about one
// timeout at worst, not the sum.
//
// Answer -> result: 2xx with JSON {"status":"healthy"} -> Healthy, {"status":"degraded"} -> Degraded;
// anything else (non-2xx such as 503, timeout, refused, not JSON, other status) -> Unhealthy.
// Hysteresis: a healthy/degraded service turns Unhealthy only after `unhealthyThreshold`
// consecutive bad results, an unhealthy one recovers after `healthyThreshold` good ones (one
// flapping check must not flip the admin view). A service in Starting takes its first result at
// once. Failed (plugin refused) and Stopped services are not polled and keep their status.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <set>
#include <mutex>
#include <string>
#include <thread>

#include "calls/HttpServiceClient.h"
#include "config/EnvConfig.h"
#include "registry/MicroserviceManager.h"

namespace zt::monitor {

class ServiceHealthMonitor {
public:
    /// Health check path of a service ("" means the default "/health").
    using HealthPathResolver = std::function<std::string(const std::string& name)>;

    struct Settings {
        std::chrono::milliseconds interval{10000};  ///< SERVICE_HEALTH_CHECK_INTERVAL_MS
        std::chrono::milliseconds timeout{2000};    ///< SERVICE_HEALTH_CHECK_TIMEOUT_MS
        int unhealthyThreshold = 2;
        int healthyThreshold = 1;

        static Settings fromEnv(const config::EnvConfig& env);
    };

    /// One check's outcome (also what checkNow() reports, for logs and tests).
    struct CheckResult {
        registry::ServiceStatus status = registry::ServiceStatus::Unhealthy;  ///< Healthy/Degraded/Unhealthy
        std::string reason;                                                   ///< empty when healthy
    };

    /// Keeps a reference to `registry`: it must outlive the monitor. Thresholds below 1 count as 1.
    ServiceHealthMonitor(registry::MicroserviceManager& registry, Settings settings,
                         HealthPathResolver healthPath = {});
    /// Stops the thread.
    ~ServiceHealthMonitor();
    ServiceHealthMonitor(const ServiceHealthMonitor&) = delete;
    ServiceHealthMonitor& operator=(const ServiceHealthMonitor&) = delete;

    /// Starts the background thread: settle() every `interval`, the first one interval after
    /// start (call settle() first for an immediate status). Calling it twice is harmless.
    void start();
    /// Wakes the thread and joins it; returns once a round in progress finished (at most about
    /// one check timeout). Idempotent.
    void stop();
    bool running() const;

    /// One synchronous round (start-up, tests). Rounds never overlap: a call while the background
    /// round runs waits for it. Returns the raw result per polled service.
    std::map<std::string, CheckResult> checkNow();

    /// One round, then, while a round changed a status, a re-check of the services that answered
    /// degraded (at most one per registered service plus one rounds in all, and none once stop()
    /// was called); returns the number of rounds run. A re-check never counts a bad result, so
    /// the unhealthy threshold still spans regular rounds. A service's health follows its dependencies' status
    /// (orders reports degraded while users is still Starting), so a single round would leave it
    /// degraded for a whole interval after its dependency came up. The background thread settles
    /// too, so a recovered dependency clears its dependents' errors in the same round.
    int settle();

    /// Checks one URL once (no status change): GET baseUrl + path within the timeout.
    CheckResult probe(const std::string& baseUrl, const std::string& path) const;

private:
    struct Counters {
        int consecutiveBad = 0;
        int consecutiveGood = 0;
    };

    void run();
    /// One round over every polled service, or only those in `only` (a re-check, whose
    /// unhealthy results are not counted); `changed` is set when a status or reason changed.
    std::map<std::string, CheckResult> round(bool& changed, const std::set<std::string>* only);
    bool stopping() const;
    /// Returns true when the service's status or reason changed.
    bool apply(const registry::ServiceRecord& before, const CheckResult& result);

    registry::MicroserviceManager& registry_;
    Settings settings_;
    HealthPathResolver healthPath_;
    calls::HttpServiceClient client_;

    std::mutex roundMutex_;  ///< one round at a time; guards counters_
    std::map<std::string, Counters> counters_;

    mutable std::mutex stateMutex_;
    std::condition_variable wake_;
    bool stopRequested_ = false;
    std::thread thread_;
};

}  // namespace zt::monitor
