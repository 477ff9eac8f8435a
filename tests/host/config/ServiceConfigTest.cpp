// service.config.json (docs/CONFIGURATION.md: service.config.json): the full example, every key's wrong type and invalid value
// (error "<file>: <key>: ..."), defaults, unknown keys as warnings, schemaName.
#include <cppunit/extensions/HelperMacros.h>

#include <map>
#include <string>
#include <vector>

#include "ConfigTestSupport.h"
#include "config/ServiceConfig.h"

using zt::config::ServiceConfig;
using zt::config::test::TempDir;

namespace {

const std::string kFile = "/etc/zintrust/services/ecommerce/users/service.config.json";

const std::string kSpecExample = R"({
  "name": "users", "domain": "ecommerce", "version": "1.0.0", "port": 3001,
  "plugin": "libzt_users.so",
  "description": "...", "dependencies": ["payments"], "healthCheck": "/health",
  "database": { "isolation": "shared", "migrations": true, "schema": "ecommerce_users" },
  "auth": { "strategy": "api-key" },
  "tracing": { "enabled": true, "samplingRate": 0.5 }
})";

/// A minimal valid document with `member` replaced (or added) by the raw JSON `value`;
/// an empty value removes the member.
std::string docWith(const std::string& member, const std::string& value) {
    std::map<std::string, std::string> members = {{"name", "\"users\""}, {"domain", "\"ecommerce\""}, {"port", "3001"}};
    if (value.empty()) {
        members.erase(member);
    } else {
        members[member] = value;
    }
    std::string out = "{";
    for (const auto& [k, v] : members) {
        if (out.size() > 1) out += ", ";
        out += "\"" + k + "\": " + v;
    }
    return out + "}";
}

ServiceConfig parseWith(const std::string& member, const std::string& value) {
    return ServiceConfig::parse(docWith(member, value), kFile);
}

/// The error prefix docs/CONFIGURATION.md promises: "<file>: <key>:".
std::string at(const std::string& key) { return kFile + ": " + key + ":"; }

}  // namespace

class ServiceConfigTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ServiceConfigTest);
    CPPUNIT_TEST(parses_full_spec_example);
    CPPUNIT_TEST(minimal_config_gets_defaults);
    CPPUNIT_TEST(default_plugin_name_is_libzt_name_so);
    CPPUNIT_TEST(missing_required_key_names_file_and_key);
    CPPUNIT_TEST(wrong_type_names_file_and_key);
    CPPUNIT_TEST(rejects_invalid_service_and_domain_names);
    CPPUNIT_TEST(accepts_port_bounds);
    CPPUNIT_TEST(rejects_port_out_of_range);
    CPPUNIT_TEST(rejects_fractional_port);
    CPPUNIT_TEST(refuses_plugin_outside_plugin_folder);
    CPPUNIT_TEST(rejects_health_check_without_leading_slash);
    CPPUNIT_TEST(rejects_invalid_and_self_dependencies);
    CPPUNIT_TEST(database_isolation_must_be_shared_or_isolated);
    CPPUNIT_TEST(process_is_shared_by_default_or_isolated);
    CPPUNIT_TEST(database_schema_must_be_sql_identifier);
    CPPUNIT_TEST(accepts_every_auth_strategy);
    CPPUNIT_TEST(rejects_unknown_auth_strategy);
    CPPUNIT_TEST(accepts_allowed_jwt_algorithms_and_claims);
    CPPUNIT_TEST(rejects_algorithm_outside_allow_list);
    CPPUNIT_TEST(accepts_sampling_rate_bounds);
    CPPUNIT_TEST(rejects_sampling_rate_outside_unit_interval);
    CPPUNIT_TEST(unknown_keys_are_warnings_not_errors);
    CPPUNIT_TEST(free_form_config_object_is_accepted_without_warnings);
    CPPUNIT_TEST(schema_name_defaults_to_domain_underscore_name);
    CPPUNIT_TEST(schema_name_replaces_hyphens);
    CPPUNIT_TEST(schema_name_override_wins);
    CPPUNIT_TEST(invalid_json_names_the_file);
    CPPUNIT_TEST(non_object_document_names_the_file);
    CPPUNIT_TEST(load_reads_file_and_records_absolute_path_and_folder);
    CPPUNIT_TEST(load_of_missing_file_names_the_file);
    CPPUNIT_TEST(too_long_default_schema_is_refused_naming_database_schema);
    CPPUNIT_TEST(database_role_defaults_to_domain_and_name_and_is_validated);
    CPPUNIT_TEST_SUITE_END();

public:
    void parses_full_spec_example() {
        ServiceConfig c = ServiceConfig::parse(kSpecExample, kFile);
        CPPUNIT_ASSERT_EQUAL(std::string("users"), c.name);
        CPPUNIT_ASSERT_EQUAL(std::string("ecommerce"), c.domain);
        CPPUNIT_ASSERT_EQUAL(std::string("1.0.0"), c.version);
        CPPUNIT_ASSERT_EQUAL(3001, c.port);
        CPPUNIT_ASSERT_EQUAL(std::string("libzt_users.so"), c.plugin);
        CPPUNIT_ASSERT_EQUAL(std::string("..."), c.description);
        CPPUNIT_ASSERT(std::vector<std::string>{"payments"} == c.dependencies);
        CPPUNIT_ASSERT_EQUAL(std::string("/health"), c.healthCheck);
        CPPUNIT_ASSERT_EQUAL(std::string("shared"), c.database.isolation);
        CPPUNIT_ASSERT(c.database.migrations);
        CPPUNIT_ASSERT_EQUAL(std::string("ecommerce_users"), c.database.schema);
        CPPUNIT_ASSERT_EQUAL(std::string("api-key"), c.auth.strategy);
        CPPUNIT_ASSERT(c.tracing.enabled.has_value() && *c.tracing.enabled);
        CPPUNIT_ASSERT(c.tracing.samplingRate.has_value());
        CPPUNIT_ASSERT_DOUBLES_EQUAL(0.5, *c.tracing.samplingRate, 0.0);
        CPPUNIT_ASSERT(c.warnings.empty());
        CPPUNIT_ASSERT_EQUAL(kFile, c.configFile);
        CPPUNIT_ASSERT_EQUAL(std::string("/etc/zintrust/services/ecommerce/users"), c.directory);
        CPPUNIT_ASSERT(!c.raw.isNull());
        CPPUNIT_ASSERT_EQUAL(std::string("users"), c.raw->getValue<std::string>("name"));
    }

    void minimal_config_gets_defaults() {
        ServiceConfig c = ServiceConfig::parse(docWith("port", "3002"), kFile);
        CPPUNIT_ASSERT_EQUAL(3002, c.port);
        CPPUNIT_ASSERT_EQUAL(std::string("1.0.0"), c.version);
        CPPUNIT_ASSERT_EQUAL(std::string("/health"), c.healthCheck);
        CPPUNIT_ASSERT(c.description.empty());
        CPPUNIT_ASSERT(c.dependencies.empty());
        CPPUNIT_ASSERT(c.database.isolation.empty());
        CPPUNIT_ASSERT(!c.database.migrations);
        CPPUNIT_ASSERT(c.database.schema.empty());
        CPPUNIT_ASSERT_EQUAL(std::string("none"), c.auth.strategy);
        CPPUNIT_ASSERT(c.auth.algorithms.empty());
        CPPUNIT_ASSERT(!c.tracing.enabled.has_value());
        CPPUNIT_ASSERT(!c.tracing.samplingRate.has_value());
        CPPUNIT_ASSERT(c.warnings.empty());
        // An auth object without strategy means "none"; a tracing object may set only one field.
        CPPUNIT_ASSERT_EQUAL(std::string("none"), parseWith("auth", "{}").auth.strategy);
        ServiceConfig t = parseWith("tracing", R"({"enabled": false})");
        CPPUNIT_ASSERT(t.tracing.enabled.has_value() && !*t.tracing.enabled);
        CPPUNIT_ASSERT(!t.tracing.samplingRate.has_value());
    }

    void default_plugin_name_is_libzt_name_so() {
        ServiceConfig c = ServiceConfig::parse(R"({"name": "orders", "domain": "shop", "port": 3002})", kFile);
        CPPUNIT_ASSERT_EQUAL(std::string("libzt_orders.so"), c.plugin);
        CPPUNIT_ASSERT_EQUAL(std::string("libcustom.so"), parseWith("plugin", "\"libcustom.so\"").plugin);
    }

    void missing_required_key_names_file_and_key() {
        for (const char* key : {"name", "domain", "port"}) {
            ZT_ASSERT_CONFIG_ERROR(parseWith(key, ""), {at(key)});
        }
    }

    void wrong_type_names_file_and_key() {
        struct Case {
            std::string member, value, key;
        };
        const std::vector<Case> cases = {
            {"name", "5", "name"},
            {"name", "null", "name"},
            {"domain", "true", "domain"},
            {"version", "1", "version"},
            {"port", "\"3001\"", "port"},
            {"port", "true", "port"},
            {"port", "null", "port"},
            {"port", "[3001]", "port"},
            {"plugin", "3", "plugin"},
            {"description", "[]", "description"},
            {"dependencies", "\"payments\"", "dependencies"},
            {"dependencies", "[\"payments\", 1]", "dependencies[1]"},
            {"healthCheck", "1", "healthCheck"},
            {"database", "\"shared\"", "database"},
            {"database", R"({"isolation": 1})", "database.isolation"},
            {"database", R"({"migrations": "yes"})", "database.migrations"},
            {"database", R"({"migrations": 1})", "database.migrations"},
            {"database", R"({"schema": 5})", "database.schema"},
            {"auth", "[]", "auth"},
            {"auth", R"({"strategy": 1})", "auth.strategy"},
            {"auth", R"({"strategy": "jwt", "algorithms": "HS256"})", "auth.algorithms"},
            {"auth", R"({"strategy": "jwt", "algorithms": [256]})", "auth.algorithms[0]"},
            {"auth", R"({"issuer": 1})", "auth.issuer"},
            {"auth", R"({"audience": ["a"]})", "auth.audience"},
            {"tracing", "true", "tracing"},
            {"tracing", R"({"enabled": "true"})", "tracing.enabled"},
            {"tracing", R"({"samplingRate": "0.5"})", "tracing.samplingRate"},
            {"tracing", R"({"samplingRate": true})", "tracing.samplingRate"},
            {"config", "\"x\"", "config"},
        };
        for (const auto& c : cases) {
            std::string message = ZT_ASSERT_CONFIG_ERROR(parseWith(c.member, c.value), {at(c.key)});
            CPPUNIT_ASSERT_MESSAGE(message, message.find("must be") != std::string::npos);
        }
    }

    void rejects_invalid_service_and_domain_names() {
        for (const char* bad : {"\"Users\"", "\"1users\"", "\"\"", "\"us ers\"", "\"users.v2\""}) {
            ZT_ASSERT_CONFIG_ERROR(parseWith("name", bad), {at("name")});
            ZT_ASSERT_CONFIG_ERROR(parseWith("domain", bad), {at("domain")});
        }
        std::string longName = "\"" + std::string(64, 'a') + "\"";
        ZT_ASSERT_CONFIG_ERROR(parseWith("name", longName), {at("name")});
        CPPUNIT_ASSERT_EQUAL(std::string("user-accounts_2"), parseWith("name", "\"user-accounts_2\"").name);
    }

    void accepts_port_bounds() {
        CPPUNIT_ASSERT_EQUAL(1, parseWith("port", "1").port);
        CPPUNIT_ASSERT_EQUAL(65535, parseWith("port", "65535").port);
    }

    void rejects_port_out_of_range() {
        for (const char* bad : {"0", "-1", "65536", "100000"}) {
            ZT_ASSERT_CONFIG_ERROR(parseWith("port", bad), {at("port"), bad});
        }
        ZT_ASSERT_CONFIG_ERROR(parseWith("port", "1e10"), {at("port")});
    }

    void rejects_fractional_port() { ZT_ASSERT_CONFIG_ERROR(parseWith("port", "3001.5"), {at("port")}); }

    void refuses_plugin_outside_plugin_folder() {
        for (const char* bad :
             {"\"../libzt_users.so\"", "\"/usr/lib/libzt_users.so\"", "\"sub/libzt.so\"", "\"\"", "\"..\"", "\".\""}) {
            ZT_ASSERT_CONFIG_ERROR(parseWith("plugin", bad), {at("plugin")});
        }
    }

    void rejects_health_check_without_leading_slash() {
        for (const char* bad : {"\"health\"", "\"\""}) {
            ZT_ASSERT_CONFIG_ERROR(parseWith("healthCheck", bad), {at("healthCheck")});
        }
        CPPUNIT_ASSERT_EQUAL(std::string("/status"), parseWith("healthCheck", "\"/status\"").healthCheck);
    }

    void rejects_invalid_and_self_dependencies() {
        ZT_ASSERT_CONFIG_ERROR(parseWith("dependencies", R"(["payments", "Pay Ments"])"), {at("dependencies[1]")});
        ZT_ASSERT_CONFIG_ERROR(parseWith("dependencies", R"(["users"])"), {at("dependencies[0]")});
        CPPUNIT_ASSERT((std::vector<std::string>{"payments", "orders"}) ==
                       parseWith("dependencies", R"(["payments", "orders"])").dependencies);
    }

    void database_isolation_must_be_shared_or_isolated() {
        CPPUNIT_ASSERT_EQUAL(std::string("isolated"),
                             parseWith("database", R"({"isolation": "isolated"})").database.isolation);
        for (const char* bad : {R"({"isolation": "separate"})", R"({"isolation": "Shared"})"}) {
            ZT_ASSERT_CONFIG_ERROR(parseWith("database", bad), {at("database.isolation")});
        }
    }

    void process_is_shared_by_default_or_isolated() {
        CPPUNIT_ASSERT_EQUAL(std::string("shared"), parseWith("process", "").process);
        CPPUNIT_ASSERT_EQUAL(std::string("isolated"), parseWith("process", R"("isolated")").process);
        CPPUNIT_ASSERT(parseWith("process", R"("isolated")").warnings.empty());  // a known key
        for (const char* bad : {R"("separate")", R"("Isolated")", "true"}) {
            ZT_ASSERT_CONFIG_ERROR(parseWith("process", bad), {at("process")});
        }
    }

    void database_schema_must_be_sql_identifier() {
        for (const char* bad : {R"({"schema": "bad-schema"})", R"({"schema": "1abc"})",
                                R"({"schema": "x; DROP TABLE users"})", R"({"schema": "a\"b"})"}) {
            ZT_ASSERT_CONFIG_ERROR(parseWith("database", bad), {at("database.schema")});
        }
        CPPUNIT_ASSERT_EQUAL(std::string("_Custom9"),
                             parseWith("database", R"({"schema": "_Custom9"})").database.schema);
    }

    void accepts_every_auth_strategy() {
        for (const char* s : {"api-key", "jwt", "custom", "none"}) {
            CPPUNIT_ASSERT_EQUAL(std::string(s),
                                 parseWith("auth", std::string(R"({"strategy": ")") + s + "\"}").auth.strategy);
        }
    }

    void rejects_unknown_auth_strategy() {
        for (const char* bad : {"oauth", "API-KEY", "apikey", "", "basic"}) {
            std::string message = ZT_ASSERT_CONFIG_ERROR(
                parseWith("auth", std::string(R"({"strategy": ")") + bad + "\"}"), {at("auth.strategy")});
            CPPUNIT_ASSERT_MESSAGE(message, message.find(std::string("'") + bad + "'") != std::string::npos);
        }
    }

    void accepts_allowed_jwt_algorithms_and_claims() {
        ServiceConfig c = parseWith(
            "auth",
            R"({"strategy": "jwt", "algorithms": ["HS256", "RS256", "ES256"], "issuer": "iss-1", "audience": "aud-1"})");
        CPPUNIT_ASSERT((std::vector<std::string>{"HS256", "RS256", "ES256"}) == c.auth.algorithms);
        CPPUNIT_ASSERT_EQUAL(std::string("iss-1"), c.auth.issuer);
        CPPUNIT_ASSERT_EQUAL(std::string("aud-1"), c.auth.audience);
    }

    void rejects_algorithm_outside_allow_list() {
        for (const char* bad : {"none", "HS512", "hs256", "PS256", "RS384"}) {
            ZT_ASSERT_CONFIG_ERROR(
                parseWith("auth", std::string(R"({"strategy": "jwt", "algorithms": ["HS256", ")") + bad + "\"]}"),
                {at("auth.algorithms[1]")});
        }
    }

    void accepts_sampling_rate_bounds() {
        CPPUNIT_ASSERT_DOUBLES_EQUAL(0.0, *parseWith("tracing", R"({"samplingRate": 0})").tracing.samplingRate, 0.0);
        CPPUNIT_ASSERT_DOUBLES_EQUAL(1.0, *parseWith("tracing", R"({"samplingRate": 1})").tracing.samplingRate, 0.0);
        CPPUNIT_ASSERT_DOUBLES_EQUAL(1.0, *parseWith("tracing", R"({"samplingRate": 1.0})").tracing.samplingRate, 0.0);
    }

    void rejects_sampling_rate_outside_unit_interval() {
        for (const char* bad : {"1.01", "-0.01", "2", "-1"}) {
            ZT_ASSERT_CONFIG_ERROR(parseWith("tracing", std::string(R"({"samplingRate": )") + bad + "}"),
                                   {at("tracing.samplingRate")});
        }
    }

    void unknown_keys_are_warnings_not_errors() {
        std::string doc = R"({"name": "users", "domain": "ecommerce", "port": 3001, "colour": "blue",
            "database": {"pool": 5}, "auth": {"strategy": "none", "scopes": []},
            "tracing": {"exporter": "otlp"}})";
        ServiceConfig c = ServiceConfig::parse(doc, kFile);
        CPPUNIT_ASSERT_EQUAL(std::size_t(4), c.warnings.size());
        for (const char* key : {"colour", "database.pool", "auth.scopes", "tracing.exporter"}) {
            bool found = false;
            for (const auto& w : c.warnings) found = found || w.find(kFile + ": " + key + ":") == 0;
            CPPUNIT_ASSERT_MESSAGE(std::string("no warning for ") + key, found);
        }
    }

    void free_form_config_object_is_accepted_without_warnings() {
        ServiceConfig c = parseWith("config", R"({"anything": {"nested": [1, 2]}, "flag": true})");
        CPPUNIT_ASSERT(c.warnings.empty());
        CPPUNIT_ASSERT(c.raw->has("config"));
    }

    void schema_name_defaults_to_domain_underscore_name() {
        CPPUNIT_ASSERT_EQUAL(std::string("ecommerce_users"), parseWith("port", "3001").schemaName());
    }

    void schema_name_replaces_hyphens() {
        ServiceConfig c = ServiceConfig::parse(R"({"name": "user-accounts", "domain": "e-shop", "port": 3001})", kFile);
        CPPUNIT_ASSERT_EQUAL(std::string("e_shop_user_accounts"), c.schemaName());
    }

    void schema_name_override_wins() {
        CPPUNIT_ASSERT_EQUAL(std::string("people"), parseWith("database", R"({"schema": "people"})").schemaName());
    }

    void invalid_json_names_the_file() {
        for (const char* bad : {"", "{", R"({"name": "users",})", R"({"name": "users"} trailing)",
                                R"({'name': 'users'})", R"({"port": 99999999999999999999})"}) {
            ZT_ASSERT_CONFIG_ERROR(ServiceConfig::parse(bad, kFile), {kFile + ":"});
        }
    }

    void non_object_document_names_the_file() {
        for (const char* bad : {"[]", "\"users\"", "3001", "null"}) {
            ZT_ASSERT_CONFIG_ERROR(ServiceConfig::parse(bad, kFile), {kFile + ": (document):"});
        }
    }

    void load_reads_file_and_records_absolute_path_and_folder() {
        TempDir dir;
        std::string file = dir.write("ecommerce/users/service.config.json", kSpecExample);
        ServiceConfig c = ServiceConfig::load(file);
        CPPUNIT_ASSERT_EQUAL(std::string("users"), c.name);
        CPPUNIT_ASSERT_EQUAL(file, c.configFile);
        CPPUNIT_ASSERT_EQUAL(dir.str() + "/ecommerce/users", c.directory);
        std::string bad = dir.write("ecommerce/bad/service.config.json", docWith("port", "0"));
        ZT_ASSERT_CONFIG_ERROR(ServiceConfig::load(bad), {bad + ": port:"});
    }

    void load_of_missing_file_names_the_file() {
        TempDir dir;
        std::string missing = dir.str() + "/nothing/service.config.json";
        ZT_ASSERT_CONFIG_ERROR(ServiceConfig::load(missing), {missing});
    }

    void too_long_default_schema_is_refused_naming_database_schema() {
        std::string domain(40, 'd'), name(40, 'n');
        std::string json = "{\"name\":\"" + name + "\",\"domain\":\"" + domain + "\",\"port\":3001,\"database\":{}}";
        try {
            zt::config::ServiceConfig::parse(json, "/x/service.config.json");
            CPPUNIT_FAIL("a 81-character default schema was accepted");
        } catch (const zt::config::ConfigError& e) {
            CPPUNIT_ASSERT(e.message().find("/x/service.config.json: database.schema: the default schema") == 0);
        }
        // An explicit short schema makes the same names valid; without a database there is no schema.
        auto withSchema =
            zt::config::ServiceConfig::parse("{\"name\":\"" + name + "\",\"domain\":\"" + domain +
                                                 "\",\"port\":3001,\"database\":{\"schema\":\"s\",\"role\":\"r\"}}",
                                             "/x/c.json");
        CPPUNIT_ASSERT_EQUAL(std::string("s"), withSchema.schemaName());
        // The default role is as long: it needs database.role as well.
        try {
            zt::config::ServiceConfig::parse("{\"name\":\"" + name + "\",\"domain\":\"" + domain +
                                                 "\",\"port\":3001,\"database\":{\"schema\":\"s\"}}",
                                             "/x/c.json");
            CPPUNIT_FAIL("an 81-character default role was accepted");
        } catch (const zt::config::ConfigError& e) {
            CPPUNIT_ASSERT_MESSAGE(e.message(), e.message().find("/x/c.json: database.role: the default role") == 0);
        }
        zt::config::ServiceConfig::parse("{\"name\":\"" + name + "\",\"domain\":\"" + domain + "\",\"port\":3001}",
                                         "/x/c.json");
    }

    void database_role_defaults_to_domain_and_name_and_is_validated() {
        auto c = zt::config::ServiceConfig::parse(R"({"name":"my-svc","domain":"shop","port":3001,"database":{}})",
                                                  "/x/c.json");
        CPPUNIT_ASSERT_EQUAL(std::string("shop_my_svc"), c.roleName());
        auto own = zt::config::ServiceConfig::parse(
            R"({"name":"users","domain":"shop","port":3001,"database":{"role":"shop_accounts"}})", "/x/c.json");
        CPPUNIT_ASSERT_EQUAL(std::string("shop_accounts"), own.roleName());
        CPPUNIT_ASSERT(own.warnings.empty());
        for (const char* bad : {R"("a-b")", R"("x; DROP ROLE postgres")", R"("pg_monitor")", "7", R"("")"}) {
            std::string json =
                std::string(R"({"name":"users","domain":"shop","port":3001,"database":{"role":)") + bad + "}}";
            try {
                auto parsed = zt::config::ServiceConfig::parse(json, "/x/c.json");
                // "" is the default: allowed, it means <domain>_<name>.
                CPPUNIT_ASSERT_EQUAL_MESSAGE(json, std::string(R"("")"), std::string(bad));
                CPPUNIT_ASSERT_EQUAL(std::string("shop_users"), parsed.roleName());
            } catch (const zt::config::ConfigError& e) {
                CPPUNIT_ASSERT_MESSAGE(json + " -> " + e.message(), e.message().find("/x/c.json: database.role:") == 0);
            }
        }
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ServiceConfigTest);
