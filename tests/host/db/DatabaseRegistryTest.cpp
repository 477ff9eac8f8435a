// DatabaseRegistry: shared services share one pool and stay in their schemas; isolated services get
// their own database (created if missing) and pool; openService runs migrations.
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>
#include <cppunit/extensions/HelperMacros.h>

#include <fstream>

#include "PgTestEnv.h"
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
    CPPUNIT_TEST(shared_services_share_one_pool_and_get_their_own_schema);
    CPPUNIT_TEST(isolated_service_gets_its_own_database_created_if_missing);
    CPPUNIT_TEST(open_service_creates_schema_and_runs_migrations);
    CPPUNIT_TEST(unknown_isolation_mode_is_refused);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override { PgTestEnv::get(); }

    void shared_services_share_one_pool_and_get_their_own_schema() {
        DatabaseRegistry registry(PgTestEnv::get().settings(), false);
        const auto n1 = PgTestEnv::uniqueName("svc"), n2 = PgTestEnv::uniqueName("svc");
        auto a = registry.openService(service(n1, ""));  // "" = DATABASE_ISOLATION default (shared)
        auto b = registry.openService(service(n2, "shared"));
        CPPUNIT_ASSERT_EQUAL(std::string("zt_" + n1), a->schema());
        CPPUNIT_ASSERT(&a->pool() == &b->pool());
        CPPUNIT_ASSERT(registry.adapterFor(service(n1, "")) == a);  // cached
        auto stats = registry.poolStats();
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), stats.size());
        CPPUNIT_ASSERT(stats.count(PgTestEnv::get().database) == 1);
        auto lease = a->pool().acquire();
        CPPUNIT_ASSERT_EQUAL(std::int64_t(2),
                             lease->execute("SELECT count(*) FROM pg_namespace WHERE nspname IN ($1, $2)",
                                            {Value::text(a->schema()), Value::text(b->schema())}).front()[0].asInt64());
        lease->execute("DROP SCHEMA \"" + a->schema() + "\", \"" + b->schema() + "\"");
    }

    void isolated_service_gets_its_own_database_created_if_missing() {
        const auto& env = PgTestEnv::get();
        const auto name = PgTestEnv::uniqueName("iso");
        const std::string dbName = env.database + "_" + name;
        {
            DatabaseRegistry registry(env.settings(), false);
            auto adapter = registry.openService(service(name, "isolated"));
            CPPUNIT_ASSERT_EQUAL(dbName, adapter->config().database);
            {
                auto lease = adapter->pool().acquire();
                CPPUNIT_ASSERT_EQUAL(dbName, lease->execute("SELECT current_database()").front()[0].asString());
                lease->execute("CREATE TABLE \"" + adapter->schema() + "\".things (id int)");
            }
            adapter->query(QueryBuilder::from("things").insert({{"id", Value::integer(1)}}));
            CPPUNIT_ASSERT_EQUAL(std::size_t(1), registry.poolStats().count(dbName));
            // Creating again (second host start) is harmless.
            registry.ensureDatabase(dbName);
        }
        ConnectionPool admin(env.poolOptions(1));
        auto lease = admin.acquire();
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), lease->execute("SELECT 1 FROM pg_database WHERE datname = $1", {Value::text(dbName)}).size());
        lease->executeScript("DROP DATABASE \"" + dbName + "\"");
    }

    void open_service_creates_schema_and_runs_migrations() {
        const std::string root = Poco::TemporaryFile::tempName();
        Poco::File(root + "/migrations").createDirectories();
        std::ofstream(root + "/migrations/001_users.sql") << "CREATE TABLE users (id serial PRIMARY KEY, email text);";
        DatabaseRegistry registry(PgTestEnv::get().settings(), false);
        auto adapter = registry.openService(service(PgTestEnv::uniqueName("mig"), "shared", true, root));
        auto inserted = adapter->query(QueryBuilder::from("users").insert({{"email", Value::text("a@x")}}));
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1), inserted.front()["id"].asInt64());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1), adapter->query(QueryBuilder::from("schema_migrations").count()).front()["count"].asInt64());
        auto lease = adapter->pool().acquire();
        lease->executeScript("DROP SCHEMA \"" + adapter->schema() + "\" CASCADE");
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
