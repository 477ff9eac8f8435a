#pragma once
// zintrust/testing.hpp: test a service plugin in-process, in milliseconds, without zintrust-host
// (docs/TESTING.md). Link Zintrust::Testing (libzintrust-testing.so, installed with the SDK).
//
//   zt::testing::TestHost host({.pluginFile = "build/libzt_orders.so",
//                               .configFile = "service.config.json",
//                               .databaseUrl = std::getenv("TEST_DATABASE_URL")});
//   host.stub("users", "GET", "/users/7", {200, {}, R"({"id":7})"});
//   auto created = host.postJson("/orders", {{"userId", 7}, {"items", ...}});
//   CPPUNIT_ASSERT_EQUAL(201, created.status);
//
// What runs is the host's own code: its plugin loader and checks, its routing and JSON errors, its
// query builder, pool and migrations against the real PostgreSQL the test names (the service's
// role and schema are created there as the host creates them). What does not run: the port, the
// filters (a request carries the principal an auth filter would have found), tracing. callService
// is answered by the stubs the test sets; every call is recorded.
//
// Lifetime: the constructor loads the plugin and runs its init(); the destructor runs shutdown()
// and unloads it. A TestHost is neither copied nor moved (the plugin holds pointers into it).
// send() and the other requests may run on many threads at once; stub() may be called at any time.
#include <zintrust/testing.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "zintrust/sdk/detail/abi_strings.hpp"

namespace zt::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

/// An answer: from the service (send), or the one a stub gives a callService call.
struct Reply {
    int status = 0;
    Headers headers;  ///< names lower case in answers from the service
    std::string body;

    /// The first value of `name` (any case), if present.
    std::optional<std::string> header(std::string_view name) const {
        for (const auto& [n, v] : headers) {
            if (n.size() == name.size() &&
                std::equal(n.begin(), n.end(), name.begin(),
                           [](char a, char b) { return lower(a) == lower(b); }))
                return v;
        }
        return std::nullopt;
    }
    /// The body as JSON; throws std::runtime_error with the status and the body when it is not JSON.
    nlohmann::json json() const {
        auto parsed = nlohmann::json::parse(body, nullptr, false);
        if (parsed.is_discarded())
            throw std::runtime_error("reply " + std::to_string(status) +
                                     " is not JSON: " + body.substr(0, 200));
        return parsed;
    }

private:
    static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }
};

/// A callService call the plugin made.
struct Call {
    std::string service;
    std::string method;
    std::string target;  ///< path and query as the plugin passed them
    Headers headers;
    std::string body;
    nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

/// A request to the service, as it arrives after the filters.
struct Request {
    std::string method = "GET";
    std::string target = "/";  ///< path and query, percent-encoded: "/users/7?expand=orders"
    Headers headers;
    std::string body;
    std::string principal;  ///< "" = not authenticated
    nlohmann::json claims =
        nlohmann::json::object();              ///< the verified claims a JWT filter would pass
    std::chrono::milliseconds timeout{30000};  ///< the request's deadline (ZT_HANDLER_TIMEOUT_MS)
};

struct LogLine {
    zt_log_level level;
    std::string message;
};

struct Options {
    std::string pluginFile;  ///< the plugin .so (e.g. $<TARGET_FILE:zt_orders>)
    std::string configFile;  ///< its service.config.json; migrations/ is read next to it
    /// Merged over the file's document (JSON merge patch, RFC 7386), e.g.
    /// {{"config", {{"greeting", "Howdy"}}}}; null = the file as it is.
    nlohmann::json configPatch = nullptr;
    /// postgresql://user:password@host:port/database with the rights to create the service's role
    /// and schema (as DATABASE_URL for the host). Required when the config has a "database"
    /// section; a test that needs no database patches it away: configPatch {{"database", nullptr}}.
    std::string databaseUrl;
    bool allowRawQueries = false;  ///< as USE_RAW_QUERY=true
};

class TestHost {
public:
    /// Loads the plugin, sets up its database, runs init(). Throws std::runtime_error saying what
    /// failed: the config file and key, the plugin file and why, the database's message.
    explicit TestHost(Options options) : state_(std::make_unique<State>()) {
        std::ifstream in(options.configFile, std::ios::binary);
        if (!in) throw std::runtime_error(options.configFile + ": cannot be read");
        std::stringstream text;
        text << in.rdbuf();
        std::string config = text.str();
        if (!options.configPatch.is_null()) {
            auto document = nlohmann::json::parse(config, nullptr, false);
            if (document.is_discarded())
                throw std::runtime_error(options.configFile + ": not valid JSON");
            document.merge_patch(options.configPatch);
            config = document.dump();
        }
        zt_test_host_options o{};
        o.struct_size = sizeof o;
        o.plugin_file = sdk::detail::str(options.pluginFile);
        o.config_json = sdk::detail::str(config);
        o.config_file = sdk::detail::str(options.configFile);
        o.database_url = sdk::detail::str(options.databaseUrl);
        o.allow_raw_queries = options.allowRawQueries ? 1 : 0;
        o.call_service = &State::answerCall;
        o.call_data = state_.get();
        o.log = &State::record;
        o.log_data = state_.get();
        char error[2048] = {0};
        if (zt_test_host_create(&o, &host_, error, sizeof error) != ZT_OK) {
            throw std::runtime_error(error[0] ? error : "the test host did not start");
        }
    }
    ~TestHost() { zt_test_host_destroy(host_); }
    TestHost(const TestHost&) = delete;
    TestHost& operator=(const TestHost&) = delete;

    // ---- requests ----
    Reply send(const Request& request) {
        std::vector<zt_header> headers;
        headers.reserve(request.headers.size());
        for (const auto& [n, v] : request.headers)
            headers.push_back({sdk::detail::str(n), sdk::detail::str(v)});
        const std::string claims = request.claims.dump();
        zt_test_request r{};
        r.struct_size = sizeof r;
        r.method = sdk::detail::str(request.method);
        r.target = sdk::detail::str(request.target);
        r.headers = headers.data();
        r.header_count = headers.size();
        r.body = sdk::detail::str(request.body);
        r.principal = sdk::detail::str(request.principal);
        r.claims_json = sdk::detail::str(claims);
        r.timeout_ms = request.timeout.count();
        zt_test_reply* reply = nullptr;
        if (zt_test_host_send(host_, &r, &reply) != ZT_OK || reply == nullptr)
            throw std::runtime_error("the test host could not send " + request.method + " " +
                                     request.target);
        return take(reply);
    }
    Reply get(std::string target, Headers headers = {}) {
        return send(make("GET", std::move(target), {}, headers));
    }
    Reply del(std::string target, Headers headers = {}) {
        return send(make("DELETE", std::move(target), {}, headers));
    }
    /// With Content-Type: application/json.
    Reply postJson(std::string target, const nlohmann::json& body, Headers headers = {}) {
        return send(make("POST", std::move(target), body.dump(), withJson(headers)));
    }
    Reply putJson(std::string target, const nlohmann::json& body, Headers headers = {}) {
        return send(make("PUT", std::move(target), body.dump(), withJson(headers)));
    }
    Reply patchJson(std::string target, const nlohmann::json& body, Headers headers = {}) {
        return send(make("PATCH", std::move(target), body.dump(), withJson(headers)));
    }
    /// The service's GET /health answer (database, dependencies, the plugin's own checks). An
    /// answer is reused for a second, as the host does.
    Reply health() {
        zt_test_reply* reply = nullptr;
        if (zt_test_host_health(host_, &reply) != ZT_OK || reply == nullptr)
            throw std::runtime_error("the test host could not run the health checks");
        return take(reply);
    }

    /// {method, pattern} of every route the plugin registered, in the order they are matched.
    std::vector<std::pair<std::string, std::string>> routes() const {
        std::vector<std::pair<std::string, std::string>> out;
        const size_t n = zt_test_host_route_count(host_);
        for (size_t i = 0; i < n; ++i) {
            zt_str method{}, pattern{};
            if (zt_test_host_route(host_, i, &method, &pattern) == ZT_OK)
                out.emplace_back(std::string(sdk::detail::view(method)),
                                 std::string(sdk::detail::view(pattern)));
        }
        return out;
    }

    // ---- callService ----
    /// Answers every call to `service` with exactly this method and target (path and query).
    void stub(std::string service, std::string method, std::string target, Reply reply) {
        std::lock_guard lock(state_->mutex);
        state_->exact[{std::move(service), std::move(method), std::move(target)}] =
            std::move(reply);
    }
    /// Answers every other call to `service`; a reply with status 0 means "no answer" (404).
    void stub(std::string service, std::function<Reply(const Call&)> answer) {
        std::lock_guard lock(state_->mutex);
        state_->byService[std::move(service)] = std::move(answer);
    }
    /// Every call the plugin made so far, answered or not, in order.
    std::vector<Call> calls() const {
        std::lock_guard lock(state_->mutex);
        return state_->calls;
    }

    // ---- log ----
    /// Every line the service logged so far (the plugin's and the host's for it).
    std::vector<LogLine> logs() const {
        std::lock_guard lock(state_->mutex);
        return state_->logs;
    }
    bool logged(std::string_view part) const {
        std::lock_guard lock(state_->mutex);
        for (const auto& line : state_->logs) {
            if (line.message.find(part) != std::string::npos) return true;
        }
        return false;
    }

private:
    /// What the library's callbacks reach: stubs, recorded calls and log lines. Heap-allocated
    /// so its address, handed to the library, never changes.
    struct State {
        mutable std::mutex mutex;
        std::map<std::tuple<std::string, std::string, std::string>, Reply> exact;
        std::map<std::string, std::function<Reply(const Call&)>> byService;
        std::vector<Call> calls;
        std::vector<LogLine> logs;

        static void answerCall(void* data, zt_str service, zt_str method, zt_str target,
                               const zt_header* headers, size_t headerCount, zt_str body,
                               zt_test_call_reply* out) noexcept {
            auto* self = static_cast<State*>(data);
            try {
                Call call{std::string(sdk::detail::view(service)),
                          std::string(sdk::detail::view(method)),
                          std::string(sdk::detail::view(target)),
                          {},
                          std::string(sdk::detail::view(body))};
                for (size_t i = 0; i < headerCount; ++i)
                    call.headers.emplace_back(std::string(sdk::detail::view(headers[i].name)),
                                              std::string(sdk::detail::view(headers[i].value)));
                std::optional<Reply> reply;
                std::function<Reply(const Call&)> answer;
                {
                    std::lock_guard lock(self->mutex);
                    self->calls.push_back(call);
                    auto it = self->exact.find({call.service, call.method, call.target});
                    if (it != self->exact.end()) reply = it->second;
                    else if (auto f = self->byService.find(call.service);
                             f != self->byService.end())
                        answer = f->second;
                }
                if (!reply && answer) reply = answer(call);  // outside the lock: it may call stub()
                if (!reply || reply->status == 0) return;    // unset: 404 unknown_service
                zt_test_call_reply_set(out, reply->status, sdk::detail::str(reply->body));
                for (const auto& [n, v] : reply->headers)
                    zt_test_call_reply_add_header(out, sdk::detail::str(n), sdk::detail::str(v));
            } catch (...) {
                const std::string body =
                    R"({"error":{"code":"internal_error","message":"the test's stub threw"}})";
                zt_test_call_reply_set(out, 500, sdk::detail::str(body));
            }
        }
        static void record(void* data, zt_log_level level, zt_str message) noexcept {
            auto* self = static_cast<State*>(data);
            try {
                std::lock_guard lock(self->mutex);
                self->logs.push_back({level, std::string(sdk::detail::view(message))});
            } catch (...) {
                // out of memory while logging: the line is lost, the test goes on
            }
        }
    };

    static Request make(std::string method, std::string target, std::string body, Headers headers) {
        Request r;
        r.method = std::move(method);
        r.target = std::move(target);
        r.body = std::move(body);
        r.headers = std::move(headers);
        return r;
    }
    static Headers withJson(Headers headers) {
        headers.emplace_back("content-type", "application/json");
        return headers;
    }
    static Reply take(zt_test_reply* reply) {
        Reply out;
        out.status = zt_test_reply_status(reply);
        out.body = std::string(sdk::detail::view(zt_test_reply_body(reply)));
        const size_t n = zt_test_reply_header_count(reply);
        for (size_t i = 0; i < n; ++i) {
            zt_str name{}, value{};
            if (zt_test_reply_header(reply, i, &name, &value) == ZT_OK)
                out.headers.emplace_back(std::string(sdk::detail::view(name)),
                                         std::string(sdk::detail::view(value)));
        }
        zt_test_reply_free(reply);
        return out;
    }

    std::unique_ptr<State> state_;
    zt_test_host* host_ = nullptr;
};

}  // namespace zt::testing
