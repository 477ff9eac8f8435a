#include "admin/PrometheusMetrics.h"

#include "metrics/ProcessStats.h"
#include "metrics/TextExposition.h"

namespace zt::admin {

namespace {
using metrics::TextExposition;
using Labels = TextExposition::Labels;

/// Labels of `series`: `service` first, then the family's own.
Labels seriesLabels(const std::string& service, const metrics::HistogramFamily& family,
                    const metrics::HistogramFamily::Series& series) {
    Labels labels{{"service", service}};
    for (std::size_t i = 0; i < family.labelNames().size(); ++i)
        labels.emplace_back(family.labelNames()[i], series.labelValues[i]);
    return labels;
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
        out.family(c.name, "counter", c.help);
        for (const auto& s : services) {
            out.sample(c.name, {{"service", s.name}},
                       static_cast<std::uint64_t>((s.counters.get()->*c.field).load(std::memory_order_relaxed)));
        }
    }
}

void serverMetrics(TextExposition& out, const std::vector<ServiceMetricsSource>& services) {
    out.family("http_server_request_duration_seconds", "histogram",
               "Duration of HTTP server requests, from the request head read to the answer made.");
    for (const auto& s : services) {
        const auto& family = s.server->requestDurations();
        for (const auto& series : family.collect())
            out.histogram("http_server_request_duration_seconds", seriesLabels(s.name, family, series),
                          series.histogram);
    }
    out.family("http_server_active_requests", "gauge", "HTTP server requests read and not yet answered in full.");
    for (const auto& s : services)
        out.sample("http_server_active_requests", {{"service", s.name}},
                   static_cast<std::int64_t>(s.server->activeRequests()));
    out.family("http_server_open_connections", "gauge", "Client connections open on the service's port.");
    for (const auto& s : services)
        out.sample("http_server_open_connections", {{"service", s.name}},
                   static_cast<std::int64_t>(s.server->openConnections()));
    out.family("zintrust_metrics_series_dropped_total", "counter",
               "Request observations not recorded because the service's series table was full.");
    for (const auto& s : services)
        out.sample("zintrust_metrics_series_dropped_total", {{"service", s.name}},
                   s.server->requestDurations().dropped());
}

void clientMetrics(TextExposition& out, const calls::ServiceCaller* caller) {
    out.family("http_client_request_duration_seconds", "histogram",
               "Duration of callService calls, retries included; outcome in_process, http or refused.");
    if (!caller) return;
    const auto& family = caller->clientDurations();
    for (const auto& series : family.collect()) {
        // The caller's name is the family's first label, `service`.
        Labels labels;
        for (std::size_t i = 0; i < family.labelNames().size(); ++i)
            labels.emplace_back(family.labelNames()[i], series.labelValues[i]);
        out.histogram("http_client_request_duration_seconds", labels, series.histogram);
    }
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

void poolMetrics(TextExposition& out, const std::map<std::string, db::PoolInfo>& pools) {
    // One pool per service: its name is the service's. The connection count keeps OpenTelemetry's
    // earlier name (db.client.connections.usage): db.client.connection.count would end in _count,
    // which the exposition format reserves for histograms and summaries (promtool rejects it).
    out.family("db_client_connections_usage", "gauge", "Database connections of the pool by state (idle, used).");
    for (const auto& [service, pool] : pools) {
        const auto idle = static_cast<std::int64_t>(pool.stats.idleConnections);
        const auto used = static_cast<std::int64_t>(pool.stats.totalConnections) - idle;
        out.sample("db_client_connections_usage", {{"service", service}, {"pool_name", service}, {"state", "idle"}},
                   idle);
        out.sample("db_client_connections_usage", {{"service", service}, {"pool_name", service}, {"state", "used"}},
                   used);
    }
    out.family("db_client_connection_max", "gauge", "The most connections the pool may open (DB_POOL_MAX).");
    for (const auto& [service, pool] : pools)
        out.sample("db_client_connection_max", {{"service", service}, {"pool_name", service}},
                   static_cast<std::int64_t>(pool.stats.maxConnections));
    out.family("db_client_connection_pending_requests", "gauge", "Requests waiting for a pooled connection.");
    for (const auto& [service, pool] : pools)
        out.sample("db_client_connection_pending_requests", {{"service", service}, {"pool_name", service}},
                   static_cast<std::int64_t>(pool.stats.waitingRequests));
    out.family("db_client_connection_wait_time_seconds", "histogram",
               "Time it took to obtain a connection from the pool (0 when one was idle).");
    for (const auto& [service, pool] : pools)
        out.histogram("db_client_connection_wait_time_seconds", {{"service", service}, {"pool_name", service}},
                      pool.stats.waitTime);
    out.family("db_client_connection_timeouts_total", "counter",
               "Waits for a pooled connection that gave up (DB_POOL_CONNECTION_TIMEOUT_MS or the request's deadline).");
    for (const auto& [service, pool] : pools)
        out.sample("db_client_connection_timeouts_total", {{"service", service}, {"pool_name", service}},
                   pool.stats.waitTimeouts);
    out.family("db_client_connection_created_total", "counter", "Connections the pool opened.");
    for (const auto& [service, pool] : pools)
        out.sample("db_client_connection_created_total", {{"service", service}, {"pool_name", service}},
                   pool.stats.connectionsOpened);
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
    out.family("process_cpu_seconds_total", "counter", "User and system CPU time spent in seconds.");
    out.sample("process_cpu_seconds_total", {}, p.cpuSeconds);
    out.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    out.sample("process_resident_memory_bytes", {}, p.residentBytes);
    out.family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
    out.sample("process_virtual_memory_bytes", {}, p.virtualBytes);
    out.family("process_open_fds", "gauge", "Number of open file descriptors.");
    out.sample("process_open_fds", {}, p.openFds);
    out.family("process_max_fds", "gauge", "Maximum number of open file descriptors.");
    out.sample("process_max_fds", {}, p.maxFds);
    out.family("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch in seconds.");
    out.sample("process_start_time_seconds", {}, p.startTimeSeconds);
    out.family("process_threads", "gauge", "Threads of the process.");
    out.sample("process_threads", {}, p.threads);
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
    serverMetrics(out, sources.services);
    requestCounters(out, sources.services);
    clientMetrics(out, sources.caller.get());
    breakerMetrics(out, sources.caller.get());
    poolMetrics(out, sources.pools ? sources.pools() : std::map<std::string, db::PoolInfo>{});
    processMetrics(out);
    return out.take();
}

}  // namespace zt::admin
