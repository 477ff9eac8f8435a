// Least privilege, tried as a hostile plugin author would (raw SQL enabled): every service's pool
// connects as its own non-superuser role, provisioned by a role that is not a superuser either, and
// nothing service A runs reaches service B's data, the server's files or programs, another role or
// another service's database; A's own tables keep working (docs/DATABASE.md).
#include <cppunit/extensions/HelperMacros.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <memory>
#include <string>
#include <vector>

#include "support/TestSupport.h"

using namespace zt::test;

namespace {

const char* const kProvisioningPassword = "provisioning-password-0123";
const char* const kPasswordA = "service-a-password-0123456789";
const char* const kPasswordC = "service-c-password-0123456789";

/// Three db_probe services on one host: a and b shared (schemas probe_a, probe_b of one database),
/// c isolated (its own database), provisioned by a CREATEROLE CREATEDB role that owns the database.
struct HostileSetup {
    TestPostgres pg = TestPostgres::fromEnvironment();
    std::string provisioner;
    std::unique_ptr<TestDatabase> database;
    TempDir services;
    TestPluginFolder plugins;
    std::map<std::string, int> ports;
    int admin = freePort();
    std::unique_ptr<HostProcess> host;

    HostileSetup() {
        provisioner = "zt_prov_" + std::to_string(::getpid());
        if (pg.scalar("postgres", "SELECT 1 FROM pg_roles WHERE rolname = '" + provisioner + "'").empty())
            pg.exec("postgres", "CREATE ROLE " + provisioner + " LOGIN CREATEROLE CREATEDB PASSWORD '" +
                                    kProvisioningPassword + "'");
        database = std::make_unique<TestDatabase>();
        pg.exec("postgres", "ALTER DATABASE " + database->name() + " OWNER TO " + provisioner);
        for (const auto& [name, isolation] :
             std::vector<std::pair<std::string, std::string>>{{"a", "shared"}, {"b", "shared"}, {"c", "isolated"}}) {
            int port = freePort();
            ports[name] = port;
            services.write("probe/" + name + "/service.config.json",
                           R"({"name":")" + name + R"(","domain":"probe","port":)" + std::to_string(port) +
                               R"(,"plugin":"libzt_db_probe.so","database":{"isolation":")" + isolation +
                               R"(","migrations":true}})");
            services.write("probe/" + name + "/migrations/001_notes.sql",
                           "CREATE TABLE notes (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL);\n");
        }
        std::map<std::string, std::string> env = {
            {"DATABASE_URL", "postgresql://" + provisioner + ":" + kProvisioningPassword + "@" + pg.host + ":" +
                                 std::to_string(pg.port) + "/" + database->name()},
            {"ZT_SERVICES_DIR", services.path()},
            {"ZT_PLUGIN_DIR", plugins.path()},
            {"ADMIN_PORT", std::to_string(admin)},
            {"ZT_BIND_ADDRESS", "127.0.0.1"},
            {"USE_RAW_QRY", "true"},
            {"SERVICE_DB_PASSWORD_A", kPasswordA},
            {"SERVICE_DB_PASSWORD_C", kPasswordC},
            {"LOG_LEVEL", "information"},
        };
        host = std::make_unique<HostProcess>(env, admin);
    }
    std::string isolatedDatabase() const { return database->name() + "_c"; }
    HttpResult sql(const std::string& service, const std::string& statement) {
        return httpRequest("POST", ports.at(service), "/sql", statement);
    }
};

}  // namespace

class DatabaseIsolationTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DatabaseIsolationTest);
    CPPUNIT_TEST(hostile_raw_sql_from_a_shared_service_fails_and_leaves_the_others_untouched);
    CPPUNIT_TEST(a_provisioning_role_without_createrole_refuses_the_service_naming_the_sql);
    CPPUNIT_TEST(check_config_reports_per_service_what_the_provisioning_role_can_create);
    CPPUNIT_TEST_SUITE_END();

    /// `statement` run by `service` must be refused with a JSON 4xx/5xx error.
    static void assertRefused(HostileSetup& s, const std::string& service, const std::string& statement) {
        auto r = s.sql(service, statement);
        CPPUNIT_ASSERT_MESSAGE("service " + service + " ran: " + statement + " -> " + std::to_string(r.status) + " " +
                                   r.body + "\n" + s.host->log(),
                               r.status >= 400 && r.status <= 599);
        assertContains(r.header("content-type"), "application/json");
        assertContains(r.body, "{\"error\":{\"code\":\"");
    }

public:
    void hostile_raw_sql_from_a_shared_service_fails_and_leaves_the_others_untouched() {
        HostileSetup s;
        for (const auto& name : {"a", "b", "c"}) {
            auto health = httpRequest("GET", s.ports[name], "/health/ready");
            CPPUNIT_ASSERT_EQUAL_MESSAGE(std::string(name) + ": " + health.body + s.host->log(), 200, health.status);
        }
        CPPUNIT_ASSERT_EQUAL(201, httpRequest("POST", s.ports["b"], "/notes", "b's secret").status);
        CPPUNIT_ASSERT_EQUAL(201, httpRequest("POST", s.ports["c"], "/notes", "c's secret").status);
        const std::string db = s.database->name();
        const std::string marker = "/tmp/zt-isolation-" + std::to_string(::getpid());

        // From a (shared) towards b's schema, public, roles, server files and programs.
        const std::vector<std::string> fromA = {
            "SELECT * FROM probe_b.notes",
            "INSERT INTO probe_b.notes (body) VALUES ('planted')",
            "UPDATE probe_b.notes SET body = 'overwritten'",
            "DELETE FROM probe_b.notes",
            "DROP TABLE probe_b.notes",
            "ALTER TABLE probe_b.notes ADD COLUMN planted int",
            "CREATE TABLE probe_b.planted (id int)",
            "CREATE TABLE public.planted (id int)",
            "SET ROLE probe_b",
            "SET SESSION AUTHORIZATION probe_b",
            "ALTER ROLE probe_a SUPERUSER",
            "ALTER ROLE probe_a CREATEROLE",
            "ALTER ROLE probe_a CREATEDB",
            "ALTER ROLE probe_a BYPASSRLS",
            "CREATE ROLE planted LOGIN SUPERUSER",
            "CREATE ROLE planted LOGIN",
            "GRANT probe_b TO probe_a",
            "GRANT pg_read_server_files TO probe_a",
            "COPY (SELECT 1) TO PROGRAM 'touch " + marker + "'",
            "COPY notes (body) FROM '/etc/passwd'",
            "SELECT pg_read_file('/etc/passwd')",
            "SELECT pg_ls_dir('.')",
            "SELECT lo_import('/etc/passwd')",
            "CREATE EXTENSION dblink",
            "CREATE EXTENSION dblink SCHEMA probe_a",
            "SELECT * FROM " + s.isolatedDatabase() + ".probe_c.notes",
        };
        for (const auto& statement : fromA) assertRefused(s, "a", statement);
        // RESET ROLE is allowed (it is a no-op for a) and the read after it still fails.
        CPPUNIT_ASSERT_EQUAL(200, s.sql("a", "RESET ROLE").status);
        assertRefused(s, "a", "SELECT body FROM probe_b.notes");

        // From c (isolated) towards the shared database and the others.
        const std::vector<std::string> fromC = {
            "SET ROLE probe_a",
            "SET SESSION AUTHORIZATION probe_a",
            "ALTER ROLE probe_c SUPERUSER",
            "CREATE ROLE planted LOGIN",
            "COPY (SELECT 1) TO PROGRAM 'touch " + marker + "'",
            "SELECT pg_read_file('/etc/passwd')",
            "SELECT lo_import('/etc/passwd')",
            "CREATE EXTENSION dblink",
            "SELECT * FROM " + db + ".probe_a.notes",
        };
        for (const auto& statement : fromC) assertRefused(s, "c", statement);

        // Connecting to another service's database, even with the service's own correct password.
        assertContains(s.pg.loginError(s.isolatedDatabase(), "probe_a", kPasswordA), "permission denied for database");
        assertContains(s.pg.loginError(db, "probe_c", kPasswordC), "permission denied for database");
        CPPUNIT_ASSERT_EQUAL(std::string(""), s.pg.loginError(db, "probe_a", kPasswordA));
        CPPUNIT_ASSERT_EQUAL(std::string(""), s.pg.loginError(s.isolatedDatabase(), "probe_c", kPasswordC));

        // Nothing of the others changed, nothing was planted, no program ran.
        CPPUNIT_ASSERT_EQUAL(std::string("1|b's secret"),
                             s.pg.scalar(db, "SELECT count(*) || '|' || string_agg(body, ',') FROM probe_b.notes"));
        CPPUNIT_ASSERT_EQUAL(
            std::string("id,body"),
            s.pg.scalar(db,
                        "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = "
                        "'probe_b.notes'::regclass AND attnum > 0 AND NOT attisdropped"));
        CPPUNIT_ASSERT_EQUAL(
            std::string("1|c's secret"),
            s.pg.scalar(s.isolatedDatabase(), "SELECT count(*) || '|' || string_agg(body, ',') FROM probe_c.notes"));
        CPPUNIT_ASSERT_EQUAL(std::string(""),
                             s.pg.scalar(db, "SELECT relname FROM pg_class WHERE relname = 'planted'"));
        CPPUNIT_ASSERT_EQUAL(std::string(""),
                             s.pg.scalar("postgres", "SELECT rolname FROM pg_roles WHERE rolname = 'planted'"));
        CPPUNIT_ASSERT_EQUAL(
            std::string("f|f|f"),
            s.pg.scalar("postgres",
                        "SELECT concat_ws('|', bool_or(rolsuper), bool_or(rolcreaterole), bool_or(rolcreatedb)) "
                        "FROM pg_roles WHERE rolname IN ('probe_a', 'probe_b', 'probe_c')"));
        CPPUNIT_ASSERT_EQUAL(std::string("0"),
                             s.pg.scalar("postgres",
                                         "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON "
                                         "r.oid = m.member WHERE r.rolname IN ('probe_a', 'probe_b', 'probe_c')"));
        CPPUNIT_ASSERT(!std::filesystem::exists(marker));

        // a's own data works through the builder, raw SQL, transactions and its migration.
        auto created = httpRequest("POST", s.ports["a"], "/notes", "mine");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(created.body, 201, created.status);
        auto own = s.sql("a", "SELECT body FROM notes");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(own.body, 200, own.status);
        assertContains(own.body, "\"body\":\"mine\"");
        CPPUNIT_ASSERT_EQUAL(200, s.sql("a", "CREATE TABLE probe_a.scratch (id int)").status);
        CPPUNIT_ASSERT_EQUAL(409, httpRequest("POST", s.ports["a"], "/notes/rollback").status);
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("POST", s.ports["a"], "/notes/savepoint").status);
        CPPUNIT_ASSERT_EQUAL(std::string("{\"count\":2}"), httpRequest("GET", s.ports["a"], "/notes/count").body);
        CPPUNIT_ASSERT_EQUAL(
            std::string("probe_a"),
            s.pg.scalar(db, "SELECT tableowner FROM pg_tables WHERE schemaname = 'probe_a' AND tablename = 'notes'"));

        // Every pool connection is its service's own role, none a superuser; /db/pool says which.
        CPPUNIT_ASSERT_EQUAL(std::string("probe_a,probe_b,probe_c"),
                             s.pg.scalar("postgres",
                                         "SELECT string_agg(DISTINCT a.usename::text, ',' ORDER BY a.usename::text) "
                                         "FROM pg_stat_activity a WHERE a.datname IN ('" +
                                             db + "', '" + s.isolatedDatabase() +
                                             "') AND a.usename IS NOT NULL AND a.pid <> pg_backend_pid()"));
        CPPUNIT_ASSERT_EQUAL(
            std::string("f"),
            s.pg.scalar("postgres",
                        "SELECT coalesce(bool_or(r.rolsuper), false) FROM pg_stat_activity a JOIN pg_roles r "
                        "ON r.rolname = a.usename WHERE a.datname IN ('" +
                            db + "', '" + s.isolatedDatabase() + "') AND a.pid <> pg_backend_pid()"));
        auto pools = httpRequest("GET", s.admin, "/db/pool");
        assertContains(pools.body, "\"a\":{\"database\":\"" + db + "\",\"role\":\"probe_a\"");
        assertContains(pools.body, "\"c\":{\"database\":\"" + s.isolatedDatabase() + "\",\"role\":\"probe_c\"");
        // Refusals are logged as warnings naming the service.
        assertContains(s.host->log(), "service a: database call failed (permission_denied)");
    }

    void a_provisioning_role_without_createrole_refuses_the_service_naming_the_sql() {
        auto pg = TestPostgres::fromEnvironment();
        const std::string weak = "zt_weak_" + std::to_string(::getpid());
        if (pg.scalar("postgres", "SELECT 1 FROM pg_roles WHERE rolname = '" + weak + "'").empty())
            pg.exec("postgres", "CREATE ROLE " + weak + " LOGIN PASSWORD '" + kProvisioningPassword + "'");
        ExampleServices services({"users", "payments"});
        pg.exec("postgres", "ALTER DATABASE " + services.database.name() + " OWNER TO " + weak);
        int admin = freePort();
        auto env = hostEnv(services, admin);
        env["DATABASE_URL"] = "postgresql://" + weak + ":" + kProvisioningPassword + "@" + pg.host + ":" +
                              std::to_string(pg.port) + "/" + services.database.name();
        HostProcess host(env, admin);
        auto health = httpRequest("GET", admin, "/health/services");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(health.body, 503, health.status);
        CPPUNIT_ASSERT_EQUAL(503, httpRequest("GET", services.ports["users"], "/health/ready").status);
        auto log = host.log();
        assertContains(log, "service users: database not ready at start");
        assertContains(log, "the provisioning role '" + weak + "' lacks CREATEROLE");
        assertContains(log, "as a superuser run: ALTER ROLE \"" + weak + "\" CREATEROLE;");
        assertContains(log, "ALTER ROLE \"" + weak + "\" CREATEROLE CREATEDB;");  // payments is isolated
        CPPUNIT_ASSERT(log.find(kProvisioningPassword) == std::string::npos);
        // The operator runs the SQL it printed: both services become ready without a restart.
        pg.exec("postgres", "ALTER ROLE \"" + weak + "\" CREATEROLE CREATEDB");
        int ready = 0;
        for (int i = 0; i < 100 && (ready = httpRequest("GET", admin, "/health/services").status) != 200; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(host.log(), 200, ready);
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", services.ports["payments"], "/health/ready").status);
    }

    void check_config_reports_per_service_what_the_provisioning_role_can_create() {
        auto pg = TestPostgres::fromEnvironment();
        ExampleServices services({"users", "payments"});
        std::string out;
        int rc = runCommand({ZT_TEST_HOST_BINARY, "--check-config"}, hostEnv(services, freePort()), out);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out, 0, rc);
        assertContains(out, "service users: database: role 'ecommerce_users', schema 'ecommerce_users' in database '" +
                                services.database.name() + "': the provisioning role 'postgres' can create it");
        assertContains(out, "service payments: database: role 'ecommerce_payments', database '" +
                                services.database.name() +
                                "_payments': the provisioning role 'postgres' can create it");
        CPPUNIT_ASSERT_EQUAL(std::string(""), pg.scalar("postgres", "SELECT 1 FROM pg_database WHERE datname = '" +
                                                                        services.database.name() + "_payments'"));

        const std::string weak = "zt_unprivileged_" + std::to_string(::getpid());
        if (pg.scalar("postgres", "SELECT 1 FROM pg_roles WHERE rolname = '" + weak + "'").empty())
            pg.exec("postgres", "CREATE ROLE " + weak + " LOGIN PASSWORD '" + kProvisioningPassword + "'");
        auto env = hostEnv(services, freePort());
        env["DATABASE_URL"] = "postgresql://" + weak + ":" + kProvisioningPassword + "@" + pg.host + ":" +
                              std::to_string(pg.port) + "/" + services.database.name();
        rc = runCommand({ZT_TEST_HOST_BINARY, "--check-config"}, env, out);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out, 1, rc);
        assertContains(out, "service users: database: role 'ecommerce_users', schema 'ecommerce_users' in database '" +
                                services.database.name() + "': ERROR the provisioning role '" + weak +
                                "' lacks CREATEROLE");
        assertContains(out, "lacks CREATEROLE (to create the login role 'ecommerce_payments'), CREATEDB");
        assertContains(out, "ALTER DATABASE \"" + services.database.name() + "\" OWNER TO \"" + weak + "\";");
        assertContains(out, "result: FAILED");

        env["DATABASE_URL"] = "postgresql://postgres@127.0.0.1:1/nowhere";
        rc = runCommand({ZT_TEST_HOST_BINARY, "--check-config"}, env, out);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out, 1, rc);
        assertContains(
            out,
            "service users: database: role 'ecommerce_users', schema 'ecommerce_users' in database 'nowhere': "
            "ERROR cannot connect to PostgreSQL at 127.0.0.1:1/nowhere");
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(DatabaseIsolationTest);
