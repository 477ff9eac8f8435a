#pragma once
// One service plugin run in-process for its author's tests (docs/TESTING.md): the host's own
// loader, LocalService, query builder and pool, with no port and no filters. Routes are called
// directly on the caller's thread, callService is answered by the test's stub, the plugin's log
// goes to the test's sink. The C functions of zintrust/testing.h (TestingApi.cpp) wrap this class.
//
// Lifetime: construction loads the plugin, sets up its database and runs init(); destruction
// stops it (waiting for calls in flight) and unloads it. Every method but the destructor may be
// called from any thread.
#include <Poco/Channel.h>
#include <Poco/Exception.h>
#include <Poco/Logger.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "calls/CallMessage.h"
#include "http/Exchange.h"
#include "service/LocalService.h"
#include "service/ServiceDatabase.h"
#include "service/ServiceHealth.h"
#include "registry/MicroserviceManager.h"
#include "zintrust/plugin.h"

namespace zt::testing {

/// The plugin, its config or its database could not be set up. what(): the file or key and why.
POCO_DECLARE_EXCEPTION(, TestHostError, Poco::RuntimeException)

class TestHost {
public:
    /// Answers one callService call; an answer with status 0 means "no stub" (404 unknown_service).
    using CallStub = std::function<calls::CallResponse(const calls::CallRequest& request)>;
    using LogSink = std::function<void(zt_log_level level, const std::string& message)>;

    struct Options {
        std::string pluginFile;
        std::string configJson;
        std::string configFile;   ///< names the file in errors; migrations/ is next to it
        std::string databaseUrl;  ///< provisioning credentials (DATABASE_URL); "" = no database
        bool allowRawQueries = false;
        CallStub callStub;  ///< unset: every call is 404 unknown_service
        LogSink logSink;    ///< unset: the log is discarded
    };

    struct Request {
        std::string method;
        std::string target;  ///< "/path?query", percent-encoded
        std::vector<std::pair<std::string, std::string>> headers;
        std::string body;
        std::string principal;
        std::string claimsJson;
        std::chrono::milliseconds timeout{30000};
    };

    /// Throws TestHostError (bad config, plugin refused, database not ready, init failed).
    explicit TestHost(Options options);
    ~TestHost();
    TestHost(const TestHost&) = delete;
    TestHost& operator=(const TestHost&) = delete;

    /// {method, pattern} of every route, in the order they are matched (fixed once init() returned).
    const std::vector<std::pair<std::string, std::string>>& routes() const { return routes_; }
    /// The plugin's answer, or the host's JSON error (501 for a method it does not serve, 400 for a
    /// target it refuses, 404/405 when no route matches).
    http::HttpResponse send(const Request& request);
    /// The service's GET /health answer.
    http::HttpResponse health() const;

    /// The stub's answer to `request` made by `service`'s plugin (abi call_service).
    calls::CallResponse answerCall(const calls::CallRequest& request) const;

private:
    class LogChannel;

    Options options_;
    config::ServiceConfig config_;
    zt_host_api api_;  ///< the host's table with call_service answered by the stub
    Poco::AutoPtr<Poco::Channel> logChannel_;
    Poco::Logger* serviceLogger_ = nullptr;
    registry::MicroserviceManager registry_;
    std::shared_ptr<service::ServiceDatabase> database_;
    std::shared_ptr<service::LocalService> service_;
    std::unique_ptr<service::ServiceHealth> health_;
    std::vector<std::pair<std::string, std::string>> routes_;
};

}  // namespace zt::testing
