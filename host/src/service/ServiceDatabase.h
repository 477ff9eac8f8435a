#pragma once
// A service's database as the host runs it: opened at start-up (connect, schema, migrations),
// or later when PostgreSQL was down at start (SPEC: the host starts anyway, health says unhealthy,
// and the service becomes healthy once the database is reachable). Thread-safe.
#include <chrono>
#include <exception>
#include <memory>
#include <mutex>
#include <string>

#include "config/ServiceConfig.h"
#include "db/DatabaseRegistry.h"
#include "db/PostgresAdapter.h"

namespace zt::service {

struct DatabaseCheck {
    bool reachable = false;
    double latencyMs = 0;
    std::string message;
};

class ServiceDatabase {
public:
    ServiceDatabase(std::shared_ptr<db::DatabaseRegistry> registry, config::ServiceConfig config);

    /// Start-up attempt. A MigrationError or ProvisioningError (the provisioning role lacks a
    /// privilege) propagates: the service must not start.
    /// An unreachable database is logged and retried later by adapter().
    void openAtStart();
    /// The opened adapter; opens it now if needed (at most one attempt per second while the
    /// database is unreachable, so a dead server is not hammered by every request).
    /// Throws db::DatabaseUnavailableError / db::MigrationError / db::ProvisioningError.
    std::shared_ptr<db::PostgresAdapter> adapter();
    /// SELECT 1 on a pooled connection, with its latency. The outcome is reused for up to
    /// kCheckCacheMs so that frequent /health probes do not each cost a database round trip.
    DatabaseCheck check();
    static constexpr int kCheckCacheMs = 1000;

    const config::ServiceConfig& config() const { return config_; }

private:
    std::shared_ptr<db::PostgresAdapter> open();

    std::shared_ptr<db::DatabaseRegistry> registry_;
    config::ServiceConfig config_;
    std::mutex mutex_;
    std::shared_ptr<db::PostgresAdapter> adapter_;
    std::chrono::steady_clock::time_point lastAttempt_{};
    std::string lastError_;
    /// A MigrationError or ProvisioningError: needs the operator, so it is not retried.
    std::exception_ptr setupFailure_;
    std::mutex checkMutex_;
    DatabaseCheck lastCheck_;
    std::chrono::steady_clock::time_point lastCheckAt_{};
};

}  // namespace zt::service
