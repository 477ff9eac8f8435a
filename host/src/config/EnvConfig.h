#pragma once
// The host's environment (docs/CONFIGURATION.md: environment), read once at start-up and validated.
// Every bad value throws ConfigError naming the variable; main() turns that into exit status 2.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace zt::config {

/// Event loops per port when ZT_HTTP_EVENT_LOOPS is unset: one per CPU, at most 4 (a loop only
/// moves bytes; the handler threads do the work).
inline int defaultEventLoops() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n > 4 ? 4 : n);
}

/// Where variables come from: the process environment in production, a map in tests.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

/// Reads the real process environment.
EnvLookup processEnvironment();
/// Reads a fixed map (tests).
EnvLookup mapEnvironment(std::map<std::string, std::string> values);

struct DatabaseSettings {
    std::string host = "127.0.0.1";
    int port = 5432;
    std::string database = "zintrust";
    std::string username = "postgres";
    std::string password;
    int poolMax = 20;
    int poolIdleTimeoutMs = 30000;
    int poolConnectionTimeoutMs = 2000;
    std::string defaultIsolation = "shared";  ///< "shared" or "isolated"
};

struct EnvConfig {
    bool microservices = true;
    std::vector<std::string> services;  ///< SERVICES allow-list; empty = every discovered service
    bool tracing = false;
    double tracingRate = 1.0;
    bool useRawQuery = false;
    DatabaseSettings database;

    std::vector<std::string> apiKeys;  ///< SERVICE_API_KEY (comma-separated) + SERVICE_API_KEYS_FILE lines
    std::string jwtSecret;             ///< SERVICE_JWT_SECRET (HS256, >= 32 bytes when set)
    std::string jwtPublicKeyFile;      ///< SERVICE_JWT_PUBLIC_KEY_FILE (RS256/ES256 PEM)
    std::string jwtIssuer;             ///< SERVICE_JWT_ISSUER: default `iss` to require
    std::string jwtAudience;           ///< SERVICE_JWT_AUDIENCE: default `aud` to require

    int serviceCallTimeoutMs = 5000;
    int serviceCallRetries = 2;
    int circuitBreakerThreshold = 5;
    int circuitBreakerTimeoutMs = 30000;
    int healthCheckIntervalMs = 10000;
    int healthCheckTimeoutMs = 2000;

    std::string logLevel = "information";
    std::string logFormat = "text";  ///< "text" or "json"
    bool accessLog = false;          ///< ZT_ACCESS_LOG: one log record per answered request

    int adminPort = 9000;                        ///< ADMIN_PORT; 0 disables the admin server
    std::string adminBindAddress = "127.0.0.1";  ///< ADMIN_BIND_ADDRESS: where the admin port listens
    /// ADMIN_TOKEN: the bearer token /control/* asks for; empty = /control/* refused (docs/OPERATIONS.md)
    std::string adminToken;
    std::string pluginDir;                  ///< ZT_PLUGIN_DIR as given: one folder or a ':'-separated list
    std::string servicesDir;                ///< ZT_SERVICES_DIR as given: one folder or a ':'-separated list
    std::vector<std::string> pluginDirs;    ///< pluginDir's folders, searched in order
    std::vector<std::string> servicesDirs;  ///< servicesDir's folders, scanned in order
    std::string otlpEndpoint;               ///< OTEL_EXPORTER_OTLP_ENDPOINT, empty = no export
    std::string bindAddress = "0.0.0.0";    ///< ZT_BIND_ADDRESS for every listening socket
    int httpMaxThreads = 256;               ///< ZT_HTTP_MAX_THREADS: handler threads per service server
    /// ZT_HTTP_MAX_ACTIVE_HANDLERS: requests of one service whose handlers run at once, the rest
    /// wait at the handler gate (docs/HTTP.md). -1 (unset) = a database-backed service's pool
    /// size (DB_POOL_MAX) and no gate for the others; 0 = no gate.
    int httpMaxActiveHandlers = -1;
    /// ZT_HTTP_EVENT_LOOPS: event-loop threads per service server (default: the CPU count, at most 4)
    int httpEventLoops = defaultEventLoops();
    int httpMaxConnections = 10000;          ///< ZT_HTTP_MAX_CONNECTIONS per port; 0 = no limit
    int httpMaxConnectionsPerIp = 256;       ///< ZT_HTTP_MAX_CONNECTIONS_PER_IP per port; 0 = no limit
    int httpKeepAliveTimeoutMs = 5000;       ///< ZT_HTTP_KEEP_ALIVE_TIMEOUT_MS
    int shutdownDrainTimeoutMs = 10000;      ///< ZT_SHUTDOWN_DRAIN_TIMEOUT_MS
    std::size_t maxBodyBytes = 1024 * 1024;  ///< ZT_MAX_BODY_BYTES
    int httpHeaderTimeoutMs = 10000;         ///< ZT_HTTP_HEADER_TIMEOUT_MS: whole request head must arrive within
    int handlerTimeoutMs = 30000;            ///< ZT_HANDLER_TIMEOUT_MS: 504 after this; 0 = no limit

    /// Set only in a worker process the host starts for an "isolated" service (docs/OPERATIONS.md:
    /// crash containment): ZT_WORKER_SERVICE names the one service it serves, ZT_WORKER_PORT the
    /// loopback port it listens on. Not for operators: the supervisor sets both.
    std::string workerService;
    int workerPort = 0;
    /// ZT_WORKER_DB_PASSWORD: the service role's password the host generated for all its workers.
    std::string workerDbPassword;
    bool workerMode() const { return !workerService.empty(); }

    /// Where the variables were read from (EnvConfig::load's `env`): per-service variables whose
    /// names depend on the services found later (SERVICE_DB_PASSWORD_<NAME>) are read through it.
    EnvLookup source;

    /// SERVICE_DB_PASSWORD_<NAME> for `serviceName` (NAME upper-cased, '-' as '_'): the password of
    /// a database role the operator manages (docs/DATABASE.md). nullopt when unset. Throws
    /// ConfigError naming the variable when the value holds whitespace, a quote or a backslash (the
    /// PostgreSQL connection string cannot carry them) or is shorter than 16 characters.
    std::optional<std::string> serviceDbPassword(const std::string& serviceName) const;

    /// Every variable name the host reads (for --help and docs/CONFIGURATION.md).
    static const std::vector<std::string>& knownVariables();

    /// Reads and validates. `defaultPluginDir`/`defaultServicesDir` apply when the variables are unset.
    static EnvConfig load(const EnvLookup& env, const std::string& defaultPluginDir,
                          const std::string& defaultServicesDir);
};

/// The variable of a per-service setting: `prefix` + the service name upper-cased with '-' as '_'
/// ("SERVICE_URL_", "order-history" -> "SERVICE_URL_ORDER_HISTORY"), as variable names cannot hold '-'.
std::string serviceVariableName(const std::string& prefix, const std::string& serviceName);

/// Splits a ':'-separated folder list (PATH-style). Throws ConfigError naming `variable` for an
/// empty list or an empty entry ("a::b", a trailing ':'), which would otherwise mean "./".
std::vector<std::string> splitFolderList(const std::string& variable, const std::string& text);

/// Loads KEY=VALUE lines (# comments, optional `export `, optional single/double quotes) from
/// `path` into the process environment without overriding variables that are already set.
/// Throws ConfigError naming the file and line for a malformed line or an unreadable file.
void loadEnvFile(const std::string& path);

}  // namespace zt::config
