// Reload without restart, under load, against the real binary (docs/OPERATIONS.md: reload):
// the users plugin file is swapped between two builds (the example's and tests/plugin-api's
// zt_users_b, which answers with X-Users-Build: b) while clients keep requesting every service
// over keep-alive connections. No request may fail and no connection may be reset.
#include <cppunit/extensions/HelperMacros.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/SteadyLoad.h"
#include "support/TestSupport.h"

using namespace zt::test;
namespace fs = std::filesystem;

namespace {
const std::string kToken = "reload-test-token-0123456789abcdef";

/// The users example and its two builds, with copies (not links) of the plugins in a folder of
/// the test's own, so a test can replace a file.
struct Fixture {
    ExampleServices services;
    TempDir plugins;
    int admin = freePort();
    std::unique_ptr<HostProcess> host;
    std::string buildA = std::string(ZT_TEST_PLUGIN_DIR) + "/libzt_users.so";
    std::string buildB = std::string(ZT_TEST_BROKEN_PLUGIN_DIR) + "/libzt_users_b.so";

    Fixture() {
        for (const char* name : {"libzt_users.so", "libzt_orders.so", "libzt_payments.so"}) {
            fs::copy_file(fs::path(ZT_TEST_PLUGIN_DIR) / name, fs::path(plugins.path()) / name);
        }
        auto env = hostEnv(services, admin, plugins.path());
        env["ADMIN_TOKEN"] = kToken;
        env["LOG_LEVEL"] = "notice";  // not a span line per request of the load
        host = std::make_unique<HostProcess>(env, admin);
        CPPUNIT_ASSERT_MESSAGE(host->log(), host->running());
        auto created = httpRequest("POST", services.ports["users"], "/users",
                                   R"({"name":"Ada","email":"ada@example.com"})", {{"X-API-Key", kTestApiKey}});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(created.body, 201, created.status);
    }
    /// Replaces the users plugin as an operator would: a new file renamed over the old one.
    void installUsers(const std::string& build) {
        const auto target = fs::path(plugins.path()) / "libzt_users.so";
        const auto staged = fs::path(plugins.path()) / ".libzt_users.so.new";
        fs::copy_file(build, staged, fs::copy_options::overwrite_existing);
        fs::rename(staged, target);
    }
    nlohmann::json reload(int expectStatus = 200) {
        auto r = httpRequest("POST", admin, "/control/reload", "", {{"Authorization", "Bearer " + kToken}}, 60000);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.body + "\n" + host->log(), expectStatus, r.status);
        return nlohmann::json::parse(r.body);
    }
    std::string usersBuild() {
        auto r = httpRequest("GET", services.ports["users"], "/users/1", "", {{"X-API-Key", kTestApiKey}});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.body, 200, r.status);
        return r.header("x-users-build");
    }
    std::vector<SteadyLoad::Target> everyService() {
        return {{services.ports["users"], "/users/1", {{"X-API-Key", kTestApiKey}}},
                {services.ports["orders"], "/health", {}},
                {services.ports["payments"], "/health", {}}};
    }
};
}  // namespace

class ReloadTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ReloadTest);
    CPPUNIT_TEST(twenty_reloads_under_load_lose_no_request_and_switch_the_code);
    CPPUNIT_TEST(a_broken_new_plugin_leaves_the_old_version_serving);
    CPPUNIT_TEST(a_plugin_overwritten_in_place_is_reloaded_safely);
    CPPUNIT_TEST(adding_and_removing_a_service_folder_under_load);
    CPPUNIT_TEST(an_unchanged_reload_changes_nothing_and_a_restart_makes_a_new_instance);
    CPPUNIT_TEST_SUITE_END();

public:
    void twenty_reloads_under_load_lose_no_request_and_switch_the_code() {
        Fixture f;
        CPPUNIT_ASSERT_EQUAL(std::string(""), f.usersBuild());
        SteadyLoad load(f.everyService(), 3);
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        long longest = 0;
        for (int i = 0; i < 20; ++i) {
            const bool b = i % 2 == 0;
            f.installUsers(b ? f.buildB : f.buildA);
            auto report = f.reload();
            CPPUNIT_ASSERT_EQUAL_MESSAGE(report.dump(), std::string("reloaded"),
                                         report["services"]["users"]["outcome"].get<std::string>());
            CPPUNIT_ASSERT_EQUAL(std::string(b ? "1.0.0+b" : "1.0.0"),
                                 report["services"]["users"]["version"].get<std::string>());
            CPPUNIT_ASSERT_EQUAL(std::string("unchanged"), report["services"]["orders"]["outcome"].get<std::string>());
            longest = std::max(longest, report["durationMs"].get<long>());
            // The reload has returned: a new request sees the new code.
            CPPUNIT_ASSERT_EQUAL(std::string(b ? "b" : ""), f.usersBuild());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        load.stop();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(load.firstErrors() + f.host->log(), 0L, load.failed());
        CPPUNIT_ASSERT_MESSAGE(std::to_string(load.ok()), load.ok() > 200);
        std::cout << "\n  20 reloads under load: " << load.ok() << " requests answered, " << load.failed()
                  << " failed; longest reload " << longest << " ms\n";
        // The counters of the service outlive its instances.
        auto metrics = httpRequest("GET", f.admin, "/metrics.json");
        assertContains(metrics.body, "\"users\"");
        auto services = httpRequest("GET", f.admin, "/health/services");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(services.body, 200, services.status);
    }

    void a_broken_new_plugin_leaves_the_old_version_serving() {
        Fixture f;
        f.installUsers(f.buildB);
        f.reload();
        SteadyLoad load(f.everyService(), 2);
        f.installUsers(std::string(ZT_TEST_BROKEN_PLUGIN_DIR) + "/libzt_not_elf.so");
        auto report = f.reload(422);
        CPPUNIT_ASSERT_EQUAL(std::string("failed"), report["status"].get<std::string>());
        auto users = report["services"]["users"];
        CPPUNIT_ASSERT_EQUAL(std::string("failed"), users["outcome"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("1.0.0+b"), users["version"].get<std::string>());  // what still serves
        const auto error = users["error"].get<std::string>();
        assertContains(error, f.plugins.path() + "/libzt_users.so");
        assertContains(error, "dlopen failed");
        CPPUNIT_ASSERT_MESSAGE(error, error.find("/proc/self/fd") == std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::string("b"), f.usersBuild());
        assertContains(f.host->log(), "reload failed, version 1.0.0+b keeps serving");
        auto health = httpRequest("GET", f.admin, "/health/services");
        auto doc = nlohmann::json::parse(health.body);
        CPPUNIT_ASSERT_EQUAL(std::string("failed"), doc["services"]["users"]["reload"]["status"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("healthy"), doc["services"]["users"]["status"].get<std::string>());

        // A plugin whose init fails is refused the same way; a good file then reloads.
        f.installUsers(std::string(ZT_TEST_BROKEN_PLUGIN_DIR) + "/libzt_throws_in_init.so");
        f.reload(422);
        CPPUNIT_ASSERT_EQUAL(std::string("b"), f.usersBuild());
        f.installUsers(f.buildA);
        auto fixed = f.reload();
        CPPUNIT_ASSERT_EQUAL(std::string("reloaded"), fixed["services"]["users"]["outcome"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string(""), f.usersBuild());
        doc = nlohmann::json::parse(httpRequest("GET", f.admin, "/health/services").body);
        CPPUNIT_ASSERT_MESSAGE(doc.dump(), !doc["services"]["users"].contains("reload"));
        load.stop();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(load.firstErrors(), 0L, load.failed());

        // A config that no longer parses is refused by file and key; the service keeps serving.
        const auto config = f.services.dir.path() + "/ecommerce/users/service.config.json";
        const auto good = readFile(config);
        f.services.dir.write("ecommerce/users/service.config.json", "{\"name\": \"users\", \"port\": \"x\"");
        auto bad = f.reload(422);
        assertContains(bad.dump(), "service.config.json");
        CPPUNIT_ASSERT_EQUAL(std::string(""), f.usersBuild());
        f.services.dir.write("ecommerce/users/service.config.json", good);
    }

    void a_plugin_overwritten_in_place_is_reloaded_safely() {
        Fixture f;
        SteadyLoad load(f.everyService(), 2);
        // cp over the loaded file (not a rename): the running code is a private copy, so the
        // old instance keeps running while its file changes under it.
        fs::copy_file(f.buildB, fs::path(f.plugins.path()) / "libzt_users.so", fs::copy_options::overwrite_existing);
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        CPPUNIT_ASSERT_EQUAL(std::string(""), f.usersBuild());
        auto report = f.reload();
        CPPUNIT_ASSERT_EQUAL(std::string("reloaded"), report["services"]["users"]["outcome"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("b"), f.usersBuild());
        load.stop();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(load.firstErrors(), 0L, load.failed());
        CPPUNIT_ASSERT(f.host->running());
    }

    void adding_and_removing_a_service_folder_under_load() {
        Fixture f;
        SteadyLoad load(f.everyService(), 2);
        const int port = freePort();
        fs::copy_file(std::string(ZT_TEST_BROKEN_PLUGIN_DIR) + "/libzt_c_probe.so",
                      fs::path(f.plugins.path()) / "libzt_c_probe.so");
        f.services.dir.write(
            "test/probe/service.config.json",
            R"({"name":"probe","domain":"test","port":)" + std::to_string(port) + R"(,"plugin":"libzt_c_probe.so"})");
        auto added = f.reload();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(added.dump(), std::string("started"),
                                     added["services"]["probe"]["outcome"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", port, "/health").status);
        assertContains(httpRequest("GET", f.admin, "/services").body, "\"probe\"");
        assertContains(httpRequest("GET", f.admin, "/metrics").body, "service=\"probe\"");

        fs::remove_all(f.services.dir.path() + "/test/probe");
        auto removed = f.reload();
        CPPUNIT_ASSERT_EQUAL(std::string("stopped"), removed["services"]["probe"]["outcome"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(0, httpRequest("GET", port, "/health", "", {}, 1000).status);  // the port is closed
        CPPUNIT_ASSERT(httpRequest("GET", f.admin, "/services").body.find("\"probe\"") == std::string::npos);
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", f.admin, "/health/services").status);
        load.stop();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(load.firstErrors(), 0L, load.failed());
    }

    void an_unchanged_reload_changes_nothing_and_a_restart_makes_a_new_instance() {
        Fixture f;
        auto report = f.reload();
        for (const char* s : {"users", "orders", "payments"}) {
            CPPUNIT_ASSERT_EQUAL(std::string("unchanged"), report["services"][s]["outcome"].get<std::string>());
        }
        // The same bytes copied over again are no change.
        f.installUsers(f.buildA);
        CPPUNIT_ASSERT_EQUAL(std::string("unchanged"), f.reload()["services"]["users"]["outcome"].get<std::string>());
        auto restart = httpRequest("POST", f.admin, "/control/services/users/restart", "",
                                   {{"Authorization", "Bearer " + kToken}});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(restart.body, 200, restart.status);
        assertContains(restart.body, "\"outcome\":\"restarted\"");
        CPPUNIT_ASSERT_EQUAL(std::string(""), f.usersBuild());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ReloadTest);
