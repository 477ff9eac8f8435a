#pragma once
// Admin GET /metrics in the Prometheus text format (docs/MONITORING.md has every metric, its
// labels and example queries). Names follow the OpenTelemetry HTTP and database semantic
// conventions as Prometheus renders them (dots as underscores, the unit as a suffix, counters
// ending in _total); every series of a service carries its `service` label. The process_*
// figures are the process's own, as every Prometheus client library exports them.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "calls/ServiceCaller.h"
#include "db/DatabaseRegistry.h"
#include "http/RequestCounters.h"
#include "http/ServerMetrics.h"
#include "registry/MicroserviceManager.h"

namespace zt::admin {

/// An isolated service's worker processes (docs/OPERATIONS.md: crash containment).
struct WorkerMetrics {
    bool ready = false;  ///< a worker serves now
    int restarts = 0;    ///< workers restarted after they died
};

/// One service loaded in this host, as the exposition reads it.
struct ServiceMetricsSource {
    std::string name;
    std::string version;  ///< of the plugin (its descriptor)
    std::string abi;      ///< "1.3": the ABI the plugin was built for
    std::shared_ptr<const http::RequestCounters> counters;
    std::shared_ptr<const http::ServerMetrics> server;
    std::optional<WorkerMetrics> worker;  ///< set for an isolated service
};

/// Everything the exposition reads. The pointers are shared with the parts that record, so a
/// scrape never outlives what it reads.
struct MetricsSources {
    std::vector<ServiceMetricsSource> services;
    /// The pools of the services with a database (by service name); empty = none.
    std::function<std::map<std::string, db::PoolInfo>()> pools;
    std::shared_ptr<const calls::ServiceCaller> caller;  ///< may be null
    /// Status of every service the registry knows (local and remote). OWNERSHIP: borrowed; the
    /// registry outlives the admin server.
    const registry::MicroserviceManager* registry = nullptr;
};

/// [any-thread] The whole exposition, format 0.0.4.
std::string prometheusText(const MetricsSources& sources);

}  // namespace zt::admin
