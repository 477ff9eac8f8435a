#pragma once
// Hands out one PostgresAdapter per service and owns the pools behind them (SPEC §8):
//  - shared: every shared-mode service gets an adapter on ONE pool to DB_DATABASE, each confined
//    to its own schema;
//  - isolated: database "<DB_DATABASE>_<service>" is created if missing (from a connection to
//    DB_DATABASE) and gets its own pool.
// Thread-safe. Adapters keep their pool alive (shared_ptr), so they may outlive the registry.
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "config/EnvConfig.h"
#include "config/ServiceConfig.h"
#include "db/PoolStats.h"
#include "db/PostgresAdapter.h"

namespace zt::db {

class DatabaseRegistry {
public:
    DatabaseRegistry(config::DatabaseSettings settings, bool useRawQuery);

    /// The service's adapter (cached by service name). For an isolated service this creates its
    /// database when missing. Does not touch the schema or migrations.
    std::shared_ptr<PostgresAdapter> adapterFor(const config::ServiceConfig& service);
    /// adapterFor + connect() + createServiceSchema() + runMigrations() when database.migrations:
    /// what the host calls once per service at start-up.
    std::shared_ptr<PostgresAdapter> openService(const config::ServiceConfig& service);

    /// CREATE DATABASE "name" unless it exists (safe when two hosts race).
    void ensureDatabase(const std::string& name);
    /// Stats of every pool opened so far, keyed by database name (admin GET /db/pool).
    std::map<std::string, PoolStats> poolStats() const;

    const config::DatabaseSettings& settings() const noexcept { return settings_; }

private:
    std::shared_ptr<ConnectionPool> poolFor(const std::string& database);

    const config::DatabaseSettings settings_;
    const bool useRawQuery_;
    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<ConnectionPool>> pools_;       ///< by database
    std::map<std::string, std::shared_ptr<PostgresAdapter>> adapters_;   ///< by service name
};

}  // namespace zt::db
