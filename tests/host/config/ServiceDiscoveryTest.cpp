// Discovery (docs/CONFIGURATION.md: service.config.json): <dir>/<domain>/<service>/service.config.json, `shared` skipped, one bad file
// fails only itself, duplicate names/ports name the file and key, missing folder is one error.
#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <vector>

#include "ConfigTestSupport.h"
#include "config/ServiceDiscovery.h"

using zt::config::DiscoveryResult;
using zt::config::ServiceDiscovery;
using zt::config::test::TempDir;

namespace {

std::string serviceJson(const std::string& name, int port, const std::string& extra = "") {
    return "{\"name\": \"" + name + "\", \"domain\": \"ecommerce\", \"port\": " + std::to_string(port) + extra + "}";
}

std::vector<std::string> names(const DiscoveryResult& r) {
    std::vector<std::string> out;
    for (const auto& s : r.services) out.push_back(s.name);
    return out;
}

std::string describe(const DiscoveryResult& r) {
    std::string out = "errors:";
    for (const auto& e : r.errors) out += " [" + e.file + " | " + e.message + "]";
    return out;
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace

class ServiceDiscoveryTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ServiceDiscoveryTest);
    CPPUNIT_TEST(finds_nested_configs_sorted_by_name);
    CPPUNIT_TEST(skips_folders_named_shared);
    CPPUNIT_TEST(skips_folders_without_config);
    CPPUNIT_TEST(one_invalid_file_fails_only_itself);
    CPPUNIT_TEST(one_malformed_json_file_fails_only_itself);
    CPPUNIT_TEST(duplicate_name_names_file_and_key);
    CPPUNIT_TEST(duplicate_port_names_file_and_key);
    CPPUNIT_TEST(duplicate_database_role_names_file_and_key);
    CPPUNIT_TEST(unknown_keys_become_discovery_warnings);
    CPPUNIT_TEST(missing_services_folder_is_one_error);
    CPPUNIT_TEST(services_path_that_is_a_file_is_one_error);
    CPPUNIT_TEST(empty_services_folder_finds_nothing_without_errors);
    CPPUNIT_TEST_SUITE_END();

public:
    void finds_nested_configs_sorted_by_name() {
        TempDir dir;
        std::string users = dir.write("ecommerce/users/service.config.json", serviceJson("users", 3001));
        dir.write("ecommerce/orders/service.config.json", serviceJson("orders", 3002));
        dir.write("billing/payments/service.config.json", serviceJson("payments", 3003));
        DiscoveryResult r = ServiceDiscovery::discover(dir.str());
        CPPUNIT_ASSERT_MESSAGE(describe(r), r.errors.empty());
        CPPUNIT_ASSERT((std::vector<std::string>{"orders", "payments", "users"}) == names(r));
        CPPUNIT_ASSERT_EQUAL(users, r.services[2].configFile);
        CPPUNIT_ASSERT_EQUAL(dir.str() + "/ecommerce/users", r.services[2].directory);
        CPPUNIT_ASSERT_EQUAL(3003, r.services[1].port);
    }

    void skips_folders_named_shared() {
        TempDir dir;
        dir.write("ecommerce/users/service.config.json", serviceJson("users", 3001));
        dir.write("ecommerce/shared/service.config.json", serviceJson("sharedlib", 3100));
        dir.write("shared/common/service.config.json", serviceJson("common", 3101));
        // Broken files inside shared folders are not even read.
        dir.write("ecommerce/shared/nested/service.config.json", "{ not json");
        dir.write("shared/broken/service.config.json", "{ not json");
        DiscoveryResult r = ServiceDiscovery::discover(dir.str());
        CPPUNIT_ASSERT_MESSAGE(describe(r), r.errors.empty());
        CPPUNIT_ASSERT(std::vector<std::string>{"users"} == names(r));
    }

    void skips_folders_without_config() {
        TempDir dir;
        dir.write("ecommerce/users/service.config.json", serviceJson("users", 3001));
        dir.write("ecommerce/docs/README.md", "no config here");
        dir.write("ecommerce/orders/config.json", serviceJson("orders", 3002));     // wrong file name
        dir.write("ecommerce/service.config.json", serviceJson("toplevel", 3003));  // wrong depth
        dir.write("README.md", "top-level file");
        std::filesystem::create_directories(dir.path() / "empty-domain");
        DiscoveryResult r = ServiceDiscovery::discover(dir.str());
        CPPUNIT_ASSERT_MESSAGE(describe(r), r.errors.empty());
        CPPUNIT_ASSERT(std::vector<std::string>{"users"} == names(r));
    }

    void one_invalid_file_fails_only_itself() {
        TempDir dir;
        std::string bad = dir.write("ecommerce/users/service.config.json", serviceJson("users", 70000));
        dir.write("ecommerce/orders/service.config.json", serviceJson("orders", 3002));
        dir.write("ecommerce/payments/service.config.json", serviceJson("payments", 3003));
        DiscoveryResult r = ServiceDiscovery::discover(dir.str());
        CPPUNIT_ASSERT((std::vector<std::string>{"orders", "payments"}) == names(r));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(describe(r), std::size_t(1), r.errors.size());
        CPPUNIT_ASSERT_EQUAL(bad, r.errors[0].file);
        CPPUNIT_ASSERT_MESSAGE(r.errors[0].message, contains(r.errors[0].message, bad + ": port:"));
    }

    void one_malformed_json_file_fails_only_itself() {
        TempDir dir;
        std::string bad = dir.write("ecommerce/orders/service.config.json", "{\"name\": \"orders\",");
        dir.write("ecommerce/users/service.config.json", serviceJson("users", 3001));
        DiscoveryResult r = ServiceDiscovery::discover(dir.str());
        CPPUNIT_ASSERT(std::vector<std::string>{"users"} == names(r));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(describe(r), std::size_t(1), r.errors.size());
        CPPUNIT_ASSERT_EQUAL(bad, r.errors[0].file);
        CPPUNIT_ASSERT_MESSAGE(r.errors[0].message, contains(r.errors[0].message, bad));
    }

    void duplicate_name_names_file_and_key() {
        TempDir dir;
        std::string first = dir.write("a-domain/users/service.config.json", serviceJson("users", 3001));
        std::string second = dir.write("b-domain/users/service.config.json", serviceJson("users", 3002));
        DiscoveryResult r = ServiceDiscovery::discover(dir.str());
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), r.services.size());
        CPPUNIT_ASSERT_EQUAL(first, r.services[0].configFile);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(describe(r), std::size_t(1), r.errors.size());
        CPPUNIT_ASSERT_EQUAL(second, r.errors[0].file);
        const std::string& m = r.errors[0].message;
        CPPUNIT_ASSERT_MESSAGE(m, contains(m, second + ": name:"));
        CPPUNIT_ASSERT_MESSAGE(m, contains(m, "users"));
        CPPUNIT_ASSERT_MESSAGE(m, contains(m, first));
    }

    void duplicate_port_names_file_and_key() {
        TempDir dir;
        std::string first = dir.write("ecommerce/orders/service.config.json", serviceJson("orders", 3001));
        std::string second = dir.write("ecommerce/users/service.config.json", serviceJson("users", 3001));
        dir.write("ecommerce/payments/service.config.json", serviceJson("payments", 3003));
        DiscoveryResult r = ServiceDiscovery::discover(dir.str());
        CPPUNIT_ASSERT((std::vector<std::string>{"orders", "payments"}) == names(r));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(describe(r), std::size_t(1), r.errors.size());
        CPPUNIT_ASSERT_EQUAL(second, r.errors[0].file);
        const std::string& m = r.errors[0].message;
        CPPUNIT_ASSERT_MESSAGE(m, contains(m, second + ": port:"));
        CPPUNIT_ASSERT_MESSAGE(m, contains(m, "3001"));
        CPPUNIT_ASSERT_MESSAGE(m, contains(m, first));
    }

    void duplicate_database_role_names_file_and_key() {
        TempDir dir;
        std::string first = dir.write("shop/users/service.config.json",
                                      R"({"name":"users","domain":"shop","port":3001,"database":{}})");
        std::string second = dir.write("shop/zz/service.config.json",
                                       R"({"name":"zz","domain":"shop","port":3002,"database":{"role":"shop_users"}})");
        // Without a database a service has no role: no clash.
        dir.write("shop/yy/service.config.json", R"({"name":"yy","domain":"shop","port":3003})");
        DiscoveryResult r = ServiceDiscovery::discover(dir.str());
        CPPUNIT_ASSERT((std::vector<std::string>{"users", "yy"}) == names(r));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(describe(r), std::size_t(1), r.errors.size());
        const std::string& m = r.errors[0].message;
        CPPUNIT_ASSERT_MESSAGE(m, contains(m, second + ": database.role: duplicate role 'shop_users'"));
        CPPUNIT_ASSERT_MESSAGE(m, contains(m, first));
        // The same for a schema: a second service naming another's schema would own its tables.
        std::string third =
            dir.write("shop/zzz/service.config.json",
                      R"({"name":"zzz","domain":"shop","port":3004,"database":{"schema":"shop_users","role":"r3"}})");
        r = ServiceDiscovery::discover(dir.str());
        CPPUNIT_ASSERT_EQUAL_MESSAGE(describe(r), std::size_t(2), r.errors.size());
        CPPUNIT_ASSERT_MESSAGE(
            describe(r), contains(r.errors[1].message, third + ": database.schema: duplicate schema 'shop_users'"));
    }

    void unknown_keys_become_discovery_warnings() {
        TempDir dir;
        std::string file =
            dir.write("ecommerce/users/service.config.json", serviceJson("users", 3001, ", \"colour\": \"blue\""));
        DiscoveryResult r = ServiceDiscovery::discover(dir.str());
        CPPUNIT_ASSERT(std::vector<std::string>{"users"} == names(r));
        CPPUNIT_ASSERT(r.errors.empty());
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), r.warnings.size());
        CPPUNIT_ASSERT_MESSAGE(r.warnings[0], contains(r.warnings[0], file + ": colour:"));
    }

    void missing_services_folder_is_one_error() {
        TempDir dir;
        std::string missing = dir.str() + "/no-services-here";
        DiscoveryResult r;
        try {
            r = ServiceDiscovery::discover(missing);
        } catch (const std::exception& e) {
            CPPUNIT_FAIL(std::string("discover threw instead of reporting: ") + e.what());
        }
        CPPUNIT_ASSERT(r.services.empty());
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), r.errors.size());
        CPPUNIT_ASSERT_EQUAL(missing, r.errors[0].file);
        CPPUNIT_ASSERT_MESSAGE(r.errors[0].message, contains(r.errors[0].message, missing));
    }

    void services_path_that_is_a_file_is_one_error() {
        TempDir dir;
        std::string file = dir.write("not-a-folder", "x");
        DiscoveryResult r = ServiceDiscovery::discover(file);
        CPPUNIT_ASSERT(r.services.empty());
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), r.errors.size());
        CPPUNIT_ASSERT_MESSAGE(r.errors[0].message, contains(r.errors[0].message, file));
    }

    void empty_services_folder_finds_nothing_without_errors() {
        TempDir dir;
        DiscoveryResult r = ServiceDiscovery::discover(dir.str());
        CPPUNIT_ASSERT(r.services.empty());
        CPPUNIT_ASSERT(r.errors.empty());
        CPPUNIT_ASSERT(r.warnings.empty());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ServiceDiscoveryTest);
