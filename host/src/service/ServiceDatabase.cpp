#include "service/ServiceDatabase.h"

#include <Poco/Logger.h>

#include <algorithm>

#include "db/ConnectionLease.h"
#include "db/ConnectionPool.h"
#include "db/DatabaseErrors.h"

namespace zt::service {

ServiceDatabase::ServiceDatabase(std::shared_ptr<db::DatabaseRegistry> registry, config::ServiceConfig config,
                                 SetupBackoff backoff)
    : registry_(std::move(registry)), config_(std::move(config)), backoff_(backoff) {}

ServiceDatabase::~ServiceDatabase() {
    {
        std::lock_guard lock(signal_->mutex);
        signal_->stopping = true;
    }
    signal_->wake.notify_all();
    // The thread holds the object only during an attempt, and none is running (it would hold a
    // shared_ptr, and this destructor would not run): it is waiting on the signal, or about to
    // find its weak_ptr expired. Joining is quick, never a wait for a hung server.
    if (retry_.joinable()) {
        if (retry_.get_id() == std::this_thread::get_id()) retry_.detach();  // its own last reference
        else retry_.join();
    }
}

bool ServiceDatabase::attempt(int number) {
    std::lock_guard attemptLock(attemptMutex_);
    {
        std::lock_guard lock(mutex_);
        if (adapter_) return true;
        lastAttempt_ = std::chrono::steady_clock::now();
    }
    auto& log = Poco::Logger::get("zt.db");
    try {
        auto adapter = registry_->openService(config_);
        {
            std::lock_guard lock(mutex_);
            adapter_ = adapter;
            lastFailure_ = nullptr;
            lastError_.clear();
        }
        if (number == 0) log.information("service %s: database ready (schema %s)", config_.name, adapter->schema());
        else
            log.information("service %s: database ready (schema %s) after %d retries", config_.name, adapter->schema(),
                            number);
        return true;
    } catch (const db::DatabaseError& e) {
        std::lock_guard lock(mutex_);
        lastFailure_ = std::current_exception();
        lastError_ = e.message();
        if (number == 0)
            log.warning("service %s: database not ready at start, retrying in the background: %s", config_.name,
                        e.message());
        else if (log.warning() && (number & (number - 1)) == 0)  // attempts 1, 2, 4, 8, ...: the log stays readable
            log.warning("service %s: database still not ready (attempt %d): %s", config_.name, number + 1, e.message());
    } catch (const std::exception& e) {
        std::lock_guard lock(mutex_);
        lastFailure_ = std::make_exception_ptr(db::DatabaseError(e.what()));
        lastError_ = e.what();
        log.warning("service %s: database set-up failed: %s", config_.name, std::string(e.what()));
    }
    return false;
}

bool ServiceDatabase::openAtStart() {
    if (attempt(0)) return true;
    startRetrying();
    return false;
}

void ServiceDatabase::startRetrying() {
    std::lock_guard lock(mutex_);
    if (retry_.joinable()) return;
    retry_ = std::thread(&ServiceDatabase::retryLoop, weak_from_this(), signal_, backoff_);
}

void ServiceDatabase::retryLoop(std::weak_ptr<ServiceDatabase> weak, std::shared_ptr<RetrySignal> signal,
                                SetupBackoff backoff) {
    auto delay = backoff.first;
    for (int number = 1;; ++number) {
        {
            std::unique_lock lock(signal->mutex);
            signal->wake.wait_for(lock, delay, [&] { return signal->stopping || signal->kicked; });
            if (signal->stopping) return;
            signal->kicked = false;
        }
        auto self = weak.lock();
        if (!self || self->attempt(number)) return;
        delay = std::min(backoff.max, delay * 2);
    }
}

std::shared_ptr<db::PostgresAdapter> ServiceDatabase::adapter() {
    std::unique_lock lock(mutex_);
    if (adapter_) return adapter_;
    if (std::chrono::steady_clock::now() - lastAttempt_ >= std::chrono::seconds(1)) {
        {
            std::lock_guard signalLock(signal_->mutex);
            signal_->kicked = true;
        }
        signal_->wake.notify_all();
    }
    if (lastFailure_) std::rethrow_exception(lastFailure_);
    throw db::DatabaseUnavailableError("service " + config_.name + ": the database is not set up yet");
}

bool ServiceDatabase::ready() const {
    std::lock_guard lock(mutex_);
    return adapter_ != nullptr;
}

std::string ServiceDatabase::lastError() const {
    std::lock_guard lock(mutex_);
    return lastError_;
}

DatabaseCheck ServiceDatabase::check() {
    auto started = std::chrono::steady_clock::now();
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
    return c;
}

}  // namespace zt::service
