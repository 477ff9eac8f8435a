#include "http/RequestLog.h"

#include <Poco/Logger.h>

#include <cstdio>

#include "http/ServerMetrics.h"

namespace zt::http {

namespace {
thread_local const Exchange* currentExchange = nullptr;
}

RequestLog::Scope::Scope(const Exchange& exchange) noexcept : outer_(currentExchange) { currentExchange = &exchange; }

RequestLog::Scope::~Scope() { currentExchange = outer_; }

const Exchange* RequestLog::current() noexcept { return currentExchange; }

void RequestLog::writeAccess(const Exchange& ex, const HttpResponse& response, std::chrono::nanoseconds elapsed) {
    static Poco::Logger& logger = Poco::Logger::get(kAccessLogger);
    if (!logger.information()) return;
    const std::string route(ex.routePattern.empty() ? ServerMetrics::kUnmatchedRoute : ex.routePattern);
    const double seconds = static_cast<double>(elapsed.count()) / 1e9;
    char duration[32];
    std::snprintf(duration, sizeof duration, "%.3f", seconds * 1000.0);
    const int status = response.status;
    const std::string traceId(ex.trace.traceId.empty() ? response.headers.get("x-trace-id").value_or("")
                                                       : std::string_view(ex.trace.traceId));
    Poco::Message msg(kAccessLogger,
                      ex.request.method + " " + route + " " + std::to_string(status) + " " + duration +
                          " ms trace=" + (traceId.empty() ? std::string("-") : traceId),
                      Poco::Message::PRIO_INFORMATION);
    msg.set(kMethod, ex.request.method);
    msg.set(kRoute, route);
    msg.set(kStatus, std::to_string(status));
    char secondsText[32];
    std::snprintf(secondsText, sizeof secondsText, "%.6f", seconds);
    msg.set(kDurationSeconds, secondsText);
    if (!ex.serviceName.empty()) msg.set(kServiceName, ex.serviceName);
    if (!ex.request.remoteAddress.empty()) msg.set(kClientAddress, ex.request.remoteAddress);
    if (!traceId.empty()) msg.set(kTraceId, traceId);
    if (!ex.trace.spanId.empty()) msg.set(kSpanId, ex.trace.spanId);
    logger.log(msg);
}

}  // namespace zt::http
