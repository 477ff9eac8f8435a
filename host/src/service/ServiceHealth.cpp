#include "service/ServiceHealth.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include <cstdio>

#include "deadline/RequestDeadline.h"
#include "json/JsonEscape.h"

namespace zt::service {

using json::jsonEscape;

const char* toString(HealthState s) {
    switch (s) {
    case HealthState::Healthy:
        return "healthy";
    case HealthState::Degraded:
        return "degraded";
    case HealthState::Unhealthy:
        return "unhealthy";
    }
    return "unhealthy";
}

namespace {
std::string renderCheck(const CheckOutcome& c) {
    std::string out = "{\"status\":\"";
    out += toString(c.state);
    out += '"';
    if (!c.message.empty()) out += ",\"message\":\"" + jsonEscape(c.message) + "\"";
    if (c.latencyMs) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.3f", *c.latencyMs);
        out += ",\"latencyMs\":";
        out += buf;
    }
    out += '}';
    return out;
}
std::string nowIso() {
    return Poco::DateTimeFormatter::format(Poco::Timestamp(), Poco::DateTimeFormat::ISO8601_FRAC_FORMAT);
}
HealthState worse(HealthState a, HealthState b) { return a > b ? a : b; }
}  // namespace

ServiceHealth::ServiceHealth(std::shared_ptr<const service::LocalService> service,
                             const registry::MicroserviceManager& registry, std::chrono::milliseconds checkTimeout)
    : serviceRef_(std::move(service)), service_(*serviceRef_), registry_(registry), checkTimeout_(checkTimeout) {
    pluginChecks_ = std::make_unique<BoundedCall<std::vector<service::PluginCheckResult>>>(
        [service = serviceRef_] { return service->runHealthChecks(); },
        [](std::chrono::milliseconds elapsed) {
            service::PluginCheckResult r;
            r.name = "checks";
            r.state = ZT_HEALTH_UNHEALTHY;
            r.message = "the plugin's health checks did not answer within " + std::to_string(elapsed.count()) + " ms";
            return std::vector<service::PluginCheckResult>{r};
        },
        checkTimeout_, kReuseFor);
}

void ServiceHealth::setDatabaseCheck(DatabaseCheck check) {
    databaseCheck_ = std::make_unique<BoundedCall<CheckOutcome>>(
        std::move(check),
        [](std::chrono::milliseconds elapsed) {
            CheckOutcome o;
            o.state = HealthState::Unhealthy;
            o.message = "the database did not answer within " + std::to_string(elapsed.count()) + " ms";
            o.latencyMs = static_cast<double>(elapsed.count());
            return o;
        },
        checkTimeout_, kReuseFor);
}

CheckOutcome ServiceHealth::dependencyOutcome(const std::string& name) const {
    CheckOutcome c;
    auto rec = registry_.find(name);
    if (!rec) {
        c.state = HealthState::Unhealthy;
        c.message = "not registered";
        return c;
    }
    switch (rec->status) {
    case registry::ServiceStatus::Healthy:
        c.state = HealthState::Healthy;
        break;
    case registry::ServiceStatus::Degraded:
        c.state = HealthState::Degraded;
        break;
    default:
        c.state = HealthState::Unhealthy;
        break;
    }
    c.message = rec->error.empty() ? registry::toString(rec->status) : rec->error;
    return c;
}

HealthAnswer ServiceHealth::health() const {
    const auto& cfg = service_.config();
    HealthState overall = HealthState::Healthy;
    std::string checks = "{";

    if (databaseCheck_) {
        CheckOutcome db = databaseCheck_->run();
        overall = worse(overall, db.state == HealthState::Unhealthy ? HealthState::Unhealthy : db.state);
        checks += "\"database\":" + renderCheck(db) + ",";
    }

    checks += "\"dependencies\":{";
    bool first = true;
    for (const auto& dep : cfg.dependencies) {
        CheckOutcome d = dependencyOutcome(dep);
        // A dependency never makes this service unhealthy by itself: it degrades it.
        if (d.state != HealthState::Healthy) overall = worse(overall, HealthState::Degraded);
        if (!first) checks += ',';
        first = false;
        checks += "\"" + jsonEscape(dep) + "\":" + renderCheck(d);
    }
    checks += "},\"plugin\":{";
    first = true;
    for (const auto& r : pluginChecks_->run()) {
        CheckOutcome p;
        p.state = r.state == ZT_HEALTH_HEALTHY    ? HealthState::Healthy
                  : r.state == ZT_HEALTH_DEGRADED ? HealthState::Degraded
                                                  : HealthState::Unhealthy;
        p.message = r.message;
        overall = worse(overall, p.state);
        if (!first) checks += ',';
        first = false;
        checks += "\"" + jsonEscape(r.name) + "\":" + renderCheck(p);
    }
    checks += "}}";

    auto uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count();
    HealthAnswer a;
    a.state = overall;
    a.httpStatus = overall == HealthState::Unhealthy ? 503 : 200;
    a.json = "{\"service\":\"" + jsonEscape(cfg.name) + "\",\"domain\":\"" + jsonEscape(cfg.domain) +
             "\",\"version\":\"" + jsonEscape(cfg.version) + "\",\"port\":" + std::to_string(cfg.port) +
             ",\"status\":\"" + toString(overall) + "\",\"timestamp\":\"" + nowIso() +
             "\",\"uptimeSeconds\":" + std::to_string(uptime) + ",\"checks\":" + checks + "}";
    return a;
}

HealthAnswer ServiceHealth::live() const {
    HealthAnswer a;
    a.json = "{\"service\":\"" + jsonEscape(service_.config().name) + "\",\"status\":\"alive\",\"timestamp\":\"" +
             nowIso() + "\"}";
    return a;
}

HealthAnswer ServiceHealth::ready() const {
    HealthState state = HealthState::Healthy;
    std::string reasons;
    if (databaseCheck_) {
        CheckOutcome db = databaseCheck_->run();
        if (db.state == HealthState::Unhealthy) {
            state = HealthState::Unhealthy;
            reasons += "database: " + db.message + "; ";
        }
    }
    for (const auto& dep : service_.config().dependencies) {
        CheckOutcome d = dependencyOutcome(dep);
        if (d.state == HealthState::Unhealthy) {
            state = HealthState::Unhealthy;
            reasons += dep + ": " + d.message + "; ";
        }
    }
    HealthAnswer a;
    a.state = state;
    a.httpStatus = state == HealthState::Unhealthy ? 503 : 200;
    a.json = "{\"service\":\"" + jsonEscape(service_.config().name) + "\",\"status\":\"" +
             (state == HealthState::Unhealthy ? "not_ready" : "ready") + "\"";
    if (!reasons.empty()) a.json += ",\"reason\":\"" + jsonEscape(reasons.substr(0, reasons.size() - 2)) + "\"";
    a.json += ",\"timestamp\":\"" + nowIso() + "\"}";
    return a;
}

ServiceHealth::DatabaseCheck databaseHealthCheck(std::shared_ptr<ServiceDatabase> database,
                                                 std::chrono::milliseconds timeout) {
    return [database = std::move(database), timeout] {
        deadline::Override bound(deadline::Clock::now() + timeout + std::chrono::milliseconds(250));
        auto c = database->check();
        CheckOutcome o;
        o.state = c.reachable ? HealthState::Healthy : HealthState::Unhealthy;
        o.message = c.reachable ? "reachable" : c.message;
        o.latencyMs = c.latencyMs;
        return o;
    };
}

}  // namespace zt::service
