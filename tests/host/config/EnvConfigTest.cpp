// Environment (docs/CONFIGURATION.md: environment): defaults, every variable's valid and invalid values, errors name the variable.
#include <cppunit/extensions/HelperMacros.h>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ConfigTestSupport.h"
#include "config/EnvConfig.h"

using zt::config::ConfigError;
using zt::config::EnvConfig;
using zt::config::mapEnvironment;
using zt::config::test::TempDir;

namespace {

using Env = std::map<std::string, std::string>;

EnvConfig loadEnv(const Env& values) {
    return EnvConfig::load(mapEnvironment(values), "/default/plugins", "/default/services");
}

/// One integer variable: a valid value, how to read it back, and values that must be refused.
struct IntegerVariable {
    std::string name;
    std::string valid;
    long long expected;
    std::function<long long(const EnvConfig&)> read;
    std::vector<std::string> invalid;
};

std::vector<IntegerVariable> integerVariables() {
    return {
        {"DB_PORT",
         "6543",
         6543,
         [](const EnvConfig& c) { return c.database.port; },
         {"0", "65536", "-1", "abc", "54x", "5432.0"}},
        {"DB_POOL_MAX", "7", 7, [](const EnvConfig& c) { return c.database.poolMax; }, {"0", "-3", "10001", "many"}},
        {"DB_POOL_IDLE_TIMEOUT_MS",
         "0",
         0,
         [](const EnvConfig& c) { return c.database.poolIdleTimeoutMs; },
         {"-1", "86400001", "1s"}},
        {"DB_POOL_CONNECTION_TIMEOUT_MS",
         "250",
         250,
         [](const EnvConfig& c) { return c.database.poolConnectionTimeoutMs; },
         {"0", "3600001", "x"}},
        {"SERVICE_CALL_TIMEOUT_MS",
         "1500",
         1500,
         [](const EnvConfig& c) { return c.serviceCallTimeoutMs; },
         {"0", "600001", "5s"}},
        {"SERVICE_CALL_RETRIES", "0", 0, [](const EnvConfig& c) { return c.serviceCallRetries; }, {"-1", "11", "two"}},
        {"CIRCUIT_BREAKER_THRESHOLD",
         "3",
         3,
         [](const EnvConfig& c) { return c.circuitBreakerThreshold; },
         {"0", "1001", "3.5"}},
        {"CIRCUIT_BREAKER_TIMEOUT_MS",
         "1000",
         1000,
         [](const EnvConfig& c) { return c.circuitBreakerTimeoutMs; },
         {"0", "3600001", "soon"}},
        {"SERVICE_HEALTH_CHECK_INTERVAL_MS",
         "100",
         100,
         [](const EnvConfig& c) { return c.healthCheckIntervalMs; },
         {"99", "3600001", "10s"}},
        {"SERVICE_HEALTH_CHECK_TIMEOUT_MS",
         "10",
         10,
         [](const EnvConfig& c) { return c.healthCheckTimeoutMs; },
         {"9", "600001", "abc"}},
        {"ADMIN_PORT", "0", 0, [](const EnvConfig& c) { return c.adminPort; }, {"-1", "65536", "admin"}},
        {"ZT_HTTP_MAX_THREADS", "2", 2, [](const EnvConfig& c) { return c.httpMaxThreads; }, {"1", "10001", "lots"}},
        {"ZT_HTTP_MAX_ACTIVE_HANDLERS",
         "0",
         0,
         [](const EnvConfig& c) { return c.httpMaxActiveHandlers; },
         {"-1", "10001", "pool"}},
        {"ZT_HTTP_EVENT_LOOPS", "1", 1, [](const EnvConfig& c) { return c.httpEventLoops; }, {"0", "65", "all"}},
        {"ZT_HTTP_MAX_CONNECTIONS",
         "0",
         0,
         [](const EnvConfig& c) { return c.httpMaxConnections; },
         {"-1", "1000001", "many"}},
        {"ZT_HTTP_MAX_CONNECTIONS_PER_IP",
         "0",
         0,
         [](const EnvConfig& c) { return c.httpMaxConnectionsPerIp; },
         {"-1", "1000001", "256k"}},
        {"ZT_HTTP_KEEP_ALIVE_TIMEOUT_MS",
         "100",
         100,
         [](const EnvConfig& c) { return c.httpKeepAliveTimeoutMs; },
         {"99", "600001", "x"}},
        {"ZT_SHUTDOWN_DRAIN_TIMEOUT_MS",
         "0",
         0,
         [](const EnvConfig& c) { return c.shutdownDrainTimeoutMs; },
         {"-1", "600001", "x"}},
        {"ZT_MAX_BODY_BYTES",
         "0",
         0,
         [](const EnvConfig& c) { return static_cast<long long>(c.maxBodyBytes); },
         {"-1", "1073741825", "1MB"}},
    };
}

}  // namespace

class EnvConfigTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(EnvConfigTest);
    CPPUNIT_TEST(defaults_match_spec_table);
    CPPUNIT_TEST(blank_value_counts_as_unset);
    CPPUNIT_TEST(folder_variables_override_defaults);
    CPPUNIT_TEST(admin_port_listens_on_loopback_unless_told_otherwise);
    CPPUNIT_TEST(worker_service_needs_its_port);
    CPPUNIT_TEST(microservices_reads_true_and_false);
    CPPUNIT_TEST(bad_microservices_value_names_variable);
    CPPUNIT_TEST(enable_microservices_is_the_fallback_switch);
    CPPUNIT_TEST(microservices_wins_over_enable_microservices);
    CPPUNIT_TEST(bad_enable_microservices_value_names_variable);
    CPPUNIT_TEST(services_list_is_split_trimmed_and_empty_items_dropped);
    CPPUNIT_TEST(services_with_invalid_name_names_variable);
    CPPUNIT_TEST(tracing_switch_reads_true_and_false);
    CPPUNIT_TEST(bad_tracing_switch_names_variable);
    CPPUNIT_TEST(tracing_rate_accepts_bounds_and_fractions);
    CPPUNIT_TEST(tracing_rate_outside_unit_interval_is_error_not_clamped);
    CPPUNIT_TEST(bad_tracing_rate_names_variable);
    CPPUNIT_TEST(tracing_rate_letter_f_is_not_read_as_zero);
    CPPUNIT_TEST(use_raw_qry_exactly_true_enables);
    CPPUNIT_TEST(use_raw_qry_false_or_unset_disables);
    CPPUNIT_TEST(use_raw_qry_refuses_anything_but_true_or_false);
    CPPUNIT_TEST(every_integer_variable_accepts_valid_value);
    CPPUNIT_TEST(every_integer_variable_rejects_bad_value_naming_it);
    CPPUNIT_TEST(rejects_db_port_out_of_range);
    CPPUNIT_TEST(integer_with_comma_is_rejected_not_concatenated);
    CPPUNIT_TEST(db_variables_are_read_without_database_url);
    CPPUNIT_TEST(database_isolation_accepts_shared_and_isolated_only);
    CPPUNIT_TEST(database_url_sets_every_connection_field);
    CPPUNIT_TEST(database_url_percent_decodes_user_and_password);
    CPPUNIT_TEST(database_url_accepts_postgres_scheme_and_keeps_defaults);
    CPPUNIT_TEST(database_url_wins_over_db_variables);
    CPPUNIT_TEST(database_url_with_wrong_scheme_names_variable);
    CPPUNIT_TEST(database_url_without_host_names_variable);
    CPPUNIT_TEST(database_url_with_bad_port_names_variable);
    CPPUNIT_TEST(service_api_key_is_comma_list);
    CPPUNIT_TEST(api_keys_file_lines_skip_comments_and_blanks_and_add_to_list);
    CPPUNIT_TEST(unreadable_api_keys_file_names_variable);
    CPPUNIT_TEST(api_keys_file_without_keys_names_variable);
    CPPUNIT_TEST(jwt_secret_shorter_than_32_bytes_names_variable);
    CPPUNIT_TEST(jwt_secret_of_32_bytes_is_accepted);
    CPPUNIT_TEST(unreadable_jwt_public_key_file_names_variable);
    CPPUNIT_TEST(jwt_public_key_file_issuer_and_audience_are_read);
    CPPUNIT_TEST(log_level_accepts_every_poco_level_case_insensitively);
    CPPUNIT_TEST(bad_log_level_names_variable);
    CPPUNIT_TEST(log_format_accepts_text_and_json_only);
    CPPUNIT_TEST(otlp_endpoint_must_be_http_url);
    CPPUNIT_TEST(known_variables_list_every_spec_variable);
    CPPUNIT_TEST(service_db_password_is_read_per_service_and_never_echoed);
    CPPUNIT_TEST(process_environment_reads_real_variables);
    CPPUNIT_TEST_SUITE_END();

public:
    void defaults_match_spec_table() {
        EnvConfig c = loadEnv({});
        CPPUNIT_ASSERT(c.microservices);
        CPPUNIT_ASSERT(c.services.empty());
        CPPUNIT_ASSERT(!c.tracing);
        CPPUNIT_ASSERT_DOUBLES_EQUAL(1.0, c.tracingRate, 0.0);
        CPPUNIT_ASSERT(!c.useRawQuery);
        CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1"), c.database.host);
        CPPUNIT_ASSERT_EQUAL(5432, c.database.port);
        CPPUNIT_ASSERT_EQUAL(std::string("zintrust"), c.database.database);
        CPPUNIT_ASSERT_EQUAL(20, c.database.poolMax);
        CPPUNIT_ASSERT_EQUAL(30000, c.database.poolIdleTimeoutMs);
        CPPUNIT_ASSERT_EQUAL(2000, c.database.poolConnectionTimeoutMs);
        CPPUNIT_ASSERT_EQUAL(std::string("shared"), c.database.defaultIsolation);
        CPPUNIT_ASSERT(c.apiKeys.empty());
        CPPUNIT_ASSERT(c.jwtSecret.empty());
        CPPUNIT_ASSERT(c.jwtPublicKeyFile.empty());
        CPPUNIT_ASSERT_EQUAL(5000, c.serviceCallTimeoutMs);
        CPPUNIT_ASSERT_EQUAL(2, c.serviceCallRetries);
        CPPUNIT_ASSERT_EQUAL(5, c.circuitBreakerThreshold);
        CPPUNIT_ASSERT_EQUAL(30000, c.circuitBreakerTimeoutMs);
        CPPUNIT_ASSERT_EQUAL(10000, c.healthCheckIntervalMs);
        CPPUNIT_ASSERT_EQUAL(2000, c.healthCheckTimeoutMs);
        CPPUNIT_ASSERT_EQUAL(std::string("information"), c.logLevel);
        CPPUNIT_ASSERT_EQUAL(std::string("text"), c.logFormat);
        CPPUNIT_ASSERT_EQUAL(9000, c.adminPort);
        CPPUNIT_ASSERT_EQUAL(std::string("/default/plugins"), c.pluginDir);
        CPPUNIT_ASSERT_EQUAL(std::string("/default/services"), c.servicesDir);
        CPPUNIT_ASSERT(c.otlpEndpoint.empty());
        CPPUNIT_ASSERT_EQUAL(256, c.httpMaxThreads);
        CPPUNIT_ASSERT_EQUAL(-1, c.httpMaxActiveHandlers);  // each service's pool size
        CPPUNIT_ASSERT_EQUAL(10000, c.httpMaxConnections);
        CPPUNIT_ASSERT_EQUAL(256, c.httpMaxConnectionsPerIp);
        CPPUNIT_ASSERT(c.httpEventLoops >= 1 && c.httpEventLoops <= 4);
    }

    void blank_value_counts_as_unset() {
        EnvConfig c = loadEnv({{"DB_PORT", "  "}, {"LOG_LEVEL", ""}, {"MICROSERVICES_TRACING_RATE", " "}});
        CPPUNIT_ASSERT_EQUAL(5432, c.database.port);
        CPPUNIT_ASSERT_EQUAL(std::string("information"), c.logLevel);
        CPPUNIT_ASSERT_DOUBLES_EQUAL(1.0, c.tracingRate, 0.0);
    }

    void worker_service_needs_its_port() {
        CPPUNIT_ASSERT(!loadEnv({}).workerMode());
        EnvConfig worker = loadEnv({{"ZT_WORKER_SERVICE", "users"}, {"ZT_WORKER_PORT", "41000"}});
        CPPUNIT_ASSERT(worker.workerMode());
        CPPUNIT_ASSERT_EQUAL(std::string("users"), worker.workerService);
        CPPUNIT_ASSERT_EQUAL(41000, worker.workerPort);
        try {
            loadEnv({{"ZT_WORKER_SERVICE", "users"}});
            CPPUNIT_FAIL("accepted ZT_WORKER_SERVICE without ZT_WORKER_PORT");
        } catch (const ConfigError& e) {
            CPPUNIT_ASSERT_MESSAGE(e.message(), e.message().find("ZT_WORKER_PORT: required") == 0);
        }
    }

    void admin_port_listens_on_loopback_unless_told_otherwise() {
        EnvConfig c = loadEnv({{"ZT_BIND_ADDRESS", "0.0.0.0"}});
        CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1"), c.adminBindAddress);  // not ZT_BIND_ADDRESS
        for (const std::string ok : {"0.0.0.0", "::1", "::", "10.1.2.3"}) {
            CPPUNIT_ASSERT_EQUAL(ok, loadEnv({{"ADMIN_BIND_ADDRESS", ok}}).adminBindAddress);
        }
        for (const std::string bad : {"localhost", "0.0.0.0:9000", "300.1.1.1", "*"}) {
            try {
                loadEnv({{"ADMIN_BIND_ADDRESS", bad}});
                CPPUNIT_FAIL("accepted ADMIN_BIND_ADDRESS=" + bad);
            } catch (const ConfigError& e) {
                CPPUNIT_ASSERT_MESSAGE(e.message(),
                                       e.message().find("ADMIN_BIND_ADDRESS: expected an IPv4 or IPv6 address") == 0);
                CPPUNIT_ASSERT_MESSAGE(e.message(), e.message().find("got '" + bad + "'") != std::string::npos);
            }
        }
    }

    void folder_variables_override_defaults() {
        EnvConfig c =
            loadEnv({{"ZT_PLUGIN_DIR", "/opt/p"}, {"ZT_SERVICES_DIR", "/opt/s"}, {"ZT_BIND_ADDRESS", "127.0.0.1"}});
        CPPUNIT_ASSERT_EQUAL(std::string("/opt/p"), c.pluginDir);
        CPPUNIT_ASSERT_EQUAL(std::string("/opt/s"), c.servicesDir);
        CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1"), c.bindAddress);
        CPPUNIT_ASSERT(c.pluginDirs == std::vector<std::string>{"/opt/p"});
        c = loadEnv({{"ZT_PLUGIN_DIR", "/usr/local/p:/usr/p"}, {"ZT_SERVICES_DIR", "/etc/s.d:/etc/s:./mine"}});
        CPPUNIT_ASSERT(c.pluginDirs == (std::vector<std::string>{"/usr/local/p", "/usr/p"}));
        CPPUNIT_ASSERT(c.servicesDirs == (std::vector<std::string>{"/etc/s.d", "/etc/s", "./mine"}));
        CPPUNIT_ASSERT_EQUAL(std::string("/etc/s.d:/etc/s:./mine"), c.servicesDir);
        for (const std::string bad : {"/a::/b", "/a:", ":/a", ":"}) {
            try {
                loadEnv({{"ZT_PLUGIN_DIR", bad}});
                CPPUNIT_FAIL("accepted ZT_PLUGIN_DIR=" + bad);
            } catch (const ConfigError& e) {
                CPPUNIT_ASSERT_MESSAGE(e.message(),
                                       e.message().find("ZT_PLUGIN_DIR: empty folder in the list '" + bad + "'") == 0);
            }
        }
    }

    void microservices_reads_true_and_false() {
        CPPUNIT_ASSERT(!loadEnv({{"MICROSERVICES", "false"}}).microservices);
        CPPUNIT_ASSERT(loadEnv({{"MICROSERVICES", "true"}}).microservices);
        CPPUNIT_ASSERT(!loadEnv({{"MICROSERVICES", "FALSE"}}).microservices);
    }

    void bad_microservices_value_names_variable() {
        ZT_ASSERT_CONFIG_ERROR(loadEnv({{"MICROSERVICES", "maybe"}}), {"MICROSERVICES", "maybe"});
    }

    void enable_microservices_is_the_fallback_switch() {
        CPPUNIT_ASSERT(!loadEnv({{"ENABLE_MICROSERVICES", "0"}}).microservices);
        CPPUNIT_ASSERT(loadEnv({{"ENABLE_MICROSERVICES", "1"}}).microservices);
    }

    void microservices_wins_over_enable_microservices() {
        CPPUNIT_ASSERT(!loadEnv({{"MICROSERVICES", "false"}, {"ENABLE_MICROSERVICES", "1"}}).microservices);
        CPPUNIT_ASSERT(loadEnv({{"MICROSERVICES", "true"}, {"ENABLE_MICROSERVICES", "0"}}).microservices);
    }

    void bad_enable_microservices_value_names_variable() {
        ZT_ASSERT_CONFIG_ERROR(loadEnv({{"ENABLE_MICROSERVICES", "2"}}), {"ENABLE_MICROSERVICES"});
    }

    void services_list_is_split_trimmed_and_empty_items_dropped() {
        EnvConfig c = loadEnv({{"SERVICES", " users , orders,,payments_v2 ,"}});
        std::vector<std::string> expected = {"users", "orders", "payments_v2"};
        CPPUNIT_ASSERT(expected == c.services);
        CPPUNIT_ASSERT(std::vector<std::string>{"orders"} == loadEnv({{"SERVICES", "orders"}}).services);
    }

    void services_with_invalid_name_names_variable() {
        for (const char* bad : {"users;orders", "users orders", "../users", "users,or/ders"}) {
            ZT_ASSERT_CONFIG_ERROR(loadEnv({{"SERVICES", bad}}), {"SERVICES"});
        }
    }

    void tracing_switch_reads_true_and_false() {
        CPPUNIT_ASSERT(loadEnv({{"MICROSERVICES_TRACING", "true"}}).tracing);
        CPPUNIT_ASSERT(!loadEnv({{"MICROSERVICES_TRACING", "false"}}).tracing);
    }

    void bad_tracing_switch_names_variable() {
        ZT_ASSERT_CONFIG_ERROR(loadEnv({{"MICROSERVICES_TRACING", "enabled"}}), {"MICROSERVICES_TRACING"});
    }

    void tracing_rate_accepts_bounds_and_fractions() {
        CPPUNIT_ASSERT_DOUBLES_EQUAL(0.0, loadEnv({{"MICROSERVICES_TRACING_RATE", "0"}}).tracingRate, 0.0);
        CPPUNIT_ASSERT_DOUBLES_EQUAL(1.0, loadEnv({{"MICROSERVICES_TRACING_RATE", "1"}}).tracingRate, 0.0);
        CPPUNIT_ASSERT_DOUBLES_EQUAL(0.25, loadEnv({{"MICROSERVICES_TRACING_RATE", "0.25"}}).tracingRate, 1e-12);
        CPPUNIT_ASSERT_DOUBLES_EQUAL(1.0, loadEnv({{"MICROSERVICES_TRACING_RATE", "1.0"}}).tracingRate, 0.0);
    }

    void tracing_rate_outside_unit_interval_is_error_not_clamped() {
        for (const char* bad : {"1.5", "-0.1", "2", "1.0000001", "-0.0001", "100"}) {
            ZT_ASSERT_CONFIG_ERROR(loadEnv({{"MICROSERVICES_TRACING_RATE", bad}}), {"MICROSERVICES_TRACING_RATE", bad});
        }
    }

    void bad_tracing_rate_names_variable() {
        for (const char* bad : {"abc", "half", "nan", "inf", "0.5abc", "50%", "0x1"}) {
            ZT_ASSERT_CONFIG_ERROR(loadEnv({{"MICROSERVICES_TRACING_RATE", bad}}), {"MICROSERVICES_TRACING_RATE"});
        }
    }

    // Poco's float parser strips every 'f' before parsing; "f" must not silently become 0.0.
    void tracing_rate_letter_f_is_not_read_as_zero() {
        for (const char* bad : {"f", "ff"}) {
            ZT_ASSERT_CONFIG_ERROR(loadEnv({{"MICROSERVICES_TRACING_RATE", bad}}), {"MICROSERVICES_TRACING_RATE"});
        }
    }

    void use_raw_qry_exactly_true_enables() { CPPUNIT_ASSERT(loadEnv({{"USE_RAW_QRY", "true"}}).useRawQuery); }

    void use_raw_qry_false_or_unset_disables() {
        CPPUNIT_ASSERT(!loadEnv({{"USE_RAW_QRY", "false"}}).useRawQuery);
        CPPUNIT_ASSERT(!loadEnv({}).useRawQuery);
    }

    void use_raw_qry_refuses_anything_but_true_or_false() {
        for (const char* bad : {"TRUE", "True", "1", "yes", "on", "0", "enabled", " true"}) {
            ZT_ASSERT_CONFIG_ERROR(loadEnv({{"USE_RAW_QRY", bad}}), {"USE_RAW_QRY"});
        }
    }

    void every_integer_variable_accepts_valid_value() {
        for (const auto& v : integerVariables()) {
            EnvConfig c = loadEnv({{v.name, v.valid}});
            CPPUNIT_ASSERT_EQUAL_MESSAGE(v.name, v.expected, v.read(c));
            // Surrounding blanks are tolerated.
            CPPUNIT_ASSERT_EQUAL_MESSAGE(v.name, v.expected, v.read(loadEnv({{v.name, " " + v.valid + " "}})));
        }
    }

    void every_integer_variable_rejects_bad_value_naming_it() {
        for (const auto& v : integerVariables()) {
            for (const auto& bad : v.invalid) {
                ZT_ASSERT_CONFIG_ERROR(loadEnv({{v.name, bad}}), {v.name, bad});
            }
        }
    }

    void rejects_db_port_out_of_range() {
        CPPUNIT_ASSERT_EQUAL(1, loadEnv({{"DB_PORT", "1"}}).database.port);
        CPPUNIT_ASSERT_EQUAL(65535, loadEnv({{"DB_PORT", "65535"}}).database.port);
        ZT_ASSERT_CONFIG_ERROR(loadEnv({{"DB_PORT", "0"}}), {"DB_PORT"});
        ZT_ASSERT_CONFIG_ERROR(loadEnv({{"DB_PORT", "65536"}}), {"DB_PORT"});
        ZT_ASSERT_CONFIG_ERROR(loadEnv({{"DB_PORT", "99999999999999999999999"}}), {"DB_PORT"});
    }

    // Poco's integer parser skips ',' as a thousands separator: "1,0" would become 10 retries and
    // "," would become ADMIN_PORT 0 (admin server disabled). A comma is not an integer.
    void integer_with_comma_is_rejected_not_concatenated() {
        ZT_ASSERT_CONFIG_ERROR(loadEnv({{"SERVICE_CALL_RETRIES", "1,0"}}), {"SERVICE_CALL_RETRIES"});
        ZT_ASSERT_CONFIG_ERROR(loadEnv({{"DB_PORT", "5,432"}}), {"DB_PORT"});
        ZT_ASSERT_CONFIG_ERROR(loadEnv({{"ADMIN_PORT", ","}}), {"ADMIN_PORT"});
    }

    void db_variables_are_read_without_database_url() {
        EnvConfig c = loadEnv({{"DB_HOST", "db.internal"},
                               {"DB_PORT", "6000"},
                               {"DB_DATABASE", "shop"},
                               {"DB_USERNAME", "app"},
                               {"DB_PASSWORD", "s3cret"}});
        CPPUNIT_ASSERT_EQUAL(std::string("db.internal"), c.database.host);
        CPPUNIT_ASSERT_EQUAL(6000, c.database.port);
        CPPUNIT_ASSERT_EQUAL(std::string("shop"), c.database.database);
        CPPUNIT_ASSERT_EQUAL(std::string("app"), c.database.username);
        CPPUNIT_ASSERT_EQUAL(std::string("s3cret"), c.database.password);
    }

    void database_isolation_accepts_shared_and_isolated_only() {
        CPPUNIT_ASSERT_EQUAL(std::string("isolated"),
                             loadEnv({{"DATABASE_ISOLATION", "isolated"}}).database.defaultIsolation);
        CPPUNIT_ASSERT_EQUAL(std::string("shared"),
                             loadEnv({{"DATABASE_ISOLATION", "shared"}}).database.defaultIsolation);
        ZT_ASSERT_CONFIG_ERROR(loadEnv({{"DATABASE_ISOLATION", "separate"}}), {"DATABASE_ISOLATION", "separate"});
    }

    void database_url_sets_every_connection_field() {
        EnvConfig c = loadEnv({{"DATABASE_URL", "postgresql://app:secret@db.example:6543/shop"}});
        CPPUNIT_ASSERT_EQUAL(std::string("db.example"), c.database.host);
        CPPUNIT_ASSERT_EQUAL(6543, c.database.port);
        CPPUNIT_ASSERT_EQUAL(std::string("shop"), c.database.database);
        CPPUNIT_ASSERT_EQUAL(std::string("app"), c.database.username);
        CPPUNIT_ASSERT_EQUAL(std::string("secret"), c.database.password);
    }

    void database_url_percent_decodes_user_and_password() {
        EnvConfig c = loadEnv({{"DATABASE_URL", "postgresql://us%40er:p%3Aa%2Fss%40w%25rd@db:5432/app"}});
        CPPUNIT_ASSERT_EQUAL(std::string("us@er"), c.database.username);
        CPPUNIT_ASSERT_EQUAL(std::string("p:a/ss@w%rd"), c.database.password);
        CPPUNIT_ASSERT_EQUAL(std::string("db"), c.database.host);
        // A ':' inside the password (after the first one) belongs to the password.
        EnvConfig d = loadEnv({{"DATABASE_URL", "postgresql://u:a:b@db/app"}});
        CPPUNIT_ASSERT_EQUAL(std::string("u"), d.database.username);
        CPPUNIT_ASSERT_EQUAL(std::string("a:b"), d.database.password);
    }

    void database_url_accepts_postgres_scheme_and_keeps_defaults() {
        EnvConfig c = loadEnv({{"DATABASE_URL", "postgres://dbhost"}});
        CPPUNIT_ASSERT_EQUAL(std::string("dbhost"), c.database.host);
        CPPUNIT_ASSERT_EQUAL(5432, c.database.port);
        CPPUNIT_ASSERT_EQUAL(std::string("zintrust"), c.database.database);
        CPPUNIT_ASSERT_EQUAL(std::string("postgres"), c.database.username);
        CPPUNIT_ASSERT_EQUAL(std::string(""), c.database.password);
        // Only a user name: password stays empty.
        EnvConfig d = loadEnv({{"DATABASE_URL", "postgres://bob@dbhost/"}});
        CPPUNIT_ASSERT_EQUAL(std::string("bob"), d.database.username);
        CPPUNIT_ASSERT_EQUAL(std::string(""), d.database.password);
        CPPUNIT_ASSERT_EQUAL(std::string("zintrust"), d.database.database);
    }

    void database_url_wins_over_db_variables() {
        EnvConfig c = loadEnv({{"DATABASE_URL", "postgresql://a:b@url-host:7000/urldb"},
                               {"DB_HOST", "var-host"},
                               {"DB_PORT", "8000"},
                               {"DB_DATABASE", "vardb"}});
        CPPUNIT_ASSERT_EQUAL(std::string("url-host"), c.database.host);
        CPPUNIT_ASSERT_EQUAL(7000, c.database.port);
        CPPUNIT_ASSERT_EQUAL(std::string("urldb"), c.database.database);
    }

    void database_url_with_wrong_scheme_names_variable() {
        for (const char* bad : {"mysql://h/db", "http://h/db", "not a url", "h:5432/db"}) {
            ZT_ASSERT_CONFIG_ERROR(loadEnv({{"DATABASE_URL", bad}}), {"DATABASE_URL"});
        }
    }

    void database_url_without_host_names_variable() {
        ZT_ASSERT_CONFIG_ERROR(loadEnv({{"DATABASE_URL", "postgresql:///db"}}), {"DATABASE_URL", "host"});
    }

    void database_url_with_bad_port_names_variable() {
        ZT_ASSERT_CONFIG_ERROR(loadEnv({{"DATABASE_URL", "postgresql://h:99999/db"}}), {"DATABASE_URL"});
        ZT_ASSERT_CONFIG_ERROR(loadEnv({{"DATABASE_URL", "postgresql://h:port/db"}}), {"DATABASE_URL"});
    }

    void service_api_key_is_comma_list() {
        EnvConfig c = loadEnv({{"SERVICE_API_KEY", "k1, k2 ,,k3"}});
        CPPUNIT_ASSERT((std::vector<std::string>{"k1", "k2", "k3"}) == c.apiKeys);
    }

    void api_keys_file_lines_skip_comments_and_blanks_and_add_to_list() {
        TempDir dir;
        std::string file = dir.write("keys.txt", "# rotated 2024-05\nfile-key-1\n\n   \n  file-key-2  \n#old-key\n");
        EnvConfig c = loadEnv({{"SERVICE_API_KEY", "env-key"}, {"SERVICE_API_KEYS_FILE", file}});
        CPPUNIT_ASSERT((std::vector<std::string>{"env-key", "file-key-1", "file-key-2"}) == c.apiKeys);
        EnvConfig only = loadEnv({{"SERVICE_API_KEYS_FILE", file}});
        CPPUNIT_ASSERT((std::vector<std::string>{"file-key-1", "file-key-2"}) == only.apiKeys);
    }

    void unreadable_api_keys_file_names_variable() {
        TempDir dir;
        std::string missing = dir.str() + "/no-such-keys.txt";
        ZT_ASSERT_CONFIG_ERROR(loadEnv({{"SERVICE_API_KEYS_FILE", missing}}), {"SERVICE_API_KEYS_FILE", missing});
    }

    void api_keys_file_without_keys_names_variable() {
        TempDir dir;
        std::string file = dir.write("keys.txt", "# nothing here\n\n");
        ZT_ASSERT_CONFIG_ERROR(loadEnv({{"SERVICE_API_KEYS_FILE", file}}), {"SERVICE_API_KEYS_FILE"});
    }

    void jwt_secret_shorter_than_32_bytes_names_variable() {
        ZT_ASSERT_CONFIG_ERROR(loadEnv({{"SERVICE_JWT_SECRET", std::string(31, 'x')}}), {"SERVICE_JWT_SECRET", "32"});
        ZT_ASSERT_CONFIG_ERROR(loadEnv({{"SERVICE_JWT_SECRET", "secret"}}), {"SERVICE_JWT_SECRET"});
    }

    void jwt_secret_of_32_bytes_is_accepted() {
        std::string secret(32, 'k');
        CPPUNIT_ASSERT_EQUAL(secret, loadEnv({{"SERVICE_JWT_SECRET", secret}}).jwtSecret);
        CPPUNIT_ASSERT(loadEnv({}).jwtSecret.empty());
    }

    void unreadable_jwt_public_key_file_names_variable() {
        TempDir dir;
        std::string missing = dir.str() + "/no-such.pem";
        ZT_ASSERT_CONFIG_ERROR(loadEnv({{"SERVICE_JWT_PUBLIC_KEY_FILE", missing}}),
                               {"SERVICE_JWT_PUBLIC_KEY_FILE", missing});
    }

    void jwt_public_key_file_issuer_and_audience_are_read() {
        TempDir dir;
        std::string pem = dir.write("pub.pem", "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n");
        EnvConfig c = loadEnv({{"SERVICE_JWT_PUBLIC_KEY_FILE", pem},
                               {"SERVICE_JWT_ISSUER", "https://issuer"},
                               {"SERVICE_JWT_AUDIENCE", "orders"}});
        CPPUNIT_ASSERT_EQUAL(pem, c.jwtPublicKeyFile);
        CPPUNIT_ASSERT_EQUAL(std::string("https://issuer"), c.jwtIssuer);
        CPPUNIT_ASSERT_EQUAL(std::string("orders"), c.jwtAudience);
    }

    void log_level_accepts_every_poco_level_case_insensitively() {
        for (const char* level :
             {"fatal", "critical", "error", "warning", "notice", "information", "debug", "trace", "none"}) {
            CPPUNIT_ASSERT_EQUAL(std::string(level), loadEnv({{"LOG_LEVEL", level}}).logLevel);
        }
        CPPUNIT_ASSERT_EQUAL(std::string("debug"), loadEnv({{"LOG_LEVEL", "DEBUG"}}).logLevel);
    }

    void bad_log_level_names_variable() {
        for (const char* bad : {"verbose", "info", "warn", "5"}) {
            ZT_ASSERT_CONFIG_ERROR(loadEnv({{"LOG_LEVEL", bad}}), {"LOG_LEVEL", bad});
        }
    }

    void log_format_accepts_text_and_json_only() {
        CPPUNIT_ASSERT_EQUAL(std::string("json"), loadEnv({{"LOG_FORMAT", "json"}}).logFormat);
        CPPUNIT_ASSERT_EQUAL(std::string("text"), loadEnv({{"LOG_FORMAT", "text"}}).logFormat);
        for (const char* bad : {"xml", "plain", "logfmt"}) {
            ZT_ASSERT_CONFIG_ERROR(loadEnv({{"LOG_FORMAT", bad}}), {"LOG_FORMAT", bad});
        }
    }

    void otlp_endpoint_must_be_http_url() {
        CPPUNIT_ASSERT_EQUAL(std::string("http://collector:4318"),
                             loadEnv({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"}}).otlpEndpoint);
        CPPUNIT_ASSERT_EQUAL(std::string("https://otel.example/v1"),
                             loadEnv({{"OTEL_EXPORTER_OTLP_ENDPOINT", "https://otel.example/v1"}}).otlpEndpoint);
        for (const char* bad : {"ftp://collector", "collector:4318", "http://", "http://h:99999"}) {
            ZT_ASSERT_CONFIG_ERROR(loadEnv({{"OTEL_EXPORTER_OTLP_ENDPOINT", bad}}), {"OTEL_EXPORTER_OTLP_ENDPOINT"});
        }
    }

    void service_db_password_is_read_per_service_and_never_echoed() {
        auto c = loadEnv({{"SERVICE_DB_PASSWORD_MY_SVC", "operator-password-0123"},
                          {"SERVICE_DB_PASSWORD_SHORT", "short"},
                          {"SERVICE_DB_PASSWORD_SPACED", "has a space in it 0123"}});
        CPPUNIT_ASSERT_EQUAL(std::string("operator-password-0123"), c.serviceDbPassword("my-svc").value_or(""));
        CPPUNIT_ASSERT(!c.serviceDbPassword("users"));
        ZT_ASSERT_CONFIG_ERROR(c.serviceDbPassword("short"), {"SERVICE_DB_PASSWORD_SHORT", "at least 16"});
        try {
            c.serviceDbPassword("spaced");
            CPPUNIT_FAIL("a password with whitespace was accepted");
        } catch (const zt::config::ConfigError& e) {
            CPPUNIT_ASSERT(e.message().find("SERVICE_DB_PASSWORD_SPACED") == 0);
            CPPUNIT_ASSERT_MESSAGE(e.message(), e.message().find("space in it") == std::string::npos);
        }
        auto& known = EnvConfig::knownVariables();
        CPPUNIT_ASSERT(std::find(known.begin(), known.end(), "SERVICE_DB_PASSWORD_<NAME>") != known.end());
    }

    void known_variables_list_every_spec_variable() {
        const auto& known = EnvConfig::knownVariables();
        for (const char* name : {"MICROSERVICES",
                                 "ADMIN_BIND_ADDRESS",
                                 "ENABLE_MICROSERVICES",
                                 "SERVICES",
                                 "MICROSERVICES_TRACING",
                                 "MICROSERVICES_TRACING_RATE",
                                 "USE_RAW_QRY",
                                 "DATABASE_URL",
                                 "DB_HOST",
                                 "DB_PORT",
                                 "DB_DATABASE",
                                 "DB_USERNAME",
                                 "DB_PASSWORD",
                                 "DB_POOL_MAX",
                                 "DB_POOL_IDLE_TIMEOUT_MS",
                                 "DB_POOL_CONNECTION_TIMEOUT_MS",
                                 "DATABASE_ISOLATION",
                                 "SERVICE_API_KEY",
                                 "SERVICE_API_KEYS_FILE",
                                 "SERVICE_JWT_SECRET",
                                 "SERVICE_JWT_PUBLIC_KEY_FILE",
                                 "SERVICE_CALL_TIMEOUT_MS",
                                 "SERVICE_CALL_RETRIES",
                                 "CIRCUIT_BREAKER_THRESHOLD",
                                 "CIRCUIT_BREAKER_TIMEOUT_MS",
                                 "SERVICE_HEALTH_CHECK_INTERVAL_MS",
                                 "SERVICE_HEALTH_CHECK_TIMEOUT_MS",
                                 "LOG_LEVEL",
                                 "LOG_FORMAT",
                                 "ZT_ACCESS_LOG",
                                 "ADMIN_PORT",
                                 "ZT_PLUGIN_DIR",
                                 "ZT_SERVICES_DIR",
                                 "OTEL_EXPORTER_OTLP_ENDPOINT"}) {
            CPPUNIT_ASSERT_MESSAGE(name, std::find(known.begin(), known.end(), name) != known.end());
        }
    }

    void process_environment_reads_real_variables() {
        const char* name = "ZT_UNITTEST_PROCESS_ENV_PROBE";
        ::setenv(name, "probe-value", 1);
        auto env = zt::config::processEnvironment();
        auto v = env(name);
        ::unsetenv(name);
        CPPUNIT_ASSERT(v.has_value());
        CPPUNIT_ASSERT_EQUAL(std::string("probe-value"), *v);
        CPPUNIT_ASSERT(!env(name).has_value());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(EnvConfigTest);
