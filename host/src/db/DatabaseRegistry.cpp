#include "db/DatabaseRegistry.h"

#include "db/Connection.h"
#include "db/DatabaseErrors.h"
#include "db/SqlCompiler.h"

namespace zt::db {

DatabaseRegistry::DatabaseRegistry(config::DatabaseSettings settings, bool useRawQuery)
    : settings_(std::move(settings)), useRawQuery_(useRawQuery) {}

std::shared_ptr<ConnectionPool> DatabaseRegistry::poolFor(const std::string& database) {
    std::lock_guard lock(mutex_);
    auto& pool = pools_[database];
    if (!pool) {
        auto options = PoolOptions::fromDatabaseSettings(settings_);
        options.connection = options.connection.withDatabase(database);
        pool = std::make_shared<ConnectionPool>(options);  // opens nothing yet
    }
    return pool;
}

void DatabaseRegistry::ensureDatabase(const std::string& name) {
    const std::string quoted = SqlCompiler::quoteIdentifier(name, "database");
    // A one-off connection to the main database: CREATE DATABASE cannot run in a transaction block,
    // and a pool to DB_DATABASE may not exist when every service is isolated.
    Connection admin(ConnectionSettings::fromDatabaseSettings(settings_));
    if (!admin.execute("SELECT 1 FROM pg_database WHERE datname = $1", {Value::text(name)}).empty()) return;
    try {
        admin.executeScript("CREATE DATABASE " + quoted);
    } catch (const QueryError& e) {
        // 42P04 duplicate_database, or 23505 when another host's CREATE won the race on the catalog.
        if (e.sqlState() != "42P04" && e.sqlState() != "23505") throw;
    }
}

std::shared_ptr<PostgresAdapter> DatabaseRegistry::adapterFor(const config::ServiceConfig& service) {
    {
        std::lock_guard lock(mutex_);
        if (auto it = adapters_.find(service.name); it != adapters_.end()) return it->second;
    }
    auto config = AdapterConfig::forService(settings_, service, useRawQuery_);
    if (config.isolation == "isolated") ensureDatabase(config.database);
    auto adapter = std::make_shared<PostgresAdapter>(poolFor(config.database), config);
    std::lock_guard lock(mutex_);
    return adapters_.emplace(service.name, adapter).first->second;  // first caller wins a race
}

std::shared_ptr<PostgresAdapter> DatabaseRegistry::openService(const config::ServiceConfig& service) {
    auto adapter = adapterFor(service);
    adapter->connect();
    adapter->createServiceSchema();
    if (adapter->config().migrations) adapter->runMigrations();
    return adapter;
}

std::map<std::string, PoolStats> DatabaseRegistry::poolStats() const {
    std::lock_guard lock(mutex_);
    std::map<std::string, PoolStats> out;
    for (const auto& [db, pool] : pools_) out[db] = pool->stats();
    return out;
}

}  // namespace zt::db
