#pragma once
// node-postgres pool options (docs/CONFIGURATION.md: environment; DB_POOL_*).
#include "db/ConnectionSettings.h"

namespace zt::db {

struct PoolOptions {
    ConnectionSettings connection;
    int max = 20;                    ///< DB_POOL_MAX
    int idleTimeoutMs = 30000;       ///< DB_POOL_IDLE_TIMEOUT_MS; 0 = never close idle connections
    int connectionTimeoutMs = 2000;  ///< DB_POOL_CONNECTION_TIMEOUT_MS; 0 = wait forever (node-pg)

    static PoolOptions fromDatabaseSettings(const config::DatabaseSettings& settings) {
        PoolOptions o;
        o.connection = ConnectionSettings::fromDatabaseSettings(settings);
        o.max = settings.poolMax;
        o.idleTimeoutMs = settings.poolIdleTimeoutMs;
        o.connectionTimeoutMs = settings.poolConnectionTimeoutMs;
        return o;
    }
};

}  // namespace zt::db
