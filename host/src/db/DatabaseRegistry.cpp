#include "db/DatabaseRegistry.h"

#include "db/RolePassword.h"
#include "deadline/RequestDeadline.h"

namespace zt::db {

DatabaseRegistry::DatabaseRegistry(config::DatabaseSettings settings, bool useRawQuery, ServiceRoles roles)
    : settings_(std::move(settings)),
      useRawQuery_(useRawQuery),
      roles_(std::move(roles)),
      provisioner_(ConnectionSettings::fromDatabaseSettings(settings_), roles_.all) {}

AdapterConfig DatabaseRegistry::configFor(const config::ServiceConfig& service) {
    auto config = AdapterConfig::forService(settings_, service, useRawQuery_);
    if (auto it = roles_.operatorPasswords.find(service.name); it != roles_.operatorPasswords.end()) {
        config.rolePassword = it->second;
        config.operatorManagedPassword = true;
    } else {
        // One password per service for the life of the process: every reconnect of its pool and
        // every re-provisioning (a later start attempt) use the same one.
        std::lock_guard lock(mutex_);
        auto& password = generatedPasswords_[service.name];
        if (password.empty()) {
            auto preset = roles_.presetPasswords.find(service.name);
            password = preset != roles_.presetPasswords.end() ? preset->second : generateRolePassword();
        }
        config.rolePassword = password;
    }
    return config;
}

std::shared_ptr<PostgresAdapter> DatabaseRegistry::adapterFor(const config::ServiceConfig& service) {
    {
        std::lock_guard lock(mutex_);
        if (auto it = adapters_.find(service.name); it != adapters_.end()) return it->second;
    }
    auto config = configFor(service);
    auto options = PoolOptions::fromDatabaseSettings(settings_);
    options.connection = options.connection.withDatabase(config.database);
    options.connection.user = config.role;
    options.connection.password = config.rolePassword;
    auto adapter = std::make_shared<PostgresAdapter>(std::make_shared<ConnectionPool>(options), config);
    std::lock_guard lock(mutex_);
    return adapters_.emplace(service.name, adapter).first->second;  // first caller wins a race
}

std::shared_ptr<PostgresAdapter> DatabaseRegistry::openService(const config::ServiceConfig& service) {
    auto adapter = adapterFor(service);
    {
        // Bounded on the client side too: statement_timeout cannot help against a hung server.
        // Migrations are not: a long one is legitimate.
        deadline::Override bound(deadline::Clock::now() + kSetupBound);
        provisioner_.provision(adapter->config());
        adapter->connect();
    }
    if (adapter->config().migrations) adapter->runMigrations();
    return adapter;
}

std::map<std::string, PoolInfo> DatabaseRegistry::pools() const {
    std::lock_guard lock(mutex_);
    std::map<std::string, PoolInfo> out;
    for (const auto& [name, adapter] : adapters_) {
        out[name] = PoolInfo{adapter->config().database, adapter->config().role, adapter->getPoolStats()};
    }
    return out;
}

}  // namespace zt::db
