#pragma once
// Everything a service does with one request, without a socket:
//   filters (tracing -> auth) -> built-in health endpoints | plugin route handler.
// Network requests (ConnectionLoop) and in-process calls use the same pipeline, so an
// in-process call gets exactly the checks a network call would.
#include <memory>

#include "health/ServiceHealth.h"
#include "service/LocalService.h"
#include "zintrust/host/http/HttpFilter.h"

namespace zt::http {

class ServicePipeline {
public:
    ServicePipeline(std::shared_ptr<service::LocalService> service, HttpFilterList filters,
                    std::shared_ptr<health::ServiceHealth> health);

    /// Never throws: any exception becomes a JSON 500.
    void handle(Exchange& exchange) const;

    const service::LocalService& service() const { return *service_; }
    const std::string& name() const { return service_->config().name; }

private:
    void runTerminal(Exchange& exchange) const;

    std::shared_ptr<service::LocalService> service_;
    HttpFilterList filters_;
    std::shared_ptr<health::ServiceHealth> health_;
    std::string healthPath_;
};

}  // namespace zt::http
