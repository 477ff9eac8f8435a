#include "calls/ServiceCaller.h"

#include "deadline/RequestDeadline.h"
#include "http/RequestTarget.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <chrono>
#include <thread>

#include "calls/TraceHeaders.h"
#include "http/JsonError.h"
#include "json/JsonEscape.h"

namespace zt::calls {

namespace {

using Millis = std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

CallResponse errorResponse(int status, std::string_view code, std::string_view message, int attempts = 0) {
    CallResponse r;
    r.status = status;
    r.body = http::jsonErrorBody(code, message);
    r.headers.emplace_back("content-type", "application/json");
    r.attempts = attempts;
    return r;
}

// RFC 9110 token characters: anything else cannot be sent as a method.
bool isMethodToken(const std::string& method) {
    if (method.empty() || method.size() > 32) return false;
    for (char c : method) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
        if (!ok) return false;
    }
    return true;
}

bool isFailure(const ClientResult& r) { return r.transport != Transport::Response || r.status >= 500; }

std::string lower(std::string s) { return Poco::toLower(s); }

}  // namespace

ServiceCaller::ServiceCaller(const config::EnvConfig& env, const registry::MicroserviceManager& registry,
                             LocalResolver localResolver, AuthStrategyResolver authResolver)
    : env_(env),
      registry_(registry),
      localResolver_(std::move(localResolver)),
      authResolver_(std::move(authResolver)),
      retryPolicy_([&env] {
          RetryPolicy::Settings s;
          s.maxRetries = env.serviceCallRetries;
          return s;
      }()),
      credentials_(env) {}

ServiceCaller::~ServiceCaller() = default;

std::shared_ptr<CircuitBreaker> ServiceCaller::breakerFor(const std::string& target) const {
    std::lock_guard<std::mutex> lock(breakersMutex_);
    auto& slot = breakers_[target];
    if (!slot) {
        slot = std::make_shared<CircuitBreaker>(env_.circuitBreakerThreshold, Millis(env_.circuitBreakerTimeoutMs));
    }
    return slot;
}

CallResponse ServiceCaller::call(const CallRequest& request) const {
    const auto started = SteadyClock::now();
    CallResponse response = callGuarded(request);
    // Answered by the caller itself (unknown target, open breaker, loop, bad request): "refused".
    const std::string_view outcome = response.attempts == 0 ? "refused" : response.inProcess ? "in_process" : "http";
    clientDurations_.observe(
        {request.caller, request.target, http::ServerMetrics::methodLabel(Poco::toUpper(request.method)), outcome,
         http::ServerMetrics::StatusLabel(response.status).text()},
        SteadyClock::now() - started);
    return response;
}

CallResponse ServiceCaller::callGuarded(const CallRequest& request) const {
    try {
        return callImpl(request);
    } catch (const Poco::Exception& e) {
        Poco::Logger::get("zt.calls")
            .error("call %s -> %s failed: %s", request.caller, request.target, e.displayText());
    } catch (const std::exception& e) {
        Poco::Logger::get("zt.calls")
            .error("call %s -> %s failed: %s", request.caller, request.target, std::string(e.what()));
    } catch (...) {
        Poco::Logger::get("zt.calls").error("call %s -> %s failed: unknown exception", request.caller, request.target);
    }
    return errorResponse(500, "internal_error", "the call to service '" + request.target + "' failed inside the host");
}

ClientResult ServiceCaller::callInProcess(const service::ServicePipeline& pipeline, const std::string& method,
                                          const std::string& pathAndQuery, const HeaderVector& headers,
                                          const std::string& body, SteadyClock::time_point deadline) const {
    // Built like ConnectionLoop builds a network request, so the filters and the
    // router cannot tell the difference (except remoteAddress/inProcess, which say the truth).
    http::Exchange ex;
    ex.inProcess = true;
    ex.deadline = deadline;
    ex.request.method = method;
    ex.request.remoteAddress = "in-process";
    ex.request.body = body;
    for (const auto& [name, value] : headers) ex.request.headers.add(name, value);
    // The same target rules as a network request ("%2F" never splits a segment); a target the
    // network loop would refuse is answered the same way.
    http::HeadError targetError;
    if (!http::parseRequestTarget(method, pathAndQuery, ex.request.path, ex.request.query, targetError)) {
        ClientResult refused;
        refused.transport = Transport::Response;
        refused.status = targetError.status;
        refused.body = http::jsonErrorBody(targetError.code, targetError.message);
        refused.headers.emplace_back("content-type", "application/json");
        return refused;
    }

    {
        // The caller's wait at its own gate is not a wait for the callee's pool.
        deadline::GateWait none(deadline::Clock::duration::zero());
        pipeline.handle(ex);
    }

    ClientResult result;
    result.transport = Transport::Response;
    result.status = ex.response.status;
    for (const auto& entry : ex.response.headers.entries()) result.headers.push_back(entry);
    // The network writer sends no body for HEAD; neither do we.
    if (method != "HEAD") result.body = std::move(ex.response.body);
    return result;
}

CallResponse ServiceCaller::callImpl(const CallRequest& request) const {
    const std::string method = Poco::toUpper(request.method);
    if (!isMethodToken(method)) {
        return errorResponse(400, "invalid_request", "invalid HTTP method '" + request.method + "'");
    }
    const std::string pathAndQuery = request.pathAndQuery.empty() ? "/" : request.pathAndQuery;
    if (pathAndQuery.front() != '/') {
        return errorResponse(400, "invalid_request", "the path must start with '/': '" + pathAndQuery + "'");
    }
    try {
        Poco::URI check(pathAndQuery);
        (void)check;
    } catch (const Poco::Exception& e) {
        return errorResponse(400, "invalid_request", "invalid path '" + pathAndQuery + "': " + e.message());
    }
    if (request.trace != nullptr && request.trace->depth + 1 > kMaxCallDepth) {
        return errorResponse(508, "loop_detected",
                             "call depth " + std::to_string(request.trace->depth + 1) + " to service '" +
                                 request.target + "' exceeds " + std::to_string(kMaxCallDepth));
    }

    std::shared_ptr<const service::ServicePipeline> pipeline;
    if (localResolver_) pipeline = localResolver_(request.target);
    std::string baseUrl;
    if (!pipeline) {
        auto record = registry_.find(request.target);
        if (!record) {
            return errorResponse(404, "unknown_service", "no service named '" + request.target + "' is registered");
        }
        if (record->local) {
            // Configured for this host but its plugin is not serving (failed or stopped): its port
            // is closed, an HTTP attempt could only fail.
            return errorResponse(503, "service_unavailable",
                                 "service '" + request.target + "' is not running in this host (" +
                                     registry::toString(record->status) +
                                     (record->error.empty() ? "" : ": " + record->error) + ")");
        }
        if (record->baseUrl.empty()) {
            return errorResponse(503, "service_unavailable", "service '" + request.target + "' has no base URL");
        }
        baseUrl = record->baseUrl;
    }

    // Caller headers first, minus what the host controls; then trace headers and credentials.
    const std::string strategy = authResolver_ ? authResolver_(request.target) : std::string();
    HeaderVector credentials = credentials_.headersFor(request.caller, strategy);
    HeaderVector headers;
    for (const auto& [name, value] : request.headers) {
        const std::string n = lower(name);
        // The host sets these: the trace's, and the deadline (the caller's own, never longer).
        if (isTraceHeader(n) || n == "x-request-deadline" || n == "x-request-timeout-ms") continue;
        bool replaced = false;
        for (const auto& c : credentials) replaced = replaced || c.first == n;
        if (!replaced) headers.emplace_back(n, value);
    }
    for (auto& h : outgoingTraceHeaders(request.trace, request.caller)) headers.push_back(std::move(h));
    for (auto& h : credentials) headers.push_back(std::move(h));

    auto breaker = breakerFor(request.target);
    // The whole call, retries included, ends by SERVICE_CALL_TIMEOUT_MS or the caller's own
    // deadline, whichever is sooner; the target learns it (docs/DEADLINES.md).
    const auto now = SteadyClock::now();
    const auto callerDeadline = deadline::current();
    const auto deadline = std::min(now + Millis(env_.serviceCallTimeoutMs), callerDeadline);
    // When the caller's deadline is the tighter bound, a timeout says nothing about the target:
    // it must not count against its breaker (a client could open it with X-Request-Timeout-Ms: 1).
    const bool callerBound = callerDeadline < now + Millis(env_.serviceCallTimeoutMs);
    if (deadline <= now)
        return errorResponse(504, "deadline_exceeded",
                             "the request's deadline had passed before service '" + request.target + "' was called");
    headers.emplace_back("x-request-deadline",
                         deadline::toHeaderValue(deadline, now, std::chrono::system_clock::now()));
    ClientResult result;
    int attempts = 0;
    for (;;) {
        if (!breaker->allowRequest()) {
            if (attempts > 0) break;  // opened by our own failed attempts: report the real failure
            const auto wait = breaker->retryAfter();
            auto response =
                errorResponse(503, "circuit_open",
                              "circuit breaker for service '" + request.target + "' is open after repeated failures");
            const auto seconds = std::max<long long>(1, (wait.count() + 999) / 1000);
            response.headers.emplace_back("retry-after", std::to_string(seconds));
            return response;
        }
        ++attempts;
        if (pipeline) {
            result = callInProcess(*pipeline, method, pathAndQuery, headers, request.body, deadline);
        } else {
            const auto remaining = std::chrono::duration_cast<Millis>(deadline - SteadyClock::now());
            result = client_.send(baseUrl, method, pathAndQuery, headers, request.body, std::max(Millis(1), remaining));
        }
        const bool timedOutForTheCaller =
            callerBound && (result.transport == Transport::Timeout ||
                            (result.transport == Transport::Response && result.status == 504));
        if (timedOutForTheCaller) {
            // neither a failure nor a success of the target
        } else if (isFailure(result)) {
            breaker->onFailure();
        } else {
            breaker->onSuccess();
        }
        if (!retryPolicy_.shouldRetry(method, result, attempts)) break;
        const auto delay = retryPolicy_.backoff(attempts - 1);
        const auto remaining = std::chrono::duration_cast<Millis>(deadline - SteadyClock::now());
        if (!retryPolicy_.fitsBudget(delay, remaining)) break;
        std::this_thread::sleep_for(delay);
    }

    switch (result.transport) {
    case Transport::Timeout:
        return errorResponse(504, "upstream_timeout",
                             "service '" + request.target + "' did not answer within " +
                                 std::to_string(env_.serviceCallTimeoutMs) + " ms",
                             attempts);
    case Transport::ConnectionError:
        return errorResponse(503, "service_unavailable",
                             "service '" + request.target + "' is unavailable: " + result.error, attempts);
    case Transport::Response:
        break;
    }
    CallResponse response;
    response.status = result.status;
    response.inProcess = pipeline != nullptr;
    response.attempts = attempts;
    response.body = std::move(result.body);
    for (auto& [name, value] : result.headers) {
        // The body is handed over whole: framing headers of the hop are meaningless to the caller.
        if (HttpServiceClient::isHopByHopHeader(name) || name == "content-length") continue;
        response.headers.emplace_back(std::move(name), std::move(value));
    }
    return response;
}

CircuitBreaker::Stats ServiceCaller::breakerStats(const std::string& target) const {
    std::shared_ptr<CircuitBreaker> breaker;
    {
        std::lock_guard<std::mutex> lock(breakersMutex_);
        auto it = breakers_.find(target);
        if (it != breakers_.end()) breaker = it->second;
    }
    return breaker ? breaker->stats() : CircuitBreaker::Stats{};
}

std::map<std::string, CircuitBreaker::Stats> ServiceCaller::breakers() const {
    std::map<std::string, std::shared_ptr<CircuitBreaker>> snapshot;
    {
        std::lock_guard<std::mutex> lock(breakersMutex_);
        snapshot = breakers_;
    }
    std::map<std::string, CircuitBreaker::Stats> out;
    for (const auto& [name, breaker] : snapshot) out.emplace(name, breaker->stats());
    return out;
}

std::string ServiceCaller::breakersJson() const {
    std::string out = "{";
    bool first = true;
    for (const auto& [name, s] : breakers()) {
        if (!first) out += ',';
        first = false;
        out += "\"" + json::jsonEscape(name) + "\":{\"state\":\"" + toString(s.state) +
               "\",\"consecutiveFailures\":" + std::to_string(s.consecutiveFailures) +
               ",\"totalFailures\":" + std::to_string(s.totalFailures) +
               ",\"totalSuccesses\":" + std::to_string(s.totalSuccesses) +
               ",\"rejected\":" + std::to_string(s.rejected) + ",\"timesOpened\":" + std::to_string(s.timesOpened) +
               ",\"retryAfterMs\":" + std::to_string(s.retryAfter.count()) + "}";
    }
    out += "}";
    return out;
}

}  // namespace zt::calls
