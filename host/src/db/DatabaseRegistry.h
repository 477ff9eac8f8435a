#pragma once
// Hands out one PostgresAdapter per service and owns the pools behind them (docs/DATABASE.md):
//  - every service has its own login role (AdapterConfig::role) and its own pool connecting as it;
//  - shared: the pool connects to DB_DATABASE and the adapter is confined to the service's schema;
//  - isolated: database "<DB_DATABASE>_<service>", owned by the service's role.
// openService provisions the role, database and schema first (RoleProvisioner) with the
// provisioning credentials (DATABASE_URL / DB_*), which the pools themselves never use.
// Thread-safe. Adapters keep their pool alive (shared_ptr), so they may outlive the registry.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/EnvConfig.h"
#include "config/ServiceConfig.h"
#include "db/PoolStats.h"
#include "db/PostgresAdapter.h"
#include "db/RoleProvisioner.h"

namespace zt::db {

/// The roles of the services a host knows and the passwords the operator set for some of them.
struct ServiceRoles {
    /// The database role of every service of the services folder that has a database, loaded
    /// here or not: each is kept out of the others' schemas.
    std::vector<std::string> all;
    /// SERVICE_DB_PASSWORD_<NAME>, by service name: the operator manages these roles' passwords.
    std::map<std::string, std::string> operatorPasswords;
    /// By service name: a password to set as if generated here (the role's password is set to
    /// it). A host hands the one it generated to every worker of an isolated service, so a new
    /// worker does not lock the old one's pool out while it drains.
    std::map<std::string, std::string> presetPasswords;
};

/// One pool as admin GET /db/pool shows it.
struct PoolInfo {
    std::string database;
    std::string role;
    PoolStats stats;
};

class DatabaseRegistry {
public:
    DatabaseRegistry(config::DatabaseSettings settings, bool useRawQuery, ServiceRoles roles = {});

    /// The service's adapter (cached by service name) on its own pool, which opens nothing yet.
    /// Does not provision: openService does.
    std::shared_ptr<PostgresAdapter> adapterFor(const config::ServiceConfig& service);
    /// provision (role, database, schema) + adapterFor + connect() as the service's role +
    /// runMigrations() when database.migrations: what the host calls once per service at start-up.
    std::shared_ptr<PostgresAdapter> openService(const config::ServiceConfig& service);

    /// Every pool opened so far, keyed by service name (admin GET /db/pool).
    std::map<std::string, PoolInfo> pools() const;

    const config::DatabaseSettings& settings() const noexcept { return settings_; }
    /// The longest provisioning and the first connection may take (then they fail and are retried).
    static constexpr std::chrono::seconds kSetupBound{60};

private:
    AdapterConfig configFor(const config::ServiceConfig& service);

    const config::DatabaseSettings settings_;
    const bool useRawQuery_;
    const ServiceRoles roles_;
    const RoleProvisioner provisioner_;
    mutable std::mutex mutex_;
    std::map<std::string, std::string> generatedPasswords_;             ///< by service name
    std::map<std::string, std::shared_ptr<PostgresAdapter>> adapters_;  ///< by service name
};

}  // namespace zt::db
