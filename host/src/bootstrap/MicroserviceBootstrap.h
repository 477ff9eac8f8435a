#pragma once
// Start-up in three steps, like ZinTrust's MicroserviceBootstrap:
//   discoverServices()  read service.config.json files, apply the SERVICES allow-list
//   registerServices()  dlopen each plugin and check its descriptor; register in the manager
//   initialize()        init each plugin, build its filter chain, open its port, start serving
// A failure in any step fails that one service (logged with file and reason); the others go on.
// reload() later re-reads the folders and swaps changed services without closing their ports
// (docs/OPERATIONS.md: reload).
//
// Threads: discoverServices, registerServices, initialize and shutdown run on the main thread;
// reload and restart on any thread (one at a time); the accessors on any thread.
#include <Poco/Logger.h>

#include <atomic>
#include <chrono>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "admin/AdminApi.h"
#include "bootstrap/WorkerSupervisor.h"
#include "config/EnvConfig.h"
#include "config/ServiceDiscovery.h"
#include "db/DatabaseRegistry.h"
#include "tracing/SpanExporter.h"
#include "http/HttpServer.h"
#include "service/ServicePipeline.h"
#include "plugin/PluginLibrary.h"
#include "calls/ServiceCaller.h"
#include "monitor/ServiceHealthMonitor.h"
#include "registry/MicroserviceManager.h"
#include "registry/RemoteServices.h"
#include "service/LocalService.h"
#include "service/ServiceDatabase.h"

namespace zt::bootstrap {

struct ServiceProblem {
    std::string service;  ///< may be empty when the file could not be parsed
    std::string message;  ///< names the file and the reason
};

/// One service's outcome of a reload.
struct ReloadResult {
    std::string service;
    /// "unchanged", "reloaded" (a new instance serves), "restarted" (the same files, a new
    /// instance), "started" (a new folder), "stopped" (a removed folder) or "failed" (the previous
    /// instance, if any, still serves).
    std::string outcome;
    std::string version;  ///< of the instance serving now ("" when none)
    std::string error;    ///< why it failed: names the file and the reason
};

/// The whole reload, as POST /control/reload answers it.
struct ReloadReport {
    std::vector<ReloadResult> services;
    std::vector<std::string> errors;  ///< problems not tied to a loaded service (a broken new folder)
    long long durationMs = 0;
    bool failed() const;
    std::string toJson() const;
};

class MicroserviceBootstrap {
public:
    /// `remotes`: services served by other processes (SERVICE_URL_*, ZT_SERVICE_REGISTRY_FILE).
    MicroserviceBootstrap(const config::EnvConfig& env, registry::MicroserviceManager& manager,
                          registry::RemoteServices remotes = {});
    ~MicroserviceBootstrap();

    void discoverServices();
    /// `checkOnly`: validate plugins and filter settings without calling init or opening ports.
    void registerServices(bool checkOnly = false);
    void initialize();
    /// --check-config: for every service with a database, whether the provisioning credentials
    /// reach the server and may create its role, schema or database (one connection, no change
    /// made). Returns one report line per service; failures are also added to problems().
    std::vector<std::string> checkDatabases();
    /// Stops servers (draining in-flight requests), then calls every plugin's shutdown().
    void shutdown();

    /// Re-reads the services folders (with the SERVICES allow-list; the environment is not
    /// re-read) and the plugin files. A service whose plugin file, config or migrations changed
    /// gets a new instance: it starts, migrates and passes its filter chain set-up before its
    /// port's requests switch to it; the old one then drains its requests in flight and is shut
    /// down and unloaded. New folders start, removed ones drain and stop. Whatever fails leaves
    /// the previous instance serving. Reloads run one at a time. [any thread]
    ReloadReport reload();
    /// A new instance of `name` from its current files, whether they changed or not; nullopt
    /// when no such service is loaded here. [any thread]
    std::optional<ReloadReport> restart(const std::string& name);

    const std::vector<ServiceProblem>& problems() const { return problems_; }
    const std::vector<std::string>& warnings() const { return warnings_; }
    const std::vector<config::ServiceConfig>& discovered() const { return configs_; }
    /// Names in SERVICES that discovery did not find (or whose config is invalid).
    const std::vector<std::string>& unknownServices() const { return unknownServices_; }
    /// Services that are serving (after initialize). [any thread]
    std::vector<std::string> running() const;
    /// Services that serve and whose database (if any) is set up, out of those serving: what
    /// READY=1 and STATUS= report. [any thread]
    struct Readiness {
        std::size_t ready = 0;
        std::size_t serving = 0;
        std::vector<std::string> waiting;  ///< "users (database)"
        std::vector<std::string> failed;   ///< services that could not start
        std::string summary() const;       ///< "3/3 services ready" or "2/3 services ready; waiting: ..."
    };
    Readiness readiness() const;
    /// "" when every server's event loops and handler pools made progress since the last call,
    /// else which did not (the systemd watchdog asks every half interval). [one thread at a time]
    std::string stalledServers();
    /// Port actually bound by the admin server (0 when disabled).
    int adminPort() const { return admin_ ? admin_->port() : 0; }
    /// The pipeline a service loaded in this process serves with now (for in-process calls), or
    /// nullptr. [any thread]
    std::shared_ptr<const service::ServicePipeline> pipeline(const std::string& name) const;
    /// The inter-service caller (after initialize).
    std::shared_ptr<const calls::ServiceCaller> caller() const { return caller_; }

private:
    /// Where the plugin file `fileName` is: the first folder of ZT_PLUGIN_DIR that has it.
    std::string pluginPath(const std::string& fileName) const;

    /// One loaded version of a service: what a reload replaces as a whole.
    struct Instance {
        std::shared_ptr<plugin::PluginLibrary> library;
        std::shared_ptr<service::LocalService> service;
        std::shared_ptr<service::ServiceDatabase> database;
        std::shared_ptr<service::ServiceHealth> health;
        std::shared_ptr<const service::ServicePipeline> pipeline;
        std::string fingerprint;  ///< ServiceFingerprint of the files it was made from
    };
    /// The pipeline a port and in-process calls use now: swapped by a reload, read per request.
    using PipelineSlot = std::atomic<std::shared_ptr<const service::ServicePipeline>>;

    /// One service of this host by name, across reloads: its port, counters and metrics stay.
    struct Entry {
        config::ServiceConfig config;
        Instance current;
        std::shared_ptr<PipelineSlot> slot = std::make_shared<PipelineSlot>();
        std::shared_ptr<http::RequestCounters> counters = std::make_shared<http::RequestCounters>();
        std::shared_ptr<http::ServerMetrics> serverMetrics = std::make_shared<http::ServerMetrics>();
        std::unique_ptr<http::HttpServer> server;
        /// "process": "isolated": the worker processes that serve it; the port forwards to them.
        std::shared_ptr<WorkerSupervisor> worker;
        bool failed = false;
        std::string reloadError;  ///< of the last reload of this service ("" when it worked)
        http::HttpServer::Progress lastProgress;
    };
    void fail(Entry& e, const std::string& message);
    /// Makes a ready instance of `cfg` from `library`: database (at start: retried in the
    /// background when it fails; on reload: must succeed), plugin init, filter chain, health.
    /// Throws std::runtime_error naming the file and the reason, leaving nothing running.
    Instance startInstance(const config::ServiceConfig& cfg, std::shared_ptr<plugin::PluginLibrary> library,
                           const std::string& fingerprint, const Entry& entry, bool atStart);
    /// A server for `e`'s port that serves whatever e.slot holds, or forwards to `worker` when
    /// given. Throws http::ListenError.
    std::unique_ptr<http::HttpServer> makeServer(const Entry& e, int port,
                                                 std::shared_ptr<WorkerSupervisor> worker = nullptr);
    /// Starts the workers of an isolated service and its port; false (reason in `error`) when
    /// the port cannot be opened. [reloadMutex_ held or start-up]
    bool startIsolated(Entry& e, const config::ServiceConfig& cfg, const std::string& fingerprint, std::string& error);
    /// One isolated service (or one that becomes isolated) of a reload.
    ReloadResult reloadIsolated(Entry& e, const config::ServiceConfig& cfg, const std::string& fingerprint, bool force);
    /// The environment of `cfg`'s workers: this process's, minus what belongs to the host alone
    /// (its notify socket, admin port, public bind address), plus the worker's service and the
    /// URLs of the host's other services.
    std::vector<std::string> workerEnvironment(const config::ServiceConfig& cfg);
    /// Ports no worker may take: every configured service's and the admin port.
    std::vector<int> reservedPorts() const;
    /// The plugin version an isolated service's worker reported, else its config's version.
    static std::string workerVersion(const Entry& e);
    /// GET /health/services' "worker" object.
    static std::string workerJson(const WorkerSupervisor::State& state);
    /// Waits for the requests in flight on `old` (until `deadline`), then shuts its plugin down;
    /// its library is unloaded when the last reference goes.
    void retire(Instance old, std::chrono::steady_clock::time_point deadline);
    /// One service of a reload (the caller holds reloadMutex_).
    ReloadResult reloadEntry(Entry& e, const config::ServiceConfig& cfg, bool force);
    /// `e` could not be reloaded: records and logs `error`; the instance serving (if any) stays.
    ReloadResult reloadFailed(Entry& e, const std::string& error);
    ReloadResult startNewService(const config::ServiceConfig& cfg);
    ReloadResult stopRemovedService(std::list<Entry>::iterator it);
    /// Creates the inter-service caller and the health monitor once the local services serve.
    void startCallsAndMonitor();
    void startAdmin();
    /// The registry for this host's services with their roles (and operator-set passwords).
    std::shared_ptr<db::DatabaseRegistry> makeDatabaseRegistry();
    /// The config of any service found in the folders, loaded here or not (a copy). [any thread]
    std::optional<config::ServiceConfig> configOf(const std::string& name) const;
    registry::ServiceRecord recordFor(const config::ServiceConfig& cfg) const;

    const config::EnvConfig& env_;
    registry::MicroserviceManager& manager_;
    Poco::Logger& logger_;
    std::vector<config::ServiceConfig> configs_;  ///< allowed by SERVICES: loaded here
    std::vector<std::string> unknownServices_;
    std::vector<config::ServiceConfig> allConfigs_;  ///< every valid config found (auth/health paths of remotes)
    registry::RemoteServices remotes_;
    std::shared_ptr<calls::ServiceCaller> caller_;
    std::unique_ptr<monitor::ServiceHealthMonitor> monitor_;
    /// A list: reloads add and remove entries while references to the others stay valid.
    std::list<Entry> entries_;
    /// Guards entries_ (the list and each entry's server, current and reloadError) and
    /// allConfigs_ against readers on other threads; held briefly, never across a plugin call
    /// or a drain.
    mutable std::mutex entriesMutex_;
    std::mutex reloadMutex_;  ///< one reload or restart at a time
    std::vector<ServiceProblem> problems_;
    std::vector<std::string> warnings_;
    std::shared_ptr<db::DatabaseRegistry> databases_;      ///< created when a service has a database
    std::shared_ptr<tracing::SpanExporter> spanExporter_;  ///< one per process; null without OTLP
    std::unique_ptr<admin::AdminApi> adminApi_;
    std::unique_ptr<http::HttpServer> admin_;
    http::HttpServer::Progress lastAdminProgress_;
    /// The role password every worker of an isolated service gets (ZT_WORKER_DB_PASSWORD).
    std::map<std::string, std::string> workerDbPasswords_;
};

}  // namespace zt::bootstrap
