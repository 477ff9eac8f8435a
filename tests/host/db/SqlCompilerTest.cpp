// SqlCompiler and QueryBuilderJson without a server: exact SQL text, parameters, refusals.
#include <cppunit/extensions/HelperMacros.h>

#include "db/DatabaseErrors.h"
#include "db/QueryBuilderJson.h"
#include "db/QueryResult.h"
#include "db/SqlCompiler.h"

using namespace zt::db;

namespace {

template <class F>
std::string invalidQueryMessage(F f) {
    try {
        f();
    } catch (const InvalidQueryError& e) {
        return e.message();
    }
    CPPUNIT_FAIL("expected InvalidQueryError");
    return {};
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace

class SqlCompilerTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SqlCompilerTest);
    CPPUNIT_TEST(select_binds_every_value_as_a_parameter_and_qualifies_the_table);
    CPPUNIT_TEST(every_comparison_operator_compiles);
    CPPUNIT_TEST(first_is_limit_one_and_count_ignores_paging);
    CPPUNIT_TEST(insert_update_return_the_rows_and_delete_has_a_where);
    CPPUNIT_TEST(update_and_delete_without_where_are_refused_unless_allowed);
    CPPUNIT_TEST(empty_in_list_matches_nothing_and_empty_not_in_everything);
    CPPUNIT_TEST(injection_through_identifiers_is_refused_and_names_the_field);
    CPPUNIT_TEST(injection_through_values_never_reaches_the_sql_text);
    CPPUNIT_TEST(json_description_parses_into_the_same_query);
    CPPUNIT_TEST(json_errors_name_the_bad_field);
    CPPUNIT_TEST(json_values_keep_key_order_and_types);
    CPPUNIT_TEST(values_render_to_json_by_type);
    CPPUNIT_TEST(result_to_json_has_command_count_columns_and_rows);
    CPPUNIT_TEST_SUITE_END();

public:
    void select_binds_every_value_as_a_parameter_and_qualifies_the_table() {
        auto q = QueryBuilder::from("users")
                     .select({"id", "email"})
                     .whereEq("id", Value::integer(1))
                     .whereOp("created_at", WhereOperator::Gt, Value::text("2024-01-01"))
                     .order("created_at", true)
                     .order("id")
                     .take(10)
                     .skip(20);
        auto c = SqlCompiler("shop_users").compile(q);
        CPPUNIT_ASSERT_EQUAL(
            std::string("SELECT \"id\", \"email\" FROM \"shop_users\".\"users\" WHERE \"id\" = $1 AND "
                        "\"created_at\" > $2 ORDER BY \"created_at\" DESC, \"id\" ASC LIMIT $3 OFFSET $4"),
            c.sql);
        CPPUNIT_ASSERT_EQUAL(std::size_t(4), c.params.size());
        CPPUNIT_ASSERT_EQUAL(std::string("1"), c.params[0].text());
        CPPUNIT_ASSERT_EQUAL(std::string("2024-01-01"), c.params[1].text());
        CPPUNIT_ASSERT_EQUAL(std::string("10"), c.params[2].text());
        CPPUNIT_ASSERT_EQUAL(std::string("20"), c.params[3].text());
        CPPUNIT_ASSERT(c.readOnly);
    }

    void every_comparison_operator_compiles() {
        const std::pair<WhereOperator, std::string> cases[] = {
            {WhereOperator::Eq, "\"a\" = $1"},      {WhereOperator::Ne, "\"a\" <> $1"},
            {WhereOperator::Lt, "\"a\" < $1"},      {WhereOperator::Le, "\"a\" <= $1"},
            {WhereOperator::Gt, "\"a\" > $1"},      {WhereOperator::Ge, "\"a\" >= $1"},
            {WhereOperator::Like, "\"a\" LIKE $1"}, {WhereOperator::ILike, "\"a\" ILIKE $1"}};
        for (const auto& [op, expected] : cases) {
            auto c = SqlCompiler("s").compile(QueryBuilder::from("t").whereOp("a", op, Value::integer(5)));
            CPPUNIT_ASSERT_EQUAL(std::string("SELECT * FROM \"s\".\"t\" WHERE ") + expected, c.sql);
        }
        auto c = SqlCompiler("s").compile(QueryBuilder::from("t")
                                              .whereIn("a", {Value::integer(1), Value::integer(2)})
                                              .whereNotIn("b", {Value::text("x")})
                                              .whereNull("c")
                                              .whereNotNull("d"));
        CPPUNIT_ASSERT_EQUAL(std::string("SELECT * FROM \"s\".\"t\" WHERE \"a\" IN ($1, $2) AND \"b\" NOT IN ($3) AND "
                                         "\"c\" IS NULL AND \"d\" IS NOT NULL"),
                             c.sql);
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), c.params.size());
        // Comparing with NULL is a bug in the caller (never true in SQL): refused, not silently empty.
        auto msg =
            invalidQueryMessage([] { SqlCompiler("s").compile(QueryBuilder::from("t").whereEq("a", Value::null())); });
        CPPUNIT_ASSERT_MESSAGE(msg, contains(msg, "where[0]") && contains(msg, "is-null"));
    }

    void first_is_limit_one_and_count_ignores_paging() {
        auto first =
            SqlCompiler("s").compile(QueryBuilder::from("t").whereEq("id", Value::integer(3)).take(50).first());
        CPPUNIT_ASSERT_EQUAL(std::string("SELECT * FROM \"s\".\"t\" WHERE \"id\" = $1 LIMIT 1"), first.sql);
        auto count = SqlCompiler("s").compile(QueryBuilder::from("t").whereNull("x").order("id").take(5).count());
        CPPUNIT_ASSERT_EQUAL(std::string("SELECT count(*) AS \"count\" FROM \"s\".\"t\" WHERE \"x\" IS NULL"),
                             count.sql);
    }

    void insert_update_return_the_rows_and_delete_has_a_where() {
        auto ins = SqlCompiler("s").compile(
            QueryBuilder::from("t").insert({{"name", Value::text("a")}, {"age", Value::integer(3)}}));
        CPPUNIT_ASSERT_EQUAL(std::string("INSERT INTO \"s\".\"t\" (\"name\", \"age\") VALUES ($1, $2) RETURNING *"),
                             ins.sql);
        CPPUNIT_ASSERT(!ins.readOnly);
        auto upd = SqlCompiler("s").compile(
            QueryBuilder::from("t").whereEq("id", Value::integer(9)).update({{"name", Value::text("b")}}));
        CPPUNIT_ASSERT_EQUAL(std::string("UPDATE \"s\".\"t\" SET \"name\" = $1 WHERE \"id\" = $2 RETURNING *"),
                             upd.sql);
        CPPUNIT_ASSERT_EQUAL(std::string("b"), upd.params[0].text());
        CPPUNIT_ASSERT_EQUAL(std::string("9"), upd.params[1].text());
        auto del = SqlCompiler("s").compile(QueryBuilder::from("t").whereEq("id", Value::integer(9)).remove());
        CPPUNIT_ASSERT_EQUAL(std::string("DELETE FROM \"s\".\"t\" WHERE \"id\" = $1"), del.sql);
        auto empty = invalidQueryMessage(
            [] { SqlCompiler("s").compile(QueryBuilder::from("t").whereEq("id", Value::integer(1)).update({})); });
        CPPUNIT_ASSERT_MESSAGE(empty, contains(empty, "values"));
    }

    void update_and_delete_without_where_are_refused_unless_allowed() {
        auto upd = invalidQueryMessage([] {
            SqlCompiler("s").compile(QueryBuilder::from("t").update({{"a", Value::integer(1)}}));
        });
        CPPUNIT_ASSERT_MESSAGE(upd, contains(upd, "allowUnfilteredWrite"));
        auto del = invalidQueryMessage([] { SqlCompiler("s").compile(QueryBuilder::from("t").remove()); });
        CPPUNIT_ASSERT_MESSAGE(del, contains(del, "allowUnfilteredWrite"));
        auto q = QueryBuilder::from("t").remove();
        q.allowUnfilteredWrite = true;
        CPPUNIT_ASSERT_EQUAL(std::string("DELETE FROM \"s\".\"t\""), SqlCompiler("s").compile(q).sql);
    }

    void empty_in_list_matches_nothing_and_empty_not_in_everything() {
        auto in = SqlCompiler("s").compile(QueryBuilder::from("t").whereIn("id", {}));
        CPPUNIT_ASSERT_EQUAL(std::string("SELECT * FROM \"s\".\"t\" WHERE FALSE"), in.sql);
        auto notIn = SqlCompiler("s").compile(QueryBuilder::from("t").whereNotIn("id", {}));
        CPPUNIT_ASSERT_EQUAL(std::string("SELECT * FROM \"s\".\"t\" WHERE TRUE"), notIn.sql);
    }

    void injection_through_identifiers_is_refused_and_names_the_field() {
        SqlCompiler c("s");
        auto table = invalidQueryMessage([&] { c.compile(QueryBuilder::from("users\"; DROP TABLE users; --")); });
        CPPUNIT_ASSERT_MESSAGE(table, contains(table, "table: invalid identifier"));
        auto qualified = invalidQueryMessage([&] { c.compile(QueryBuilder::from("other_schema.users")); });
        CPPUNIT_ASSERT_MESSAGE(qualified, contains(qualified, "table"));
        auto column = invalidQueryMessage(
            [&] { c.compile(QueryBuilder::from("t").whereEq("id = 1 OR 1=1 --", Value::integer(1))); });
        CPPUNIT_ASSERT_MESSAGE(column, contains(column, "where[0] column"));
        auto order = invalidQueryMessage([&] { c.compile(QueryBuilder::from("t").order("id; DELETE FROM t")); });
        CPPUNIT_ASSERT_MESSAGE(order, contains(order, "orderBy[0] column"));
        auto selected = invalidQueryMessage([&] { c.compile(QueryBuilder::from("t").select({"id", "*"})); });
        CPPUNIT_ASSERT_MESSAGE(selected, contains(selected, "columns[1]"));
        auto valueKey = invalidQueryMessage([&] {
            c.compile(QueryBuilder::from("t").insert({{"a) VALUES (1); --", Value::integer(1)}}));
        });
        CPPUNIT_ASSERT_MESSAGE(valueKey, contains(valueKey, "values["));
        auto tooLong = invalidQueryMessage([&] { c.compile(QueryBuilder::from(std::string(64, 'a'))); });
        CPPUNIT_ASSERT_MESSAGE(tooLong, contains(tooLong, "table"));
        CPPUNIT_ASSERT(SqlCompiler::isValidIdentifier(std::string(63, 'a')));
        CPPUNIT_ASSERT(!SqlCompiler::isValidIdentifier("1abc"));
        CPPUNIT_ASSERT(!SqlCompiler::isValidIdentifier("ab\xC3\xA9"));
        CPPUNIT_ASSERT_THROW(SqlCompiler("bad schema"), InvalidQueryError);
    }

    void injection_through_values_never_reaches_the_sql_text() {
        const std::string evil = "x'; DROP TABLE t; --";
        auto c = SqlCompiler("s").compile(QueryBuilder::from("t").whereEq("name", Value::text(evil)));
        CPPUNIT_ASSERT(!contains(c.sql, "DROP"));
        CPPUNIT_ASSERT_EQUAL(evil, c.params.at(0).text());
    }

    void json_description_parses_into_the_same_query() {
        auto q = QueryBuilderJson::parse(
            R"({"op":"select","table":"users","columns":["id"],"where":[["id","=",1],["email","ilike","%@x"],)"
            R"(["role","in",["a","b"]],["deleted_at","is-null"],["n","not-in",[]]],"orderBy":[["created_at","desc"],["id"],"name"],)"
            R"("limit":10,"offset":5})");
        auto c = SqlCompiler("svc").compile(q);
        CPPUNIT_ASSERT_EQUAL(
            std::string("SELECT \"id\" FROM \"svc\".\"users\" WHERE \"id\" = $1 AND \"email\" ILIKE $2 AND "
                        "\"role\" IN ($3, $4) AND \"deleted_at\" IS NULL AND TRUE ORDER BY \"created_at\" DESC, "
                        "\"id\" ASC, \"name\" ASC LIMIT $5 OFFSET $6"),
            c.sql);
        CPPUNIT_ASSERT(Value::Kind::Int == c.params[0].kind());
        CPPUNIT_ASSERT_EQUAL(std::string("%@x"), c.params[1].text());
        const std::pair<std::string, QueryOperation> ops[] = {{"first", QueryOperation::First},
                                                              {"count", QueryOperation::Count},
                                                              {"insert", QueryOperation::Insert},
                                                              {"update", QueryOperation::Update},
                                                              {"delete", QueryOperation::Delete}};
        for (const auto& [name, op] : ops)
            CPPUNIT_ASSERT(op == QueryBuilderJson::parse(R"({"op":")" + name + R"(","table":"t"})").operation);
        CPPUNIT_ASSERT(
            QueryBuilderJson::parse(R"({"op":"delete","table":"t","allowUnfilteredWrite":true})").allowUnfilteredWrite);
    }

    void json_errors_name_the_bad_field() {
        auto expectField = [](const std::string& json, const std::string& field) {
            auto msg = invalidQueryMessage([&] { QueryBuilderJson::parse(json); });
            CPPUNIT_ASSERT_MESSAGE(msg + " should name " + field, contains(msg, field));
        };
        expectField(R"({"table":"t","where":[["id","~~",1]]})", "where[0][1]");
        expectField(R"({"table":"t","where":[["id","="]]})", "where[0]");
        expectField(R"({"table":"t","where":[["id","in",5]]})", "where[0][2]");
        expectField(R"({"table":"t","where":[[1,"=",5]]})", "where[0][0]");
        expectField(R"({"table":"t","limit":-1})", "limit");
        expectField(R"({"table":"t","limit":"10"})", "limit");
        expectField(R"({"table":"t","orderBy":[["id","sideways"]]})", "orderBy[0][1]");
        expectField(R"({"table":"t","wher":[]})", "wher");
        expectField(R"({"op":"merge","table":"t"})", "op");
        expectField(R"({"where":[]})", "table");
        expectField(R"({"table":"t","values":[1]})", "values");
        expectField(R"([1,2])", "root");
        expectField(R"({"table":)", "not valid JSON");
        expectField(R"({"table":"t","limit":1e400})", "not valid JSON");  // a number overflow is a refusal too
    }

    void json_values_keep_key_order_and_types() {
        auto q = QueryBuilderJson::parse(
            R"({"op":"insert","table":"t","values":{"zeta":1,"alpha":"a","mid":true,"n":null,"f":1.5,"doc":{"k":[1,2]},"big":"12345678901234567890.5"}})");
        CPPUNIT_ASSERT_EQUAL(std::size_t(7), q.values.size());
        CPPUNIT_ASSERT_EQUAL(std::string("zeta"), q.values[0].first);
        CPPUNIT_ASSERT_EQUAL(std::string("alpha"), q.values[1].first);
        CPPUNIT_ASSERT(Value::Kind::Int == q.values[0].second.kind());
        CPPUNIT_ASSERT(Value::Kind::Text == q.values[1].second.kind());
        CPPUNIT_ASSERT_EQUAL(std::string("true"), q.values[2].second.text());
        CPPUNIT_ASSERT(q.values[3].second.isNull());
        CPPUNIT_ASSERT(Value::Kind::Float == q.values[4].second.kind());
        CPPUNIT_ASSERT_EQUAL(std::string("1.5"), q.values[4].second.text());
        CPPUNIT_ASSERT(Value::Kind::Json == q.values[5].second.kind());
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"k":[1,2]})"), q.values[5].second.text());
        CPPUNIT_ASSERT_EQUAL(std::string("12345678901234567890.5"), q.values[6].second.text());
    }

    void values_render_to_json_by_type() {
        using namespace zt::db::pgtype;
        CPPUNIT_ASSERT_EQUAL(std::string("42"), Value::fromPostgres(Int8, false, "42").toJson());
        CPPUNIT_ASSERT_EQUAL(std::string("1.5"), Value::fromPostgres(Float8, false, "1.5").toJson());
        CPPUNIT_ASSERT_EQUAL(std::string("\"NaN\""), Value::fromPostgres(Float8, false, "NaN").toJson());
        CPPUNIT_ASSERT_EQUAL(std::string("\"1.10\""), Value::fromPostgres(Numeric, false, "1.10").toJson());
        CPPUNIT_ASSERT_EQUAL(std::string("true"), Value::fromPostgres(Bool, false, "t").toJson());
        CPPUNIT_ASSERT_EQUAL(std::string("false"), Value::fromPostgres(Bool, false, "f").toJson());
        CPPUNIT_ASSERT_EQUAL(std::string("null"), Value::fromPostgres(Text, true, "").toJson());
        CPPUNIT_ASSERT_EQUAL(std::string("{\"a\": [1]}"), Value::fromPostgres(Jsonb, false, "{\"a\": [1]}").toJson());
        CPPUNIT_ASSERT_EQUAL(std::string("\"say \\\"hi\\\"\\n\""),
                             Value::fromPostgres(Text, false, "say \"hi\"\n").toJson());
        CPPUNIT_ASSERT_EQUAL(std::string("2024-01-02T03:04:05.100000Z"),
                             Value::fromPostgres(TimestampTz, false, "2024-01-02 03:04:05.1+00").asTimestamp());
        CPPUNIT_ASSERT_EQUAL(std::string("\"2024-01-02T03:04:05.100000Z\""),
                             Value::fromPostgres(TimestampTz, false, "2024-01-02 03:04:05.1+00").toJson());
        CPPUNIT_ASSERT_EQUAL(std::string("2024-01-02T03:04:05.000000"),
                             Value::fromPostgres(Timestamp, false, "2024-01-02 03:04:05").asTimestamp());
        CPPUNIT_ASSERT_EQUAL(std::string("2024-01-02T03:04:05.123456+05:30"),
                             Value::fromPostgres(TimestampTz, false, "2024-01-02 03:04:05.123456+05:30").asTimestamp());
        CPPUNIT_ASSERT_EQUAL(std::string("2024-01-02T03:04:05.000000-03:00"),
                             Value::fromPostgres(TimestampTz, false, "2024-01-02 03:04:05-03").asTimestamp());
        CPPUNIT_ASSERT_EQUAL(std::string("infinity"),
                             Value::fromPostgres(TimestampTz, false, "infinity").asTimestamp());
        CPPUNIT_ASSERT_EQUAL(std::string("0044-03-15 12:00:00+00 BC"),
                             Value::fromPostgres(TimestampTz, false, "0044-03-15 12:00:00+00 BC").asTimestamp());
        CPPUNIT_ASSERT_THROW(Value::fromPostgres(Text, true, "").asInt64(), Poco::BadCastException);
        CPPUNIT_ASSERT_THROW(Value::fromPostgres(Text, false, "12abc").asInt64(), Poco::BadCastException);
    }

    void result_to_json_has_command_count_columns_and_rows() {
        QueryResult r({{"id", pgtype::Int4}, {"name", pgtype::Text}},
                      {{Value::fromPostgres(pgtype::Int4, false, "1"), Value::fromPostgres(pgtype::Text, false, "a")},
                       {Value::fromPostgres(pgtype::Int4, false, "2"), Value::fromPostgres(pgtype::Text, true, "")}},
                      "SELECT", 2);
        CPPUNIT_ASSERT_EQUAL(
            std::string(R"({"command":"SELECT","rowCount":2,"columns":[{"name":"id","type":23},)"
                        R"({"name":"name","type":25}],"rows":[{"id":1,"name":"a"},{"id":2,"name":null}]})"),
            r.toJson());
        CPPUNIT_ASSERT_EQUAL(std::string("a"), r.front()["name"].asString());
        CPPUNIT_ASSERT_THROW(r.front()["nope"], Poco::NotFoundException);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SqlCompilerTest);
