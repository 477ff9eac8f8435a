// Crash containment against the real binary (docs/OPERATIONS.md: crash containment): a service
// with "process": "isolated" runs in a worker process the host supervises. A plugin that aborts
// or segfaults kills only its worker: its port keeps answering (503 JSON + Retry-After while it
// is down), a new worker serves within a second or two, and the other services under load see
// nothing. Calls into and out of isolated services, reloads and shutdown work as for shared ones.
#include <cppunit/extensions/HelperMacros.h>
#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>

#include "support/NotifySocket.h"
#include "support/SteadyLoad.h"
#include "support/TestSupport.h"

using namespace zt::test;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {
const std::string kToken = "isolation-test-token-0123456789abcdef";

template <class Fn>
bool eventually(int ms, Fn&& fn) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(ms);
    while (Clock::now() < deadline) {
        if (fn()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return fn();
}

long long msSince(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

/// Adds "process": "isolated" to an example service's config.
void isolate(ExampleServices& services, const std::string& name) {
    const auto file = fs::path(services.dir.path()) / "ecommerce" / name / "service.config.json";
    std::string json = readFile(file.string());
    json.insert(json.find('{') + 1, "\n  \"process\": \"isolated\",");
    std::ofstream(file) << json;
}

/// A process that is gone, or a zombie nobody reaped yet (a container's PID 1 may not reap).
bool gone(pid_t pid) {
    if (::kill(pid, 0) != 0) return true;
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("State:", 0) == 0) return line.find('Z') != std::string::npos;
    }
    return true;
}

/// The processes `parent` started (any of its threads), from /proc/<pid>/task/*/children.
std::vector<pid_t> childrenOf(pid_t parent) {
    std::vector<pid_t> out;
    for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(parent) + "/task")) {
        std::ifstream in(task.path() / "children");
        pid_t pid = 0;
        while (in >> pid) out.push_back(pid);
    }
    return out;
}

/// One variable of a process's environment ("" when absent).
std::string environmentOf(pid_t pid, const std::string& name) {
    const auto text = readFile("/proc/" + std::to_string(pid) + "/environ");
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\0', start);
        if (end == std::string::npos) end = text.size();
        if (text.compare(start, name.size() + 1, name + "=") == 0)
            return text.substr(start + name.size() + 1, end - start - name.size() - 1);
        start = end + 1;
    }
    return "";
}

/// The example services plus the misbehaving test plugin as an isolated service.
struct Fixture {
    ExampleServices services;
    TestPluginFolder plugins;
    int admin = freePort();
    int misbehaving = freePort();
    std::unique_ptr<HostProcess> host;

    NotifySocket notify;

    Fixture() {
        services.dir.write("test/misbehaving/service.config.json",
                           R"({"name":"misbehaving","domain":"test","process":"isolated","port":)" +
                               std::to_string(misbehaving) + R"(,"plugin":"libzt_misbehaving.so"})");
        auto env = hostEnv(services, admin, plugins.path());
        env["ADMIN_TOKEN"] = kToken;
        env["LOG_LEVEL"] = "notice";
        env["NOTIFY_SOCKET"] = notify.path();
        host = std::make_unique<HostProcess>(env, admin);
        CPPUNIT_ASSERT_MESSAGE(host->log(), host->running());
        CPPUNIT_ASSERT_MESSAGE(host->log(), eventually(15000, [&] { return workerPid() > 0; }));
    }
    /// The pid of the process that answers the misbehaving service's requests (0 when none does).
    pid_t workerPid() {
        auto r = httpRequest("GET", misbehaving, "/pid", "", {}, 2000);
        if (r.status != 200) return 0;
        return nlohmann::json::parse(r.body)["pid"].get<pid_t>();
    }
};
}  // namespace

class IsolationTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(IsolationTest);
    CPPUNIT_TEST(an_isolated_service_runs_in_a_worker_process_of_its_own);
    CPPUNIT_TEST(a_crashing_plugin_takes_only_its_worker_down_and_is_restarted);
    CPPUNIT_TEST(calls_into_and_out_of_isolated_services_work_as_for_shared_ones);
    CPPUNIT_TEST(a_reload_replaces_the_worker_without_losing_a_request);
    CPPUNIT_TEST(the_workers_stop_with_the_host_even_when_it_is_killed);
    CPPUNIT_TEST(a_plugin_that_crashes_at_init_does_not_hold_ready_back);
    CPPUNIT_TEST_SUITE_END();

public:
    void an_isolated_service_runs_in_a_worker_process_of_its_own() {
        Fixture f;
        const pid_t worker = f.workerPid();
        CPPUNIT_ASSERT(worker != f.host->pid());
        // READY=1 waited for the worker: every service, the isolated one too, is ready in it.
        auto messages = f.notify.read(5000, "READY=1");
        CPPUNIT_ASSERT(!messages.empty() && messages.back().has("READY=1"));
        CPPUNIT_ASSERT_EQUAL(std::string("4/4 services ready"), messages.back().value("STATUS"));
        CPPUNIT_ASSERT_MESSAGE(messages.front().text, messages.size() >= 2 && !messages.front().has("READY=1"));
        assertContains(messages.front().value("STATUS"), "waiting: misbehaving (worker)");
        auto ready = httpRequest("GET", f.misbehaving, "/health/ready");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(ready.body, 200, ready.status);
        // The registry lists it as reached over HTTP, on its public port.
        auto services = httpRequest("GET", f.admin, "/services");
        auto doc = nlohmann::json::parse(services.body);
        bool listed = false;
        for (const auto& s : doc["services"]) {
            if (s["name"] == "misbehaving") {
                listed = true;
                CPPUNIT_ASSERT_EQUAL_MESSAGE(s.dump(), false, s["local"].get<bool>());
                CPPUNIT_ASSERT_EQUAL(f.misbehaving, s["port"].get<int>());
            }
        }
        CPPUNIT_ASSERT_MESSAGE(services.body, listed);
        // The worker learns who the client is; HEAD carries GET's length without the body.
        auto pid = httpRequest("GET", f.misbehaving, "/pid");
        CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1"),
                             nlohmann::json::parse(pid.body)["forwardedFor"].get<std::string>());
        auto head = httpRequest("HEAD", f.misbehaving, "/pid");
        CPPUNIT_ASSERT_EQUAL(200, head.status);
        CPPUNIT_ASSERT_EQUAL(std::to_string(pid.body.size()), head.header("content-length"));
        CPPUNIT_ASSERT(head.body.empty());
        // The worker listens on loopback only, on a port of its own; its plugin is not loaded in the host.
        const auto maps = readFile("/proc/" + std::to_string(f.host->pid()) + "/maps");
        CPPUNIT_ASSERT_MESSAGE("the host mapped the isolated plugin",
                               maps.find("libzt_misbehaving") == std::string::npos);
        const auto workerMaps = readFile("/proc/" + std::to_string(worker) + "/maps");
        CPPUNIT_ASSERT_MESSAGE("the worker did not map the plugin",
                               workerMaps.find("libzt_misbehaving") != std::string::npos ||
                                   workerMaps.find("memfd:") != std::string::npos);
    }

    void a_crashing_plugin_takes_only_its_worker_down_and_is_restarted() {
        Fixture f;
        const pid_t first = f.workerPid();
        SteadyLoad load({{f.services.ports["payments"], "/health/live", {}},
                         {f.services.ports["users"], "/health/ready", {}},
                         {f.services.ports["orders"], "/health/live", {}}},
                        3);
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        long long worstRecovery = 0;
        pid_t previous = first;
        for (const std::string crash : {"/crash/abort", "/crash/segv", "/crash/abort"}) {
            const auto crashedAt = Clock::now();
            // The request that killed the worker: the connection to it broke, the port answers.
            auto r = httpRequest("GET", f.misbehaving, crash);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(r.body, 503, r.status);
            assertContains(r.body, "\"code\":\"service_unavailable\"");
            CPPUNIT_ASSERT_MESSAGE(r.body, !r.header("retry-after").empty());
            // While it is down: not ready, 503 JSON with Retry-After, never connection refused.
            auto down = httpRequest("GET", f.misbehaving, "/health/ready");
            CPPUNIT_ASSERT_EQUAL_MESSAGE(down.body, 503, down.status);
            CPPUNIT_ASSERT_MESSAGE(down.body, !down.header("retry-after").empty());
            // Liveness is the host's: alive, whatever the worker does (a probe must not restart the host).
            auto live = httpRequest("GET", f.misbehaving, "/health/live");
            CPPUNIT_ASSERT_EQUAL_MESSAGE(live.body, 200, live.status);
            pid_t next = 0;
            CPPUNIT_ASSERT_MESSAGE(f.host->log(), eventually(5000, [&] { return (next = f.workerPid()) > 0; }));
            worstRecovery = std::max(worstRecovery, msSince(crashedAt));
            CPPUNIT_ASSERT(next != previous);
            previous = next;
        }
        CPPUNIT_ASSERT_MESSAGE(std::to_string(worstRecovery) + " ms", worstRecovery < 2000);
        load.stop();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(load.firstErrors() + f.host->log(), 0L, load.failed());
        CPPUNIT_ASSERT(load.ok() > 100);
        CPPUNIT_ASSERT(f.host->running());
        const auto log = f.host->log();
        assertContains(log, "was killed by SIGABRT");
        assertContains(log, "was killed by SIGSEGV");
        // What an operator sees: the worker in /health/services, its restarts in /metrics, and
        // the forwarded requests under their route templates.
        auto health = nlohmann::json::parse(httpRequest("GET", f.admin, "/health/services").body);
        auto worker = health["services"]["misbehaving"]["worker"];
        CPPUNIT_ASSERT_EQUAL_MESSAGE(health.dump(), true, worker["ready"].get<bool>());
        CPPUNIT_ASSERT_EQUAL(3, worker["restarts"].get<int>());
        CPPUNIT_ASSERT_EQUAL(std::string("was killed by SIGABRT"), worker["lastExit"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(previous, worker["pid"].get<pid_t>());
        const auto metrics = httpRequest("GET", f.admin, "/metrics").body;
        assertContains(metrics, "zintrust_worker_restarts_total{service=\"misbehaving\"} 3");
        assertContains(metrics, "zintrust_worker_up{service=\"misbehaving\"} 1");
        assertContains(metrics, "zintrust_plugin_info{service=\"misbehaving\",version=\"1.0.0\",abi=\"1.");
        CPPUNIT_ASSERT_MESSAGE(metrics, std::regex_search(metrics, std::regex("http_server_request_duration_seconds_"
                                                                              "count\\{[^}]*service=\"misbehaving\""
                                                                              "[^}]*http_route=\"/pid\"")));
        std::cout << "\n  3 crashes of an isolated plugin: " << load.ok()
                  << " requests to the other services answered, " << load.failed() << " failed; slowest recovery "
                  << worstRecovery << " ms\n";
    }

    void calls_into_and_out_of_isolated_services_work_as_for_shared_ones() {
        // orders (isolated) calls users (isolated) and payments (shared).
        ExampleServices services;
        isolate(services, "users");
        isolate(services, "orders");
        const int admin = freePort();
        HostProcess host(hostEnv(services, admin), admin);
        CPPUNIT_ASSERT_MESSAGE(host.log(), eventually(15000, [&] {
                                   return httpRequest("GET", services.ports["users"], "/health/ready").status == 200 &&
                                          httpRequest("GET", services.ports["orders"], "/health/ready").status == 200;
                               }));
        auto user = httpRequest("POST", services.ports["users"], "/users", R"({"name":"Ada","email":"ada@x"})",
                                {{"X-API-Key", kTestApiKey}});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(user.body, 201, user.status);
        // Authentication is still the service's: no key, no answer.
        CPPUNIT_ASSERT_EQUAL(401, httpRequest("GET", services.ports["users"], "/users/1").status);
        auto order = httpRequest("POST", services.ports["orders"], "/orders",
                                 R"({"userId":1,"items":[{"sku":"A-1","quantity":2,"priceCents":250}]})",
                                 {{"Authorization", "Bearer " + testJwt("user-1")}});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(order.body + host.log(), 201, order.status);
        assertContains(order.body, "\"status\":\"paid\"");
        auto unknown = httpRequest("POST", services.ports["orders"], "/orders",
                                   R"({"userId":99,"items":[{"sku":"A-1","quantity":1,"priceCents":250}]})",
                                   {{"Authorization", "Bearer " + testJwt("user-1")}});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(unknown.body, 422, unknown.status);
        // Each isolated service got its own database role and schema, as a shared one does.
        auto pg = TestPostgres::fromEnvironment();
        CPPUNIT_ASSERT_EQUAL(std::string("1"),
                             pg.scalar(services.database.name(), "SELECT count(*) FROM ecommerce_orders.orders"));
        // A path with escapes reaches the worker as the client sent it.
        auto escaped = httpRequest("GET", services.ports["users"], "/users/%31", "", {{"X-API-Key", kTestApiKey}});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(escaped.body, 200, escaped.status);
        assertContains(escaped.body, "Ada");
        CPPUNIT_ASSERT_EQUAL(0, host.terminate());
    }

    void a_reload_replaces_the_worker_without_losing_a_request() {
        ExampleServices services;
        isolate(services, "users");
        TempDir plugins;
        for (const char* name : {"libzt_users.so", "libzt_orders.so", "libzt_payments.so"}) {
            fs::copy_file(fs::path(ZT_TEST_PLUGIN_DIR) / name, fs::path(plugins.path()) / name);
        }
        const int admin = freePort();
        auto env = hostEnv(services, admin, plugins.path());
        env["ADMIN_TOKEN"] = kToken;
        env["LOG_LEVEL"] = "notice";
        HostProcess host(env, admin);
        const int users = services.ports["users"];
        CPPUNIT_ASSERT_MESSAGE(
            host.log(), eventually(15000, [&] { return httpRequest("GET", users, "/health/ready").status == 200; }));
        CPPUNIT_ASSERT_EQUAL(
            201, httpRequest("POST", users, "/users", R"({"name":"Ada","email":"ada@x"})", {{"X-API-Key", kTestApiKey}})
                     .status);
        auto build = [&] {
            return httpRequest("GET", users, "/users/1", "", {{"X-API-Key", kTestApiKey}}).header("x-users-build");
        };
        auto control = [&](const std::string& path) {
            auto r = httpRequest("POST", admin, path, "", {{"Authorization", "Bearer " + kToken}}, 60000);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(r.body + host.log(), 200, r.status);
            return nlohmann::json::parse(r.body);
        };
        const auto firstWorkers = childrenOf(host.pid());
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), firstWorkers.size());
        const auto firstPassword = environmentOf(firstWorkers.front(), "ZT_WORKER_DB_PASSWORD");
        CPPUNIT_ASSERT_EQUAL(std::size_t(48), firstPassword.size());
        SteadyLoad load(
            {{users, "/users/1", {{"X-API-Key", kTestApiKey}}}, {services.ports["payments"], "/health/live", {}}}, 3);
        for (int i = 0; i < 4; ++i) {
            const bool b = i % 2 == 0;
            const auto staged = fs::path(plugins.path()) / ".next.so";
            fs::copy_file(b ? std::string(ZT_TEST_BROKEN_PLUGIN_DIR) + "/libzt_users_b.so"
                            : std::string(ZT_TEST_PLUGIN_DIR) + "/libzt_users.so",
                          staged, fs::copy_options::overwrite_existing);
            fs::rename(staged, fs::path(plugins.path()) / "libzt_users.so");
            auto report = control("/control/reload");
            CPPUNIT_ASSERT_EQUAL_MESSAGE(report.dump(), std::string("reloaded"),
                                         report["services"]["users"]["outcome"].get<std::string>());
            // The version the new worker's plugin reported.
            CPPUNIT_ASSERT_EQUAL(std::string(b ? "1.0.0+b" : "1.0.0"),
                                 report["services"]["users"]["version"].get<std::string>());
            CPPUNIT_ASSERT_EQUAL(std::string(b ? "b" : ""), build());
        }
        auto restarted = control("/control/services/users/restart");
        CPPUNIT_ASSERT_EQUAL(std::string("restarted"), restarted["services"]["users"]["outcome"].get<std::string>());
        // Every worker got the same generated role password: a new one never locks the old
        // one's pool out while it drains. It is the role's password now.
        // The old worker drains and exits on its own (SIGTERM from the host).
        const auto drainStarted = Clock::now();
        CPPUNIT_ASSERT(eventually(15000, [&] { return childrenOf(host.pid()).size() == 1; }));
        std::cout << "\n  the replaced worker exited " << msSince(drainStarted) << " ms after the restart returned";
        const auto workers = childrenOf(host.pid());
        const auto password = environmentOf(workers.front(), "ZT_WORKER_DB_PASSWORD");
        CPPUNIT_ASSERT_EQUAL(firstPassword, password);
        CPPUNIT_ASSERT_EQUAL(std::string(""), TestPostgres::fromEnvironment().loginError(services.database.name(),
                                                                                         "ecommerce_users", password));
        // A plugin that cannot load: the new worker fails, the old one keeps serving.
        fs::copy_file(std::string(ZT_TEST_BROKEN_PLUGIN_DIR) + "/libzt_not_elf.so",
                      fs::path(plugins.path()) / "libzt_users.so", fs::copy_options::overwrite_existing);
        auto bad = httpRequest("POST", admin, "/control/reload", "", {{"Authorization", "Bearer " + kToken}}, 60000);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(bad.body, 422, bad.status);
        assertContains(bad.body, "before it was ready");
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", users, "/users/1", "", {{"X-API-Key", kTestApiKey}}).status);
        load.stop();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(load.firstErrors() + host.log(), 0L, load.failed());
        CPPUNIT_ASSERT(load.ok() > 100);
        std::cout << "\n  4 reloads + 1 restart of an isolated service under load: " << load.ok()
                  << " requests answered, " << load.failed() << " failed\n";
    }

    void a_plugin_that_crashes_at_init_does_not_hold_ready_back();

    void the_workers_stop_with_the_host_even_when_it_is_killed() {
        {
            Fixture f;
            const pid_t worker = f.workerPid();
            CPPUNIT_ASSERT_EQUAL(0, f.host->terminate());
            CPPUNIT_ASSERT(eventually(3000, [&] { return gone(worker); }));
        }
        {
            // systemd's control-group stop and a terminal's Ctrl-C signal the workers too: the
            // host drains and no worker is restarted meanwhile.
            Fixture f;
            const pid_t worker = f.workerPid();
            ::kill(f.host->pid(), SIGTERM);
            std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the host takes it first
            ::kill(worker, SIGTERM);
            CPPUNIT_ASSERT_EQUAL(0, f.host->terminate());
            CPPUNIT_ASSERT(gone(worker));
            const auto log = f.host->log();
            CPPUNIT_ASSERT_MESSAGE(log, log.find("a new worker starts") == std::string::npos);
        }
        Fixture f;
        const pid_t worker = f.workerPid();
        ::kill(f.host->pid(), SIGKILL);
        // PR_SET_PDEATHSIG: the worker is told to stop when the host dies; it drains and exits.
        CPPUNIT_ASSERT_MESSAGE(f.host->log(), eventually(15000, [&] { return gone(worker); }));
    }
};

void IsolationTest::a_plugin_that_crashes_at_init_does_not_hold_ready_back() {
    ExampleServices services{{"payments"}};
    TestPluginFolder plugins;
    NotifySocket notify;
    const int admin = freePort();
    const int broken = freePort();
    services.dir.write("test/broken/service.config.json",
                       R"({"name":"broken","domain":"test","process":"isolated","port":)" + std::to_string(broken) +
                           R"(,"plugin":"libzt_throws_in_init.so"})");
    auto env = hostEnv(services, admin, plugins.path());
    env["NOTIFY_SOCKET"] = notify.path();
    HostProcess host(env, admin);
    // Its worker exits (init threw) and is retried with backoff; the host is ready without it.
    auto messages = notify.read(10000, "READY=1");
    CPPUNIT_ASSERT_MESSAGE(host.log(), !messages.empty() && messages.back().has("READY=1"));
    CPPUNIT_ASSERT_EQUAL(std::string("1/2 services ready; failed: broken"), messages.back().value("STATUS"));
    auto r = httpRequest("GET", broken, "/anything");
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.body, 503, r.status);
    assertContains(r.body, "exited with status 1");
    CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", services.ports["payments"], "/health/live").status);
    CPPUNIT_ASSERT_MESSAGE(host.log(), eventually(3000, [&] {
                               return host.log().find("a new worker starts in 200 ms") != std::string::npos;
                           }));
}

CPPUNIT_TEST_SUITE_REGISTRATION(IsolationTest);
