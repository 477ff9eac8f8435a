#include "registry/MicroserviceManager.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include "json/JsonEscape.h"

namespace zt::registry {

const char* toString(ServiceStatus s) {
    switch (s) {
    case ServiceStatus::Starting:
        return "starting";
    case ServiceStatus::Healthy:
        return "healthy";
    case ServiceStatus::Degraded:
        return "degraded";
    case ServiceStatus::Unhealthy:
        return "unhealthy";
    case ServiceStatus::Failed:
        return "failed";
    case ServiceStatus::Stopped:
        return "stopped";
    }
    return "unknown";
}

void MicroserviceManager::registerService(ServiceRecord record) {
    std::lock_guard<std::mutex> lock(mutex_);
    services_[record.name] = std::move(record);
}

void MicroserviceManager::remove(const std::string& name) {
    std::lock_guard<std::mutex> lock(mutex_);
    services_.erase(name);
}

void MicroserviceManager::setStatus(const std::string& name, ServiceStatus status, const std::string& error) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = services_.find(name);
    if (it == services_.end()) return;
    it->second.status = status;
    it->second.error = error;
    it->second.lastHealthCheck = std::chrono::system_clock::now();
}

std::optional<ServiceRecord> MicroserviceManager::find(const std::string& name) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = services_.find(name);
    if (it == services_.end()) return std::nullopt;
    return it->second;
}

std::vector<ServiceRecord> MicroserviceManager::list() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<ServiceRecord> out;
    out.reserve(services_.size());
    for (const auto& [_, r] : services_) out.push_back(r);
    return out;
}

std::string MicroserviceManager::toJson() const {
    using json::jsonEscape;
    std::string out = "{\"services\":[";
    bool first = true;
    for (const auto& r : list()) {
        if (!first) out += ',';
        first = false;
        out += "{\"name\":\"" + jsonEscape(r.name) + "\",\"domain\":\"" + jsonEscape(r.domain) + "\",\"version\":\"" +
               jsonEscape(r.version) + "\",\"baseUrl\":\"" + jsonEscape(r.baseUrl) +
               "\",\"port\":" + std::to_string(r.port) + ",\"local\":" + (r.local ? "true" : "false") +
               ",\"status\":\"" + toString(r.status) + "\"";
        if (!r.error.empty()) out += ",\"error\":\"" + jsonEscape(r.error) + "\"";
        if (!r.plugin.empty()) out += ",\"plugin\":\"" + jsonEscape(r.plugin) + "\"";
        if (r.lastHealthCheck) {
            auto us =
                std::chrono::duration_cast<std::chrono::microseconds>(r.lastHealthCheck->time_since_epoch()).count();
            out += ",\"lastHealthCheck\":\"" +
                   Poco::DateTimeFormatter::format(Poco::Timestamp(us), Poco::DateTimeFormat::ISO8601_FRAC_FORMAT) +
                   "\"";
        } else {
            out += ",\"lastHealthCheck\":null";
        }
        out += '}';
    }
    out += "]}";
    return out;
}

}  // namespace zt::registry
