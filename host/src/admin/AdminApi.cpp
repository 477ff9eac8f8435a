#include "admin/AdminApi.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/SHA2Engine.h>
#include <Poco/Timestamp.h>

#include <openssl/crypto.h>

#include <future>
#include <vector>

#include "auth/AuthHeaders.h"
#include "http/JsonError.h"
#include "json/JsonEscape.h"
#include "metrics/TextExposition.h"

namespace zt::admin {

namespace {
constexpr std::string_view kControlPrefix = "/control";

std::string sha256(std::string_view data) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(data.data(), static_cast<unsigned>(data.size()));
    const auto& digest = engine.digest();
    return std::string(digest.begin(), digest.end());
}

bool isControlPath(std::string_view path) {
    return path == kControlPrefix ||
           (path.size() > kControlPrefix.size() && path.substr(0, kControlPrefix.size()) == kControlPrefix &&
            path[kControlPrefix.size()] == '/');
}
}  // namespace

void AdminApi::setControl(std::string token, ControlHandler handler) {
    controlTokenDigest_ = token.empty() ? std::string() : sha256(token);
    control_ = std::move(handler);
}

void AdminApi::handleControl(http::Exchange& ex) const {
    ex.response.headers.set("cache-control", "no-store");
    if (controlTokenDigest_.empty() || !control_) {
        http::setJsonError(ex.response, 403, "control_disabled",
                           "ADMIN_TOKEN is not set: /control endpoints are refused until the host is started with "
                           "one (docs/OPERATIONS.md)");
        return;
    }
    const auto presented = auth::bearerCredential(ex.request.headers);
    if (!presented) {
        auth::rejectRequest(ex, 401, "missing_credentials", "/control needs Authorization: Bearer <ADMIN_TOKEN>",
                            "Bearer realm=\"zintrust-admin\"");
        return;
    }
    const std::string digest = sha256(*presented);
    if (CRYPTO_memcmp(digest.data(), controlTokenDigest_.data(), digest.size()) != 0) {
        auth::rejectRequest(ex, 401, "invalid_credentials", "the admin token is not valid",
                            "Bearer realm=\"zintrust-admin\", error=\"invalid_token\"");
        return;
    }
    // Checked after the token, so that an anonymous client learns nothing about the endpoints.
    if (ex.request.method != "POST") {
        http::setJsonError(ex.response, 405, "method_not_allowed", "use POST on " + ex.request.path);
        ex.response.headers.set("allow", "POST");
        return;
    }
    auto [status, json] = control_(ex.request.path.substr(kControlPrefix.size()));
    ex.response.setJson(status, json);
}

std::pair<int, std::string> AdminApi::aggregateHealth() const {
    using json::jsonEscape;
    int healthy = 0, degraded = 0, unhealthy = 0;
    std::string services;
    const auto records = registry_.list();
    // Every local service's report at once: each is bounded by the check timeout, so the whole
    // answer is too (not the sum of the bounds).
    std::vector<std::future<service::HealthAnswer>> answers(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
        auto health = healthOf_ ? healthOf_(records[i].name) : nullptr;
        if (health && records[i].status != registry::ServiceStatus::Failed &&
            records[i].status != registry::ServiceStatus::Stopped) {
            answers[i] = std::async(std::launch::async, [h = std::move(health)] { return h->health(); });
        }
    }
    for (std::size_t i = 0; i < records.size(); ++i) {
        const auto& rec = records[i];
        std::string status;
        std::string detail;
        if (answers[i].valid()) {
            auto answer = answers[i].get();
            status = service::toString(answer.state);
            detail = answer.json;
        } else if (rec.status == registry::ServiceStatus::Healthy || rec.status == registry::ServiceStatus::Degraded) {
            status = registry::toString(rec.status);
        } else {
            // failed, stopped, starting or unknown remote: all count as unhealthy
            status = "unhealthy";
        }
        if (status == "healthy") ++healthy;
        else if (status == "degraded") ++degraded;
        else ++unhealthy;
        if (!services.empty()) services += ',';
        services += "\"" + jsonEscape(rec.name) + "\":{\"status\":\"" + status + "\"";
        // The error is the monitor's last finding: shown only while it still describes the status
        // shown, never "healthy" next to the reason of a degraded round that is over.
        const bool errorIsCurrent = detail.empty() || status == registry::toString(rec.status);
        if (!rec.error.empty() && status != "healthy" && errorIsCurrent) {
            services += ",\"error\":\"" + jsonEscape(rec.error) + "\"";
        }
        if (!detail.empty()) services += ",\"health\":" + detail;
        // A failed reload leaves the previous version serving: healthy, but not what was asked.
        if (const auto reloadError = reloadErrorOf_ ? reloadErrorOf_(rec.name) : std::string(); !reloadError.empty())
            services += ",\"reload\":{\"status\":\"failed\",\"error\":\"" + jsonEscape(reloadError) + "\"}";
        if (const auto worker = workerOf_ ? workerOf_(rec.name) : std::string(); !worker.empty())
            services += ",\"worker\":" + worker;
        services += '}';
    }
    int total = healthy + degraded + unhealthy;
    std::string overall = unhealthy > 0 || total == 0 ? "unhealthy" : degraded > 0 ? "degraded" : "healthy";
    std::string json = "{\"status\":\"" + overall + "\",\"timestamp\":\"" +
                       Poco::DateTimeFormatter::format(Poco::Timestamp(), Poco::DateTimeFormat::ISO8601_FRAC_FORMAT) +
                       "\",\"summary\":{\"total\":" + std::to_string(total) +
                       ",\"healthy\":" + std::to_string(healthy) + ",\"degraded\":" + std::to_string(degraded) +
                       ",\"unhealthy\":" + std::to_string(unhealthy) + "},\"services\":{" + services + "}}";
    return {overall == "unhealthy" ? 503 : 200, json};
}

void AdminApi::handle(http::Exchange& ex) const {
    const auto& path = ex.request.path;
    const auto& method = ex.request.method;
    if (isControlPath(path)) {
        handleControl(ex);
        return;
    }
    auto known = [&](const std::string& p) {
        return p == "/services" || p == "/health/services" || p == "/health" || p == "/health/live" ||
               endpoints_.count(p) != 0 || (prometheus_ && (p == "/metrics" || p == "/metrics.json"));
    };
    if (!known(path)) {
        http::setJsonError(ex.response, 404, "not_found", "no admin endpoint " + path);
        return;
    }
    if (method != "GET" && method != "HEAD") {
        http::setJsonError(ex.response, 405, "method_not_allowed", "use GET on " + path);
        ex.response.headers.set("allow", "GET, HEAD");
        return;
    }
    ex.response.headers.set("cache-control", "no-store");
    if (path == "/services") {
        ex.response.setJson(200, registry_.toJson());
    } else if (path == "/health/services") {
        auto [status, json] = aggregateHealth();
        ex.response.setJson(status, json);
    } else if (path == "/health" || path == "/health/live") {
        ex.response.setJson(200, "{\"service\":\"admin\",\"status\":\"healthy\"}");
    } else if (path == "/metrics" || path == "/metrics.json") {
        const auto accept = ex.request.headers.get("accept").value_or("");
        if (path == "/metrics.json" || accept.find("application/json") != std::string_view::npos) {
            auto [status, json] = metricsJson_();
            ex.response.setJson(status, json);
        } else {
            ex.response.status = 200;
            ex.response.body = prometheus_();
            ex.response.bodySet = true;
            ex.response.headers.set("content-type", metrics::TextExposition::kContentType);
        }
    } else {
        auto [status, json] = endpoints_.at(path)();
        ex.response.setJson(status, json);
    }
}

}  // namespace zt::admin
