#include "service/LocalService.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <chrono>
#include <sstream>
#include <thread>
#include <typeinfo>

#include "http/JsonError.h"
#include "plugin/AbiStrings.h"

namespace zt::service {

POCO_IMPLEMENT_EXCEPTION(ServiceStartError, Poco::RuntimeException, "Service failed to start")

using plugin::str;
using plugin::view;

namespace {
/// Counts a call into the plugin for the lifetime of the scope. Sequentially consistent with
/// LocalService::stop()'s store of stopping_: a call either sees stopping_ set (and does not
/// enter the plugin) or is counted before stop() reads the count (and stop() waits for it).
class InFlightGuard {
public:
    explicit InFlightGuard(std::atomic<int>& c) : c_(c) { c_.fetch_add(1, std::memory_order_seq_cst); }
    ~InFlightGuard() { c_.fetch_sub(1, std::memory_order_seq_cst); }
    InFlightGuard(const InFlightGuard&) = delete;
    InFlightGuard& operator=(const InFlightGuard&) = delete;

private:
    std::atomic<int>& c_;
};

int statusForCode(zt_status s) {
    switch (s) {
    case ZT_ERR_INVALID_ARGUMENT:
        return 400;
    case ZT_ERR_NOT_FOUND:
        return 404;
    case ZT_ERR_PERMISSION:
        return 403;
    case ZT_ERR_CONFLICT:
        return 409;
    case ZT_ERR_UNAVAILABLE:
        return 503;
    case ZT_ERR_TIMEOUT:
        return 504;
    default:
        return 500;
    }
}
const char* codeForStatus(zt_status s) {
    switch (s) {
    case ZT_ERR_INVALID_ARGUMENT:
        return "bad_request";
    case ZT_ERR_NOT_FOUND:
        return "not_found";
    case ZT_ERR_PERMISSION:
        return "forbidden";
    case ZT_ERR_CONFLICT:
        return "conflict";
    case ZT_ERR_UNAVAILABLE:
        return "service_unavailable";
    case ZT_ERR_TIMEOUT:
        return "timeout";
    default:
        return "internal_error";
    }
}
}  // namespace

struct LocalService::RequestView {
    zt_request request{};
    std::vector<zt_header> headers;
    std::vector<zt_header> params;
    std::string traceparent;
};

LocalService::LocalService(config::ServiceConfig config, std::shared_ptr<plugin::PluginLibrary> library,
                           const zt_host_api* hostApi)
    : config_(std::move(config)),
      library_(std::move(library)),
      logger_(Poco::Logger::get("zt.service." + config_.name)),
      hostApi_(hostApi) {
    host_.service = this;
}

LocalService::~LocalService() {
    if (started_) stop(0);
}

void LocalService::start() {
    const auto& d = library_->descriptor();
    char error[1024] = {0};
    initializing_ = true;
    zt_status rc = ZT_ERR_INTERNAL;
    std::string thrown;
    try {
        rc = d.init(hostApi_, &host_, &instance_, error, sizeof error);
    } catch (const std::exception& e) {
        thrown = std::string("init threw: ") + e.what();
    } catch (...) {
        thrown = "init threw a non-standard exception";
    }
    initializing_ = false;
    error[sizeof error - 1] = '\0';
    if (!thrown.empty() || rc != ZT_OK) {
        std::string reason = !thrown.empty() ? thrown
                                             : "init failed with status " + std::to_string(rc) +
                                                   (error[0] ? std::string(": ") + error : "");
        // init failed: the plugin owns nothing we must free (contract), so no shutdown call.
        instance_ = nullptr;
        throw ServiceStartError(library_->path() + ": " + reason);
    }
    started_ = true;
}

bool LocalService::stop(int drainMs) {
    if (!started_) return true;
    // From here on no new call enters the plugin (an in-process call or a health check may still
    // arrive from another service's thread): they are answered without it.
    stopping_.store(true, std::memory_order_seq_cst);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(drainMs);
    while (inFlight_.load(std::memory_order_acquire) > 0) {
        if (std::chrono::steady_clock::now() >= deadline) {
            logger_.error("%s: %d plugin call(s) still running after %d ms; skipping shutdown()", config_.name,
                          inFlight_.load(), drainMs);
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    try {
        library_->descriptor().shutdown(instance_);
    } catch (...) {
        logger_.error("%s: plugin shutdown() threw; ignored", config_.name);
    }
    started_ = false;
    instance_ = nullptr;
    return true;
}

void LocalService::pluginLog(zt_log_level level, std::string_view message) const {
    if (level < ZT_LOG_FATAL) level = ZT_LOG_FATAL;
    if (level > ZT_LOG_TRACE) level = ZT_LOG_TRACE;
    auto prio = static_cast<Poco::Message::Priority>(level);
    if (logger_.is(prio)) logger_.log(Poco::Message(logger_.name(), std::string(message), prio));
}

zt_status LocalService::configValue(std::string_view key, zt_str* out) {
    if (key.empty() || !config_.raw) return ZT_ERR_NOT_FOUND;
    std::lock_guard<std::mutex> lock(configMutex_);
    if (auto it = configCache_.find(key); it != configCache_.end()) {
        *out = str(it->second);
        return ZT_OK;
    }
    Poco::Dynamic::Var current = config_.raw;
    std::string k(key);
    std::size_t pos = 0;
    while (pos <= k.size()) {
        std::size_t dot = k.find('.', pos);
        std::string part = k.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
        if (current.type() != typeid(Poco::JSON::Object::Ptr)) return ZT_ERR_NOT_FOUND;
        auto obj = current.extract<Poco::JSON::Object::Ptr>();
        if (!obj->has(part)) return ZT_ERR_NOT_FOUND;
        current = obj->get(part);
        if (dot == std::string::npos) break;
        pos = dot + 1;
    }
    std::string value;
    if (current.isString()) {
        value = current.extract<std::string>();
    } else if (current.isEmpty()) {
        value = "null";
    } else {
        std::ostringstream os;
        Poco::JSON::Stringifier::stringify(current, os);
        value = os.str();
    }
    auto [it, _] = configCache_.emplace(k, std::move(value));
    *out = str(it->second);
    return ZT_OK;
}

zt_status LocalService::describeRoute(std::string_view method, std::string_view pattern, std::string_view summary) {
    if (!initializing_) return ZT_ERR_PERMISSION;
    if (summary.empty() || summary.size() > kMaxRouteSummaryBytes ||
        summary.find_first_of("\r\n") != std::string_view::npos)
        return ZT_ERR_INVALID_ARGUMENT;
    return router_.describe(method, pattern, std::string(summary)) ? ZT_OK : ZT_ERR_NOT_FOUND;
}

zt_status LocalService::registerRoute(std::string_view method, std::string_view pattern, zt_route_handler handler,
                                      void* data) {
    if (!initializing_) return ZT_ERR_PERMISSION;
    auto result = router_.add(method, pattern, [this, handler, data](http::Exchange& ex) {
        RequestView rv;
        fillRequest(ex, rv);
        zt_response resp{&ex.response};
        zt_status rc = ZT_ERR_INTERNAL;
        try {
            rc = handler(data, &rv.request, &resp);
        } catch (const std::exception& e) {
            logger_.error("%s %s: handler threw across the C ABI: %s", ex.request.method, ex.request.path,
                          std::string(e.what()));
        } catch (...) {
            logger_.error("%s %s: handler threw across the C ABI", ex.request.method, ex.request.path);
        }
        if (rc != ZT_OK) counters_->handlerFailures.fetch_add(1, std::memory_order_relaxed);
        if (rc != ZT_OK && !ex.response.bodySet) {
            http::setJsonError(ex.response, statusForCode(rc), codeForStatus(rc),
                               "the service could not handle the request (status " + std::to_string(rc) + ")");
        }
    });
    switch (result) {
    case http::Router::AddResult::Added:
        return ZT_OK;
    case http::Router::AddResult::Duplicate:
        return ZT_ERR_CONFLICT;
    default:
        return ZT_ERR_INVALID_ARGUMENT;
    }
}

zt_status LocalService::registerHealthCheck(std::string_view name, zt_health_check_fn fn, void* data) {
    if (!initializing_) return ZT_ERR_PERMISSION;
    if (name.empty() || name.size() > 128) return ZT_ERR_INVALID_ARGUMENT;
    for (const auto& c : healthChecks_) {
        if (c.name == name) return ZT_ERR_CONFLICT;
    }
    healthChecks_.push_back({std::string(name), fn, data});
    return ZT_OK;
}

zt_status LocalService::registerAuthenticator(zt_authenticate_fn fn, void* data) {
    if (!initializing_) return ZT_ERR_PERMISSION;
    if (authenticate_ != nullptr) return ZT_ERR_CONFLICT;
    authenticate_ = fn;
    authData_ = data;
    return ZT_OK;
}

void LocalService::fillRequest(const http::Exchange& ex, RequestView& rv) const {
    rv.headers.reserve(ex.request.headers.size());
    for (const auto& [n, v] : ex.request.headers.entries()) rv.headers.push_back({str(n), str(v)});
    rv.params.reserve(ex.pathParams.size());
    for (const auto& [n, v] : ex.pathParams) rv.params.push_back({str(n), str(v)});
    if (ex.trace.valid()) rv.traceparent = ex.trace.traceparent();
    auto& r = rv.request;
    r.struct_size = sizeof(zt_request);
    r.method = str(ex.request.method);
    r.path = str(ex.request.path);
    r.query = str(ex.request.query);
    r.headers = rv.headers.data();
    r.header_count = rv.headers.size();
    r.params = rv.params.data();
    r.param_count = rv.params.size();
    r.body = str(ex.request.body);
    r.service_name = str(config_.name);
    r.principal = str(ex.principal.subject);
    r.claims_json = str(ex.principal.claimsJson);
    r.trace_id = str(ex.trace.traceId);
    r.span_id = str(ex.trace.spanId);
    r.traceparent = str(rv.traceparent);
    r.trace_flags = ex.trace.flags;
}

void LocalService::dispatch(http::Exchange& ex) const {
    auto m = router_.match(ex.request.method, ex.request.path);
    if (m.kind == http::Router::Match::Kind::NotFound) {
        http::setJsonError(ex.response, 404, "not_found", "no route for " + ex.request.method + " " + ex.request.path);
        return;
    }
    if (m.kind == http::Router::Match::Kind::MethodNotAllowed) {
        http::setJsonError(ex.response, 405, "method_not_allowed",
                           "method " + ex.request.method + " is not allowed on " + ex.request.path);
        ex.response.headers.set("allow", m.allow);
        return;
    }
    ex.pathParams = std::move(m.params);
    ex.routePattern = std::move(m.pattern);
    InFlightGuard guard(inFlight_);
    if (stopping_.load(std::memory_order_seq_cst)) {
        http::setJsonError(ex.response, 503, "service_unavailable", "service " + config_.name + " is stopping");
        ex.response.headers.set("retry-after", "1");
        return;
    }
    (*m.handler)(ex);
}

std::vector<PluginCheckResult> LocalService::runHealthChecks() const {
    std::vector<PluginCheckResult> out;
    for (const auto& c : healthChecks_) {
        PluginCheckResult r;
        r.name = c.name;
        char msg[512] = {0};
        InFlightGuard guard(inFlight_);
        if (stopping_.load(std::memory_order_seq_cst)) {
            r.state = ZT_HEALTH_UNHEALTHY;
            r.message = "service is stopping";
            out.push_back(std::move(r));
            continue;
        }
        try {
            r.state = c.fn(c.data, msg, sizeof msg);
            msg[sizeof msg - 1] = '\0';
            r.message = msg;
            if (r.state != ZT_HEALTH_HEALTHY && r.state != ZT_HEALTH_DEGRADED && r.state != ZT_HEALTH_UNHEALTHY) {
                r.message = "health check returned invalid state " + std::to_string(r.state);
                r.state = ZT_HEALTH_UNHEALTHY;
            }
        } catch (...) {
            r.state = ZT_HEALTH_UNHEALTHY;
            r.message = "health check threw an exception";
        }
        out.push_back(std::move(r));
    }
    return out;
}

CustomAuthOutcome LocalService::authenticate(const http::Exchange& ex) const {
    CustomAuthOutcome out;
    if (authenticate_ == nullptr) {
        out.message = "no authenticator registered";
        return out;
    }
    RequestView rv;
    fillRequest(ex, rv);
    zt_auth_result result;
    zt_status rc = ZT_ERR_INTERNAL;
    InFlightGuard guard(inFlight_);
    if (stopping_.load(std::memory_order_seq_cst)) {
        out.message = "service is stopping";
        return out;  // fail closed
    }
    try {
        rc = authenticate_(authData_, &rv.request, &result);
    } catch (...) {
        out.message = "authenticator failed";
        return out;  // fail closed
    }
    if (rc != ZT_OK || !result.set) {
        out.message = "authenticator failed";
        return out;
    }
    out.allow = result.allow;
    out.principal = result.principal;
    out.denyStatus = result.denyStatus;
    out.message = result.message;
    return out;
}

}  // namespace zt::service
