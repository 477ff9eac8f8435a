#include "service/ServiceDatabase.h"

#include <Poco/Logger.h>

#include "db/ConnectionLease.h"
#include "db/ConnectionPool.h"
#include "db/DatabaseErrors.h"

namespace zt::service {

ServiceDatabase::ServiceDatabase(std::shared_ptr<db::DatabaseRegistry> registry,
                                 config::ServiceConfig config)
    : registry_(std::move(registry)), config_(std::move(config)) {}

std::shared_ptr<db::PostgresAdapter> ServiceDatabase::open() {
    // Called with mutex_ held: one opener at a time, others wait for its outcome.
    lastAttempt_ = std::chrono::steady_clock::now();
    try {
        adapter_ = registry_->openService(config_);
        lastError_.clear();
        Poco::Logger::get("zt.db").information("service %s: database ready (schema %s)", config_.name,
                                               adapter_->schema());
        return adapter_;
    } catch (const db::MigrationError& e) {
        setupFailure_ = std::current_exception();
        lastError_ = e.message();
        throw;
    } catch (const db::ProvisioningError& e) {
        setupFailure_ = std::current_exception();
        lastError_ = e.message();
        throw;
    } catch (const db::DatabaseError& e) {
        lastError_ = e.message();
        throw;
    }
}

void ServiceDatabase::openAtStart() {
    std::lock_guard<std::mutex> lock(mutex_);
    try {
        open();
    } catch (const db::DatabaseUnavailableError& e) {
        Poco::Logger::get("zt.db").warning(
            "service %s: database unavailable at start (%s); it will be opened when reachable",
            config_.name, e.message());
    }
}

std::shared_ptr<db::PostgresAdapter> ServiceDatabase::adapter() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (adapter_) return adapter_;
    if (setupFailure_) std::rethrow_exception(setupFailure_);
    if (std::chrono::steady_clock::now() - lastAttempt_ < std::chrono::seconds(1) && !lastError_.empty()) {
        throw db::DatabaseUnavailableError(lastError_);
    }
    return open();
}

DatabaseCheck ServiceDatabase::check() {
    std::lock_guard<std::mutex> checkLock(checkMutex_);  // concurrent probes share one round trip
    auto started = std::chrono::steady_clock::now();
    if (lastCheckAt_ != std::chrono::steady_clock::time_point{} &&
        started - lastCheckAt_ < std::chrono::milliseconds(kCheckCacheMs)) {
        return lastCheck_;
    }
    DatabaseCheck c;
    try {
        auto a = adapter();
        auto lease = a->pool().acquire();
        lease->executeStateless("SELECT 1");
        c.reachable = true;
    } catch (const Poco::Exception& e) {
        c.message = e.message();
    } catch (const std::exception& e) {
        c.message = e.what();
    }
    c.latencyMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    lastCheck_ = c;
    lastCheckAt_ = std::chrono::steady_clock::now();
    return c;
}

}  // namespace zt::service
