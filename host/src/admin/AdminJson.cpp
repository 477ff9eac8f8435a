#include "admin/AdminJson.h"

#include "json/JsonEscape.h"

namespace zt::admin {

using json::jsonEscape;

std::string metricsJson(const std::vector<std::pair<std::string, std::shared_ptr<http::RequestCounters>>>& services) {
    std::string out = "{\"services\":{";
    for (std::size_t i = 0; i < services.size(); ++i) {
        if (i) out += ',';
        out += "\"" + jsonEscape(services[i].first) + "\":" + services[i].second->toJson();
    }
    return out + "}}";
}

std::string breakersJson(const calls::ServiceCaller* caller) {
    return "{\"breakers\":" + (caller ? caller->breakersJson() : std::string("{}")) + "}";
}

std::string poolsJson(const std::map<std::string, db::PoolInfo>& pools) {
    std::string out = "{\"pools\":{";
    bool first = true;
    for (const auto& [name, pool] : pools) {
        const auto& st = pool.stats;
        if (!first) out += ',';
        first = false;
        out += "\"" + jsonEscape(name) + "\":{\"database\":\"" + jsonEscape(pool.database) + "\",\"role\":\"" +
               jsonEscape(pool.role) + "\",\"totalConnections\":" + std::to_string(st.totalConnections) +
               ",\"idleConnections\":" + std::to_string(st.idleConnections) +
               ",\"waitingRequests\":" + std::to_string(st.waitingRequests) +
               ",\"connectionsOpened\":" + std::to_string(st.connectionsOpened) +
               ",\"waitTimeouts\":" + std::to_string(st.waitTimeouts) +
               ",\"longestWaitMs\":" + std::to_string(st.longestWaitMs) + "}";
    }
    return out + "}}";
}

}  // namespace zt::admin
