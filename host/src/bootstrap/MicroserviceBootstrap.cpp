#include "bootstrap/MicroserviceBootstrap.h"

#include <Poco/File.h>
#include <Poco/Path.h>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <thread>

#include "abi/HostApi.h"
#include "admin/AdminJson.h"
#include "admin/PrometheusMetrics.h"
#include "bootstrap/FilterChain.h"
#include "bootstrap/ServiceFingerprint.h"
#include "http/JsonError.h"
#include "json/JsonEscape.h"
#include "systemd/SystemdNotifier.h"
#include "tracing/OtlpHttpExporter.h"
#include "tracing/TracingFilter.h"
#include "config/ConfigError.h"
#include "db/Connection.h"
#include "db/DatabaseErrors.h"
#include "db/ProvisioningRights.h"
#include "db/RolePassword.h"

extern char** environ;

namespace zt::bootstrap {

namespace {
/// GET/HEAD /health/live: answered in constant time by the host itself (no plugin, no database).
bool isLivenessProbe(const http::HttpRequest& request) {
    return request.path == "/health/live" && (request.method == "GET" || request.method == "HEAD");
}

/// A health probe of a service port: bounded on its own, so it never waits at the handler gate
/// behind handlers stuck in the database.
bool isHealthProbe(const http::HttpRequest& request, const std::string& healthPath) {
    return (request.method == "GET" || request.method == "HEAD") &&
           service::ServicePipeline::isHealthPath(request.path, healthPath);
}

using Clock = std::chrono::steady_clock;

int msUntil(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::max<long long>(0, left));
}

/// Stops `server` taking connections and waits (until `deadline`) for its requests in flight.
void drainServer(http::HttpServer& server, Clock::time_point deadline) {
    server.refuseNewConnections();
    server.stopAccepting();
    server.finish(deadline);
}

/// A service could not be made ready; what() names the file and the reason.
class InstanceError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The database sections agree on everything the shared pool was built from: a reload keeps the
/// pool (no connection dropped), so a change to these waits for a restart.
bool sameDatabase(const config::ServiceConfig& a, const config::ServiceConfig& b) {
    const auto& x = a.database;
    const auto& y = b.database;
    return a.domain == b.domain && x.isolation == y.isolation && x.migrations == y.migrations && x.schema == y.schema &&
           x.role == y.role;
}
}  // namespace

bool ReloadReport::failed() const {
    return !errors.empty() ||
           std::any_of(services.begin(), services.end(), [](const ReloadResult& r) { return r.outcome == "failed"; });
}

std::string ReloadReport::toJson() const {
    using json::jsonEscape;
    std::string out = "{\"status\":\"" + std::string(failed() ? "failed" : "ok") +
                      "\",\"durationMs\":" + std::to_string(durationMs) + ",\"services\":{";
    bool first = true;
    for (const auto& r : services) {
        if (!first) out += ',';
        first = false;
        out += "\"" + jsonEscape(r.service) + "\":{\"outcome\":\"" + r.outcome + "\"";
        if (!r.version.empty()) out += ",\"version\":\"" + jsonEscape(r.version) + "\"";
        if (!r.error.empty()) out += ",\"error\":\"" + jsonEscape(r.error) + "\"";
        out += '}';
    }
    out += "},\"errors\":[";
    for (std::size_t i = 0; i < errors.size(); ++i) {
        if (i) out += ',';
        out += "\"" + jsonEscape(errors[i]) + "\"";
    }
    return out + "]}";
}

MicroserviceBootstrap::MicroserviceBootstrap(const config::EnvConfig& env, registry::MicroserviceManager& manager,
                                             registry::RemoteServices remotes)
    : env_(env), manager_(manager), logger_(Poco::Logger::get("zt.bootstrap")), remotes_(std::move(remotes)) {}

MicroserviceBootstrap::~MicroserviceBootstrap() {
    try {
        shutdown();
    } catch (...) {
    }
}

void MicroserviceBootstrap::fail(Entry& e, const std::string& message) {
    e.failed = true;
    problems_.push_back({e.config.name, message});
    logger_.error("service %s refused: %s", e.config.name, message);
    manager_.setStatus(e.config.name, registry::ServiceStatus::Failed, message);
}

std::string MicroserviceBootstrap::pluginPath(const std::string& fileName) const {
    // The first folder of ZT_PLUGIN_DIR that holds the file, as PATH finds a command; when none
    // does, the first folder's path, so the load error names where the file was expected.
    std::string first;
    for (const auto& dir : env_.pluginDirs) {
        std::string path = Poco::Path(dir).makeDirectory().setFileName(fileName).toString();
        if (first.empty()) first = path;
        if (Poco::File(path).exists()) return path;
    }
    return first;
}

void MicroserviceBootstrap::discoverServices() {
    auto result = config::ServiceDiscovery::discover(env_.servicesDirs);
    for (const auto& dir : env_.pluginDirs) {
        // Looking a plugin up skips a missing folder; say so once, as for services folders.
        Poco::File folder(dir);
        if (!folder.exists() || !folder.isDirectory()) {
            result.warnings.push_back(dir + ": plugin folder does not exist (set ZT_PLUGIN_DIR)");
        }
    }
    for (const auto& w : result.warnings) {
        warnings_.push_back(w);
        logger_.warning(w);
    }
    for (const auto& err : result.errors) {
        problems_.push_back({"", err.message});
        logger_.error(err.message);
    }
    if (!env_.microservices) {
        logger_.warning("MICROSERVICES=false: the microservices runtime is disabled, no service is loaded");
        return;
    }
    allConfigs_ = result.services;
    // A worker of an isolated service serves that one service, in this process, on its private port.
    const std::set<std::string> wanted = env_.workerMode()
                                             ? std::set<std::string>{env_.workerService}
                                             : std::set<std::string>(env_.services.begin(), env_.services.end());
    std::set<std::string> notFound = wanted;
    for (auto& cfg : result.services) {
        if (!wanted.empty() && !wanted.count(cfg.name)) continue;
        notFound.erase(cfg.name);
        if (env_.workerMode()) {
            cfg.port = env_.workerPort;
            cfg.process = "shared";
        }
        configs_.push_back(std::move(cfg));
    }
    for (const auto& missing : notFound) {
        std::string msg = "SERVICES: service '" + missing + "' was not found (or its config is invalid) in " +
                          env_.servicesDir;  // the list as the operator wrote it
        problems_.push_back({missing, msg});
        unknownServices_.push_back(missing);
        logger_.error(msg);
    }
}

registry::ServiceRecord MicroserviceBootstrap::recordFor(const config::ServiceConfig& cfg) const {
    registry::ServiceRecord rec;
    rec.name = cfg.name;
    rec.domain = cfg.domain;
    rec.version = cfg.version;
    rec.port = cfg.port;
    // An isolated service is called over loopback like another process: its port forwards.
    rec.local = cfg.process != "isolated";
    rec.configFile = cfg.configFile;
    rec.plugin = cfg.plugin;
    std::string host = env_.bindAddress == "0.0.0.0" || env_.bindAddress == "::" ? "127.0.0.1" : env_.bindAddress;
    rec.baseUrl = "http://" + host + ":" + std::to_string(cfg.port);
    return rec;
}

void MicroserviceBootstrap::registerServices(bool checkOnly) {
    for (const auto& cfg : configs_) {
        Entry e;
        e.config = cfg;
        manager_.registerService(recordFor(cfg));

        std::string path = pluginPath(cfg.plugin);
        e.current.fingerprint = serviceFingerprint(cfg, path);  // before loading: a later change is seen
        if (cfg.process == "isolated" && !checkOnly) {
            // Its workers load the plugin: its code (static initialisers included) never runs here.
            if (!Poco::File(path).exists()) {
                fail(e, path + ": plugin file not found (service " + cfg.name + ", " + cfg.configFile + ": plugin)");
            }
            std::lock_guard<std::mutex> lock(entriesMutex_);
            entries_.push_back(std::move(e));
            continue;
        }
        try {
            e.current.library = plugin::PluginLibrary::open(path);
            if (e.current.library->name() != cfg.name) {
                std::string w = path + ": plugin calls itself '" + e.current.library->name() +
                                "' but serves service '" + cfg.name + "' (" + cfg.configFile + ")";
                warnings_.push_back(w);
                logger_.warning(w);
            }
        } catch (const plugin::PluginLoadError& ex) {
            std::string searched;
            if (env_.pluginDirs.size() > 1 && !Poco::File(path).exists()) {
                searched = "; not in any folder of ZT_PLUGIN_DIR=" + env_.pluginDir;
            }
            fail(e, ex.message() + searched + " (service " + cfg.name + ", " + cfg.configFile + ": plugin)");
            std::lock_guard<std::mutex> lock(entriesMutex_);
            entries_.push_back(std::move(e));
            continue;
        }
        if (checkOnly) {
            try {
                makeFilterChain(cfg, env_, pluginAuthenticator(cfg, nullptr), nullptr);
            } catch (const config::ConfigError& ex) {
                fail(e, "service " + cfg.name + ": " + ex.message());
            }
        }
        std::lock_guard<std::mutex> lock(entriesMutex_);
        entries_.push_back(std::move(e));
    }
    try {
        remotes_.registerAll(manager_);
    } catch (const config::ConfigError& ex) {
        problems_.push_back({"", ex.message()});
        logger_.error(ex.message());
    }
}

MicroserviceBootstrap::Instance MicroserviceBootstrap::startInstance(const config::ServiceConfig& cfg,
                                                                     std::shared_ptr<plugin::PluginLibrary> library,
                                                                     const std::string& fingerprint, const Entry& entry,
                                                                     bool atStart) {
    Instance inst;
    inst.library = std::move(library);
    inst.fingerprint = fingerprint;
    if (cfg.database.enabled) {
        if (!databases_) {
            auto databases = makeDatabaseRegistry();  // a reload that brings the first database
            std::lock_guard<std::mutex> lock(entriesMutex_);
            databases_ = std::move(databases);
        }
        inst.database = std::make_shared<service::ServiceDatabase>(databases_, cfg);
        // At start never fatal: a failed set-up (server down or hung, a missing privilege, a
        // failing migration) is retried in the background; the service is not ready until it
        // succeeds. On a reload it must succeed now, or the previous instance keeps serving.
        if (!inst.database->openAtStart()) {
            const std::string why = inst.database->lastError();
            if (!atStart) throw InstanceError("service " + cfg.name + " (" + cfg.configFile + "): database: " + why);
            problems_.push_back({cfg.name, "service " + cfg.name + " (" + cfg.configFile +
                                               "): database not ready yet, retrying: " + why});
        }
    }
    try {
        inst.service = std::make_shared<service::LocalService>(cfg, inst.library, abi::hostApiTable());
        inst.service->setDatabase(inst.database);
        inst.service->setCounters(entry.counters);
        inst.service->setCaller(caller_);  // null at start: startCallsAndMonitor() sets it
        inst.service->start();
    } catch (const service::ServiceStartError& ex) {
        throw InstanceError(ex.message());
    }
    try {
        auto filters = makeFilterChain(cfg, env_, pluginAuthenticator(cfg, inst.service), spanExporter_);
        inst.health = std::make_shared<service::ServiceHealth>(inst.service, manager_,
                                                               std::chrono::milliseconds(env_.healthCheckTimeoutMs));
        if (inst.database) {
            inst.health->setDatabaseCheck(
                service::databaseHealthCheck(inst.database, std::chrono::milliseconds(env_.healthCheckTimeoutMs)));
        }
        inst.pipeline = std::make_shared<service::ServicePipeline>(inst.service, std::move(filters), inst.health);
    } catch (const config::ConfigError& ex) {
        inst.service->stop(0);
        throw InstanceError("service " + cfg.name + " (" + cfg.configFile + "): " + ex.message());
    }
    return inst;
}

std::unique_ptr<http::HttpServer> MicroserviceBootstrap::makeServer(const Entry& e, int port,
                                                                    std::shared_ptr<WorkerSupervisor> worker) {
    http::HttpServerOptions opts;
    opts.bindAddress = env_.bindAddress;
    opts.port = port;
    opts.maxThreads = env_.httpMaxThreads;
    opts.eventLoops = env_.httpEventLoops;
    opts.maxConnections = env_.httpMaxConnections;
    opts.maxConnectionsPerIp = env_.httpMaxConnectionsPerIp;
    // Liveness is answered on the event loop: it must not wait behind handler threads that are
    // all stuck in a hung database or plugin (docs/HEALTH.md).
    opts.runOnLoop = &isLivenessProbe;
    opts.keepAliveTimeoutMs = env_.httpKeepAliveTimeoutMs;
    opts.maxBodyBytes = env_.maxBodyBytes;
    opts.headerTimeoutMs = env_.httpHeaderTimeoutMs;
    opts.handlerTimeoutMs = env_.handlerTimeoutMs;
    opts.counters = e.counters;
    opts.metrics = e.serverMetrics;
    opts.accessLog = env_.accessLog;
    opts.stampOwnResponse = &tracing::stampNewTrace;
    // The slot, not a pipeline: a reload swaps what the port serves without touching the socket.
    // Each request holds the pipeline it started with until it is answered, which is what lets
    // the old instance drain.
    if (worker) {
        // Liveness stays the host's (it runs on the event loop: it must never wait for a worker).
        return std::make_unique<http::HttpServer>("service " + e.config.name, opts, [worker](http::Exchange& ex) {
            if (isLivenessProbe(ex.request)) worker->answerLiveness(ex);
            else worker->forward(ex);
        });
    }
    // A database-backed service runs no more handlers at once than its pool has connections
    // (docs/HTTP.md: handler threads and the database pool); the port of an isolated service
    // only forwards, and its worker has its own gate.
    opts.handlerGate = env_.httpMaxActiveHandlers >= 0 ? env_.httpMaxActiveHandlers
                       : e.config.database.enabled     ? env_.database.poolMax
                                                       : 0;
    opts.handlerGateWaitMs = env_.database.poolConnectionTimeoutMs;
    opts.skipsGate = [healthPath = e.config.healthCheck](const http::HttpRequest& request) {
        return isHealthProbe(request, healthPath);
    };
    auto slot = e.slot;
    const bool inWorker = env_.workerMode();
    return std::make_unique<http::HttpServer>("service " + e.config.name, opts, [slot, inWorker](http::Exchange& ex) {
        if (auto pipeline = slot->load(std::memory_order_acquire)) {
            pipeline->handle(ex);
            // The host that forwards to this worker labels its metrics and log with the route.
            if (inWorker && !ex.routePattern.empty())
                ex.response.headers.set(WorkerSupervisor::kRouteHeader, ex.routePattern);
        } else {
            http::setJsonError(ex.response, 503, "service_unavailable", "the service is not loaded");
            ex.response.headers.set("retry-after", "1");
        }
    });
}

std::vector<std::string> MicroserviceBootstrap::workerEnvironment(const config::ServiceConfig& cfg) {
    // SERVICE_URL_<NAME> of the host's other services: the worker calls them on their ports.
    std::map<std::string, std::string> urls;
    std::vector<config::ServiceConfig> others;
    {
        std::lock_guard<std::mutex> lock(entriesMutex_);
        for (const auto& e : entries_) others.push_back(e.config);  // as the last reload left them
    }
    for (const auto& other : others) {
        if (other.name == cfg.name || other.name.find('_') != std::string::npos) continue;
        urls[config::serviceVariableName(registry::RemoteServices::kUrlPrefix, other.name)] = recordFor(other).baseUrl;
    }
    std::map<std::string, std::string> own = {
        {"ZT_WORKER_SERVICE", cfg.name},
        {"ADMIN_PORT", "0"},  // the host's admin port answers for the worker's service
        {"ZT_BIND_ADDRESS", "127.0.0.1"},
        {"ZT_HTTP_MAX_CONNECTIONS_PER_IP", "0"},  // every connection comes from the host
        // Far above the host's idle time for pooled connections (2 s): the worker never closes one
        // the host is about to reuse.
        {"ZT_HTTP_KEEP_ALIVE_TIMEOUT_MS", "60000"},
        {"ZT_PLUGIN_DIR", env_.pluginDir},
        {"ZT_SERVICES_DIR", env_.servicesDir},
    };
    if (cfg.database.enabled) {
        // One generated role password for every worker of the service while this host runs
        // (unless the operator set SERVICE_DB_PASSWORD_<NAME>, which the environment carries).
        bool operatorSet = false;
        try {
            operatorSet = env_.serviceDbPassword(cfg.name).has_value();
        } catch (const config::ConfigError&) {
            operatorSet = true;  // the worker reports the bad variable itself
        }
        if (!operatorSet) {
            auto& password = workerDbPasswords_[cfg.name];
            if (password.empty()) password = db::generateRolePassword();
            own["ZT_WORKER_DB_PASSWORD"] = password;
        }
    }
    // The host's alone: its service manager's socket and watchdog, its worker settings.
    const std::set<std::string> dropped = {"NOTIFY_SOCKET",  "WATCHDOG_USEC",         "WATCHDOG_PID",
                                           "ZT_WORKER_PORT", "ZT_WORKER_DB_PASSWORD", "ADMIN_BIND_ADDRESS"};
    std::vector<std::string> out;
    for (char** p = environ; p != nullptr && *p != nullptr; ++p) {
        const std::string kv = *p;
        const std::string name = kv.substr(0, kv.find('='));
        if (dropped.count(name) || own.count(name) || urls.count(name)) continue;
        out.push_back(kv);
    }
    for (const auto& [name, value] : own) out.push_back(name + "=" + value);
    for (const auto& [name, value] : urls) out.push_back(name + "=" + value);
    return out;
}

std::string MicroserviceBootstrap::workerVersion(const Entry& e) {
    auto version = e.worker ? e.worker->state().pluginVersion : std::string();
    return version.empty() ? e.config.version : version;
}

std::string MicroserviceBootstrap::workerJson(const WorkerSupervisor::State& s) {
    using json::jsonEscape;
    std::string out = "{\"ready\":" + std::string(s.ready ? "true" : "false");
    if (s.pid != 0) out += ",\"pid\":" + std::to_string(s.pid) + ",\"port\":" + std::to_string(s.port);
    out += ",\"restarts\":" + std::to_string(s.restarts);
    if (!s.lastExit.empty()) out += ",\"lastExit\":\"" + jsonEscape(s.lastExit) + "\"";
    if (!s.status.empty()) out += ",\"status\":\"" + jsonEscape(s.status) + "\"";
    return out + "}";
}

bool MicroserviceBootstrap::startIsolated(Entry& e, const config::ServiceConfig& cfg, const std::string& fingerprint,
                                          std::string& error) {
    WorkerSupervisor::Options options;
    options.service = cfg.name;
    options.executable = "/proc/self/exe";  // this very binary, even once a package upgrade replaced the file
    options.environment = workerEnvironment(cfg);
    options.reservedPorts = reservedPorts();
    options.drainTimeout = std::chrono::milliseconds(env_.shutdownDrainTimeoutMs);
    options.requestTimeout = std::chrono::milliseconds(env_.handlerTimeoutMs);  // 0 = none
    options.idleConnections = static_cast<std::size_t>(env_.httpMaxThreads);
    auto worker = std::make_shared<WorkerSupervisor>(std::move(options));
    std::unique_ptr<http::HttpServer> server;
    try {
        server = makeServer(e, cfg.port, worker);
    } catch (const http::ListenError& ex) {
        error = ex.message() + " (" + cfg.configFile + ": port)";
        return false;
    }
    worker->start();
    server->start();  // answers 503 + Retry-After until the first worker is ready
    std::lock_guard<std::mutex> lock(entriesMutex_);
    e.worker = std::move(worker);
    e.server = std::move(server);
    e.config = cfg;
    e.current.fingerprint = fingerprint;
    e.failed = false;
    e.reloadError.clear();
    return true;
}

std::vector<int> MicroserviceBootstrap::reservedPorts() const {
    std::vector<int> ports{env_.adminPort};
    std::lock_guard<std::mutex> lock(entriesMutex_);
    for (const auto& c : allConfigs_) ports.push_back(c.port);
    return ports;
}

ReloadResult MicroserviceBootstrap::reloadIsolated(Entry& e, const config::ServiceConfig& cfg,
                                                   const std::string& fingerprint, bool force) {
    ReloadResult result{cfg.name, "", cfg.version, ""};
    const bool wasServing = !e.failed && e.server;
    const std::string where = "service " + cfg.name + " (" + cfg.configFile + "): ";
    if (wasServing && (e.worker ? cfg.process != "isolated" : cfg.process == "isolated")) {
        return reloadFailed(e, where + "process changed from \"" + e.config.process + "\" to \"" + cfg.process +
                                   "\": restart the host to apply this");
    }
    if (!wasServing || !e.worker) {
        // A new folder, or one that failed before: its first workers, as at start.
        std::string error;
        if (!startIsolated(e, cfg, fingerprint, error)) return reloadFailed(e, error);
        error = e.worker->waitReady(std::chrono::milliseconds(60000));
        if (!error.empty()) {
            std::unique_ptr<http::HttpServer> server;
            std::shared_ptr<WorkerSupervisor> worker;
            {
                std::lock_guard<std::mutex> lock(entriesMutex_);
                server = std::move(e.server);
                worker = std::move(e.worker);
                e.failed = true;
            }
            drainServer(*server, Clock::now());
            worker->stop(Clock::now());
            return reloadFailed(e, where + error);
        }
        manager_.registerService(recordFor(cfg));
        result.outcome = "started";
        result.version = workerVersion(e);
        logger_.information("service %s: started, version %s serves on port %d (isolated)", cfg.name, cfg.version,
                            cfg.port);
        return result;
    }
    if (!force && fingerprint == e.current.fingerprint) {
        result.outcome = "unchanged";
        result.version = workerVersion(e);
        std::lock_guard<std::mutex> lock(entriesMutex_);
        e.reloadError.clear();
        return result;
    }
    std::unique_ptr<http::HttpServer> newServer;
    if (cfg.port != e.config.port) {
        try {
            newServer = makeServer(e, cfg.port, e.worker);
        } catch (const http::ListenError& ex) {
            return reloadFailed(e, ex.message() + " (" + cfg.configFile + ": port)");
        }
    }
    // The new worker reads the files again; requests switch to it once it says READY=1.
    if (auto error = e.worker->replace(workerEnvironment(cfg), reservedPorts()); !error.empty())
        return reloadFailed(e, where + error);
    if (newServer) newServer->start();
    std::unique_ptr<http::HttpServer> oldServer;
    {
        std::lock_guard<std::mutex> lock(entriesMutex_);
        e.config = cfg;
        e.current.fingerprint = fingerprint;
        e.reloadError.clear();
        if (newServer) {
            oldServer = std::move(e.server);
            e.server = std::move(newServer);
        }
    }
    auto rec = recordFor(cfg);
    if (auto previous = manager_.find(cfg.name)) {
        rec.status = previous->status;  // the service never stopped serving
        rec.lastHealthCheck = previous->lastHealthCheck;
    }
    manager_.registerService(rec);
    if (oldServer) {
        drainServer(*oldServer, Clock::now() + std::chrono::milliseconds(env_.shutdownDrainTimeoutMs));
    }
    result.outcome = force ? "restarted" : "reloaded";
    result.version = workerVersion(e);
    logger_.information("service %s: %s, version %s serves on port %d (isolated: a new worker)", cfg.name,
                        result.outcome, cfg.version, cfg.port);
    return result;
}

void MicroserviceBootstrap::retire(Instance old, Clock::time_point deadline) {
    // The slot no longer hands this pipeline out; the requests that took it before the swap
    // hold it until they are answered.
    std::weak_ptr<const service::ServicePipeline> inFlight = old.pipeline;
    old.pipeline.reset();
    while (!inFlight.expired() && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (old.service && !old.service->stop(msUntil(deadline))) {
        // Still-running plugin calls: keep the library loaded rather than unmap live code.
        new std::shared_ptr<plugin::PluginLibrary>(old.library);
    }
}

void MicroserviceBootstrap::initialize() {
    try {
        spanExporter_ = tracing::makeSpanExporter(env_);
    } catch (const config::ConfigError& ex) {
        problems_.push_back({"", ex.message()});
        logger_.error("span export disabled: %s", ex.message());
    }
    if (std::any_of(entries_.begin(), entries_.end(), [](const Entry& e) {
            return !e.failed && e.config.database.enabled && e.config.process != "isolated";
        })) {
        auto databases = makeDatabaseRegistry();
        std::lock_guard<std::mutex> lock(entriesMutex_);
        databases_ = std::move(databases);
    }
    for (auto& e : entries_) {
        if (e.failed || e.config.process == "isolated") continue;
        Instance inst;
        try {
            inst = startInstance(e.config, e.current.library, e.current.fingerprint, e, /*atStart*/ true);
        } catch (const InstanceError& ex) {
            fail(e, ex.what());
            continue;
        }
        std::unique_ptr<http::HttpServer> server;
        try {
            server = makeServer(e, e.config.port);
        } catch (const http::ListenError& ex) {
            fail(e, ex.message() + " (" + e.config.configFile + ": port)");
            retire(std::move(inst), Clock::now());
            continue;
        }
        e.slot->store(inst.pipeline, std::memory_order_release);
        server->start();
        {
            std::lock_guard<std::mutex> lock(entriesMutex_);
            e.current = std::move(inst);
            e.server = std::move(server);
        }
        // Status stays Starting until the health monitor's first round (right after start-up).
        logger_.information("service %s %s listening on port %d (plugin %s)", e.config.name, e.config.version,
                            e.server->port(), e.current.library->path());
    }

    if (env_.workerMode()) {
        for (const auto& e : entries_) {
            if (e.failed || !e.current.library) continue;
            systemd::SystemdNotifier::pluginInfo(e.current.library->version(), e.current.library->abiVersion());
        }
    }
    // Isolated services after the shared ones have bound their ports: a worker's private port
    // is picked then, and can never be one a shared service was about to bind.
    for (auto& e : entries_) {
        if (e.failed || e.config.process != "isolated") continue;
        std::string error;
        if (startIsolated(e, e.config, e.current.fingerprint, error)) {
            logger_.information("service %s %s listening on port %d (isolated: served by a worker process)",
                                e.config.name, e.config.version, e.server->port());
        } else {
            fail(e, error);
        }
    }
    startCallsAndMonitor();
    if (env_.adminPort != 0) startAdmin();
}

void MicroserviceBootstrap::startAdmin() {
    adminApi_ = std::make_unique<admin::AdminApi>(manager_);
    adminApi_->setServiceHealth(
        [this](const std::string& name) -> std::shared_ptr<service::ServiceHealth> {
            std::lock_guard<std::mutex> lock(entriesMutex_);
            for (const auto& e : entries_) {
                if (e.config.name == name && !e.failed) return e.current.health;
            }
            return nullptr;
        },
        [this](const std::string& name) {
            std::lock_guard<std::mutex> lock(entriesMutex_);
            for (const auto& e : entries_) {
                if (e.config.name == name) return e.reloadError;
            }
            return std::string();
        },
        [this](const std::string& name) {
            std::lock_guard<std::mutex> lock(entriesMutex_);
            for (const auto& e : entries_) {
                if (e.config.name == name && e.worker) return workerJson(e.worker->state());
            }
            return std::string();
        });
    // Read at every scrape: a reload changes versions and adds or removes services.
    auto sourcesNow = [this] {
        admin::MetricsSources sources;
        std::lock_guard<std::mutex> lock(entriesMutex_);
        for (const auto& e : entries_) {
            if (!e.failed && e.worker) {
                const auto w = e.worker->state();
                sources.services.push_back({e.config.name, w.pluginVersion, w.pluginAbi, e.counters, e.serverMetrics,
                                            admin::WorkerMetrics{w.ready, w.restarts}});
                continue;
            }
            if (e.failed || !e.current.service) continue;
            sources.services.push_back({e.config.name, e.current.library->version(), e.current.library->abiVersion(),
                                        e.counters, e.serverMetrics, std::nullopt});
        }
        sources.caller = caller_;
        sources.registry = &manager_;
        if (databases_) sources.pools = [databases = databases_] { return databases->pools(); };
        return sources;
    };
    auto countersNow = [this] {
        std::vector<std::pair<std::string, std::shared_ptr<http::RequestCounters>>> counters;
        std::lock_guard<std::mutex> lock(entriesMutex_);
        for (const auto& e : entries_) {
            if (!e.failed && (e.current.service || e.worker)) counters.emplace_back(e.config.name, e.counters);
        }
        return counters;
    };
    adminApi_->setMetrics([sourcesNow] { return admin::prometheusText(sourcesNow()); },
                          [countersNow] { return std::make_pair(200, admin::metricsJson(countersNow())); });
    auto caller = caller_;
    adminApi_->addEndpoint("/calls/breakers",
                           [caller] { return std::make_pair(200, admin::breakersJson(caller.get())); });
    adminApi_->addEndpoint("/db/pool", [this] {
        std::shared_ptr<db::DatabaseRegistry> databases;  // null when no service has a database: {"pools":{}}
        {
            std::lock_guard<std::mutex> lock(entriesMutex_);
            databases = databases_;
        }
        return std::make_pair(200,
                              admin::poolsJson(databases ? databases->pools() : std::map<std::string, db::PoolInfo>{}));
    });
    adminApi_->setControl(env_.adminToken, [this](const std::string& rest) -> std::pair<int, std::string> {
        if (rest == "/reload") {
            auto report = reload();
            return {report.failed() ? 422 : 200, report.toJson()};
        }
        const std::string prefix = "/services/";
        const std::string suffix = "/restart";
        if (rest.size() > prefix.size() + suffix.size() && rest.compare(0, prefix.size(), prefix) == 0 &&
            rest.compare(rest.size() - suffix.size(), suffix.size(), suffix) == 0) {
            const std::string name = rest.substr(prefix.size(), rest.size() - prefix.size() - suffix.size());
            if (name.find('/') == std::string::npos) {
                auto report = restart(name);
                if (!report)
                    return {404, http::jsonErrorBody("not_found", "no service '" + name + "' is loaded in this host")};
                return {report->failed() ? 422 : 200, report->toJson()};
            }
        }
        return {404, http::jsonErrorBody("not_found", "no control endpoint /control" + rest)};
    });
    http::HttpServerOptions opts;
    opts.bindAddress = env_.adminBindAddress;
    opts.port = env_.adminPort;
    opts.maxThreads = 16;
    opts.maxConnections = env_.httpMaxConnections;
    opts.maxConnectionsPerIp = env_.httpMaxConnectionsPerIp;
    opts.runOnLoop = &isLivenessProbe;
    opts.stampOwnResponse = &tracing::stampNewTrace;
    opts.keepAliveTimeoutMs = env_.httpKeepAliveTimeoutMs;
    opts.headerTimeoutMs = env_.httpHeaderTimeoutMs;
    // A reload may migrate and drain: its answer may take longer than a request to a service.
    opts.handlerTimeoutMs =
        env_.handlerTimeoutMs == 0 ? 0 : std::max(env_.handlerTimeoutMs, env_.shutdownDrainTimeoutMs + 120000);
    auto* api = adminApi_.get();
    try {
        auto admin = std::make_unique<http::HttpServer>("admin", opts, [api](http::Exchange& ex) { api->handle(ex); });
        admin->start();
        {
            std::lock_guard<std::mutex> lock(entriesMutex_);
            admin_ = std::move(admin);
        }
        logger_.information("admin listening on %s port %d", env_.adminBindAddress, admin_->port());
    } catch (const http::ListenError& ex) {
        problems_.push_back({"admin", ex.message() + " (ADMIN_PORT, ADMIN_BIND_ADDRESS)"});
        logger_.error("%s (ADMIN_PORT, ADMIN_BIND_ADDRESS)", ex.message());
    }
}

std::vector<std::string> MicroserviceBootstrap::checkDatabases() {
    std::vector<std::string> report;
    std::unique_ptr<db::Connection> admin;
    std::string unreachable;
    db::ProvisioningRights rights;
    auto settings = db::ConnectionSettings::fromDatabaseSettings(env_.database);
    for (const auto& cfg : configs_) {
        if (!cfg.database.enabled) continue;
        std::string line = "service " + cfg.name + ": database: ";
        try {
            auto service = db::AdapterConfig::forService(env_.database, cfg, env_.useRawQuery);
            line += "role '" + service.role + "', " +
                    (service.isolation == "isolated"
                         ? "database '" + service.database + "'"
                         : "schema '" + service.schema + "' in database '" + service.database + "'");
            if (!admin && unreachable.empty()) {
                try {
                    admin = std::make_unique<db::Connection>(settings);
                    rights = db::ProvisioningRights::read(*admin);
                } catch (const db::DatabaseError& ex) {
                    admin.reset();
                    unreachable = ex.message();
                }
            }
            if (!unreachable.empty()) throw db::DatabaseUnavailableError(unreachable);
            if (auto problem = rights.problemFor(service); !problem.empty()) throw db::ProvisioningError(problem);
            report.push_back(line + ": the provisioning role '" + rights.user + "' can create it");
        } catch (const db::DatabaseError& ex) {
            report.push_back(line + ": ERROR " + ex.message());
            problems_.push_back(
                {cfg.name, "service " + cfg.name + " (" + cfg.configFile + "): database: " + ex.message()});
        }
    }
    return report;
}

std::shared_ptr<db::DatabaseRegistry> MicroserviceBootstrap::makeDatabaseRegistry() {
    db::ServiceRoles roles;
    for (const auto& c : allConfigs_) {
        if (c.database.enabled) roles.all.push_back(c.roleName());
    }
    for (auto& e : entries_) {
        // Failed entries too: a reload may start one (a new folder is one until it serves).
        if (!e.config.database.enabled) continue;
        try {
            if (auto password = env_.serviceDbPassword(e.config.name))
                roles.operatorPasswords[e.config.name] = *password;
            else if (env_.workerMode() && !env_.workerDbPassword.empty())
                roles.presetPasswords[e.config.name] = env_.workerDbPassword;
        } catch (const config::ConfigError& ex) {
            if (!e.failed) fail(e, "service " + e.config.name + ": " + ex.message());
        }
    }
    return std::make_shared<db::DatabaseRegistry>(env_.database, env_.useRawQuery, std::move(roles));
}

std::optional<config::ServiceConfig> MicroserviceBootstrap::configOf(const std::string& name) const {
    std::lock_guard<std::mutex> lock(entriesMutex_);
    for (const auto& c : allConfigs_) {
        if (c.name == name) return c;
    }
    return std::nullopt;
}

void MicroserviceBootstrap::startCallsAndMonitor() {
    // Auth strategy and health path of any service, loaded here or not: the configs of services
    // served by another process (same services folder, SERVICES split) still say how to call them.
    try {
        caller_ = std::make_shared<calls::ServiceCaller>(
            env_, manager_, [this](const std::string& name) { return pipeline(name); },
            [this](const std::string& name) {
                if (auto c = configOf(name)) return c->auth.strategy;
                return remotes_.authStrategy(name);
            });
    } catch (const config::ConfigError& ex) {
        problems_.push_back({"", ex.message()});
        logger_.error("inter-service calls disabled: %s", ex.message());
    }
    for (auto& e : entries_) {
        if (e.current.service) e.current.service->setCaller(caller_);
    }
    monitor_ = std::make_unique<monitor::ServiceHealthMonitor>(
        manager_, monitor::ServiceHealthMonitor::Settings::fromEnv(env_), [this](const std::string& name) {
            if (auto c = configOf(name)) return c->healthCheck;
            return remotes_.healthCheckPath(name);
        });
    monitor_->settle();  // statuses are real from the first admin request on
    monitor_->start();
}

ReloadResult MicroserviceBootstrap::reloadEntry(Entry& e, const config::ServiceConfig& cfg, bool force) {
    ReloadResult result;
    result.service = cfg.name;
    const bool wasServing = !e.failed && e.server && e.current.service;
    const std::string path = pluginPath(cfg.plugin);
    const std::string fingerprint = serviceFingerprint(cfg, path);
    if (e.worker || cfg.process == "isolated") return reloadIsolated(e, cfg, fingerprint, force);
    if (!force && wasServing && fingerprint == e.current.fingerprint) {
        result.outcome = "unchanged";
        result.version = e.current.library->version();
        std::lock_guard<std::mutex> lock(entriesMutex_);
        e.reloadError.clear();
        return result;
    }
    try {
        if (wasServing && e.config.database.enabled && cfg.database.enabled && !sameDatabase(e.config, cfg)) {
            throw InstanceError("service " + cfg.name + " (" + cfg.configFile +
                                "): database: domain, isolation, schema, role or migrations changed: the pool "
                                "is kept across reloads, restart the host to apply this");
        }
        std::shared_ptr<plugin::PluginLibrary> library;
        try {
            library = plugin::PluginLibrary::open(path);
        } catch (const plugin::PluginLoadError& ex) {
            throw InstanceError(ex.message() + " (service " + cfg.name + ", " + cfg.configFile + ": plugin)");
        }
        Instance inst = startInstance(cfg, std::move(library), fingerprint, e, /*atStart*/ false);
        std::unique_ptr<http::HttpServer> newServer;
        if (!e.server || cfg.port != e.config.port) {
            try {
                newServer = makeServer(e, cfg.port);
            } catch (const http::ListenError& ex) {
                retire(std::move(inst), Clock::now());
                throw InstanceError(ex.message() + " (" + cfg.configFile + ": port)");
            }
            newServer->start();  // serves the slot: the previous instance until the swap below
        }
        auto version = inst.library->version();
        e.slot->store(inst.pipeline, std::memory_order_release);  // from here new requests run the new code
        Instance old;
        std::unique_ptr<http::HttpServer> oldServer;
        {
            std::lock_guard<std::mutex> lock(entriesMutex_);
            old = std::move(e.current);
            e.current = std::move(inst);
            e.config = cfg;
            e.failed = false;
            e.reloadError.clear();
            if (newServer) {
                oldServer = std::move(e.server);
                e.server = std::move(newServer);
            }
        }
        auto rec = recordFor(cfg);
        if (auto previous = manager_.find(cfg.name); previous && wasServing) {
            rec.status = previous->status;  // the service never stopped serving
            rec.lastHealthCheck = previous->lastHealthCheck;
        }
        manager_.registerService(rec);
        const auto deadline = Clock::now() + std::chrono::milliseconds(env_.shutdownDrainTimeoutMs);
        if (oldServer) {
            drainServer(*oldServer, deadline);
        }
        retire(std::move(old), deadline);
        result.outcome = !wasServing ? "started" : force ? "restarted" : "reloaded";
        result.version = version;
        logger_.information("service %s: %s, version %s serves on port %d (plugin %s)", cfg.name, result.outcome,
                            version, cfg.port, path);
    } catch (const InstanceError& ex) {
        return reloadFailed(e, ex.what());
    }
    return result;
}

ReloadResult MicroserviceBootstrap::reloadFailed(Entry& e, const std::string& error) {
    ReloadResult result{e.config.name, "failed", "", error};
    std::lock_guard<std::mutex> lock(entriesMutex_);
    e.reloadError = error;
    if (!e.failed && e.server && (e.current.service || e.worker)) {
        result.version = e.worker ? workerVersion(e) : e.current.library->version();
        logger_.error("service %s: reload failed, version %s keeps serving: %s", e.config.name, result.version, error);
    } else {
        logger_.error("service %s refused: %s", e.config.name, error);
        manager_.setStatus(e.config.name, registry::ServiceStatus::Failed, error);
    }
    return result;
}

ReloadResult MicroserviceBootstrap::startNewService(const config::ServiceConfig& cfg) {
    Entry fresh;
    fresh.config = cfg;
    fresh.failed = true;  // not serving until reloadEntry() says so
    Entry* e = nullptr;
    {
        std::lock_guard<std::mutex> lock(entriesMutex_);
        entries_.push_back(std::move(fresh));
        e = &entries_.back();
    }
    manager_.registerService(recordFor(cfg));
    return reloadEntry(*e, cfg, /*force*/ true);
}

ReloadResult MicroserviceBootstrap::stopRemovedService(std::list<Entry>::iterator it) {
    ReloadResult result;
    result.service = it->config.name;
    result.outcome = "stopped";
    std::unique_ptr<http::HttpServer> server;
    Instance old;
    {
        std::lock_guard<std::mutex> lock(entriesMutex_);
        server = std::move(it->server);
        old = std::move(it->current);
        it->failed = true;  // in-process calls stop finding it
    }
    const auto deadline = Clock::now() + std::chrono::milliseconds(env_.shutdownDrainTimeoutMs);
    if (server) {
        drainServer(*server, deadline);
    }
    it->slot->store(nullptr, std::memory_order_release);
    retire(std::move(old), deadline);
    if (it->worker) it->worker->stop(deadline);
    manager_.remove(it->config.name);
    logger_.information("service %s: folder removed (%s), stopped", it->config.name, it->config.configFile);
    std::lock_guard<std::mutex> lock(entriesMutex_);
    entries_.erase(it);
    return result;
}

ReloadReport MicroserviceBootstrap::reload() {
    std::lock_guard<std::mutex> reloadLock(reloadMutex_);
    const auto started = Clock::now();
    systemd::SystemdNotifier::reloading("reloading services from " + env_.servicesDir);
    logger_.information("reload: reading %s and %s", env_.servicesDir, env_.pluginDir);
    ReloadReport report;
    auto found = config::ServiceDiscovery::discover(env_.servicesDirs);
    const std::set<std::string> wanted(env_.services.begin(), env_.services.end());
    std::map<std::string, config::ServiceConfig> next;
    for (const auto& cfg : found.services) {
        if (wanted.empty() || wanted.count(cfg.name)) next.emplace(cfg.name, cfg);
    }
    std::map<std::string, std::string> brokenFiles;  // config file -> why it cannot be read now
    for (const auto& err : found.errors) brokenFiles.emplace(err.file, err.message);
    {
        std::lock_guard<std::mutex> lock(entriesMutex_);
        // A config that became invalid keeps its last good version for callers and the monitor.
        auto all = found.services;
        for (const auto& old : allConfigs_) {
            const bool stillThere =
                std::any_of(all.begin(), all.end(), [&](const auto& c) { return c.name == old.name; });
            if (!stillThere && brokenFiles.count(old.configFile)) all.push_back(old);
        }
        allConfigs_ = std::move(all);
    }
    std::vector<std::list<Entry>::iterator> removed;
    std::set<std::string> known;
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        known.insert(it->config.name);
        if (auto broken = brokenFiles.find(it->config.configFile); broken != brokenFiles.end()) {
            report.services.push_back(reloadFailed(*it, broken->second));
            brokenFiles.erase(broken);
        } else if (auto cfg = next.find(it->config.name); cfg != next.end()) {
            report.services.push_back(reloadEntry(*it, cfg->second, /*force*/ false));
        } else {
            removed.push_back(it);
        }
    }
    for (const auto& [name, cfg] : next) {
        if (!known.count(name)) report.services.push_back(startNewService(cfg));
    }
    for (auto it : removed) report.services.push_back(stopRemovedService(it));
    for (const auto& [file, message] : brokenFiles) {
        report.errors.push_back(message);
        logger_.error("reload: %s", message);
    }
    std::sort(report.services.begin(), report.services.end(),
              [](const ReloadResult& a, const ReloadResult& b) { return a.service < b.service; });
    report.durationMs = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    const auto summary = readiness().summary();
    const auto took = std::to_string(report.durationMs);
    if (report.failed()) logger_.warning("reload done in %s ms with errors: %s", took, summary);
    else logger_.information("reload done in %s ms: %s", took, summary);
    systemd::SystemdNotifier::ready(summary);
    return report;
}

std::optional<ReloadReport> MicroserviceBootstrap::restart(const std::string& name) {
    std::lock_guard<std::mutex> reloadLock(reloadMutex_);
    auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.config.name == name; });
    if (it == entries_.end()) return std::nullopt;
    const auto started = Clock::now();
    systemd::SystemdNotifier::reloading("restarting service " + name);
    ReloadReport report;
    try {
        auto cfg = config::ServiceConfig::load(it->config.configFile);
        report.services.push_back(reloadEntry(*it, cfg, /*force*/ true));
    } catch (const config::ConfigError& ex) {
        report.services.push_back(reloadFailed(*it, ex.message()));
    }
    report.durationMs = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    systemd::SystemdNotifier::ready(readiness().summary());
    return report;
}

MicroserviceBootstrap::Readiness MicroserviceBootstrap::readiness() const {
    Readiness r;
    std::vector<std::string> failed;
    std::lock_guard<std::mutex> lock(entriesMutex_);
    for (const auto& e : entries_) {
        if (e.failed || !e.server) {
            failed.push_back(e.config.name);
            continue;
        }
        ++r.serving;
        if (e.worker) {
            const auto w = e.worker->state();
            if (w.ready) {
                ++r.ready;
            } else if (w.restarts > 0 && !w.everReady) {
                // Dies before it is ever ready (a plugin that crashes at init): failed, so it
                // does not hold READY=1 back; the supervisor goes on retrying with backoff.
                --r.serving;
                failed.push_back(e.config.name);
            } else {
                r.waiting.push_back(e.config.name + " (worker)");
            }
        } else if (e.current.database && !e.current.database->ready()) {
            r.waiting.push_back(e.config.name + " (database)");
        } else {
            ++r.ready;
        }
    }
    r.failed = std::move(failed);
    return r;
}

std::string MicroserviceBootstrap::Readiness::summary() const {
    std::string out = std::to_string(ready) + "/" + std::to_string(serving + failed.size()) + " services ready";
    auto list = [](const std::vector<std::string>& names) {
        std::string s;
        for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
        return s;
    };
    if (!waiting.empty()) out += "; waiting: " + list(waiting);
    if (!failed.empty()) out += "; failed: " + list(failed);
    return out;
}

std::string MicroserviceBootstrap::stalledServers() {
    std::string stuck;
    std::lock_guard<std::mutex> lock(entriesMutex_);
    auto check = [&stuck](const std::string& what, const http::HttpServer& server, http::HttpServer::Progress& last) {
        auto now = server.progress();
        if (auto why = http::HttpServer::stallBetween(last, now); !why.empty())
            stuck += (stuck.empty() ? "" : "; ") + what + ": " + why;
        last = std::move(now);
    };
    for (auto& e : entries_) {
        if (e.server) check("service " + e.config.name, *e.server, e.lastProgress);
    }
    if (admin_) check("admin", *admin_, lastAdminProgress_);
    return stuck;
}

void MicroserviceBootstrap::shutdown() {
    std::lock_guard<std::mutex> reloadLock(reloadMutex_);  // not in the middle of a reload
    // The servers leave the list first (the watchdog and admin readers stop seeing them), then
    // new connections are refused everywhere; the monitor stops (it polls our ports), servers
    // drain against one deadline, and only then plugins shut down, so no request races a plugin
    // shutdown.
    std::unique_ptr<http::HttpServer> admin;
    std::vector<std::unique_ptr<http::HttpServer>> servers;
    {
        std::lock_guard<std::mutex> lock(entriesMutex_);
        admin = std::move(admin_);
        for (auto& e : entries_) {
            if (e.server) servers.push_back(std::move(e.server));
        }
    }
    // The service manager may signal the workers too (KillMode=control-group): from now on an
    // exit is the end, not a crash to restart.
    for (auto& e : entries_) {
        if (e.worker) e.worker->holdRestarts();
    }
    if (admin) admin->refuseNewConnections();
    for (auto& s : servers) s->refuseNewConnections();
    if (monitor_) {
        monitor_->stop();
        monitor_.reset();
    }
    auto deadline = Clock::now() + std::chrono::milliseconds(env_.shutdownDrainTimeoutMs);
    if (admin) admin->stopAccepting();
    for (auto& s : servers) s->stopAccepting();
    for (auto& s : servers) s->finish(deadline);
    servers.clear();
    // The ports forwarded to workers until they drained; now each worker gets its own drain time
    // (its plugin shuts down and its pool closes before SIGKILL would come).
    const auto workersDeadline = std::max(deadline, Clock::now()) +
                                 std::chrono::milliseconds(env_.shutdownDrainTimeoutMs) + std::chrono::seconds(2);
    for (auto& e : entries_) {
        if (e.worker) e.worker->beginStop(workersDeadline);
    }
    for (auto& e : entries_) {
        if (e.worker) {
            e.worker->stop(workersDeadline);
            manager_.setStatus(e.config.name, registry::ServiceStatus::Stopped);
        }
    }
    if (admin) {
        admin->finish(deadline);
        admin.reset();
    }
    for (auto& e : entries_) {
        if (e.current.service) {
            if (!e.current.service->stop(msUntil(deadline))) {
                // Still-running plugin calls: keep the library loaded rather than unmap live code.
                new std::shared_ptr<plugin::PluginLibrary>(e.current.library);
            }
            manager_.setStatus(e.config.name, registry::ServiceStatus::Stopped);
        }
    }
    for (auto& e : entries_) {
        if (e.current.service) e.current.service->setCaller(nullptr);
    }
    caller_.reset();
    {
        std::lock_guard<std::mutex> lock(entriesMutex_);
        entries_.clear();
    }
    spanExporter_.reset();  // the OTLP exporter flushes and stops its thread in its destructor
}

std::vector<std::string> MicroserviceBootstrap::running() const {
    std::vector<std::string> out;
    std::lock_guard<std::mutex> lock(entriesMutex_);
    for (const auto& e : entries_) {
        if (!e.failed && e.server) out.push_back(e.config.name);
    }
    return out;
}

std::shared_ptr<const service::ServicePipeline> MicroserviceBootstrap::pipeline(const std::string& name) const {
    std::lock_guard<std::mutex> lock(entriesMutex_);
    for (const auto& e : entries_) {
        if (e.config.name == name && !e.failed) return e.slot->load(std::memory_order_acquire);
    }
    return nullptr;
}

}  // namespace zt::bootstrap
