#include "bootstrap/MicroserviceBootstrap.h"

#include <Poco/File.h>
#include <Poco/Path.h>

#include <algorithm>
#include <set>

#include "abi/HostApi.h"
#include "admin/AdminJson.h"
#include "admin/PrometheusMetrics.h"
#include "bootstrap/FilterChain.h"
#include "tracing/OtlpHttpExporter.h"
#include "tracing/TracingFilter.h"
#include "config/ConfigError.h"
#include "db/Connection.h"
#include "db/DatabaseErrors.h"
#include "db/ProvisioningRights.h"

namespace zt::bootstrap {

namespace {
/// GET/HEAD /health/live: answered in constant time by the host itself (no plugin, no database).
bool isLivenessProbe(const http::HttpRequest& request) {
    return request.path == "/health/live" && (request.method == "GET" || request.method == "HEAD");
}
}  // namespace

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
    const std::set<std::string> wanted(env_.services.begin(), env_.services.end());
    std::set<std::string> notFound = wanted;
    for (auto& cfg : result.services) {
        if (!wanted.empty() && !wanted.count(cfg.name)) continue;
        notFound.erase(cfg.name);
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

void MicroserviceBootstrap::registerServices(bool checkOnly) {
    for (const auto& cfg : configs_) {
        Entry e;
        e.config = cfg;
        registry::ServiceRecord rec;
        rec.name = cfg.name;
        rec.domain = cfg.domain;
        rec.version = cfg.version;
        rec.port = cfg.port;
        rec.local = true;
        rec.configFile = cfg.configFile;
        rec.plugin = cfg.plugin;
        std::string host = env_.bindAddress == "0.0.0.0" || env_.bindAddress == "::" ? "127.0.0.1" : env_.bindAddress;
        rec.baseUrl = "http://" + host + ":" + std::to_string(cfg.port);
        manager_.registerService(rec);

        std::string path = pluginPath(cfg.plugin);
        try {
            e.library = plugin::PluginLibrary::open(path);
            if (e.library->name() != cfg.name) {
                std::string w = path + ": plugin calls itself '" + e.library->name() + "' but serves service '" +
                                cfg.name + "' (" + cfg.configFile + ")";
                warnings_.push_back(w);
                logger_.warning(w);
            }
        } catch (const plugin::PluginLoadError& ex) {
            std::string searched;
            if (env_.pluginDirs.size() > 1 && !Poco::File(path).exists()) {
                searched = "; not in any folder of ZT_PLUGIN_DIR=" + env_.pluginDir;
            }
            fail(e, ex.message() + searched + " (service " + cfg.name + ", " + cfg.configFile + ": plugin)");
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
        entries_.push_back(std::move(e));
    }
    try {
        remotes_.registerAll(manager_);
    } catch (const config::ConfigError& ex) {
        problems_.push_back({"", ex.message()});
        logger_.error(ex.message());
    }
}

void MicroserviceBootstrap::initialize() {
    try {
        spanExporter_ = tracing::makeSpanExporter(env_);
    } catch (const config::ConfigError& ex) {
        problems_.push_back({"", ex.message()});
        logger_.error("span export disabled: %s", ex.message());
    }
    if (std::any_of(entries_.begin(), entries_.end(),
                    [](const Entry& e) { return !e.failed && e.config.database.enabled; }))
        databases_ = makeDatabaseRegistry();
    for (auto& e : entries_) {
        if (e.failed) continue;
        if (e.config.database.enabled) {
            e.database = std::make_shared<service::ServiceDatabase>(databases_, e.config);
            // Never fatal: a failed set-up (server down or hung, a missing privilege, a failing
            // migration) is retried in the background; the service is not ready until it succeeds.
            if (!e.database->openAtStart())
                problems_.push_back(
                    {e.config.name, "service " + e.config.name + " (" + e.config.configFile +
                                        "): database not ready yet, retrying: " + e.database->lastError()});
        }
        try {
            e.service = std::make_shared<service::LocalService>(e.config, e.library, abi::hostApiTable());
            e.service->setDatabase(e.database);
            e.service->setCounters(std::make_shared<http::RequestCounters>());
            e.serverMetrics = std::make_shared<http::ServerMetrics>();
            e.service->start();
        } catch (const service::ServiceStartError& ex) {
            e.service.reset();
            fail(e, ex.message());
            continue;
        }
        try {
            auto filters = makeFilterChain(e.config, env_, pluginAuthenticator(e.config, e.service), spanExporter_);
            e.health = std::make_shared<service::ServiceHealth>(e.service, manager_,
                                                                std::chrono::milliseconds(env_.healthCheckTimeoutMs));
            if (e.database) {
                e.health->setDatabaseCheck(
                    service::databaseHealthCheck(e.database, std::chrono::milliseconds(env_.healthCheckTimeoutMs)));
            }
            e.pipeline = std::make_shared<service::ServicePipeline>(e.service, std::move(filters), e.health);
            http::HttpServerOptions opts;
            opts.bindAddress = env_.bindAddress;
            opts.port = e.config.port;
            opts.maxThreads = env_.httpMaxThreads;
            opts.eventLoops = env_.httpEventLoops;
            opts.maxConnections = env_.httpMaxConnections;
            opts.maxConnectionsPerIp = env_.httpMaxConnectionsPerIp;
            // Liveness is answered on the event loop: it must not wait behind handler threads
            // that are all stuck in a hung database or plugin (docs/HEALTH.md).
            opts.runOnLoop = &isLivenessProbe;
            opts.keepAliveTimeoutMs = env_.httpKeepAliveTimeoutMs;
            opts.maxBodyBytes = env_.maxBodyBytes;
            opts.headerTimeoutMs = env_.httpHeaderTimeoutMs;
            opts.handlerTimeoutMs = env_.handlerTimeoutMs;
            opts.counters = e.service->counters();
            opts.metrics = e.serverMetrics;
            opts.accessLog = env_.accessLog;
            opts.stampOwnResponse = &tracing::stampNewTrace;
            auto pipeline = e.pipeline;
            e.server = std::make_unique<http::HttpServer>("service " + e.config.name, opts,
                                                          [pipeline](http::Exchange& ex) { pipeline->handle(ex); });
            e.server->start();
        } catch (const config::ConfigError& ex) {
            fail(e, "service " + e.config.name + " (" + e.config.configFile + "): " + ex.message());
        } catch (const http::ListenError& ex) {
            fail(e, ex.message() + " (" + e.config.configFile + ": port)");
        }
        if (e.failed) {
            e.server.reset();
            e.pipeline.reset();
            if (e.service) e.service->stop(env_.shutdownDrainTimeoutMs);
            continue;
        }
        // Status stays Starting until the health monitor's first round (right after start-up).
        logger_.information("service %s %s listening on port %d (plugin %s)", e.config.name, e.config.version,
                            e.server->port(), e.library->path());
    }

    startCallsAndMonitor();

    if (env_.adminPort != 0) {
        adminApi_ = std::make_unique<admin::AdminApi>(manager_);
        for (auto& e : entries_) {
            if (!e.failed && e.health) adminApi_->addServiceHealth(e.config.name, e.health);
        }
        std::vector<std::pair<std::string, std::shared_ptr<http::RequestCounters>>> counters;
        admin::MetricsSources sources;
        for (auto& e : entries_) {
            if (e.failed || !e.service) continue;
            counters.emplace_back(e.config.name, e.service->counters());
            const auto& d = e.library->descriptor();
            sources.services.push_back({e.config.name, e.library->version(),
                                        std::to_string(d.abi_major) + "." + std::to_string(d.abi_minor),
                                        e.service->counters(), e.serverMetrics});
        }
        sources.caller = caller_;
        sources.registry = &manager_;
        if (databases_) sources.pools = [databases = databases_] { return databases->pools(); };
        adminApi_->setMetrics([sources = std::move(sources)] { return admin::prometheusText(sources); },
                              [counters] { return std::make_pair(200, admin::metricsJson(counters)); });
        auto caller = caller_;
        adminApi_->addEndpoint("/calls/breakers",
                               [caller] { return std::make_pair(200, admin::breakersJson(caller.get())); });
        auto databases = databases_;  // null when no service has a database: {"pools":{}}
        adminApi_->addEndpoint("/db/pool", [databases] {
            return std::make_pair(
                200, admin::poolsJson(databases ? databases->pools() : std::map<std::string, db::PoolInfo>{}));
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
        opts.handlerTimeoutMs = env_.handlerTimeoutMs;
        auto* api = adminApi_.get();
        try {
            admin_ = std::make_unique<http::HttpServer>("admin", opts, [api](http::Exchange& ex) { api->handle(ex); });
            admin_->start();
            logger_.information("admin listening on %s port %d", env_.adminBindAddress, admin_->port());
        } catch (const http::ListenError& ex) {
            problems_.push_back({"admin", ex.message() + " (ADMIN_PORT, ADMIN_BIND_ADDRESS)"});
            logger_.error("%s (ADMIN_PORT, ADMIN_BIND_ADDRESS)", ex.message());
        }
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
        if (e.failed || !e.config.database.enabled) continue;
        try {
            if (auto password = env_.serviceDbPassword(e.config.name))
                roles.operatorPasswords[e.config.name] = *password;
        } catch (const config::ConfigError& ex) {
            fail(e, "service " + e.config.name + ": " + ex.message());
        }
    }
    return std::make_shared<db::DatabaseRegistry>(env_.database, env_.useRawQuery, std::move(roles));
}

void MicroserviceBootstrap::startCallsAndMonitor() {
    // Auth strategy and health path of any service, loaded here or not: the configs of services
    // served by another process (same services folder, SERVICES split) still say how to call them.
    auto configOf = [this](const std::string& name) -> const config::ServiceConfig* {
        for (const auto& c : allConfigs_) {
            if (c.name == name) return &c;
        }
        return nullptr;
    };
    try {
        caller_ = std::make_shared<calls::ServiceCaller>(
            env_, manager_, [this](const std::string& name) { return pipeline(name); },
            [this, configOf](const std::string& name) {
                if (const auto* c = configOf(name)) return c->auth.strategy;
                return remotes_.authStrategy(name);
            });
    } catch (const config::ConfigError& ex) {
        problems_.push_back({"", ex.message()});
        logger_.error("inter-service calls disabled: %s", ex.message());
    }
    for (auto& e : entries_) {
        if (e.service) e.service->setCaller(caller_);
    }
    monitor_ = std::make_unique<monitor::ServiceHealthMonitor>(
        manager_, monitor::ServiceHealthMonitor::Settings::fromEnv(env_), [this, configOf](const std::string& name) {
            if (const auto* c = configOf(name)) return c->healthCheck;
            return remotes_.healthCheckPath(name);
        });
    monitor_->settle();  // statuses are real from the first admin request on
    monitor_->start();
}

void MicroserviceBootstrap::shutdown() {
    // New connections are refused everywhere first; then the monitor stops (it polls our ports),
    // servers drain against one deadline, and only then plugins shut down, so no request races a
    // plugin shutdown.
    if (admin_) admin_->refuseNewConnections();
    for (auto& e : entries_) {
        if (e.server) e.server->refuseNewConnections();
    }
    if (monitor_) {
        monitor_->stop();
        monitor_.reset();
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(env_.shutdownDrainTimeoutMs);
    if (admin_) admin_->stopAccepting();
    for (auto& e : entries_) {
        if (e.server) e.server->stopAccepting();
    }
    for (auto& e : entries_) {
        if (e.server) {
            e.server->finish(deadline);
            e.server.reset();
        }
    }
    if (admin_) {
        admin_->finish(deadline);
        admin_.reset();
    }
    for (auto& e : entries_) {
        if (e.service) {
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (!e.service->stop(static_cast<int>(std::max<long long>(0, left.count())))) {
                // Still-running plugin calls: keep the library loaded rather than unmap live code.
                new std::shared_ptr<plugin::PluginLibrary>(e.library);
            }
            manager_.setStatus(e.config.name, registry::ServiceStatus::Stopped);
        }
    }
    for (auto& e : entries_) {
        if (e.service) e.service->setCaller(nullptr);
    }
    caller_.reset();
    entries_.clear();
    spanExporter_.reset();  // the OTLP exporter flushes and stops its thread in its destructor
}

std::vector<std::string> MicroserviceBootstrap::running() const {
    std::vector<std::string> out;
    for (const auto& e : entries_) {
        if (!e.failed && e.server) out.push_back(e.config.name);
    }
    return out;
}

std::shared_ptr<const service::ServicePipeline> MicroserviceBootstrap::pipeline(const std::string& name) const {
    for (const auto& e : entries_) {
        if (e.config.name == name && !e.failed) return e.pipeline;
    }
    return nullptr;
}

}  // namespace zt::bootstrap
