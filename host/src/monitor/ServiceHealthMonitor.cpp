#include "monitor/ServiceHealthMonitor.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>

#include <algorithm>
#include <set>
#include <system_error>
#include <vector>

#include "tracing/TraceParent.h"

namespace zt::monitor {

namespace {

using registry::ServiceStatus;

calls::HttpServiceClient::Options monitorClientOptions() {
    // A fresh connection per check: the interval (seconds) is longer than any keep-alive worth
    // keeping, and a check should see whether the service still accepts connections.
    calls::HttpServiceClient::Options o;
    o.maxIdlePerTarget = 0;
    o.maxResponseBytes = 1024 * 1024;
    return o;
}

bool polled(ServiceStatus s) { return s != ServiceStatus::Failed && s != ServiceStatus::Stopped; }

}  // namespace

ServiceHealthMonitor::Settings ServiceHealthMonitor::Settings::fromEnv(const config::EnvConfig& env) {
    Settings s;
    s.interval = std::chrono::milliseconds(env.healthCheckIntervalMs);
    s.timeout = std::chrono::milliseconds(env.healthCheckTimeoutMs);
    return s;
}

ServiceHealthMonitor::ServiceHealthMonitor(registry::MicroserviceManager& registry, Settings settings,
                                           HealthPathResolver healthPath)
    : registry_(registry), settings_(settings), healthPath_(std::move(healthPath)), client_(monitorClientOptions()) {
    settings_.unhealthyThreshold = std::max(1, settings_.unhealthyThreshold);
    settings_.healthyThreshold = std::max(1, settings_.healthyThreshold);
    settings_.interval = std::max(std::chrono::milliseconds(1), settings_.interval);
    settings_.timeout = std::max(std::chrono::milliseconds(1), settings_.timeout);
}

ServiceHealthMonitor::~ServiceHealthMonitor() { stop(); }

void ServiceHealthMonitor::start() {
    std::lock_guard<std::mutex> lock(stateMutex_);
    if (thread_.joinable()) return;
    stopRequested_ = false;
    thread_ = std::thread([this] { run(); });
}

void ServiceHealthMonitor::stop() {
    {
        std::lock_guard<std::mutex> lock(stateMutex_);
        stopRequested_ = true;
    }
    wake_.notify_all();
    std::thread worker;
    {
        std::lock_guard<std::mutex> lock(stateMutex_);
        worker = std::move(thread_);
    }
    if (worker.joinable()) worker.join();
}

bool ServiceHealthMonitor::running() const {
    std::lock_guard<std::mutex> lock(stateMutex_);
    return thread_.joinable() && !stopRequested_;
}

void ServiceHealthMonitor::run() {
    std::unique_lock<std::mutex> lock(stateMutex_);
    while (!stopRequested_) {
        if (wake_.wait_for(lock, settings_.interval, [this] { return stopRequested_; })) break;
        lock.unlock();
        try {
            settle();
        } catch (const std::exception& e) {
            // A monitor that dies silently would freeze every status: log and go on.
            Poco::Logger::get("zt.health").error("health round failed: %s", std::string(e.what()));
        }
        lock.lock();
    }
}

ServiceHealthMonitor::CheckResult ServiceHealthMonitor::probe(const std::string& baseUrl,
                                                              const std::string& path) const {
    CheckResult r;
    // The probe is the root of a trace of its own that it does not sample: a round every
    // SERVICE_HEALTH_CHECK_INTERVAL_MS would otherwise fill the span log and the OTLP backend
    // with health checks (docs/MONITORING.md).
    const std::string unsampled = "00-" + tracing::newTraceId() + "-" + tracing::newSpanId() + "-00";
    const auto answer = client_.send(
        baseUrl, "GET", path,
        {{"accept", "application/json"}, {"traceparent", unsampled}, {"user-agent", "zintrust-health-monitor"}}, "",
        settings_.timeout);
    switch (answer.transport) {
    case calls::Transport::Timeout:
        r.reason = "no answer within " + std::to_string(settings_.timeout.count()) + " ms";
        return r;
    case calls::Transport::ConnectionError:
        r.reason = "unreachable: " + answer.error;
        return r;
    case calls::Transport::Response:
        break;
    }
    if (answer.status < 200 || answer.status > 299) {
        r.reason = "health check answered HTTP " + std::to_string(answer.status);
        return r;
    }
    std::string status;
    try {
        Poco::JSON::Parser parser;
        auto doc = parser.parse(answer.body);
        if (doc.type() == typeid(Poco::JSON::Object::Ptr)) {
            auto object = doc.extract<Poco::JSON::Object::Ptr>();
            if (object->has("status") && object->get("status").isString()) {
                status = object->getValue<std::string>("status");
            }
        }
    } catch (const Poco::Exception&) {
        r.reason = "health check body is not JSON";
        return r;
    }
    if (status == "healthy") {
        r.status = ServiceStatus::Healthy;
    } else if (status == "degraded") {
        r.status = ServiceStatus::Degraded;
        r.reason = "service reports degraded";
    } else {
        r.reason = status.empty() ? "health check body has no \"status\"" : "health check reported '" + status + "'";
    }
    return r;
}

bool ServiceHealthMonitor::apply(const registry::ServiceRecord& before, const CheckResult& result) {
    // Re-read: bootstrap may have marked the service Failed or Stopped while we were checking.
    auto current = registry_.find(before.name);
    if (!current || !polled(current->status)) return false;

    Counters& c = counters_[before.name];
    const bool good = result.status != ServiceStatus::Unhealthy;
    if (current->status == ServiceStatus::Starting) c = Counters{};
    if (good) {
        ++c.consecutiveGood;
        c.consecutiveBad = 0;
    } else {
        ++c.consecutiveBad;
        c.consecutiveGood = 0;
    }

    ServiceStatus next = current->status;
    std::string reason = current->error;
    const bool wasGood = current->status == ServiceStatus::Healthy || current->status == ServiceStatus::Degraded;
    if (current->status == ServiceStatus::Starting) {
        next = result.status;
        reason = result.reason;
    } else if (good) {
        // Healthy <-> Degraded follows at once (both are "up"); Unhealthy needs enough good results.
        if (wasGood || c.consecutiveGood >= settings_.healthyThreshold) {
            next = result.status;
            reason = result.reason;
        }
    } else if (!wasGood) {
        reason = result.reason;  // still unhealthy: keep the latest reason
    } else if (c.consecutiveBad >= settings_.unhealthyThreshold) {
        next = ServiceStatus::Unhealthy;
        reason = result.reason;
    }
    if (next != current->status) {
        Poco::Logger::get("zt.health")
            .information("service %s: %s -> %s%s", before.name, std::string(registry::toString(current->status)),
                         std::string(registry::toString(next)), reason.empty() ? std::string() : " (" + reason + ")");
    }
    registry_.setStatus(before.name, next, reason);
    return next != current->status || reason != current->error;
}

std::map<std::string, ServiceHealthMonitor::CheckResult> ServiceHealthMonitor::checkNow() {
    bool changed = false;
    return round(changed, nullptr);
}

int ServiceHealthMonitor::settle() {
    // Only a degraded answer can follow another service's status (a dependency degrades, never
    // fails, its dependents), so after a round that changed something, the services that answered
    // degraded are checked again at once; nothing else is (an unhealthy-only change would only
    // wait out the same timeouts again).
    const auto limit = static_cast<int>(registry_.list().size()) + 1;
    bool changed = false;
    auto results = round(changed, nullptr);
    int rounds = 1;
    while (changed && rounds < limit && !stopping()) {
        std::set<std::string> degraded;
        for (const auto& [name, result] : results) {
            if (result.status == ServiceStatus::Degraded) degraded.insert(name);
        }
        if (degraded.empty()) break;
        changed = false;
        results = round(changed, &degraded);
        ++rounds;
    }
    return rounds;
}

bool ServiceHealthMonitor::stopping() const {
    std::lock_guard<std::mutex> lock(stateMutex_);
    return stopRequested_;
}

std::map<std::string, ServiceHealthMonitor::CheckResult> ServiceHealthMonitor::round(
    bool& changed, const std::set<std::string>* only) {
    std::lock_guard<std::mutex> roundLock(roundMutex_);
    std::vector<registry::ServiceRecord> targets;
    std::set<std::string> registered;
    for (auto& record : registry_.list()) {
        registered.insert(record.name);
        if (polled(record.status) && (!only || only->count(record.name))) targets.push_back(std::move(record));
    }
    // Forget services that left the registry.
    std::erase_if(counters_, [&](const auto& entry) { return !registered.count(entry.first); });

    std::vector<CheckResult> results(targets.size());
    std::vector<std::thread> workers;
    workers.reserve(targets.size());
    for (std::size_t i = 0; i < targets.size(); ++i) {
        std::string path = healthPath_ ? healthPath_(targets[i].name) : std::string();
        if (path.empty()) path = "/health";
        auto check = [this, &results, &targets, i, path] {
            if (targets[i].baseUrl.empty()) {
                results[i].reason = "no base URL to check";
                return;
            }
            results[i] = probe(targets[i].baseUrl, path);
        };
        try {
            workers.emplace_back(check);
        } catch (const std::system_error&) {
            check();  // out of threads: this one runs inline rather than not at all
        }
    }
    for (auto& w : workers) w.join();

    std::map<std::string, CheckResult> out;
    for (std::size_t i = 0; i < targets.size(); ++i) {
        // A re-check confirms a recovery; a bad result in it is not counted, so the hysteresis
        // still needs unhealthyThreshold regular rounds.
        const bool counted = !only || results[i].status != ServiceStatus::Unhealthy;
        if (counted && apply(targets[i], results[i])) changed = true;
        out.emplace(targets[i].name, results[i]);
    }
    return out;
}

}  // namespace zt::monitor
