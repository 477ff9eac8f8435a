// End to end: the real zintrust-host binary as a child process, with the example plugins, over
// real HTTP (docs/CONFIGURATION.md, docs/PLUGINS.md, docs/CALLS.md, docs/HEALTH.md; as far as
// the foundation goes).
#include <cppunit/extensions/HelperMacros.h>

#include <fstream>
#include <sstream>

#include <filesystem>
#include <string>

#include <Poco/Net/ServerSocket.h>

#include "support/TestSupport.h"

using namespace zt::test;

namespace {
/// The local address ("0100007F" for 127.0.0.1, "00000000" for 0.0.0.0) of the IPv4 socket
/// listening on `port`, read from /proc/net/tcp; empty when there is none.
std::string listeningAddress(int port) {
    std::ifstream in("/proc/net/tcp");
    std::string line;
    char portHex[8];
    std::snprintf(portHex, sizeof portHex, "%04X", port);
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state;
        fields >> slot >> local >> remote >> state;
        if (state == "0A" && local.size() > 9 && local.substr(9) == portHex) return local.substr(0, 8);
    }
    return "";
}

std::map<std::string, std::string> usersAuth() { return {{"X-API-Key", kTestApiKey}}; }
std::map<std::string, std::string> ordersAuth() { return {{"Authorization", "Bearer " + testJwt("user-1")}}; }

}  // namespace

class HostProcessTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(HostProcessTest);
    CPPUNIT_TEST(serves_example_routes_and_health_over_http);
    CPPUNIT_TEST(admin_lists_services_and_aggregates_health);
    CPPUNIT_TEST(admin_port_listens_on_loopback_unless_admin_bind_address_says_otherwise);
    CPPUNIT_TEST(unknown_route_is_json_404_and_bad_json_is_400);
    CPPUNIT_TEST(services_allow_list_loads_only_named_services);
    CPPUNIT_TEST(broken_plugin_is_refused_while_other_services_serve);
    CPPUNIT_TEST(taken_port_names_port_and_service_while_others_serve);
    CPPUNIT_TEST(host_exits_1_when_no_service_and_no_admin_port_could_start);
    CPPUNIT_TEST(check_config_exits_0_for_the_examples);
    CPPUNIT_TEST(check_config_exits_1_naming_each_broken_plugin_and_reason);
    CPPUNIT_TEST(check_config_names_file_and_key_of_invalid_config);
    CPPUNIT_TEST(bad_environment_value_exits_2_naming_the_variable);
    CPPUNIT_TEST(env_file_supplies_variables_and_bad_line_is_named);
    CPPUNIT_TEST(version_help_list_services_and_unknown_option);
    CPPUNIT_TEST(sigterm_stops_cleanly_with_exit_0);
    CPPUNIT_TEST(folder_lists_find_services_and_plugins_in_every_folder);
    CPPUNIT_TEST_SUITE_END();

public:
    void serves_example_routes_and_health_over_http() {
        ExampleServices services;
        int admin = freePort();
        HostProcess host(hostEnv(services, admin), admin);
        CPPUNIT_ASSERT_MESSAGE(host.log(), host.running());

        auto health = httpRequest("GET", services.ports["users"], "/health");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(health.body, 200, health.status);
        CPPUNIT_ASSERT_EQUAL(std::string("application/json"), health.header("content-type"));
        assertContains(health.body, "\"service\":\"users\"");
        assertContains(health.body, "\"status\":\"healthy\"");
        assertContains(health.body, "\"uptimeSeconds\":");

        auto created = httpRequest("POST", services.ports["users"], "/users",
                                   R"({"name":"Ada","email":"ada@example.com"})", usersAuth());
        CPPUNIT_ASSERT_EQUAL_MESSAGE(created.body, 201, created.status);
        assertContains(created.body, "\"email\":\"ada@example.com\"");
        auto fetched = httpRequest("GET", services.ports["users"], "/users/1", "", usersAuth());
        CPPUNIT_ASSERT_EQUAL(200, fetched.status);
        assertContains(fetched.body, "\"name\":\"Ada\"");
        auto dup = httpRequest("POST", services.ports["users"], "/users",
                               R"({"name":"Ada2","email":"ada@example.com"})", usersAuth());
        CPPUNIT_ASSERT_EQUAL(409, dup.status);

        auto order = httpRequest("POST", services.ports["orders"], "/orders",
                                 R"({"userId":1,"items":[{"sku":"A-1","quantity":2,"priceCents":250}]})", ordersAuth());
        CPPUNIT_ASSERT_EQUAL_MESSAGE(order.body, 201, order.status);
        assertContains(order.body, "\"totalCents\":500");

        auto pay = httpRequest("POST", services.ports["payments"], "/payments",
                               R"({"orderId":1,"amountCents":500,"currency":"EUR"})", {{"Idempotency-Key", "k1"}});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(pay.body, 201, pay.status);
        auto replay = httpRequest("POST", services.ports["payments"], "/payments",
                                  R"({"orderId":1,"amountCents":500,"currency":"EUR"})", {{"Idempotency-Key", "k1"}});
        CPPUNIT_ASSERT_EQUAL(200, replay.status);
        CPPUNIT_ASSERT_EQUAL(std::string("true"), replay.header("idempotent-replayed"));

        auto live = httpRequest("GET", services.ports["orders"], "/health/live");
        CPPUNIT_ASSERT_EQUAL(200, live.status);
        auto ready = httpRequest("GET", services.ports["orders"], "/health/ready");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(ready.body, 200, ready.status);
        CPPUNIT_ASSERT_EQUAL(0, host.terminate());
    }

    void admin_lists_services_and_aggregates_health() {
        ExampleServices services;
        int admin = freePort();
        HostProcess host(hostEnv(services, admin), admin);
        auto list = httpRequest("GET", admin, "/services");
        CPPUNIT_ASSERT_EQUAL(200, list.status);
        for (const auto& name : {"users", "orders", "payments"})
            assertContains(list.body, std::string("\"name\":\"") + name + "\"");
        assertContains(list.body, "\"baseUrl\":\"http://127.0.0.1:" + std::to_string(services.ports["users"]) + "\"");
        auto agg = httpRequest("GET", admin, "/health/services");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(agg.body, 200, agg.status);
        assertContains(agg.body, "\"summary\":{\"total\":3,\"healthy\":3,\"degraded\":0,\"unhealthy\":0}");
        // From the first answer on, not an interval later: orders follows its dependencies, and
        // the monitor's start-up rounds settle before the admin port opens.
        CPPUNIT_ASSERT_MESSAGE(list.body, list.body.find("degraded") == std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(agg.body, agg.body.find("\"error\"") == std::string::npos);
        auto missing = httpRequest("GET", admin, "/nope");
        CPPUNIT_ASSERT_EQUAL(404, missing.status);
        auto post = httpRequest("POST", admin, "/services", "{}");
        CPPUNIT_ASSERT_EQUAL(405, post.status);
    }

    void admin_port_listens_on_loopback_unless_admin_bind_address_says_otherwise() {
        ExampleServices services({"payments"});
        int admin = freePort();
        auto env = hostEnv(services, admin);
        env["ZT_BIND_ADDRESS"] = "0.0.0.0";  // the service ports are open to the network...
        {
            HostProcess host(env, admin);
            CPPUNIT_ASSERT_EQUAL(std::string("00000000"), listeningAddress(services.ports["payments"]));
            // ...the admin port is not: it lists every service and its pools.
            CPPUNIT_ASSERT_EQUAL_MESSAGE(host.log(), std::string("0100007F"), listeningAddress(admin));
            assertContains(host.log(), "admin listening on 127.0.0.1 port " + std::to_string(admin));
        }
        env["ADMIN_BIND_ADDRESS"] = "0.0.0.0";
        admin = freePort();
        env["ADMIN_PORT"] = std::to_string(admin);
        HostProcess open(env, admin);
        CPPUNIT_ASSERT_EQUAL(std::string("00000000"), listeningAddress(admin));
        env["ADMIN_BIND_ADDRESS"] = "localhost";
        std::string out;
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out, 2, runCommand({ZT_TEST_HOST_BINARY, "--check-config"}, env, out));
        assertContains(out, "ADMIN_BIND_ADDRESS: expected an IPv4 or IPv6 address");
    }

    void unknown_route_is_json_404_and_bad_json_is_400() {
        ExampleServices services({"payments"});
        int admin = freePort();
        HostProcess host(hostEnv(services, admin), admin);
        auto nf = httpRequest("GET", services.ports["payments"], "/nothing");
        CPPUNIT_ASSERT_EQUAL(404, nf.status);
        CPPUNIT_ASSERT_EQUAL(std::string("application/json"), nf.header("content-type"));
        assertContains(nf.body, "{\"error\":{\"code\":\"not_found\"");
        auto bad = httpRequest("POST", services.ports["payments"], "/payments", "{not json");
        CPPUNIT_ASSERT_EQUAL(400, bad.status);
        assertContains(bad.body, "\"code\":\"invalid_json\"");
        auto method = httpRequest("DELETE", services.ports["payments"], "/payments");
        CPPUNIT_ASSERT_EQUAL(405, method.status);
        CPPUNIT_ASSERT_EQUAL(std::string("POST"), method.header("allow"));
    }

    void services_allow_list_loads_only_named_services() {
        ExampleServices services;
        int admin = freePort();
        auto env = hostEnv(services, admin);
        env["SERVICES"] = "payments";
        HostProcess host(env, admin);
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", services.ports["payments"], "/health").status);
        auto users = httpRequest("GET", services.ports["users"], "/health", "", {}, 500);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(users.body + " " + host.log(), 0, users.status);
        auto list = httpRequest("GET", admin, "/services");
        CPPUNIT_ASSERT(list.body.find("\"users\"") == std::string::npos);

        env["SERVICES"] = "payments,ghost";
        std::string out;
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out, 1, runCommand({ZT_TEST_HOST_BINARY, "--check-config"}, env, out));
        assertContains(out, "SERVICES: service 'ghost' was not found");
        // Serving, an unknown name is a bad environment: exit 2 before any port opens.
        env["ADMIN_PORT"] = std::to_string(freePort());
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out, 2, runCommand({ZT_TEST_HOST_BINARY}, env, out, 15000));
        assertContains(out, "configuration error: SERVICES: 'ghost' not found in " + services.dir.path());
    }

    void broken_plugin_is_refused_while_other_services_serve() {
        ExampleServices services({"payments"});
        TestPluginFolder plugins;
        int brokenPort = freePort();
        services.dir.write("test/wrong/service.config.json", R"({"name":"wrong","domain":"test","port":)" +
                                                                 std::to_string(brokenPort) +
                                                                 R"(,"plugin":"libzt_wrong_major.so"})");
        int admin = freePort();
        auto env = hostEnv(services, admin);
        env["ZT_PLUGIN_DIR"] = plugins.path();
        HostProcess host(env, admin);
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", services.ports["payments"], "/health").status);
        CPPUNIT_ASSERT_EQUAL(0, httpRequest("GET", brokenPort, "/health", "", {}, 500).status);
        auto log = host.log();
        assertContains(log, "libzt_wrong_major.so: ABI major version 99 is not supported");
        auto agg = httpRequest("GET", admin, "/health/services");
        CPPUNIT_ASSERT_EQUAL(503, agg.status);  // a failed service is unhealthy, never hidden
        assertContains(agg.body, "\"wrong\":{\"status\":\"unhealthy\"");
    }

    void taken_port_names_port_and_service_while_others_serve() {
        ExampleServices services({"users", "payments"});
        Poco::Net::ServerSocket blocker(Poco::Net::SocketAddress("127.0.0.1", 0));
        int taken = blocker.address().port();
        auto cfgPath = services.dir.path() + "/ecommerce/users/service.config.json";
        std::string cfg = readFile(cfgPath);
        auto pos = cfg.find(std::to_string(services.ports["users"]));
        cfg.replace(pos, std::to_string(services.ports["users"]).size(), std::to_string(taken));
        services.dir.write("ecommerce/users/service.config.json", cfg);
        int admin = freePort();
        HostProcess host(hostEnv(services, admin), admin);
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", services.ports["payments"], "/health").status);
        auto log = host.log();
        assertContains(log, "service users port " + std::to_string(taken));
        assertContains(log, "users/service.config.json: port");
    }

    void host_exits_1_when_no_service_and_no_admin_port_could_start() {
        ExampleServices services({"payments"});
        Poco::Net::ServerSocket servicePort(Poco::Net::SocketAddress("127.0.0.1", services.ports["payments"]));
        Poco::Net::ServerSocket adminPort(Poco::Net::SocketAddress("127.0.0.1", 0));
        std::string out;
        int rc = runCommand({ZT_TEST_HOST_BINARY}, hostEnv(services, adminPort.address().port()), out, 20000);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out, 1, rc);
        assertContains(out, "no service and no admin port could be started");
    }

    void check_config_exits_0_for_the_examples() {
        ExampleServices services;
        std::string out;
        int rc = runCommand({ZT_TEST_HOST_BINARY, "--check-config"}, hostEnv(services, freePort()), out);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out, 0, rc);
        assertContains(out, "service users: ok");
        assertContains(out, "result: ok");
    }

    void check_config_exits_1_naming_each_broken_plugin_and_reason() {
        ExampleServices services({"users"});
        TestPluginFolder plugins;
        struct Case {
            const char* plugin;
            const char* reason;
        };
        const Case cases[] = {
            {"libzt_missing_symbol.so", "missing entry symbol 'zt_plugin_entry'"},
            {"libzt_wrong_major.so", "ABI major version 99"},
            {"libzt_short_descriptor.so", "descriptor too small"},
            {"libzt_not_elf.so", "dlopen failed"},
            {"libzt_absent.so", "file not found"},
        };
        int i = 0;
        for (const auto& c : cases) {
            services.dir.write("broken/b" + std::to_string(i) + "/service.config.json",
                               "{\"name\":\"b" + std::to_string(i) + "\",\"domain\":\"broken\",\"port\":" +
                                   std::to_string(20000 + i) + ",\"plugin\":\"" + c.plugin + "\"}");
            ++i;
        }
        auto env = hostEnv(services, freePort());
        env["ZT_PLUGIN_DIR"] = plugins.path();
        std::string out;
        int rc = runCommand({ZT_TEST_HOST_BINARY, "--check-config"}, env, out);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out, 1, rc);
        for (const auto& c : cases) {
            assertContains(out, std::string(c.plugin) + ": " + c.reason);
            // Once: in the report, not again in a log line.
            const std::string needle = std::string(c.plugin) + ": " + c.reason;
            CPPUNIT_ASSERT_EQUAL_MESSAGE(out, out.find(needle), out.rfind(needle));
        }
        assertContains(out, "service users: ok");
        assertContains(out, "result: FAILED");
    }

    void check_config_names_file_and_key_of_invalid_config() {
        ExampleServices services({"users"});
        auto bad =
            services.dir.write("shop/bad/service.config.json", R"({"name":"bad","domain":"shop","port":"3005"})");
        auto dup = services.dir.write(
            "shop/dup/service.config.json",
            "{\"name\":\"dup\",\"domain\":\"shop\",\"port\":" + std::to_string(services.ports["users"]) + "}");
        services.dir.write("shop/broken/service.config.json", "{\"name\": \"x\",");
        std::string out;
        int rc = runCommand({ZT_TEST_HOST_BINARY, "--check-config"}, hostEnv(services, freePort()), out);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out, 1, rc);
        assertContains(out, bad + ": port: must be a number, got string");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out, out.find(bad + ": port:"), out.rfind(bad + ": port:"));
        assertContains(out, dup + ": port: duplicate port");
        assertContains(out, "shop/broken/service.config.json: (document): invalid JSON");
    }

    void bad_environment_value_exits_2_naming_the_variable() {
        ExampleServices services({"users"});
        const std::pair<const char*, const char*> cases[] = {
            {"MICROSERVICES_TRACING_RATE", "1.5"},
            {"DB_POOL_MAX", "lots"},
            {"USE_RAW_QRY", "yes"},
            {"LOG_FORMAT", "xml"},
            {"SERVICE_JWT_SECRET", "short"},
            {"ADMIN_PORT", "70000"},
        };
        for (const auto& [name, value] : cases) {
            auto env = hostEnv(services, freePort());
            env[name] = value;
            std::string out;
            int rc = runCommand({ZT_TEST_HOST_BINARY}, env, out, 10000);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(std::string(name) + ": " + out, 2, rc);
            assertContains(out, std::string("configuration error: ") + name + ":");
        }
    }

    void env_file_supplies_variables_and_bad_line_is_named() {
        ExampleServices services({"payments"});
        TempDir dir;
        int admin = freePort();
        auto env = hostEnv(services, admin);
        env.erase("ADMIN_PORT");
        auto file = dir.write("zintrust.env",
                              "# comment\nexport ADMIN_PORT=" + std::to_string(admin) + "\nLOG_LEVEL='warning'\n");
        std::string out;
        // --check-config opens no port; the env file is read before the environment is validated.
        int rc = runCommand({ZT_TEST_HOST_BINARY, "--env-file", file, "--check-config"}, env, out);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out, 0, rc);
        auto bad = dir.write("bad.env", "GOOD=1\nthis line is wrong\n");
        rc = runCommand({ZT_TEST_HOST_BINARY, "--env-file", bad, "--check-config"}, env, out);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out, 2, rc);
        assertContains(out, bad + ":2: expected KEY=VALUE");
        // The real server takes ADMIN_PORT from the file (only the file names it).
        auto withFile = env;
        withFile.erase("ADMIN_PORT");
        std::string out2;
        rc = runCommand({ZT_TEST_HOST_BINARY, "--env-file=" + file, "--list-services"}, withFile, out2);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out2, 0, rc);
        assertContains(out2, "payments");
    }

    void version_help_list_services_and_unknown_option() {
        ExampleServices services;
        auto env = hostEnv(services, freePort());
        std::string out;
        CPPUNIT_ASSERT_EQUAL(0, runCommand({ZT_TEST_HOST_BINARY, "--version"}, env, out));
        assertContains(out, "zintrust-host " ZT_VERSION);
        CPPUNIT_ASSERT_EQUAL(0, runCommand({ZT_TEST_HOST_BINARY, "--help"}, env, out));
        assertContains(out, "usage: zintrust-host [--env-file FILE] [--check-config | --list-services]\n");
        assertContains(out, "zintrust-host token --sub NAME");
        assertContains(out, "man zintrust-host");
        std::istringstream lines(out);
        for (std::string line; std::getline(lines, line);) {
            CPPUNIT_ASSERT_MESSAGE("wider than 80 columns: " + line, line.size() <= 80);
        }
        CPPUNIT_ASSERT_EQUAL(0, runCommand({ZT_TEST_HOST_BINARY, "--list-services"}, env, out));
        assertContains(out, "users  domain=ecommerce version=1.0.0 port=" + std::to_string(services.ports["users"]));
        CPPUNIT_ASSERT_EQUAL(2, runCommand({ZT_TEST_HOST_BINARY, "--frobnicate"}, env, out));
        assertContains(out, "frobnicate");
    }

    void folder_lists_find_services_and_plugins_in_every_folder() {
        // The package's layout: the user's folders first (here: payments and an empty plugin
        // folder), the package's after them (users, and the plugins).
        ExampleServices packaged({"users"});
        ExampleServices own({"payments"});
        zt::test::TempDir ownPlugins;
        int admin = freePort();
        auto env = hostEnv(packaged, admin);
        env["ZT_SERVICES_DIR"] = own.dir.path() + ":" + packaged.dir.path();
        env["ZT_PLUGIN_DIR"] = ownPlugins.path() + ":" + std::string(ZT_TEST_PLUGIN_DIR);
        {
            HostProcess host(env, admin);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(host.log(), 200,
                                         httpRequest("GET", packaged.ports["users"], "/health").status);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(host.log(), 200, httpRequest("GET", own.ports["payments"], "/health").status);
            CPPUNIT_ASSERT_EQUAL(0, host.terminate(10000));
        }
        std::string out;
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out, 0, runCommand({ZT_TEST_HOST_BINARY, "--list-services"}, env, out));
        assertContains(out, "services folder: " + own.dir.path() + ":" + packaged.dir.path());
        assertContains(out, "payments  domain=ecommerce");
        assertContains(out, "users  domain=ecommerce");

        // A plugin found in no folder names the list; a missing folder is named; an empty entry
        // is a bad variable (exit 2), never "the current folder".
        env["ZT_PLUGIN_DIR"] = ownPlugins.path() + ":" + ownPlugins.path() + "/also-empty";
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out, 1, runCommand({ZT_TEST_HOST_BINARY, "--check-config"}, env, out));
        assertContains(out, "not in any folder of ZT_PLUGIN_DIR=" + env["ZT_PLUGIN_DIR"]);
        assertContains(out, ownPlugins.path() + "/also-empty: plugin folder does not exist");
        env["ZT_PLUGIN_DIR"] = ZT_TEST_PLUGIN_DIR;
        // A missing folder next to one that exists is a warning (the user removed their own empty
        // services.d); when no folder of the list exists, an error.
        env["ZT_SERVICES_DIR"] = own.dir.path() + "/nowhere:" + own.dir.path();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out, 0, runCommand({ZT_TEST_HOST_BINARY, "--check-config"}, env, out));
        assertContains(out, "warning: " + own.dir.path() + "/nowhere: services folder does not exist");
        assertContains(out, "service payments: ok");
        env["ZT_SERVICES_DIR"] = own.dir.path() + "/nowhere:" + own.dir.path() + "/neither";
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out, 1, runCommand({ZT_TEST_HOST_BINARY, "--check-config"}, env, out));
        assertContains(out, "error: " + own.dir.path() + "/neither: services folder does not exist");
        env["ZT_SERVICES_DIR"] = own.dir.path() + "::" + packaged.dir.path();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out, 2, runCommand({ZT_TEST_HOST_BINARY, "--check-config"}, env, out));
        assertContains(out, "ZT_SERVICES_DIR: empty folder in the list");
    }

    void sigterm_stops_cleanly_with_exit_0() {
        ExampleServices services({"payments"});
        int admin = freePort();
        HostProcess host(hostEnv(services, admin), admin);
        CPPUNIT_ASSERT(host.running());
        CPPUNIT_ASSERT_EQUAL(0, host.terminate(10000));
        assertContains(host.log(), "stopped");
        CPPUNIT_ASSERT_EQUAL(0, httpRequest("GET", services.ports["payments"], "/health", "", {}, 300).status);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(HostProcessTest);
