#pragma once
// One service.config.json (docs/CONFIGURATION.md: service.config.json), parsed and validated.
#include <Poco/JSON/Object.h>

#include <optional>
#include <string>
#include <vector>

namespace zt::config {

struct ServiceDatabaseConfig {
    bool enabled = false;   ///< the config has a "database" section: the host opens a database
    std::string isolation;  ///< "shared" | "isolated"; empty = DATABASE_ISOLATION default
    bool migrations = false;
    std::string schema;  ///< empty = "<domain>_<service>"
    std::string role;    ///< the service's own PostgreSQL login role; empty = "<domain>_<service>"
};

struct ServiceAuthConfig {
    std::string strategy = "none";        ///< "api-key" | "jwt" | "custom" | "none"
    std::vector<std::string> algorithms;  ///< jwt allow-list; empty = every supported one with a key configured
    std::string issuer;                   ///< jwt: required `iss` (overrides SERVICE_JWT_ISSUER)
    std::string audience;                 ///< jwt: required `aud` (overrides SERVICE_JWT_AUDIENCE)
};

struct ServiceTracingConfig {
    std::optional<bool> enabled;         ///< unset = MICROSERVICES_TRACING
    std::optional<double> samplingRate;  ///< unset = MICROSERVICES_TRACING_RATE
};

struct ServiceConfig {
    std::string name;
    std::string domain;
    std::string version = "1.0.0";
    int port = 0;
    std::string plugin;  ///< file name inside ZT_PLUGIN_DIR; default "libzt_<name>.so"
    std::string description;
    std::vector<std::string> dependencies;
    std::string healthCheck = "/health";
    /// "shared" (in the host process) or "isolated" (a supervised worker process of its own, so a
    /// crash of its plugin takes only this service down; docs/OPERATIONS.md: crash containment)
    std::string process = "shared";
    ServiceDatabaseConfig database;
    ServiceAuthConfig auth;
    ServiceTracingConfig tracing;

    std::string configFile;             ///< absolute path of the service.config.json
    std::string directory;              ///< its folder (migrations/ lives here)
    Poco::JSON::Object::Ptr raw;        ///< the whole document, for zt_host_api.config_get
    std::vector<std::string> warnings;  ///< unknown keys etc., logged by discovery

    /// "<domain>_<name>" ('-' as '_') unless database.schema is set.
    std::string schemaName() const;
    /// "<domain>_<name>" ('-' as '_') unless database.role is set (docs/DATABASE.md: roles).
    std::string roleName() const;

    /// Parses and validates JSON text. Throws ConfigError("<file>: <key>: <problem>").
    static ServiceConfig parse(const std::string& jsonText, const std::string& configFile);
    /// Reads and parses a file.
    static ServiceConfig load(const std::string& configFile);
};

}  // namespace zt::config
