#pragma once
// A service whose code lives in a plugin loaded into this process: owns the plugin instance, its
// routes, health checks and custom authenticator, and calls into the plugin safely
// (status codes in, exceptions caught, in-flight calls counted so shutdown never races a handler).
#include <Poco/Exception.h>
#include <Poco/Logger.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/ServiceConfig.h"
#include "http/RequestCounters.h"
#include "http/Router.h"
#include "http/Exchange.h"
#include "plugin/PluginLibrary.h"
#include "service/PluginHandles.h"

namespace zt::service {

class ServiceDatabase;
}  // namespace zt::service
namespace zt::calls {
class ServiceCaller;
}
namespace zt::service {

/// The plugin's init failed or it registered something invalid. message(): "<file>: <reason>".
POCO_DECLARE_EXCEPTION(, ServiceStartError, Poco::RuntimeException)

struct PluginCheckResult {
    std::string name;
    zt_health_state state = ZT_HEALTH_UNHEALTHY;
    std::string message;
};

/// What a custom authenticator decided (auth strategy "custom").
struct CustomAuthOutcome {
    bool allow = false;
    std::string principal;
    int denyStatus = 401;
    std::string message;
};

class LocalService {
public:
    /// The longest route summary describe_route takes (one line of an API description).
    static constexpr std::size_t kMaxRouteSummaryBytes = 200;

    /// `hostApi` is the table the plugin's init() receives (abi::hostApiTable() in the host).
    /// OWNERSHIP: `hostApi` is borrowed and must outlive the service (static storage).
    LocalService(config::ServiceConfig config, std::shared_ptr<plugin::PluginLibrary> library,
                 const zt_host_api* hostApi);
    ~LocalService();
    LocalService(const LocalService&) = delete;
    LocalService& operator=(const LocalService&) = delete;

    /// Calls the plugin's init(). Throws ServiceStartError naming the plugin file and the reason.
    void start();
    /// Lets no new call into the plugin (routes answer 503 service_unavailable with Retry-After,
    /// health checks say unhealthy, the authenticator denies), waits up to `drainMs` for the calls
    /// in flight, then calls shutdown(). Returns false (and skips shutdown, leaving the library
    /// loaded) when calls are still running. [the thread that owns the service]
    bool stop(int drainMs);

    const config::ServiceConfig& config() const { return config_; }
    const plugin::PluginLibrary& library() const { return *library_; }
    const http::Router& router() const { return router_; }
    bool hasAuthenticator() const { return authenticate_ != nullptr; }

    /// The service's database (null when its config has no "database" section). Set before start().
    void setDatabase(std::shared_ptr<ServiceDatabase> database) { database_ = std::move(database); }
    ServiceDatabase* database() const { return database_.get(); }
    /// Where handler failures are counted (shared with the service's HTTP server). Set before start().
    void setCounters(std::shared_ptr<http::RequestCounters> counters) { counters_ = std::move(counters); }
    const std::shared_ptr<http::RequestCounters>& counters() const { return counters_; }
    /// Inter-service calls (zt_host_api.call_service). Set by the bootstrap once every local
    /// service is registered; null before (calls then answer 503).
    void setCaller(std::shared_ptr<const calls::ServiceCaller> caller) {
        std::atomic_store(&caller_, std::move(caller));
    }
    std::shared_ptr<const calls::ServiceCaller> caller() const { return std::atomic_load(&caller_); }

    /// Routes an exchange that passed the filters and runs the plugin handler (404/405/500 as JSON).
    void dispatch(http::Exchange& exchange) const;
    /// Runs every plugin-registered health check (exceptions count as unhealthy).
    std::vector<PluginCheckResult> runHealthChecks() const;
    /// Runs the plugin's authenticator; fails closed on any error.
    CustomAuthOutcome authenticate(const http::Exchange& exchange) const;

    // ---- called by the zt_host_api functions (abi/HostApi.cpp) ----
    void pluginLog(zt_log_level level, std::string_view message) const;
    zt_status configValue(std::string_view key, zt_str* out);
    zt_status registerRoute(std::string_view method, std::string_view pattern, zt_route_handler handler, void* data);
    /// The summary GET /openapi.json shows for a registered route (ZT_ERR_NOT_FOUND when none).
    zt_status describeRoute(std::string_view method, std::string_view pattern, std::string_view summary);
    zt_status registerHealthCheck(std::string_view name, zt_health_check_fn fn, void* data);
    zt_status registerAuthenticator(zt_authenticate_fn fn, void* data);

private:
    /// Keeps the host-owned views of one request alive while the plugin reads them.
    struct RequestView;
    void fillRequest(const http::Exchange& ex, RequestView& view) const;

    struct HealthCheck {
        std::string name;
        zt_health_check_fn fn;
        void* data;
    };

    config::ServiceConfig config_;
    std::shared_ptr<plugin::PluginLibrary> library_;
    Poco::Logger& logger_;
    const zt_host_api* hostApi_;
    zt_host host_;
    void* instance_ = nullptr;
    bool initializing_ = false;
    bool started_ = false;
    http::Router router_;
    std::vector<HealthCheck> healthChecks_;
    std::shared_ptr<ServiceDatabase> database_;
    std::shared_ptr<http::RequestCounters> counters_ = std::make_shared<http::RequestCounters>();
    std::shared_ptr<const calls::ServiceCaller> caller_;
    zt_authenticate_fn authenticate_ = nullptr;
    void* authData_ = nullptr;
    mutable std::atomic<int> inFlight_{0};
    std::atomic<bool> stopping_{false};  ///< set by stop(): calls are answered without the plugin
    std::mutex configMutex_;
    std::map<std::string, std::string, std::less<>> configCache_;  ///< node-stable storage for config_get
};

}  // namespace zt::service
