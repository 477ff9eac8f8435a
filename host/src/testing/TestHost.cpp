#include "testing/TestHost.h"

#include <Poco/AutoPtr.h>
#include <Poco/Message.h>

#include <map>
#include <mutex>
#include <stdexcept>

#include "abi/CallApi.h"
#include "abi/HostApi.h"
#include "config/EnvConfig.h"
#include "db/DatabaseRegistry.h"
#include "deadline/RequestDeadline.h"
#include "http/JsonError.h"
#include "http/RequestTarget.h"
#include "plugin/PluginLibrary.h"

namespace zt::testing {

POCO_IMPLEMENT_EXCEPTION(TestHostError, Poco::RuntimeException, "Test host failed to start")

namespace {

/// Which test host a plugin's zt_host belongs to: call_service receives only the zt_host, whose
/// LocalService is this map's key. Written when a test host starts and stops, read per call.
std::mutex gHostsMutex;
std::map<const service::LocalService*, const TestHost*> gHosts;

zt_status stubCallService(zt_host* host, const zt_request* context, zt_str service, zt_str method, zt_str pathAndQuery,
                          const zt_header* headers, size_t headerCount, zt_str body, zt_call_response** out) {
    (void)context;  // the stub sees what the plugin sent; the trace is the host's business
    if (out == nullptr) return ZT_ERR_INVALID_ARGUMENT;
    *out = nullptr;
    if (host == nullptr || host->service == nullptr || (headers == nullptr && headerCount != 0))
        return ZT_ERR_INVALID_ARGUMENT;
    const TestHost* testHost = nullptr;
    {
        std::lock_guard lock(gHostsMutex);
        auto it = gHosts.find(host->service);
        if (it != gHosts.end()) testHost = it->second;
    }
    auto result = std::make_unique<zt_call_response>();
    if (testHost == nullptr) {
        result->response.status = 503;
        result->response.body = http::jsonErrorBody("service_unavailable", "the test host is stopping");
        *out = result.release();
        return ZT_OK;
    }
    const calls::CallRequest req = abi::callRequestOf(*host, service, method, pathAndQuery, headers, headerCount, body);
    try {
        result->response = testHost->answerCall(req);
    } catch (const std::exception& e) {
        result->response = {};
        result->response.status = 500;
        result->response.body = http::jsonErrorBody("internal_error", std::string("the call stub threw: ") + e.what());
    }
    *out = result.release();
    return ZT_OK;
}

/// SERVICE_HEALTH_CHECK_TIMEOUT_MS's default: the bound of every health check.
constexpr std::chrono::milliseconds kHealthCheckTimeout{2000};

zt_log_level levelOf(Poco::Message::Priority p) {
    // The plugin's levels are Poco's priorities (LocalService::pluginLog maps them 1:1).
    int level = static_cast<int>(p);
    if (level < ZT_LOG_FATAL) level = ZT_LOG_FATAL;
    if (level > ZT_LOG_TRACE) level = ZT_LOG_TRACE;
    return static_cast<zt_log_level>(level);
}

}  // namespace

/// Hands every line of the service's logger to the test's sink.
class TestHost::LogChannel : public Poco::Channel {
public:
    explicit LogChannel(LogSink sink) : sink_(std::move(sink)) {}
    void log(const Poco::Message& msg) override {
        if (sink_) sink_(levelOf(msg.getPriority()), msg.getText());
    }

private:
    LogSink sink_;
};

TestHost::TestHost(Options options) : options_(std::move(options)) {
    try {
        config_ = config::ServiceConfig::parse(options_.configJson, options_.configFile);
    } catch (const Poco::Exception& e) {
        throw TestHostError(e.message());
    }
    // The service's own logger, as LocalService names it: every level reaches the test.
    serviceLogger_ = &Poco::Logger::get("zt.service." + config_.name);
    logChannel_ = new LogChannel(options_.logSink);
    serviceLogger_->setChannel(logChannel_);
    serviceLogger_->setLevel(Poco::Message::PRIO_TRACE);

    std::shared_ptr<plugin::PluginLibrary> library;
    try {
        library = plugin::PluginLibrary::open(options_.pluginFile);
    } catch (const Poco::Exception& e) {
        throw TestHostError(e.message());
    }
    if (library->name() != config_.name) {
        throw TestHostError(options_.pluginFile + ": the plugin says its service is '" + library->name() + "', " +
                            options_.configFile + " says '" + config_.name + "'");
    }

    if (config_.database.enabled && options_.databaseUrl.empty()) {
        throw TestHostError(options_.configFile + ": database: service " + config_.name +
                            " has a database: name a PostgreSQL for it (databaseUrl), or patch the section away "
                            "({\"database\": null})");
    }
    if (config_.database.enabled) {
        config::EnvConfig env;
        try {
            // Only DATABASE_URL matters here; the folders are the host's, not the test's.
            env = config::EnvConfig::load(config::mapEnvironment({{"DATABASE_URL", options_.databaseUrl}}), ".", ".");
        } catch (const Poco::Exception& e) {
            throw TestHostError("database url: " + e.message());
        }
        db::ServiceRoles roles;
        roles.all.push_back(config_.roleName());
        auto registry = std::make_shared<db::DatabaseRegistry>(env.database, options_.allowRawQueries, roles);
        database_ = std::make_shared<service::ServiceDatabase>(registry, config_);
        if (!database_->openAtStart()) {
            throw TestHostError(options_.configFile + ": the database of service " + config_.name +
                                " is not ready: " + database_->lastError());
        }
    }

    api_ = *abi::hostApiTable();
    api_.call_service = &stubCallService;
    service_ = std::make_shared<service::LocalService>(config_, library, &api_);
    if (database_) service_->setDatabase(database_);
    {
        std::lock_guard lock(gHostsMutex);
        gHosts[service_.get()] = this;
    }
    try {
        service_->start();
    } catch (const Poco::Exception& e) {
        std::lock_guard lock(gHostsMutex);
        gHosts.erase(service_.get());
        throw TestHostError(e.message());
    }

    for (auto& route : service_->router().list())
        routes_.emplace_back(std::move(route.method), std::move(route.pattern));

    // Dependencies are answered by the stubs, so their health is the test's: reported healthy.
    for (const auto& dep : config_.dependencies) {
        registry::ServiceRecord record;
        record.name = dep;
        record.status = registry::ServiceStatus::Healthy;
        registry_.registerService(record);
    }
    health_ = std::make_unique<service::ServiceHealth>(service_, registry_, kHealthCheckTimeout);
    if (database_) health_->setDatabaseCheck(service::databaseHealthCheck(database_, kHealthCheckTimeout));
}

TestHost::~TestHost() {
    health_.reset();
    if (service_) service_->stop(30000);
    {
        std::lock_guard lock(gHostsMutex);
        gHosts.erase(service_.get());
    }
    service_.reset();
    database_.reset();
    // Poco's loggers are process-wide: a later test host of the same service took the logger
    // over, and keeps it.
    if (serviceLogger_ != nullptr && serviceLogger_->getChannel() == logChannel_.get())
        serviceLogger_->setChannel(nullptr);
}

http::HttpResponse TestHost::send(const Request& request) {
    http::Exchange ex;
    ex.serviceName = config_.name;
    ex.inProcess = true;
    ex.request.remoteAddress = "in-process";
    ex.request.method = request.method;
    ex.request.body = request.body;
    for (const auto& [name, value] : request.headers) ex.request.headers.add(name, value);
    ex.principal.authenticated = !request.principal.empty();
    ex.principal.subject = request.principal;
    ex.principal.claimsJson = request.claimsJson.empty() ? "{}" : request.claimsJson;
    ex.principal.strategy = config_.auth.strategy;
    ex.deadline = ex.startedAt + request.timeout;
    // The refusals of the network reader, in its order: the method first, then the target.
    http::HeadError refused;
    if (!http::isServedMethod(request.method)) {
        refused = http::unservedMethodError(request.method);
        http::setJsonError(ex.response, refused.status, refused.code, refused.message);
        return ex.response;
    }
    if (!http::parseRequestTarget(request.method, request.target, ex.request.path, ex.request.query, refused)) {
        http::setJsonError(ex.response, refused.status, refused.code, refused.message);
        return ex.response;
    }
    deadline::Scope requestDeadline(ex.deadline);
    service_->dispatch(ex);
    return ex.response;
}

http::HttpResponse TestHost::health() const {
    auto answer = health_->health();
    http::HttpResponse r;
    r.setJson(answer.httpStatus, answer.json);
    return r;
}

calls::CallResponse TestHost::answerCall(const calls::CallRequest& request) const {
    calls::CallResponse r;
    if (options_.callStub) r = options_.callStub(request);
    if (r.status == 0) {
        r = {};
        r.status = 404;
        r.headers.emplace_back("content-type", "application/json");
        r.body =
            http::jsonErrorBody("unknown_service", "the test set no answer for a call to service '" + request.target +
                                                       "' (" + request.method + " " + request.pathAndQuery + ")");
    }
    return r;
}

}  // namespace zt::testing
