// Connection::executeCached (builder queries as named prepared statements, one per SQL text and
// connection): reused, dropped with DISCARD ALL, recovers from a raw DEALLOCATE and from DDL that
// changes the result, never used inside a transaction block, capped.
#include <cppunit/extensions/HelperMacros.h>

#include "db/Connection.h"
#include "db/ConnectionSettings.h"
#include "db/DatabaseErrors.h"
#include "db/QueryResult.h"
#include "PgTestEnv.h"

using namespace zt::db;
using zt::db::test::PgTestEnv;

namespace {
int serverPrepared(Connection& c) {
    return static_cast<int>(c.executeStateless("SELECT count(*) FROM pg_prepared_statements").front()[0].asInt64());
}
}  // namespace

class StatementCacheTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(StatementCacheTest);
    CPPUNIT_TEST(same_sql_is_prepared_once_and_reused);
    CPPUNIT_TEST(discard_all_empties_the_cache_on_both_sides);
    CPPUNIT_TEST(raw_deallocate_is_recovered_by_rerunning_unnamed);
    CPPUNIT_TEST(ddl_changing_the_result_is_recovered_and_returns_new_columns);
    CPPUNIT_TEST(nothing_is_prepared_inside_a_transaction_block);
    CPPUNIT_TEST(errors_keep_their_type_and_failed_statements_are_not_cached);
    CPPUNIT_TEST(cache_is_capped);
    CPPUNIT_TEST_SUITE_END();

    std::unique_ptr<Connection> conn_;
    std::string schema_;

public:
    void setUp() override {
        conn_ = std::make_unique<Connection>(PgTestEnv::get().poolOptions().connection);
        schema_ = PgTestEnv::uniqueName("stmtcache");
        conn_->executeScript("CREATE SCHEMA " + schema_ + "; CREATE TABLE " + schema_ +
                             ".t (id INT PRIMARY KEY, v TEXT); INSERT INTO " + schema_ + ".t VALUES (1,'a'),(2,'b')");
        conn_->resetSessionState();  // the set-up SQL marked the session dirty
    }
    void tearDown() override {
        conn_->rollbackQuietly();
        conn_->executeScript("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
        conn_.reset();
    }
    std::string select() const { return "SELECT * FROM " + schema_ + ".t WHERE id = $1"; }

    void same_sql_is_prepared_once_and_reused() {
        for (int i = 1; i <= 2; ++i) {
            auto r = conn_->executeCached(select(), {Value::integer(i)});
            CPPUNIT_ASSERT_EQUAL(std::size_t(1), r.size());
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), conn_->preparedStatementCount());
        CPPUNIT_ASSERT_EQUAL(1, serverPrepared(*conn_));
        CPPUNIT_ASSERT(!conn_->isDirty());  // cached builder reads need no reset round trip
    }
    void discard_all_empties_the_cache_on_both_sides() {
        conn_->executeCached(select(), {Value::integer(1)});
        conn_->execute("SET application_name = 'x'");  // marks dirty, so the reset runs DISCARD ALL
        conn_->resetSessionState();
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), conn_->preparedStatementCount());
        CPPUNIT_ASSERT_EQUAL(0, serverPrepared(*conn_));
        CPPUNIT_ASSERT_EQUAL(std::string("b"),
                             conn_->executeCached(select(), {Value::integer(2)}).front()["v"].asString());
    }
    void raw_deallocate_is_recovered_by_rerunning_unnamed() {
        conn_->executeCached(select(), {Value::integer(1)});
        conn_->execute("DEALLOCATE ALL");
        auto r = conn_->executeCached(select(), {Value::integer(2)});
        CPPUNIT_ASSERT_EQUAL(std::string("b"), r.front()["v"].asString());
    }
    void ddl_changing_the_result_is_recovered_and_returns_new_columns() {
        conn_->executeCached(select(), {Value::integer(1)});
        conn_->execute("ALTER TABLE " + schema_ + ".t ADD COLUMN extra TEXT DEFAULT 'new'");
        auto r = conn_->executeCached(select(), {Value::integer(1)});
        CPPUNIT_ASSERT(r.front().has("extra"));
        CPPUNIT_ASSERT_EQUAL(std::string("new"), r.front()["extra"].asString());
    }
    void nothing_is_prepared_inside_a_transaction_block() {
        conn_->executeStateless("BEGIN");
        conn_->executeCached(select(), {Value::integer(1)});
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), conn_->preparedStatementCount());
        conn_->executeStateless("ROLLBACK");
    }
    void errors_keep_their_type_and_failed_statements_are_not_cached() {
        std::string insert = "INSERT INTO " + schema_ + ".t (id, v) VALUES ($1, $2) RETURNING *";
        conn_->executeCached(insert, {Value::integer(3), Value::text("c")});
        CPPUNIT_ASSERT_THROW(conn_->executeCached(insert, {Value::integer(3), Value::text("dup")}), ConflictError);
        CPPUNIT_ASSERT_THROW(
            conn_->executeCached("SELECT * FROM " + schema_ + ".missing WHERE id = $1", {Value::integer(1)}),
            QueryError);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), conn_->preparedStatementCount());
    }
    void cache_is_capped() {
        for (std::size_t i = 0; i < Connection::kMaxPreparedStatements + 10; ++i) {
            conn_->executeCached("SELECT " + std::to_string(i) + " AS n, v FROM " + schema_ + ".t WHERE id = $1",
                                 {Value::integer(1)});
        }
        CPPUNIT_ASSERT_EQUAL(Connection::kMaxPreparedStatements, conn_->preparedStatementCount());
        CPPUNIT_ASSERT_EQUAL(static_cast<int>(Connection::kMaxPreparedStatements), serverPrepared(*conn_));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(StatementCacheTest);
