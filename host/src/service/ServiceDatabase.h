#pragma once
// A service's database as the host runs it (docs/DATABASE.md, docs/HEALTH.md): provisioned,
// connected and migrated at start-up, and when that fails or times out (server down or hung, a
// privilege missing, a migration failing), retried in the background with capped exponential
// backoff until it succeeds: start-up never gives up, and the service becomes ready without a
// restart. Until then its database calls fail fast with the last setup error (503) and its health
// is unhealthy. Thread-safe. Made with std::make_shared (the retry thread holds a weak_ptr).
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "config/ServiceConfig.h"
#include "db/DatabaseRegistry.h"
#include "db/PostgresAdapter.h"

namespace zt::service {

struct DatabaseCheck {
    bool reachable = false;
    double latencyMs = 0;
    std::string message;
};

/// Delays between set-up attempts: first, then doubling up to max.
struct SetupBackoff {
    std::chrono::milliseconds first{250};
    std::chrono::milliseconds max{5000};
};

class ServiceDatabase : public std::enable_shared_from_this<ServiceDatabase> {
public:
    ServiceDatabase(std::shared_ptr<db::DatabaseRegistry> registry, config::ServiceConfig config,
                    SetupBackoff backoff = {});
    /// Stops the retry thread (it holds the object only during an attempt, so this never waits
    /// for a hung server).
    ~ServiceDatabase();
    ServiceDatabase(const ServiceDatabase&) = delete;
    ServiceDatabase& operator=(const ServiceDatabase&) = delete;

    /// One attempt now; when it fails, logs why and starts retrying in the background. Returns
    /// whether the database is ready. Never throws.
    bool openAtStart();
    /// The opened adapter. Before set-up succeeded: throws the last set-up failure
    /// (db::DatabaseUnavailableError, db::ProvisioningError, db::MigrationError, ...) at once, and
    /// asks the retry thread for an early attempt (at most one a second), so a database that came
    /// back is opened at the next request rather than at the next backoff step.
    std::shared_ptr<db::PostgresAdapter> adapter();
    bool ready() const;
    /// The last set-up failure's message ("" when ready or not tried yet).
    std::string lastError() const;
    /// SELECT 1 on a pooled connection, with its latency. Blocks as long as the database does:
    /// the health layer bounds it, runs one at a time and reuses the outcome for a second
    /// (service::ServiceHealth, docs/HEALTH.md).
    DatabaseCheck check();

    const config::ServiceConfig& config() const { return config_; }

private:
    /// One provisioning + connect + migrations attempt; records the outcome.
    bool attempt(int number);
    void startRetrying();
    /// What the retry thread waits on, shared so that it never holds the ServiceDatabase while
    /// waiting.
    struct RetrySignal {
        std::mutex mutex;
        std::condition_variable wake;
        bool stopping = false;
        bool kicked = false;  ///< an early attempt was asked for
    };
    static void retryLoop(std::weak_ptr<ServiceDatabase> self, std::shared_ptr<RetrySignal> signal,
                          SetupBackoff backoff);

    std::shared_ptr<db::DatabaseRegistry> registry_;
    config::ServiceConfig config_;
    const SetupBackoff backoff_;

    const std::shared_ptr<RetrySignal> signal_ = std::make_shared<RetrySignal>();
    mutable std::mutex mutex_;
    std::shared_ptr<db::PostgresAdapter> adapter_;
    std::exception_ptr lastFailure_;
    std::string lastError_;
    std::chrono::steady_clock::time_point lastAttempt_{};
    std::mutex attemptMutex_;  ///< one attempt at a time
    std::thread retry_;
};

}  // namespace zt::service
