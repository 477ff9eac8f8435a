#pragma once
// Everything a service does with one request, without a socket:
//   filters (tracing -> auth) -> built-in endpoints (health, /openapi.json) | plugin route handler.
// Network requests (ConnectionLoop) and in-process calls use the same pipeline, so an
// in-process call gets exactly the checks a network call would.
#include <memory>

#include "service/ServiceHealth.h"
#include "service/LocalService.h"
#include "http/HttpFilter.h"

namespace zt::service {

class ServicePipeline {
public:
    ServicePipeline(std::shared_ptr<LocalService> service, http::HttpFilterList filters,
                    std::shared_ptr<ServiceHealth> health);

    /// Never throws: any exception becomes a JSON 500.
    void handle(http::Exchange& exchange) const;

    /// The health endpoints a service port answers itself (`healthPath` from its config, /health,
    /// /health/live, /health/ready): bounded on their own, never the plugin's.
    static bool isHealthPath(const std::string& path, const std::string& healthPath) {
        return path == healthPath || path == "/health" || path == "/health/live" || path == "/health/ready";
    }

    const LocalService& service() const { return *service_; }
    const std::string& name() const { return service_->config().name; }

private:
    void runTerminal(http::Exchange& exchange) const;

    std::shared_ptr<LocalService> service_;
    http::HttpFilterList filters_;
    std::shared_ptr<ServiceHealth> health_;
    std::string healthPath_;
    std::string openApi_;  ///< GET /openapi.json, made once
};

}  // namespace zt::service
