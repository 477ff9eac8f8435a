#pragma once
// callService (docs/CALLS.md): the one entry point for a service calling another one.
//
//   resolve target -> circuit breaker -> [attempt -> retry policy -> backoff]* -> CallResponse
//
// A target loaded in this process is called in-process: an Exchange is built exactly as the HTTP
// layer would build it and run through the target's ServicePipeline (same tracing and auth
// filters, no socket). Any other registered target is called over HTTP at its registry base URL,
// with pooled keep-alive connections. Either way the call carries trace headers and the
// credentials the target's auth strategy needs, and every failure comes back as a status with a
// JSON error body (docs/HTTP.md): call() never throws.
//
// Budget: SERVICE_CALL_TIMEOUT_MS bounds the whole call, retries and waits included; each attempt
// gets what is left. A timed-out attempt therefore ends the call (504) - retrying only happens
// while budget remains, which is the point of a caller-facing timeout.
// In-process attempts run on the caller's thread and cannot be interrupted: the budget only
// bounds their retries.
#include <functional>
#include <map>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "calls/CallMessage.h"
#include "calls/CircuitBreaker.h"
#include "calls/HttpServiceClient.h"
#include "calls/RetryPolicy.h"
#include "calls/ServiceCredentials.h"
#include "config/EnvConfig.h"
#include "http/ServerMetrics.h"
#include "metrics/HistogramFamily.h"
#include "service/ServicePipeline.h"
#include "registry/MicroserviceManager.h"

namespace zt::calls {

class ServiceCaller {
public:
    /// The pipeline of a service loaded in this process, or nullptr.
    using LocalResolver = std::function<std::shared_ptr<const service::ServicePipeline>(const std::string& name)>;
    /// Strategy of a target's auth ("api-key","jwt","custom","none","" = unknown) for credentials.
    using AuthStrategyResolver = std::function<std::string(const std::string& name)>;

    /// Nested calls deeper than this are refused with 508 loop_detected: an in-process call cycle
    /// (A -> B -> A ...) would otherwise recurse on one thread until the stack overflows.
    static constexpr int kMaxCallDepth = 64;

    /// Keeps references to `env` and `registry`: both must outlive the caller. Either resolver may
    /// be empty (no local services / every strategy unknown). Throws config::ConfigError for a
    /// SERVICE_JWT_SECRET shorter than 32 bytes.
    ServiceCaller(const config::EnvConfig& env, const registry::MicroserviceManager& registry,
                  LocalResolver localResolver, AuthStrategyResolver authResolver);
    ~ServiceCaller();
    ServiceCaller(const ServiceCaller&) = delete;
    ServiceCaller& operator=(const ServiceCaller&) = delete;

    /// Never throws. Errors (status, code):
    ///   400 invalid_request     empty/invalid method, path not starting with '/'
    ///   404 unknown_service     target neither loaded here nor registered
    ///   503 circuit_open        breaker open (Retry-After: seconds until the next probe)
    ///   503 service_unavailable target unreachable or registered here but not running
    ///   504 upstream_timeout    no answer within SERVICE_CALL_TIMEOUT_MS
    ///   508 loop_detected       x-trace-depth would exceed kMaxCallDepth
    /// Any answer of the target (2xx..5xx) is passed through as it came.
    CallResponse call(const CallRequest& request) const;

    /// {"payments":{"state":"open","consecutiveFailures":5,"totalFailures":7,"totalSuccesses":12,
    ///  "rejected":3,"timesOpened":1,"retryAfterMs":2900}, ...} for the admin view; targets appear
    /// once they were called.
    std::string breakersJson() const;

    /// Breaker state of one target (Closed when never called).
    CircuitBreaker::Stats breakerStats(const std::string& target) const;
    /// Every breaker made so far (targets once they were called), by target.
    std::map<std::string, CircuitBreaker::Stats> breakers() const;

    /// The most {caller, target, method, outcome, status} series kept (docs/MONITORING.md).
    static constexpr std::size_t kMaxClientSeries = 512;
    /// http_client_request_duration_seconds: every call() by service (the caller),
    /// target_service, http_request_method, outcome (in_process, http, refused) and
    /// http_response_status_code.
    const metrics::HistogramFamily& clientDurations() const { return clientDurations_; }

private:
    /// callImpl, with every exception turned into a 500 answer.
    CallResponse callGuarded(const CallRequest& request) const;
    CallResponse callImpl(const CallRequest& request) const;
    std::shared_ptr<CircuitBreaker> breakerFor(const std::string& target) const;
    /// `deadline`: the call's, which the target's request inherits (it never outlives the caller).
    ClientResult callInProcess(const service::ServicePipeline& pipeline, const std::string& method,
                               const std::string& pathAndQuery, const HeaderVector& headers, const std::string& body,
                               std::chrono::steady_clock::time_point deadline) const;

    const config::EnvConfig& env_;
    const registry::MicroserviceManager& registry_;
    LocalResolver localResolver_;
    AuthStrategyResolver authResolver_;
    RetryPolicy retryPolicy_;
    ServiceCredentials credentials_;
    HttpServiceClient client_;

    mutable std::mutex breakersMutex_;
    mutable std::map<std::string, std::shared_ptr<CircuitBreaker>> breakers_;
    mutable metrics::HistogramFamily clientDurations_{
        {"service", "target_service", "http_request_method", "outcome", "http_response_status_code"},
        metrics::kHttpDurationBounds,
        kMaxClientSeries};
};

}  // namespace zt::calls
