#include "service/ServicePipeline.h"

#include <Poco/Logger.h>

#include "deadline/RequestDeadline.h"
#include "http/JsonError.h"
#include "http/RequestLog.h"
#include "service/OpenApiDocument.h"

namespace zt::service {

ServicePipeline::ServicePipeline(std::shared_ptr<LocalService> service, http::HttpFilterList filters,
                                 std::shared_ptr<ServiceHealth> health)
    : service_(std::move(service)),
      filters_(std::move(filters)),
      health_(std::move(health)),
      healthPath_(service_->config().healthCheck),
      // The routes are fixed once the plugin's init returned, before a pipeline is made.
      openApi_(openApiDocument(service_->config(), service_->router().list())) {}

void ServicePipeline::runTerminal(http::Exchange& ex) const {
    const auto& path = ex.request.path;
    const bool isGet = ex.request.method == "GET" || ex.request.method == "HEAD";
    const service::HealthAnswer* answer = nullptr;
    service::HealthAnswer a;
    if (isHealthPath(path, healthPath_)) {
        ex.routePattern = path;
        if (!isGet) {
            http::setJsonError(ex.response, 405, "method_not_allowed", "use GET on " + path);
            ex.response.headers.set("allow", "GET, HEAD");
            return;
        }
        // The configured health path may be /health/live or /health/ready too: it is the aggregate.
        a = path == healthPath_ || path == "/health" ? health_->health()
            : path == "/health/live"                 ? health_->live()
                                                     : health_->ready();
        answer = &a;
    }
    if (path == kOpenApiPath) {
        ex.routePattern = path;
        if (!isGet) {
            http::setJsonError(ex.response, 405, "method_not_allowed", "use GET on " + path);
            ex.response.headers.set("allow", "GET, HEAD");
            return;
        }
        ex.response.setJson(200, openApi_);
        return;
    }
    if (answer != nullptr) {
        ex.response.setJson(answer->httpStatus, answer->json);
        ex.response.headers.set("cache-control", "no-store");
        return;
    }
    service_->dispatch(ex);
}

void ServicePipeline::handle(http::Exchange& ex) const {
    ex.serviceName = service_->config().name;
    // Every wait the filters and the handler cause (pool, statements, calls) reads it.
    deadline::Scope requestDeadline(ex.deadline);
    // Log records written meanwhile (the plugin's too) carry this request's trace.
    http::RequestLog::Scope logScope(ex);
    std::size_t ran = 0;
    try {
        bool stopped = false;
        for (; ran < filters_.size(); ++ran) {
            if (filters_[ran]->onRequest(ex) == http::FilterStatus::StopIteration) {
                ++ran;
                stopped = true;
                break;
            }
        }
        if (!stopped) runTerminal(ex);
    } catch (const std::exception& e) {
        Poco::Logger::get("zt.http").error("%s %s %s: %s", ex.serviceName, ex.request.method, ex.request.path,
                                           std::string(e.what()));
        http::setJsonError(ex.response, 500, "internal_error", "internal error");
    } catch (...) {
        http::setJsonError(ex.response, 500, "internal_error", "internal error");
    }
    for (std::size_t i = ran; i-- > 0;) {
        try {
            filters_[i]->onResponse(ex);
        } catch (...) {
            Poco::Logger::get("zt.http").error("filter %s threw in onResponse", std::string(filters_[i]->name()));
        }
    }
}

}  // namespace zt::service
