#pragma once
// Start-up in three steps, like ZinTrust's MicroserviceBootstrap:
//   discoverServices()  read service.config.json files, apply the SERVICES allow-list
//   registerServices()  dlopen each plugin and check its descriptor; register in the manager
//   initialize()        init each plugin, build its filter chain, open its port, start serving
// A failure in any step fails that one service (logged with file and reason); the others go on.
#include <Poco/Logger.h>

#include <memory>
#include <string>
#include <vector>

#include "admin/AdminApi.h"
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

    const std::vector<ServiceProblem>& problems() const { return problems_; }
    const std::vector<std::string>& warnings() const { return warnings_; }
    const std::vector<config::ServiceConfig>& discovered() const { return configs_; }
    /// Names in SERVICES that discovery did not find (or whose config is invalid).
    const std::vector<std::string>& unknownServices() const { return unknownServices_; }
    /// Services that are serving (after initialize).
    std::vector<std::string> running() const;
    /// Port actually bound by the admin server (0 when disabled).
    int adminPort() const { return admin_ ? admin_->port() : 0; }
    /// The pipeline of a service loaded in this process (for in-process calls), or nullptr.
    std::shared_ptr<const service::ServicePipeline> pipeline(const std::string& name) const;
    /// The inter-service caller (after initialize).
    std::shared_ptr<const calls::ServiceCaller> caller() const { return caller_; }

private:
    /// Where the plugin file `fileName` is: the first folder of ZT_PLUGIN_DIR that has it.
    std::string pluginPath(const std::string& fileName) const;

    struct Entry {
        config::ServiceConfig config;
        std::shared_ptr<plugin::PluginLibrary> library;
        std::shared_ptr<service::LocalService> service;
        std::shared_ptr<service::ServiceDatabase> database;
        std::shared_ptr<service::ServiceHealth> health;
        std::shared_ptr<service::ServicePipeline> pipeline;
        std::shared_ptr<http::ServerMetrics> serverMetrics;  ///< shared by its server and /metrics
        std::unique_ptr<http::HttpServer> server;
        bool failed = false;
    };
    void fail(Entry& e, const std::string& message);
    /// Creates the inter-service caller and the health monitor once the local services serve.
    void startCallsAndMonitor();
    /// The registry for this host's services with their roles (and operator-set passwords).
    std::shared_ptr<db::DatabaseRegistry> makeDatabaseRegistry();

    const config::EnvConfig& env_;
    registry::MicroserviceManager& manager_;
    Poco::Logger& logger_;
    std::vector<config::ServiceConfig> configs_;  ///< allowed by SERVICES: loaded here
    std::vector<std::string> unknownServices_;
    std::vector<config::ServiceConfig> allConfigs_;  ///< every valid config found (auth/health paths of remotes)
    registry::RemoteServices remotes_;
    std::shared_ptr<calls::ServiceCaller> caller_;
    std::unique_ptr<monitor::ServiceHealthMonitor> monitor_;
    std::vector<Entry> entries_;
    std::vector<ServiceProblem> problems_;
    std::vector<std::string> warnings_;
    std::shared_ptr<db::DatabaseRegistry> databases_;      ///< created when a service has a database
    std::shared_ptr<tracing::SpanExporter> spanExporter_;  ///< one per process; null without OTLP
    std::unique_ptr<admin::AdminApi> adminApi_;
    std::unique_ptr<http::HttpServer> admin_;
};

}  // namespace zt::bootstrap
