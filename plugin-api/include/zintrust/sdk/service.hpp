#pragma once
// zintrust/sdk/service.hpp: part of the header-only SDK.
// Include "zintrust/sdk.hpp", not this file.
//
// zt::sdk::Service, Routes and the ZT_PLUGIN entry macro: how a service class becomes a plugin.

#include "zintrust/sdk/detail/handlers.hpp"

namespace zt::sdk {

/// Route registration inside Service::configure().
class Routes {
public:
    Routes(const zt_host_api* api, zt_host* host,
           std::vector<std::unique_ptr<detail::RouteSlot>>& slots)
        : api_(api), host_(host), slots_(slots) {}

    Routes& get(std::string_view p, Handler h) { return add("GET", p, std::move(h)); }
    Routes& post(std::string_view p, Handler h) { return add("POST", p, std::move(h)); }
    Routes& put(std::string_view p, Handler h) { return add("PUT", p, std::move(h)); }
    Routes& patch(std::string_view p, Handler h) { return add("PATCH", p, std::move(h)); }
    Routes& del(std::string_view p, Handler h) { return add("DELETE", p, std::move(h)); }

    /// Throws std::runtime_error (refusing the service) when the host rejects the route.
    Routes& add(std::string_view method, std::string_view pattern, Handler h) {
        slots_.push_back(
            std::make_unique<detail::RouteSlot>(detail::RouteSlot{api_, std::move(h), host_}));
        zt_status rc = api_->register_route(host_, str(method), str(pattern), &detail::invokeRoute,
                                            slots_.back().get());
        if (rc != ZT_OK) {
            slots_.pop_back();
            throw std::runtime_error("cannot register route " + std::string(method) + " " +
                                     std::string(pattern) + " (status " + std::to_string(rc) + ")");
        }
        lastMethod_ = method;
        lastPattern_ = pattern;
        return *this;
    }

    /// The one-line summary of the route registered last, shown by GET /openapi.json:
    /// `routes.get("/users/:id", h).summary("Read one user")`. A host older than ABI 1.4 has no
    /// API description: the summary is ignored there. Throws std::runtime_error for a summary the
    /// host refuses (empty, over 200 bytes, or more than one line) or when no route came before.
    Routes& summary(std::string_view text) {
        if (lastPattern_.empty())
            throw std::logic_error("summary() describes the route registered just before it");
        if (!ZT_HOST_API_HAS(api_, describe_route)) return *this;
        zt_status rc = api_->describe_route(host_, str(lastMethod_), str(lastPattern_), str(text));
        if (rc != ZT_OK)
            throw std::runtime_error("cannot describe route " + lastMethod_ + " " + lastPattern_ +
                                     " (status " + std::to_string(rc) + ")");
        return *this;
    }

private:
    const zt_host_api* api_;
    zt_host* host_;
    std::vector<std::unique_ptr<detail::RouteSlot>>& slots_;
    std::string lastMethod_;  ///< of the route registered last, for summary()
    std::string lastPattern_;
};

/// Base class of a service. One instance per loaded service; handlers run on many threads.
class Service {
public:
    virtual ~Service() = default;
    /// Register routes, health checks and an authenticator. Throw to refuse to start.
    virtual void configure(Routes& routes, Host& host) = 0;
};

/// Everything one loaded service owns (route slots must outlive the host's use of them).
struct PluginInstance {
    Host host;
    std::vector<std::unique_ptr<detail::RouteSlot>> routes;
    std::vector<std::unique_ptr<HealthCheck>> healthChecks;
    std::unique_ptr<detail::AuthSlot> auth;  ///< registered with the host after configure()
    std::unique_ptr<Authenticator> authFn;  ///< filled by Host::setAuthenticator during configure()
    std::unique_ptr<Service> service;

    PluginInstance(const zt_host_api* api, zt_host* h) : host(api, h) {}
};

inline void Host::addHealthCheck(std::string name, HealthCheck check) {
    if (healthStorage_ == nullptr)
        throw std::logic_error("addHealthCheck is only valid inside configure()");
    healthStorage_->push_back(std::make_unique<HealthCheck>(std::move(check)));
    zt_status rc = api_->register_health_check(host_, str(name), &detail::invokeHealth,
                                               healthStorage_->back().get());
    if (rc != ZT_OK) {
        healthStorage_->pop_back();
        throw std::runtime_error("cannot register health check '" + name + "' (status " +
                                 std::to_string(rc) + ")");
    }
}

namespace detail {
template <class ServiceT>
zt_status init(const zt_host_api* api, zt_host* host, void** out, char* err, std::size_t cap) {
    auto fail = [&](const std::string& msg) {
        if (cap > 0) {
            std::size_t n = msg.size() < cap - 1 ? msg.size() : cap - 1;
            std::memcpy(err, msg.data(), n);
            err[n] = '\0';
        }
        return ZT_ERR_INTERNAL;
    };
    if (api == nullptr || api->abi_major != ZT_PLUGIN_ABI_MAJOR ||
        api->struct_size < offsetof(zt_host_api, auth_result_set) + sizeof(api->auth_result_set)) {
        return fail("host function table is incompatible with this plugin");
    }
    try {
        auto inst = std::make_unique<PluginInstance>(api, host);
        inst->host.healthStorage_ = &inst->healthChecks;
        inst->host.authStorage_ = &inst->authFn;
        inst->service = std::make_unique<ServiceT>();
        Routes routes(api, host, inst->routes);
        inst->service->configure(routes, inst->host);
        if (inst->authFn) {
            inst->auth = std::make_unique<AuthSlot>(AuthSlot{api, std::move(*inst->authFn)});
            zt_status rc = api->register_authenticator(host, &invokeAuth, inst->auth.get());
            if (rc != ZT_OK)
                return fail("cannot register authenticator (status " + std::to_string(rc) + ")");
        }
        inst->host.healthStorage_ = nullptr;
        inst->host.authStorage_ = nullptr;
        *out = inst.release();
        return ZT_OK;
    } catch (const std::exception& e) {
        return fail(e.what());
    } catch (...) {
        return fail("configure() threw a non-standard exception");
    }
}

inline void shutdown(void* instance) {
    try {
        delete static_cast<PluginInstance*>(instance);
    } catch (...) {
    }
}
}  // namespace detail

inline void Host::setAuthenticator(Authenticator authenticator) {
    if (authStorage_ == nullptr)
        throw std::logic_error("setAuthenticator is only valid inside configure()");
    if (*authStorage_) throw std::logic_error("setAuthenticator called twice");
    *authStorage_ = std::make_unique<Authenticator>(std::move(authenticator));
}

}  // namespace zt::sdk

/// Defines the plugin's exported entry symbol for service class `ServiceClass`.
#define ZT_PLUGIN(ServiceClass, NAME, VERSION, DESCRIPTION)                         \
    extern "C" ZT_PLUGIN_EXPORT const zt_plugin_descriptor* zt_plugin_entry(void) { \
        static const zt_plugin_descriptor descriptor = {                            \
            static_cast<uint32_t>(sizeof(zt_plugin_descriptor)),                    \
            static_cast<uint16_t>(ZT_PLUGIN_ABI_MAJOR),                             \
            static_cast<uint16_t>(ZT_PLUGIN_ABI_MINOR),                             \
            NAME,                                                                   \
            VERSION,                                                                \
            DESCRIPTION,                                                            \
            &::zt::sdk::detail::init<ServiceClass>,                                 \
            &::zt::sdk::detail::shutdown,                                           \
        };                                                                          \
        return &descriptor;                                                         \
    }
