#include "admin/PrometheusMetrics.h"

#include <algorithm>

#include "metrics/ProcessStats.h"
#include "metrics/TextExposition.h"

namespace zt::admin {

namespace {
using metrics::TextExposition;
using Labels = TextExposition::Labels;

/// Labels of `series`: `service` first when given, then the family's own.
Labels seriesLabels(const metrics::HistogramFamily& family, const metrics::HistogramFamily::Series& series,
                    std::string_view service = {}) {
    Labels labels;
    if (!service.empty()) labels.emplace_back("service", service);
    for (std::size_t i = 0; i < family.labelNames().size(); ++i)
        labels.emplace_back(family.labelNames()[i], series.labelValues[i]);
    return labels;
}

/// A family with one sample per service: `value(source)`.
template <class Value>
void perService(TextExposition& out, const std::vector<ServiceMetricsSource>& services, const char* name,
                const char* type, const char* help, Value value) {
    out.family(name, type, help);
    for (const auto& s : services) out.sample(name, {{"service", s.name}}, value(s));
}

using Pools = std::map<std::string, db::PoolInfo>;

/// A family with one sample per pool (one pool per service, named after it): `value(stats)`.
template <class Value>
void perPool(TextExposition& out, const Pools& pools, const char* name, const char* type, const char* help,
             Value value) {
    out.family(name, type, help);
    for (const auto& [service, pool] : pools)
        out.sample(name, {{"service", service}, {"pool_name", service}}, value(pool.stats));
}

void requestCounters(TextExposition& out, const std::vector<ServiceMetricsSource>& services) {
    struct Counter {
        const char* name;
        const char* help;
        const std::atomic<std::uint64_t> http::RequestCounters::*field;
    };
    static const Counter counters[] = {
        {"zintrust_requests_total", "Requests answered, any status.", &http::RequestCounters::requests},
        {"zintrust_client_errors_total", "Requests answered 4xx.", &http::RequestCounters::clientErrors},
        {"zintrust_server_errors_total", "Requests answered 5xx.", &http::RequestCounters::serverErrors},
        {"zintrust_handler_failures_total", "Plugin handlers that threw across the ABI or returned an error status.",
         &http::RequestCounters::handlerFailures},
        {"zintrust_handler_timeouts_total", "Requests answered 504 because the handler ran past its deadline.",
         &http::RequestCounters::handlerTimeouts},
        {"zintrust_header_timeouts_total", "Connections closed for not sending a request head in time.",
         &http::RequestCounters::headerTimeouts},
        {"zintrust_rejected_bodies_total", "Requests answered 413 (body over ZT_MAX_BODY_BYTES).",
         &http::RequestCounters::rejectedBodies},
        {"zintrust_rejected_connections_total", "Connections answered 503 past a connection limit.",
         &http::RequestCounters::rejectedConnections},
    };
    for (const auto& c : counters) {
        perService(out, services, c.name, "counter", c.help, [&c](const ServiceMetricsSource& s) {
            return static_cast<std::uint64_t>((s.counters.get()->*c.field).load(std::memory_order_relaxed));
        });
    }
}

void serverMetrics(TextExposition& out, const std::vector<ServiceMetricsSource>& services) {
    out.family("http_server_request_duration_seconds", "histogram",
               "Duration of HTTP server requests, from the request head read to the answer made.");
    for (const auto& s : services) {
        const auto& family = s.server->requestDurations();
        for (const auto& series : family.collect())
            out.histogram("http_server_request_duration_seconds", seriesLabels(family, series, s.name),
                          series.histogram);
    }
    perService(out, services, "http_server_active_requests", "gauge",
               "HTTP server requests read and not yet answered in full.",
               [](const ServiceMetricsSource& s) { return static_cast<std::int64_t>(s.server->activeRequests()); });
    perService(out, services, "http_server_open_connections", "gauge", "Client connections open on the service's port.",
               [](const ServiceMetricsSource& s) { return static_cast<std::int64_t>(s.server->openConnections()); });
    perService(out, services, "zintrust_metrics_series_dropped_total", "counter",
               "Request observations not recorded because the service's series table was full.",
               [](const ServiceMetricsSource& s) { return s.server->requestDurations().dropped(); });
}

void clientMetrics(TextExposition& out, const calls::ServiceCaller* caller) {
    out.family("http_client_request_duration_seconds", "histogram",
               "Duration of callService calls, retries included; outcome in_process, http or refused.");
    if (!caller) return;
    const auto& family = caller->clientDurations();
    // The caller's name is the family's own first label, `service`.
    for (const auto& series : family.collect())
        out.histogram("http_client_request_duration_seconds", seriesLabels(family, series), series.histogram);
}

void breakerMetrics(TextExposition& out, const calls::ServiceCaller* caller) {
    out.family("zintrust_circuit_breaker_state", "gauge",
               "Circuit breaker of calls to the service: 1 for its current state (closed, open, half_open).");
    if (!caller) return;
    static const std::pair<calls::CircuitBreaker::State, const char*> states[] = {
        {calls::CircuitBreaker::State::Closed, "closed"},
        {calls::CircuitBreaker::State::Open, "open"},
        {calls::CircuitBreaker::State::HalfOpen, "half_open"},
    };
    for (const auto& [target, stats] : caller->breakers()) {
        for (const auto& [state, name] : states)
            out.sample("zintrust_circuit_breaker_state", {{"service", target}, {"state", name}},
                       static_cast<std::int64_t>(stats.state == state ? 1 : 0));
    }
}

void poolMetrics(TextExposition& out, const Pools& pools) {
    using Stats = db::PoolStats;
    // The connection count keeps OpenTelemetry's earlier name (db.client.connections.usage):
    // db.client.connection.count would end in _count, which the exposition format reserves for
    // histograms and summaries (promtool rejects it).
    out.family("db_client_connections_usage", "gauge", "Database connections of the pool by state (idle, used).");
    for (const auto& [service, pool] : pools) {
        const auto idle = static_cast<std::int64_t>(pool.stats.idleConnections);
        const auto used = static_cast<std::int64_t>(pool.stats.totalConnections) - idle;
        out.sample("db_client_connections_usage", {{"service", service}, {"pool_name", service}, {"state", "idle"}},
                   idle);
        out.sample("db_client_connections_usage", {{"service", service}, {"pool_name", service}, {"state", "used"}},
                   used);
    }
    perPool(out, pools, "db_client_connection_max", "gauge", "The most connections the pool may open (DB_POOL_MAX).",
            [](const Stats& s) { return static_cast<std::int64_t>(s.maxConnections); });
    perPool(out, pools, "db_client_connection_pending_requests", "gauge", "Requests waiting for a pooled connection.",
            [](const Stats& s) { return static_cast<std::int64_t>(s.waitingRequests); });
    out.family("db_client_connection_wait_time_seconds", "histogram",
               "Time it took to obtain a connection from the pool (0 when one was idle).");
    for (const auto& [service, pool] : pools)
        out.histogram("db_client_connection_wait_time_seconds", {{"service", service}, {"pool_name", service}},
                      pool.stats.waitTime);
    perPool(out, pools, "db_client_connection_timeouts_total", "counter",
            "Waits for a pooled connection that gave up (DB_POOL_CONNECTION_TIMEOUT_MS or the request's deadline).",
            [](const Stats& s) { return s.waitTimeouts; });
    perPool(out, pools, "db_client_connection_created_total", "counter", "Connections the pool opened.",
            [](const Stats& s) { return s.connectionsOpened; });
}

void serviceStatus(TextExposition& out, const registry::MicroserviceManager* registry) {
    out.family("zintrust_service_status", "gauge",
               "1 for the service's current status in the registry (starting, healthy, degraded, unhealthy, "
               "failed, stopped).");
    if (!registry) return;
    static const registry::ServiceStatus all[] = {
        registry::ServiceStatus::Starting,  registry::ServiceStatus::Healthy, registry::ServiceStatus::Degraded,
        registry::ServiceStatus::Unhealthy, registry::ServiceStatus::Failed,  registry::ServiceStatus::Stopped,
    };
    for (const auto& record : registry->list()) {
        for (auto status : all)
            out.sample("zintrust_service_status", {{"service", record.name}, {"status", registry::toString(status)}},
                       static_cast<std::int64_t>(record.status == status ? 1 : 0));
    }
}

void processMetrics(TextExposition& out) {
    const auto p = metrics::ProcessStats::read();
    // One sample, no labels: the process's own.
    auto one = [&out](const char* name, const char* type, const char* help, auto value) {
        out.family(name, type, help);
        out.sample(name, {}, value);
    };
    one("process_cpu_seconds_total", "counter", "User and system CPU time spent in seconds.", p.cpuSeconds);
    one("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", p.residentBytes);
    one("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", p.virtualBytes);
    one("process_open_fds", "gauge", "Number of open file descriptors.", p.openFds);
    one("process_max_fds", "gauge", "Maximum number of open file descriptors.", p.maxFds);
    one("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch in seconds.",
        p.startTimeSeconds);
    one("process_threads", "gauge", "Threads of the process.", p.threads);
}
}  // namespace

namespace {
void workerMetrics(TextExposition& out, const std::vector<ServiceMetricsSource>& services) {
    const bool any = std::any_of(services.begin(), services.end(), [](const auto& s) { return s.worker.has_value(); });
    if (!any) return;
    out.family("zintrust_worker_up", "gauge",
               "1 while a worker process of the isolated service is ready, 0 while it is down or starting.");
    for (const auto& s : services) {
        if (s.worker)
            out.sample("zintrust_worker_up", {{"service", s.name}}, static_cast<std::int64_t>(s.worker->ready));
    }
    out.family("zintrust_worker_restarts_total", "counter",
               "Worker processes of the isolated service restarted after they died.");
    for (const auto& s : services) {
        if (s.worker)
            out.sample("zintrust_worker_restarts_total", {{"service", s.name}},
                       static_cast<std::int64_t>(s.worker->restarts));
    }
}
}  // namespace

std::string prometheusText(const MetricsSources& sources) {
    TextExposition out;
    out.family("zintrust_build_info", "gauge", "The host's version; always 1.");
    out.sample("zintrust_build_info", {{"version", ZT_VERSION}}, static_cast<std::int64_t>(1));
    out.family("zintrust_plugin_info", "gauge", "The plugin each service runs: its version and ABI; always 1.");
    for (const auto& s : sources.services)
        out.sample("zintrust_plugin_info", {{"service", s.name}, {"version", s.version}, {"abi", s.abi}},
                   static_cast<std::int64_t>(1));
    serviceStatus(out, sources.registry);
    workerMetrics(out, sources.services);
    serverMetrics(out, sources.services);
    requestCounters(out, sources.services);
    clientMetrics(out, sources.caller.get());
    breakerMetrics(out, sources.caller.get());
    poolMetrics(out, sources.pools ? sources.pools() : Pools{});
    processMetrics(out);
    return out.take();
}

}  // namespace zt::admin
