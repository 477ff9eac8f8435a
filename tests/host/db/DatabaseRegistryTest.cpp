// DatabaseRegistry: every service gets its own role and pool; shared services stay in their schemas
// of one database; isolated services get their own database (created if missing); openService
// provisions first and runs migrations as the service's role.
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>
#include <cppunit/extensions/HelperMacros.h>

#include <fstream>

#include "PgTestEnv.h"
#include "support/TestSupport.h"
#include "db/DatabaseErrors.h"
#include "db/DatabaseRegistry.h"

using namespace zt::db;
using zt::db::test::PgTestEnv;

namespace {

zt::config::ServiceConfig service(const std::string& name, const std::string& isolation, bool migrations = false,
                                  const std::string& directory = {}) {
    zt::config::ServiceConfig s;
    s.name = name;
    s.domain = "zt";
    s.database.isolation = isolation;
    s.database.migrations = migrations;
    s.directory = directory;
    return s;
}

}  // namespace

class DatabaseRegistryTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DatabaseRegistryTest);
    CPPUNIT_TEST(shared_services_get_their_own_role_pool_and_schema);
    CPPUNIT_TEST(isolated_service_gets_its_own_database_created_if_missing);
    CPPUNIT_TEST(open_service_creates_schema_and_runs_migrations);
    CPPUNIT_TEST(unknown_isolation_mode_is_refused);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override { PgTestEnv::get(); }

    /// Settings for a fresh database of the test server (dropped with `db`).
    static zt::config::DatabaseSettings settingsFor(const zt::test::TestDatabase& db) {
        auto s = PgTestEnv::get().settings();
        s.database = db.name();
        return s;
    }

    void shared_services_get_their_own_role_pool_and_schema() {
        zt::test::TestDatabase db;
        DatabaseRegistry registry(settingsFor(db), false);
        const auto n1 = PgTestEnv::uniqueName("svc"), n2 = PgTestEnv::uniqueName("svc");
        auto a = registry.openService(service(n1, ""));  // "" = DATABASE_ISOLATION default (shared)
        auto b = registry.openService(service(n2, "shared"));
        CPPUNIT_ASSERT_EQUAL(std::string("zt_" + n1), a->schema());
        CPPUNIT_ASSERT_EQUAL(std::string("zt_" + n1), a->config().role);
        CPPUNIT_ASSERT(&a->pool() != &b->pool());
        CPPUNIT_ASSERT(registry.adapterFor(service(n1, "")) == a);  // cached
        auto pools = registry.pools();
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), pools.size());
        CPPUNIT_ASSERT_EQUAL(db.name(), pools.at(n1).database);
        CPPUNIT_ASSERT_EQUAL(std::string("zt_" + n2), pools.at(n2).role);
        auto lease = a->pool().acquire();
        auto who =
            lease->execute("SELECT current_user::text, r.rolsuper FROM pg_roles r WHERE r.rolname = current_user")
                .front();
        CPPUNIT_ASSERT_EQUAL(a->config().role, who[0].asString());
        CPPUNIT_ASSERT(!who[1].asBool());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(2),
                             lease
                                 ->execute("SELECT count(*) FROM pg_namespace WHERE nspname IN ($1, $2)",
                                           {Value::text(a->schema()), Value::text(b->schema())})
                                 .front()[0]
                                 .asInt64());
        // Its own schema only: b's is out of reach.
        try {
            lease->execute("CREATE TABLE \"" + b->schema() + "\".intruder (id int)");
            CPPUNIT_FAIL("a's role created a table in b's schema");
        } catch (const QueryError& e) {
            CPPUNIT_ASSERT_EQUAL(std::string("42501"), e.sqlState());
        }
    }

    void isolated_service_gets_its_own_database_created_if_missing() {
        zt::test::TestDatabase db;
        const auto name = PgTestEnv::uniqueName("iso");
        const std::string dbName = db.name() + "_" + name;
        for (int start = 0; start < 2; ++start) {  // the second start (another host) is harmless
            DatabaseRegistry registry(settingsFor(db), false);
            auto adapter = registry.openService(service(name, "isolated"));
            CPPUNIT_ASSERT_EQUAL(dbName, adapter->config().database);
            {
                auto lease = adapter->pool().acquire();
                auto row =
                    lease
                        ->execute(
                            "SELECT current_database()::text, pg_get_userbyid(d.datdba)::text FROM pg_database d "
                            "WHERE d.datname = current_database()")
                        .front();
                CPPUNIT_ASSERT_EQUAL(dbName, row[0].asString());
                CPPUNIT_ASSERT_EQUAL(adapter->config().role, row[1].asString());
                if (start == 0) lease->execute("CREATE TABLE \"" + adapter->schema() + "\".things (id int)");
            }
            adapter->query(QueryBuilder::from("things").insert({{"id", Value::integer(start)}}));
            CPPUNIT_ASSERT_EQUAL(dbName, registry.pools().at(name).database);
        }
        zt::test::TestPostgres pg = zt::test::TestPostgres::fromEnvironment();
        CPPUNIT_ASSERT_EQUAL(std::string("2"), pg.scalar(dbName, "SELECT count(*) FROM zt_" + name + ".things"));
    }

    void open_service_creates_schema_and_runs_migrations() {
        const std::string root = Poco::TemporaryFile::tempName();
        Poco::File(root + "/migrations").createDirectories();
        std::ofstream(root + "/migrations/001_users.sql") << "CREATE TABLE users (id serial PRIMARY KEY, email text);";
        zt::test::TestDatabase db;
        DatabaseRegistry registry(settingsFor(db), false);
        auto adapter = registry.openService(service(PgTestEnv::uniqueName("mig"), "shared", true, root));
        auto inserted = adapter->query(QueryBuilder::from("users").insert({{"email", Value::text("a@x")}}));
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1), inserted.front()["id"].asInt64());
        CPPUNIT_ASSERT_EQUAL(
            std::int64_t(1),
            adapter->query(QueryBuilder::from("schema_migrations").count()).front()["count"].asInt64());
        // The migration ran as the service's role: it owns what it created.
        auto pg = zt::test::TestPostgres::fromEnvironment();
        CPPUNIT_ASSERT_EQUAL(adapter->config().role,
                             pg.scalar(db.name(), "SELECT tableowner FROM pg_tables WHERE schemaname = '" +
                                                      adapter->schema() + "' AND tablename = 'users'"));
        Poco::File(root).remove(true);
    }

    void unknown_isolation_mode_is_refused() {
        DatabaseRegistry registry(PgTestEnv::get().settings(), false);
        try {
            registry.adapterFor(service("weird", "per-table"));
            CPPUNIT_FAIL("unknown isolation accepted");
        } catch (const DatabaseError& e) {
            CPPUNIT_ASSERT_MESSAGE(e.message(), e.message().find("per-table") != std::string::npos);
        }
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(DatabaseRegistryTest);
