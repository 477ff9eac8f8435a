// PostgresAdapter against the real private PostgreSQL: builder operations, schema confinement in
// shared mode, raw SQL gating and search_path, transactions, error mapping, typed values.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <cppunit/extensions/HelperMacros.h>

#include <memory>
#include <stdexcept>

#include "PgTestEnv.h"
#include "db/DatabaseErrors.h"
#include "db/PostgresAdapter.h"
#include "db/QueryBuilderJson.h"

using namespace zt::db;
using zt::db::test::PgTestEnv;

namespace {

AdapterConfig adapterConfig(const std::string& schema, bool raw) {
    AdapterConfig c;
    c.serviceName = schema;
    c.domain = "test";
    c.schema = schema;
    c.database = PgTestEnv::get().database;
    c.allowRawQuery = raw;
    return c;
}

std::vector<std::string> names(const QueryResult& r) {
    std::vector<std::string> out;
    for (const auto& row : r.rows()) out.push_back(row["name"].asString());
    return out;
}

using Names = std::vector<std::string>;

}  // namespace

class PostgresAdapterTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PostgresAdapterTest);
    CPPUNIT_TEST(insert_returns_the_new_row_with_its_id);
    CPPUNIT_TEST(every_builder_operation_and_operator_works_on_real_rows);
    CPPUNIT_TEST(json_builder_runs_through_queryJson);
    CPPUNIT_TEST(empty_in_list_returns_no_rows_without_a_syntax_error);
    CPPUNIT_TEST(sql_injection_in_values_is_stored_verbatim);
    CPPUNIT_TEST(sql_injection_in_identifiers_is_refused_before_the_server);
    CPPUNIT_TEST(shared_mode_service_cannot_read_or_write_another_services_tables);
    CPPUNIT_TEST(raw_query_is_refused_with_a_message_naming_USE_RAW_QRY);
    CPPUNIT_TEST(raw_query_sees_only_the_service_schema_and_does_not_leak_search_path);
    CPPUNIT_TEST(transaction_commits_queries_run_on_one_connection);
    CPPUNIT_TEST(transaction_rolls_back_when_the_callback_throws);
    CPPUNIT_TEST(nested_transactions_roll_back_only_the_failed_savepoint);
    CPPUNIT_TEST(unique_violation_is_ConflictError_with_constraint_and_sqlstate);
    CPPUNIT_TEST(typed_values_keep_full_precision_and_render_to_json);
    CPPUNIT_TEST(select_after_postgresql_restart_succeeds_on_first_try);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override {
        const auto& env = PgTestEnv::get();
        pool_ = std::make_shared<ConnectionPool>(env.poolOptions(4));
        schemaA_ = PgTestEnv::uniqueName("zt_a");
        schemaB_ = PgTestEnv::uniqueName("zt_b");
        a_ = std::make_unique<PostgresAdapter>(pool_, adapterConfig(schemaA_, true));
        b_ = std::make_unique<PostgresAdapter>(pool_, adapterConfig(schemaB_, true));
        a_->connect();
        a_->createServiceSchema();
        b_->createServiceSchema();
        auto lease = pool_->acquire();
        lease->executeScript("CREATE TABLE \"" + schemaA_ +
                             "\".items (id bigserial PRIMARY KEY, name text NOT NULL,"
                             " qty int, deleted_at timestamptz, CONSTRAINT items_name_key UNIQUE (name));"
                             "CREATE TABLE \"" +
                             schemaB_ +
                             "\".secrets (id serial PRIMARY KEY, name text);"
                             "INSERT INTO \"" +
                             schemaB_ + "\".secrets (name) VALUES ('b-only')");
    }

    void tearDown() override {
        if (pool_) {
            try {
                auto lease = pool_->acquire();
                lease->executeScript("DROP SCHEMA IF EXISTS \"" + schemaA_ + "\" CASCADE; DROP SCHEMA IF EXISTS \"" +
                                     schemaB_ + "\" CASCADE");
            } catch (...) {
            }
        }
        a_.reset();
        b_.reset();
        pool_.reset();
    }

    void insertItems() {
        const std::pair<const char*, int> rows[] = {
            {"apple", 5}, {"banana", 0}, {"cherry", 12}, {"Date", 7}, {"elder", 3}};
        for (const auto& [name, qty] : rows)
            a_->query(QueryBuilder::from("items").insert({{"name", Value::text(name)}, {"qty", Value::integer(qty)}}));
        a_->query(QueryBuilder::from("items")
                      .whereEq("name", Value::text("elder"))
                      .update({{"deleted_at", Value::text("2024-01-01 00:00:00+00")}}));
    }

    void insert_returns_the_new_row_with_its_id() {
        auto r =
            a_->query(QueryBuilder::from("items").insert({{"name", Value::text("first")}, {"qty", Value::integer(1)}}));
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), r.size());
        CPPUNIT_ASSERT(r.front()["id"].asInt64() > 0);
        CPPUNIT_ASSERT_EQUAL(std::string("first"), r.front()["name"].asString());
        CPPUNIT_ASSERT_EQUAL(std::string("INSERT"), r.command());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1), r.affectedRows());
    }

    void every_builder_operation_and_operator_works_on_real_rows() {
        insertItems();
        auto q = [&](QueryBuilder b) { return names(a_->query(b.order("name"))); };
        auto from = [] { return QueryBuilder::from("items"); };
        CPPUNIT_ASSERT((q(from().whereEq("qty", Value::integer(5))) == Names{"apple"}));
        CPPUNIT_ASSERT((q(from().whereOp("qty", WhereOperator::Ne, Value::integer(5))) ==
                        Names{"Date", "banana", "cherry", "elder"}));
        CPPUNIT_ASSERT((q(from().whereOp("qty", WhereOperator::Lt, Value::integer(5))) == Names{"banana", "elder"}));
        CPPUNIT_ASSERT(
            (q(from().whereOp("qty", WhereOperator::Le, Value::integer(5))) == Names{"apple", "banana", "elder"}));
        CPPUNIT_ASSERT((q(from().whereOp("qty", WhereOperator::Gt, Value::integer(7))) == Names{"cherry"}));
        CPPUNIT_ASSERT((q(from().whereOp("qty", WhereOperator::Ge, Value::integer(7))) == Names{"Date", "cherry"}));
        CPPUNIT_ASSERT((q(from().whereOp("name", WhereOperator::Like, Value::text("%e%"))) ==
                        Names{"Date", "apple", "cherry", "elder"}));
        CPPUNIT_ASSERT((q(from().whereOp("name", WhereOperator::ILike, Value::text("d%"))) == Names{"Date"}));
        CPPUNIT_ASSERT(
            (q(from().whereIn("qty", {Value::integer(0), Value::integer(12)})) == Names{"banana", "cherry"}));
        CPPUNIT_ASSERT(
            (q(from().whereNotIn("qty", {Value::integer(0), Value::integer(12)})) == Names{"Date", "apple", "elder"}));
        CPPUNIT_ASSERT((q(from().whereNotNull("deleted_at")) == Names{"elder"}));
        CPPUNIT_ASSERT_EQUAL(std::size_t(4), a_->query(from().whereNull("deleted_at")).size());
        // orderBy desc, limit, offset
        CPPUNIT_ASSERT((names(a_->query(from().order("qty", true).take(2))) == Names{"cherry", "Date"}));
        CPPUNIT_ASSERT((names(a_->query(from().order("qty", true).take(2).skip(2))) == Names{"apple", "elder"}));
        // first / count
        auto first = a_->query(from().order("qty").first());
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), first.size());
        CPPUNIT_ASSERT_EQUAL(std::string("banana"), first.front()["name"].asString());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(5), a_->query(from().count()).front()["count"].asInt64());
        CPPUNIT_ASSERT_EQUAL(
            std::int64_t(2),
            a_->query(from().whereOp("qty", WhereOperator::Gt, Value::integer(5)).count()).front()["count"].asInt64());
        // update returning
        auto upd = a_->query(
            from().whereOp("qty", WhereOperator::Lt, Value::integer(5)).update({{"qty", Value::integer(100)}}));
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), upd.size());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(100), upd.rows()[0]["qty"].asInt64());
        // delete
        auto del = a_->query(from().whereEq("qty", Value::integer(100)).remove());
        CPPUNIT_ASSERT_EQUAL(std::string("DELETE"), del.command());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(2), del.affectedRows());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(3), a_->query(from().count()).front()["count"].asInt64());
        // unfiltered delete refused, then allowed on purpose
        CPPUNIT_ASSERT_THROW(a_->query(from().remove()), InvalidQueryError);
        auto all = from().remove();
        all.allowUnfilteredWrite = true;
        CPPUNIT_ASSERT_EQUAL(std::int64_t(3), a_->query(all).affectedRows());
    }

    void json_builder_runs_through_queryJson() {
        insertItems();
        auto r = a_->queryJson(
            R"({"op":"select","table":"items","columns":["name"],"where":[["qty",">=",5],["deleted_at","is-null"]],)"
            R"("orderBy":[["qty","desc"]],"limit":2})");
        CPPUNIT_ASSERT((names(r) == Names{"cherry", "Date"}));
        auto inserted = a_->queryJson(R"({"op":"insert","table":"items","values":{"name":"fig","qty":9}})");
        CPPUNIT_ASSERT(inserted.front()["id"].asInt64() > 0);
        CPPUNIT_ASSERT_EQUAL(
            std::int64_t(1),
            a_->queryJson(R"({"op":"count","table":"items","where":[["name","=","fig"]]})").front()["count"].asInt64());
    }

    void empty_in_list_returns_no_rows_without_a_syntax_error() {
        insertItems();
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), a_->query(QueryBuilder::from("items").whereIn("id", {})).size());
        CPPUNIT_ASSERT_EQUAL(std::size_t(5), a_->query(QueryBuilder::from("items").whereNotIn("id", {})).size());
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), a_->queryJson(R"({"table":"items","where":[["id","in",[]]]})").size());
    }

    void sql_injection_in_values_is_stored_verbatim() {
        const std::string evil = "Robert'); DROP TABLE items; -- $1 \\ \"";
        auto r = a_->query(QueryBuilder::from("items").insert({{"name", Value::text(evil)}}));
        auto back = a_->query(QueryBuilder::from("items").whereEq("name", Value::text(evil)).first());
        CPPUNIT_ASSERT_EQUAL(evil, back.front()["name"].asString());
        CPPUNIT_ASSERT_EQUAL(r.front()["id"].asInt64(), back.front()["id"].asInt64());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1),
                             a_->query(QueryBuilder::from("items").count()).front()["count"].asInt64());
        auto like =
            a_->query(QueryBuilder::from("items").whereOp("name", WhereOperator::Like, Value::text("' OR '1'='1")));
        CPPUNIT_ASSERT(like.empty());
    }

    void sql_injection_in_identifiers_is_refused_before_the_server() {
        insertItems();
        CPPUNIT_ASSERT_THROW(a_->queryJson(R"({"table":"items; DROP TABLE items","op":"select"})"), InvalidQueryError);
        CPPUNIT_ASSERT_THROW(a_->queryJson(R"({"table":"items","where":[["qty) OR (1=1","=",1]]})"), InvalidQueryError);
        CPPUNIT_ASSERT_THROW(
            a_->queryJson(R"({"op":"update","table":"items","values":{"qty\" = 0 --":1},"where":[["id","=",1]]})"),
            InvalidQueryError);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(5),
                             a_->query(QueryBuilder::from("items").count()).front()["count"].asInt64());
    }

    void shared_mode_service_cannot_read_or_write_another_services_tables() {
        // B's table exists and has a row; A names it, but A's builder always means "A's schema".secrets.
        try {
            a_->query(QueryBuilder::from("secrets"));
            CPPUNIT_FAIL("service A read service B's table");
        } catch (const QueryError& e) {
            CPPUNIT_ASSERT_EQUAL(std::string("42P01"), e.sqlState());  // undefined_table
        }
        CPPUNIT_ASSERT_THROW(a_->query(QueryBuilder::from("secrets").insert({{"name", Value::text("from-a")}})),
                             QueryError);
        auto wipe = QueryBuilder::from("secrets").remove();
        wipe.allowUnfilteredWrite = true;
        CPPUNIT_ASSERT_THROW(a_->query(wipe), QueryError);
        // Qualifying by hand is not an identifier the builder accepts.
        CPPUNIT_ASSERT_THROW(a_->queryJson(R"({"table":")" + schemaB_ + R"(.secrets"})"), InvalidQueryError);
        auto bRows = b_->query(QueryBuilder::from("secrets"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), bRows.size());
        CPPUNIT_ASSERT_EQUAL(std::string("b-only"), bRows.front()["name"].asString());
    }

    void raw_query_is_refused_with_a_message_naming_USE_RAW_QRY() {
        PostgresAdapter noRaw(pool_, adapterConfig(schemaA_, false));
        try {
            noRaw.rawQuery("SELECT 1");
            CPPUNIT_FAIL("raw query ran with USE_RAW_QRY off");
        } catch (const RawQueryDisabledError& e) {
            CPPUNIT_ASSERT_MESSAGE(e.message(), e.message().find("USE_RAW_QRY") != std::string::npos);
        }
        CPPUNIT_ASSERT_THROW(noRaw.transaction([](Transaction& tx) { tx.rawQuery("SELECT 1"); }),
                             RawQueryDisabledError);
        // The builder still works for that service.
        CPPUNIT_ASSERT_EQUAL(std::int64_t(0),
                             noRaw.query(QueryBuilder::from("items").count()).front()["count"].asInt64());
    }

    void raw_query_sees_only_the_service_schema_and_does_not_leak_search_path() {
        insertItems();
        CPPUNIT_ASSERT_EQUAL(schemaA_, a_->rawQuery("SELECT current_schema()").front()[0].asString());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(5), a_->rawQuery("SELECT count(*) FROM items").front()[0].asInt64());
        CPPUNIT_ASSERT_EQUAL(
            std::int64_t(2),
            a_->rawQuery("SELECT count(*) FROM items WHERE qty > $1", {Value::integer(5)}).front()[0].asInt64());
        try {
            a_->rawQuery("SELECT * FROM secrets");  // B's table is not on A's search_path
            CPPUNIT_FAIL("unqualified raw SQL reached another service's table");
        } catch (const QueryError& e) {
            CPPUNIT_ASSERT_EQUAL(std::string("42P01"), e.sqlState());
        }
        // Inside a transaction too (SET LOCAL at BEGIN).
        a_->transaction([&](Transaction& tx) {
            CPPUNIT_ASSERT_EQUAL(schemaA_, tx.rawQuery("SELECT current_schema()").front()[0].asString());
        });
        // Even a raw SET on the session does not follow the connection back to the pool.
        a_->rawQuery("SET search_path TO " + schemaB_);
        for (int i = 0; i < 4; ++i) {  // every pooled connection
            auto lease = pool_->acquire();
            CPPUNIT_ASSERT_EQUAL(std::string("\"$user\", public"),
                                 lease->execute("SHOW search_path").front()[0].asString());
        }
    }

    void transaction_commits_queries_run_on_one_connection() {
        int pidInside = 0;
        a_->transaction([&](Transaction& tx) {
            tx.query(QueryBuilder::from("items").insert({{"name", Value::text("tx1")}}));
            // Through the adapter itself, on this thread: joins the open transaction.
            a_->query(QueryBuilder::from("items").insert({{"name", Value::text("tx2")}}));
            CPPUNIT_ASSERT_EQUAL(std::int64_t(2),
                                 a_->query(QueryBuilder::from("items").count()).front()["count"].asInt64());
            pidInside = tx.connection().backendPid();
            CPPUNIT_ASSERT_EQUAL(std::int64_t(pidInside), a_->rawQuery("SELECT pg_backend_pid()").front()[0].asInt64());
            // Another connection does not see uncommitted rows.
            auto other = pool_->acquire();
            CPPUNIT_ASSERT(other->backendPid() != pidInside);
            CPPUNIT_ASSERT_EQUAL(
                std::int64_t(0),
                other->executeStateless("SELECT count(*) FROM \"" + schemaA_ + "\".items").front()[0].asInt64());
        });
        CPPUNIT_ASSERT_EQUAL(std::int64_t(2),
                             a_->query(QueryBuilder::from("items").count()).front()["count"].asInt64());
        CPPUNIT_ASSERT_EQUAL(0, pool_->stats().totalConnections - pool_->stats().idleConnections);
    }

    void transaction_rolls_back_when_the_callback_throws() {
        CPPUNIT_ASSERT_THROW(a_->transaction([&](Transaction& tx) {
            tx.query(QueryBuilder::from("items").insert({{"name", Value::text("gone")}}));
            throw std::runtime_error("plugin failed");
        }),
                             std::runtime_error);
        // A failing statement inside also rolls everything back.
        CPPUNIT_ASSERT_THROW(a_->transaction([&](Transaction& tx) {
            tx.query(QueryBuilder::from("items").insert({{"name", Value::text("gone2")}}));
            tx.query(QueryBuilder::from("no_such_table"));
        }),
                             QueryError);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(0),
                             a_->query(QueryBuilder::from("items").count()).front()["count"].asInt64());
    }

    void nested_transactions_roll_back_only_the_failed_savepoint() {
        a_->transaction([&](Transaction& outer) {
            outer.query(QueryBuilder::from("items").insert({{"name", Value::text("outer")}}));
            try {
                outer.transaction([&](Transaction& inner) {
                    CPPUNIT_ASSERT_EQUAL(1, inner.depth());
                    inner.query(QueryBuilder::from("items").insert({{"name", Value::text("inner-failed")}}));
                    inner.query(
                        QueryBuilder::from("items").insert({{"name", Value::text("outer")}}));  // unique violation
                });
                CPPUNIT_FAIL("inner transaction should have thrown");
            } catch (const ConflictError&) {
            }
            // adapter.transaction inside a transaction is a savepoint too.
            a_->transaction([&](Transaction& inner) {
                CPPUNIT_ASSERT_EQUAL(1, inner.depth());
                inner.query(QueryBuilder::from("items").insert({{"name", Value::text("inner-ok")}}));
                inner.transaction([&](Transaction& deeper) {
                    CPPUNIT_ASSERT_EQUAL(2, deeper.depth());
                    deeper.query(QueryBuilder::from("items").insert({{"name", Value::text("deeper")}}));
                });
            });
        });
        CPPUNIT_ASSERT(
            (names(a_->query(QueryBuilder::from("items").order("name"))) == Names{"deeper", "inner-ok", "outer"}));
    }

    void unique_violation_is_ConflictError_with_constraint_and_sqlstate() {
        a_->query(QueryBuilder::from("items").insert({{"name", Value::text("dup")}}));
        try {
            a_->query(QueryBuilder::from("items").insert({{"name", Value::text("dup")}}));
            CPPUNIT_FAIL("duplicate insert succeeded");
        } catch (const ConflictError& e) {
            CPPUNIT_ASSERT_EQUAL(std::string("23505"), e.sqlState());
            CPPUNIT_ASSERT_EQUAL(std::string("items_name_key"), e.constraint());
        }
        try {
            a_->query(QueryBuilder::from("items").insert({{"qty", Value::integer(1)}}));  // name NOT NULL
            CPPUNIT_FAIL("null into NOT NULL succeeded");
        } catch (const ConflictError&) {
            CPPUNIT_FAIL("not-null violation is not a conflict");
        } catch (const QueryError& e) {
            CPPUNIT_ASSERT_EQUAL(std::string("23502"), e.sqlState());
        }
    }

    void typed_values_keep_full_precision_and_render_to_json() {
        auto lease = pool_->acquire();
        lease->execute("CREATE TABLE \"" + schemaA_ +
                       "\".typed (id int PRIMARY KEY, at timestamptz, local timestamp,"
                       " amount numeric, ref uuid, doc jsonb, flag bool, ratio float8, missing text)");
        lease.release();
        a_->query(QueryBuilder::from("typed").insert({{"id", Value::integer(1)},
                                                      {"at", Value::text("2024-02-29 13:14:15.123456+00")},
                                                      {"local", Value::text("2024-02-29 13:14:15.000001")},
                                                      {"amount", Value::numeric("12345678901234567890.123456789")},
                                                      {"ref", Value::text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")},
                                                      {"doc", Value::json(R"({"b":{"c":null},"a":[1,2]})")},
                                                      {"flag", Value::boolean(true)},
                                                      {"ratio", Value::real(0.1)},
                                                      {"missing", Value::null()}}));
        // No SET TIME ZONE: every session runs in UTC whatever the server's default.
        a_->transaction([&](Transaction& tx) {
            auto res = tx.query(QueryBuilder::from("typed").whereEq("id", Value::integer(1)).first());
            const auto& row = res.front();
            CPPUNIT_ASSERT_EQUAL(std::string("2024-02-29T13:14:15.123456Z"), row["at"].asTimestamp());
            CPPUNIT_ASSERT_EQUAL(std::string("2024-02-29T13:14:15.000001"), row["local"].asTimestamp());
            CPPUNIT_ASSERT_EQUAL(std::string("12345678901234567890.123456789"), row["amount"].asNumeric());
            CPPUNIT_ASSERT_EQUAL(std::string("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), row["ref"].asString());
            CPPUNIT_ASSERT_EQUAL(std::string(R"({"a": [1, 2], "b": {"c": null}})"), row["doc"].asJson());
            CPPUNIT_ASSERT(row["flag"].asBool());
            CPPUNIT_ASSERT_EQUAL(0.1, row["ratio"].asDouble());
            CPPUNIT_ASSERT(row["missing"].isNull());
            CPPUNIT_ASSERT_EQUAL(pgtype::Uuid, row["ref"].typeOid());
            CPPUNIT_ASSERT_EQUAL(pgtype::Numeric, row["amount"].typeOid());
            CPPUNIT_ASSERT_EQUAL(
                std::string(R"({"id":1,"at":"2024-02-29T13:14:15.123456Z","local":"2024-02-29T13:14:15.000001",)"
                            R"("amount":"12345678901234567890.123456789","ref":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",)"
                            R"("doc":{"a": [1, 2], "b": {"c": null}},"flag":true,"ratio":0.1,"missing":null})"),
                row.toJson());
            // The whole result is valid JSON a plugin can parse.
            Poco::JSON::Parser parser;
            auto parsed = parser.parse(res.toJson()).extract<Poco::JSON::Object::Ptr>();
            CPPUNIT_ASSERT_EQUAL(1, parsed->getValue<int>("rowCount"));
        });
        // A session set to another zone gets its offset written out in full ("+05:30", never "+05").
        a_->transaction([&](Transaction& tx) {
            tx.rawQuery("SET LOCAL TIME ZONE 'Asia/Kolkata'");
            auto res = tx.query(QueryBuilder::from("typed").whereEq("id", Value::integer(1)).first());
            CPPUNIT_ASSERT_EQUAL(std::string("2024-02-29T18:44:15.123456+05:30"), res.front()["at"].asTimestamp());
            tx.rawQuery("SET LOCAL TIME ZONE 'America/Sao_Paulo'");
            res = tx.query(QueryBuilder::from("typed").whereEq("id", Value::integer(1)).first());
            CPPUNIT_ASSERT_EQUAL(std::string("2024-02-29T10:14:15.123456-03:00"), res.front()["at"].asTimestamp());
        });
    }

    void select_after_postgresql_restart_succeeds_on_first_try() {
        insertItems();
        {  // fill the pool with idle connections that the restart will kill
            auto l1 = pool_->acquire();
            auto l2 = pool_->acquire();
            auto l3 = pool_->acquire();
        }
        PgTestEnv::shell(PgTestEnv::get().stopCommand);
        PgTestEnv::shell(PgTestEnv::get().startCommand);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(5),
                             a_->query(QueryBuilder::from("items").count()).front()["count"].asInt64());
        auto inserted = a_->query(QueryBuilder::from("items").insert({{"name", Value::text("after-restart")}}));
        CPPUNIT_ASSERT(inserted.front()["id"].asInt64() > 0);
        a_->transaction([&](Transaction& tx) {
            tx.query(QueryBuilder::from("items").whereEq("name", Value::text("apple")).first());
        });
    }

private:
    std::shared_ptr<ConnectionPool> pool_;
    std::string schemaA_, schemaB_;
    std::unique_ptr<PostgresAdapter> a_, b_;
};

CPPUNIT_TEST_SUITE_REGISTRATION(PostgresAdapterTest);
