// MigrationRunner against the real private PostgreSQL, with migration folders written to /tmp.
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>
#include <cppunit/extensions/HelperMacros.h>

#include <fstream>
#include <thread>

#include "PgTestEnv.h"
#include "db/DatabaseErrors.h"
#include "db/MigrationRunner.h"

using namespace zt::db;
using zt::db::test::PgTestEnv;

class MigrationRunnerTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(MigrationRunnerTest);
    CPPUNIT_TEST(applies_files_in_numeric_order_and_records_them);
    CPPUNIT_TEST(second_run_skips_applied_files_and_applies_new_ones);
    CPPUNIT_TEST(changed_checksum_of_an_applied_file_is_an_error_naming_it);
    CPPUNIT_TEST(failing_file_is_named_with_the_postgres_message_and_earlier_ones_stay);
    CPPUNIT_TEST(badly_named_file_is_an_error);
    CPPUNIT_TEST(two_concurrent_runners_apply_each_file_exactly_once);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override {
        PgTestEnv::get();
        dir_ = Poco::TemporaryFile::tempName() + "/migrations";
        Poco::File(dir_).createDirectories();
        schema_ = PgTestEnv::uniqueName("zt_mig");
        pool_ = std::make_unique<ConnectionPool>(PgTestEnv::get().poolOptions(3));
    }

    void tearDown() override {
        try {
            auto lease = pool_->acquire();
            lease->executeScript("DROP SCHEMA IF EXISTS \"" + schema_ + "\" CASCADE");
        } catch (...) {
        }
        pool_.reset();
        Poco::File(Poco::Path(dir_).parent()).remove(true);
    }

    void write(const std::string& name, const std::string& sql) { std::ofstream(dir_ + "/" + name) << sql; }

    QueryResult sql(const std::string& text) {
        auto lease = pool_->acquire();
        return lease->execute(text);
    }

    std::string table(const std::string& name) const { return "\"" + schema_ + "\"." + name; }

    void applies_files_in_numeric_order_and_records_them() {
        // 10 sorts before 9 as text: the runner must order by number.
        write("9_create.sql", "CREATE TABLE log (step text);\nINSERT INTO log VALUES ('nine');");
        write("10_second.sql", "INSERT INTO log VALUES ('ten');");
        write("001_first.sql", "CREATE TABLE first_table (id int);");
        write("README.md", "not a migration");
        MigrationRunner runner(*pool_, schema_, dir_);
        auto report = runner.run();
        CPPUNIT_ASSERT((report.applied == std::vector<std::string>{"001_first.sql", "9_create.sql", "10_second.sql"}));
        CPPUNIT_ASSERT(report.skipped.empty());
        // Unqualified names in the files landed in the service schema (search_path).
        auto log = sql("SELECT step FROM " + table("log") + " ORDER BY ctid");
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), log.size());
        CPPUNIT_ASSERT_EQUAL(std::string("nine"), log.rows()[0][0].asString());
        CPPUNIT_ASSERT_EQUAL(std::string("ten"), log.rows()[1][0].asString());
        auto recorded = sql("SELECT version, name, length(checksum), applied_at FROM " + table("schema_migrations") +
                            " ORDER BY version");
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), recorded.size());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1), recorded.rows()[0][0].asInt64());
        CPPUNIT_ASSERT_EQUAL(std::string("first"), recorded.rows()[0][1].asString());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(64), recorded.rows()[0][2].asInt64());  // SHA-256 hex
        CPPUNIT_ASSERT(!recorded.rows()[0][3].isNull());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(10), recorded.rows()[2][0].asInt64());
    }

    void second_run_skips_applied_files_and_applies_new_ones() {
        write("001_create.sql", "CREATE TABLE t (x int);");
        MigrationRunner(*pool_, schema_, dir_).run();
        write("002_fill.sql", "INSERT INTO t VALUES (1);");
        auto report = MigrationRunner(*pool_, schema_, dir_).run();
        CPPUNIT_ASSERT((report.skipped == std::vector<std::string>{"001_create.sql"}));
        CPPUNIT_ASSERT((report.applied == std::vector<std::string>{"002_fill.sql"}));
        auto third = MigrationRunner(*pool_, schema_, dir_).run();
        CPPUNIT_ASSERT(third.applied.empty());
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), third.skipped.size());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1), sql("SELECT count(*) FROM " + table("t")).front()[0].asInt64());
    }

    void changed_checksum_of_an_applied_file_is_an_error_naming_it() {
        write("001_create.sql", "CREATE TABLE t (x int);");
        MigrationRunner(*pool_, schema_, dir_).run();
        write("001_create.sql", "CREATE TABLE t (x int, y int);");
        try {
            MigrationRunner(*pool_, schema_, dir_).run();
            CPPUNIT_FAIL("an edited applied migration was accepted");
        } catch (const MigrationError& e) {
            CPPUNIT_ASSERT_MESSAGE(e.message(), e.message().find("001_create.sql") != std::string::npos);
            CPPUNIT_ASSERT_MESSAGE(e.message(), e.message().find("changed") != std::string::npos);
        }
    }

    void failing_file_is_named_with_the_postgres_message_and_earlier_ones_stay() {
        write("001_ok.sql", "CREATE TABLE ok_table (x int);");
        write("002_broken.sql", "CREATE TABLE half (x int);\nSELECT * FROM table_that_does_not_exist;");
        write("003_never.sql", "CREATE TABLE never (x int);");
        try {
            MigrationRunner(*pool_, schema_, dir_).run();
            CPPUNIT_FAIL("broken migration passed");
        } catch (const MigrationError& e) {
            CPPUNIT_ASSERT_MESSAGE(e.message(), e.message().find("002_broken.sql") != std::string::npos);
            CPPUNIT_ASSERT_MESSAGE(e.message(), e.message().find("table_that_does_not_exist") != std::string::npos);
            CPPUNIT_ASSERT_EQUAL(std::string("42P01"), e.sqlState());
        }
        auto exists = [&](const std::string& t) {
            return !sql("SELECT to_regclass('" + table(t) + "')").front()[0].isNull();
        };
        CPPUNIT_ASSERT(exists("ok_table"));
        CPPUNIT_ASSERT(!exists("half"));   // the failed file rolled back as a whole
        CPPUNIT_ASSERT(!exists("never"));  // later files not attempted
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1),
                             sql("SELECT count(*) FROM " + table("schema_migrations")).front()[0].asInt64());
        // The advisory lock was released: fixing the file lets the next run go on.
        write("002_broken.sql", "CREATE TABLE half (x int);");
        auto report = MigrationRunner(*pool_, schema_, dir_).run();
        CPPUNIT_ASSERT((report.applied == std::vector<std::string>{"002_broken.sql", "003_never.sql"}));
    }

    void badly_named_file_is_an_error() {
        write("create_users.sql", "CREATE TABLE users (id int);");
        try {
            MigrationRunner(*pool_, schema_, dir_).run();
            CPPUNIT_FAIL("badly named migration accepted");
        } catch (const MigrationError& e) {
            CPPUNIT_ASSERT_MESSAGE(e.message(), e.message().find("create_users.sql") != std::string::npos);
        }
    }

    void two_concurrent_runners_apply_each_file_exactly_once() {
        // pg_sleep widens the race window: without the advisory lock both runners would see nothing
        // applied and run 001 twice (duplicate table) or 002 twice (two rows).
        write("001_create.sql", "SELECT pg_sleep(0.3); CREATE TABLE counter (n int);");
        write("002_insert.sql", "INSERT INTO counter VALUES (1);");
        ConnectionPool otherPool(PgTestEnv::get().poolOptions(2));
        MigrationReport r1, r2;
        std::string e1, e2;
        std::thread t1([&] {
            try {
                r1 = MigrationRunner(*pool_, schema_, dir_).run();
            } catch (const std::exception& e) {
                e1 = e.what();
            }
        });
        std::thread t2([&] {
            try {
                r2 = MigrationRunner(otherPool, schema_, dir_).run();
            } catch (const std::exception& e) {
                e2 = e.what();
            }
        });
        t1.join();
        t2.join();
        CPPUNIT_ASSERT_EQUAL(std::string(), e1);
        CPPUNIT_ASSERT_EQUAL(std::string(), e2);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), r1.applied.size() + r2.applied.size());
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), r1.skipped.size() + r2.skipped.size());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1), sql("SELECT count(*) FROM " + table("counter")).front()[0].asInt64());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(2),
                             sql("SELECT count(*) FROM " + table("schema_migrations")).front()[0].asInt64());
    }

private:
    std::string dir_;
    std::string schema_;
    std::unique_ptr<ConnectionPool> pool_;
};

CPPUNIT_TEST_SUITE_REGISTRATION(MigrationRunnerTest);
