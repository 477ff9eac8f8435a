// RemoteServices: SERVICE_URL_<NAME> variables and the ZT_SERVICE_REGISTRY_FILE JSON, URL
// validation, error messages naming the variable or the file and key, conflicts with local services.
#include <cppunit/extensions/HelperMacros.h>

#include <cstdlib>
#include <map>

#include "config/ConfigError.h"
#include "registry/RemoteServices.h"
#include "support/TestSupport.h"

using namespace zt;
using registry::RemoteService;
using registry::RemoteServices;

namespace {

std::vector<RemoteService> load(const std::map<std::string, std::string>& vars) {
    std::vector<std::string> names;
    for (const auto& [n, _] : vars) names.push_back(n);
    return RemoteServices::load(config::mapEnvironment(vars), names);
}

void expectError(const std::map<std::string, std::string>& vars, const std::vector<std::string>& mentions) {
    try {
        load(vars);
    } catch (const config::ConfigError& e) {
        for (const auto& m : mentions) {
            CPPUNIT_ASSERT_MESSAGE("expected '" + m + "' in: " + e.message(), e.message().find(m) != std::string::npos);
        }
        return;
    }
    CPPUNIT_FAIL("expected a ConfigError mentioning " + mentions.front());
}

}  // namespace

class RemoteServicesTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RemoteServicesTest);
    CPPUNIT_TEST(service_url_variables_become_services_with_mapped_names);
    CPPUNIT_TEST(bad_service_urls_name_the_variable);
    CPPUNIT_TEST(registry_file_is_parsed_with_all_fields);
    CPPUNIT_TEST(registry_file_errors_name_the_file_and_key);
    CPPUNIT_TEST(variable_overrides_the_files_url_and_keeps_its_description);
    CPPUNIT_TEST(register_all_adds_remote_records_in_starting);
    CPPUNIT_TEST(remote_with_a_local_services_name_is_an_error_naming_both);
    CPPUNIT_TEST(resolvers_give_auth_and_health_path);
    CPPUNIT_TEST(process_variable_names_come_from_the_environment);
    CPPUNIT_TEST_SUITE_END();

public:
    void service_url_variables_become_services_with_mapped_names() {
        auto list = load({{"SERVICE_URL_PAYMENTS", "http://10.0.0.5:3003"},
                          {"SERVICE_URL_ORDER_HISTORY", "https://history.internal"},
                          {"SERVICE_CALL_TIMEOUT_MS", "100"},
                          {"OTHER", "x"}});
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), list.size());
        CPPUNIT_ASSERT_EQUAL(std::string("order-history"), list[0].name);
        CPPUNIT_ASSERT_EQUAL(std::string("https://history.internal:443"), list[0].baseUrl);
        CPPUNIT_ASSERT_EQUAL(443, list[0].port);
        CPPUNIT_ASSERT_EQUAL(std::string("payments"), list[1].name);
        CPPUNIT_ASSERT_EQUAL(std::string("http://10.0.0.5:3003"), list[1].baseUrl);
        CPPUNIT_ASSERT_EQUAL(std::string("10.0.0.5"), list[1].host);
        CPPUNIT_ASSERT_EQUAL(std::string("SERVICE_URL_PAYMENTS"), list[1].source);
        CPPUNIT_ASSERT_EQUAL(std::string(""), list[1].auth);  // unknown
        CPPUNIT_ASSERT_EQUAL(std::string("/health"), list[1].healthCheck);
        // Trailing slash is accepted and normalised away.
        CPPUNIT_ASSERT_EQUAL(std::string("http://h:80"), load({{"SERVICE_URL_A", "http://h/"}})[0].baseUrl);
    }
    void bad_service_urls_name_the_variable() {
        expectError({{"SERVICE_URL_PAYMENTS", "ftp://h:21"}}, {"SERVICE_URL_PAYMENTS", "http"});
        expectError({{"SERVICE_URL_PAYMENTS", "10.0.0.5:3003"}}, {"SERVICE_URL_PAYMENTS"});
        expectError({{"SERVICE_URL_PAYMENTS", "http://:3003"}}, {"SERVICE_URL_PAYMENTS", "no host"});
        expectError({{"SERVICE_URL_PAYMENTS", "http://h:99999"}}, {"SERVICE_URL_PAYMENTS"});
        expectError({{"SERVICE_URL_PAYMENTS", "http://h:0"}}, {"SERVICE_URL_PAYMENTS"});
        expectError({{"SERVICE_URL_PAYMENTS", "http://h:"}}, {"SERVICE_URL_PAYMENTS", "empty port"});
        expectError({{"SERVICE_URL_PAYMENTS", "http://h:80/api"}}, {"SERVICE_URL_PAYMENTS", "path"});
        expectError({{"SERVICE_URL_PAYMENTS", "http://u:p@h:80"}}, {"SERVICE_URL_PAYMENTS", "user info"});
        expectError({{"SERVICE_URL_PAYMENTS", "http://h:80?x=1"}}, {"SERVICE_URL_PAYMENTS", "query"});
        expectError({{"SERVICE_URL_", "http://h:80"}}, {"SERVICE_URL_", "service name"});
        expectError({{"SERVICE_URL_9LIVES", "http://h:80"}}, {"SERVICE_URL_9LIVES"});
        expectError({{"SERVICE_URL_ORDERS", "http://a:1"}, {"SERVICE_URL_orders", "http://b:1"}},
                    {"SERVICE_URL_orders", "SERVICE_URL_ORDERS"});
    }
    void registry_file_is_parsed_with_all_fields() {
        test::TempDir dir;
        auto file = dir.write("registry.json", R"({"services":[
            {"name":"payments","baseUrl":"http://10.0.0.5:3003","domain":"ecommerce","version":"1.2.0",
             "auth":"jwt","healthCheck":"/status"},
            {"name":"user_profiles","baseUrl":"http://[::1]:4000"}]})");
        auto list = load({{"ZT_SERVICE_REGISTRY_FILE", file}});
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), list.size());
        const auto& p = list[0];
        CPPUNIT_ASSERT_EQUAL(std::string("payments"), p.name);
        CPPUNIT_ASSERT_EQUAL(std::string("ecommerce"), p.domain);
        CPPUNIT_ASSERT_EQUAL(std::string("1.2.0"), p.version);
        CPPUNIT_ASSERT_EQUAL(std::string("jwt"), p.auth);
        CPPUNIT_ASSERT_EQUAL(std::string("/status"), p.healthCheck);
        CPPUNIT_ASSERT_EQUAL(file + ": services[0]", p.source);
        CPPUNIT_ASSERT_EQUAL(std::string("user_profiles"), list[1].name);
        CPPUNIT_ASSERT_EQUAL(std::string("http://[::1]:4000"), list[1].baseUrl);
        CPPUNIT_ASSERT(load({{"ZT_SERVICE_REGISTRY_FILE", ""}}).empty());
    }
    void registry_file_errors_name_the_file_and_key() {
        test::TempDir dir;
        auto check = [&](const std::string& json, const std::vector<std::string>& mentions) {
            auto file = dir.write("r.json", json);
            auto all = mentions;
            all.insert(all.begin(), file);
            expectError({{"ZT_SERVICE_REGISTRY_FILE", file}}, all);
        };
        check("{not json", {"invalid JSON"});
        check("[]", {"(document)"});
        check(R"({"svc":[]})", {"services: is required"});
        check(R"({"services":{}})", {"services: must be an array"});
        check(R"({"services":[1]})", {"services[0]: must be an object"});
        check(R"({"services":[{"baseUrl":"http://h:1"}]})", {"services[0].name: is required"});
        check(R"({"services":[{"name":"Bad Name","baseUrl":"http://h:1"}]})", {"services[0].name"});
        check(R"({"services":[{"name":"a"}]})", {"services[0].baseUrl: is required"});
        check(R"({"services":[{"name":"a","baseUrl":5}]})", {"services[0].baseUrl: must be a string"});
        check(R"({"services":[{"name":"a","baseUrl":"gopher://h:1"}]})", {"services[0].baseUrl"});
        check(R"({"services":[{"name":"a","baseUrl":"http://h:1","auth":"basic"}]})", {"services[0].auth"});
        check(R"({"services":[{"name":"a","baseUrl":"http://h:1","healthCheck":"health"}]})",
              {"services[0].healthCheck"});
        check(R"({"services":[{"name":"a","baseUrl":"http://h:1"},{"name":"a","baseUrl":"http://h:2"}]})",
              {"services[1].name", "duplicate"});
        expectError({{"ZT_SERVICE_REGISTRY_FILE", dir.path() + "/missing.json"}},
                    {"ZT_SERVICE_REGISTRY_FILE", "missing.json"});
    }
    void variable_overrides_the_files_url_and_keeps_its_description() {
        test::TempDir dir;
        auto file = dir.write(
            "registry.json",
            R"({"services":[{"name":"payments","baseUrl":"http://old:1","auth":"api-key","domain":"shop"}]})");
        auto list = load({{"ZT_SERVICE_REGISTRY_FILE", file}, {"SERVICE_URL_PAYMENTS", "http://new:2"}});
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), list.size());
        CPPUNIT_ASSERT_EQUAL(std::string("http://new:2"), list[0].baseUrl);
        CPPUNIT_ASSERT_EQUAL(std::string("api-key"), list[0].auth);
        CPPUNIT_ASSERT_EQUAL(std::string("shop"), list[0].domain);
        CPPUNIT_ASSERT_EQUAL(std::string("SERVICE_URL_PAYMENTS"), list[0].source);
    }
    void register_all_adds_remote_records_in_starting() {
        registry::MicroserviceManager manager;
        RemoteServices remote(load({{"SERVICE_URL_PAYMENTS", "http://10.0.0.5:3003"}}));
        remote.registerAll(manager);
        auto rec = manager.find("payments");
        CPPUNIT_ASSERT(rec.has_value());
        CPPUNIT_ASSERT(!rec->local);
        CPPUNIT_ASSERT(rec->status == registry::ServiceStatus::Starting);
        CPPUNIT_ASSERT_EQUAL(std::string("http://10.0.0.5:3003"), rec->baseUrl);
        CPPUNIT_ASSERT_EQUAL(3003, rec->port);
    }
    void remote_with_a_local_services_name_is_an_error_naming_both() {
        registry::MicroserviceManager manager;
        registry::ServiceRecord local;
        local.name = "payments";
        local.local = true;
        local.configFile = "/etc/zintrust/services/ecommerce/payments/service.config.json";
        manager.registerService(local);
        RemoteServices remote(
            load({{"SERVICE_URL_PAYMENTS", "http://10.0.0.5:3003"}, {"SERVICE_URL_USERS", "http://10.0.0.6:3001"}}));
        try {
            remote.registerAll(manager);
            CPPUNIT_FAIL("conflict not detected");
        } catch (const config::ConfigError& e) {
            CPPUNIT_ASSERT_MESSAGE(e.message(), e.message().find("SERVICE_URL_PAYMENTS") != std::string::npos);
            CPPUNIT_ASSERT_MESSAGE(e.message(), e.message().find(local.configFile) != std::string::npos);
        }
        // Nothing half-registered: the local record is untouched and users was not added.
        CPPUNIT_ASSERT(manager.find("payments")->local);
        CPPUNIT_ASSERT(!manager.find("users").has_value());
    }
    void resolvers_give_auth_and_health_path() {
        test::TempDir dir;
        auto file =
            dir.write("registry.json",
                      R"({"services":[{"name":"payments","baseUrl":"http://h:1","auth":"none","healthCheck":"/hc"}]})");
        RemoteServices remote(load({{"ZT_SERVICE_REGISTRY_FILE", file}}));
        CPPUNIT_ASSERT_EQUAL(std::string("none"), remote.authStrategy("payments"));
        CPPUNIT_ASSERT_EQUAL(std::string("/hc"), remote.healthCheckPath("payments"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), remote.authStrategy("other"));
        CPPUNIT_ASSERT_EQUAL(std::string("/health"), remote.healthCheckPath("other"));
        CPPUNIT_ASSERT(remote.find("other") == nullptr);
    }
    void process_variable_names_come_from_the_environment() {
        ::setenv("SERVICE_URL_ZT_REMOTE_TEST", "http://127.0.0.1:4999", 1);
        auto names = RemoteServices::processVariableNames();
        auto list = RemoteServices::loadFromProcess();
        ::unsetenv("SERVICE_URL_ZT_REMOTE_TEST");
        CPPUNIT_ASSERT(std::find(names.begin(), names.end(), "SERVICE_URL_ZT_REMOTE_TEST") != names.end());
        bool found = false;
        for (const auto& s : list) found = found || (s.name == "zt-remote-test" && s.port == 4999);
        CPPUNIT_ASSERT(found);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RemoteServicesTest);
