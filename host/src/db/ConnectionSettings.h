#pragma once
// Where one pool connects. Built from the host's DatabaseSettings (docs/CONFIGURATION.md: environment) with an optional database
// override (isolated services get "<DB_DATABASE>_<service>").
#include <string>

#include "config/EnvConfig.h"

namespace zt::db {

struct ConnectionSettings {
    std::string host = "127.0.0.1";
    int port = 5432;
    std::string database = "zintrust";
    std::string user = "postgres";
    std::string password;
    int connectTimeoutSeconds = 5;

    /// host/port/user/password from `settings`; connect timeout = DB_POOL_CONNECTION_TIMEOUT_MS
    /// rounded up to seconds (min 2: libpq treats 1 as 2), so an unreachable server fails a checkout
    /// in about the same time a pool wait would.
    static ConnectionSettings fromDatabaseSettings(const config::DatabaseSettings& settings);
    ConnectionSettings withDatabase(std::string name) const;

    /// `host=h port=p dbname=d user=u password=p connect_timeout=N` (no password= when empty).
    /// POCO-NOTES: Poco's PostgreSQL connector wants exactly this shape: single spaces, no quotes,
    /// no URI. Contains the password: never log it; use endpoint() in messages.
    std::string connectionString() const;
    /// "host:port/database" for messages.
    std::string endpoint() const;
};

}  // namespace zt::db
