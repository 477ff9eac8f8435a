#pragma once
// What one service's database adapter needs, resolved from the host's DatabaseSettings (SPEC §2)
// and the service's service.config.json "database" block (SPEC §3, §8).
#include <string>

#include "config/EnvConfig.h"
#include "config/ServiceConfig.h"

namespace zt::db {

struct AdapterConfig {
    std::string serviceName;
    std::string domain;
    std::string schema;              ///< "<domain>_<service>" unless database.schema is set
    std::string isolation = "shared";  ///< "shared" | "isolated"
    std::string database;            ///< DB_DATABASE (shared) or "<DB_DATABASE>_<service>" (isolated)
    bool allowRawQuery = false;      ///< USE_RAW_QRY=true
    bool migrations = false;         ///< database.migrations
    std::string migrationsDirectory; ///< "<service folder>/migrations"

    /// Throws DatabaseError when the isolation is neither shared nor isolated, or when the schema or
    /// the isolated database name is not a valid identifier (^[A-Za-z_][A-Za-z0-9_]{0,62}$).
    static AdapterConfig forService(const config::DatabaseSettings& settings,
                                    const config::ServiceConfig& service, bool useRawQuery);
};

}  // namespace zt::db
