#pragma once
// The JSON documents of the admin endpoints that other concerns feed (docs/HEALTH.md: admin
// port): GET /metrics, GET /calls/breakers and GET /db/pool. Each takes a snapshot the caller
// read and only writes it out.
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "calls/ServiceCaller.h"
#include "db/DatabaseRegistry.h"
#include "http/RequestCounters.h"

namespace zt::admin {

/// {"services":{"<name>":<RequestCounters::toJson()>,...}} in the order given.
std::string metricsJson(const std::vector<std::pair<std::string, std::shared_ptr<http::RequestCounters>>>& services);

/// {"breakers":{...}}; `caller` may be null (no calls yet): {"breakers":{}}.
std::string breakersJson(const calls::ServiceCaller* caller);

/// {"pools":{"<service>":{"database","role","totalConnections","idleConnections",
/// "waitingRequests","connectionsOpened","waitTimeouts","longestWaitMs"},...}}.
std::string poolsJson(const std::map<std::string, db::PoolInfo>& pools);

}  // namespace zt::admin
