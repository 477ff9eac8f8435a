// The database result across the ABI: the 1.3 cell functions report exactly what the 1.1 JSON
// says, and the SDK reads a result the same way through either (an SDK built against 1.3 still
// works on a 1.2 host, whose table ends before db_result_shape). The canned results are real
// QueryResults in PostgreSQL's text form, handed out by a db_query stand-in; every other table
// entry is the host's own.
#include <cppunit/extensions/HelperMacros.h>

#include <cstddef>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "db/QueryResult.h"
#include "abi/DatabaseApi.h"
#include "abi/HostApi.h"
#include "zintrust/sdk.hpp"

using namespace zt;

namespace {

const db::QueryResult* gCanned = nullptr;

zt_status cannedQuery(zt_host*, zt_str, zt_db_result** out) {
    *out = new zt_db_result(*gCanned);
    return ZT_OK;
}

std::vector<std::string> gSent;  ///< every description recordingQuery received

zt_status recordingQuery(zt_host* host, zt_str spec, zt_db_result** out) {
    gSent.emplace_back(spec.data, spec.len);
    return cannedQuery(host, spec, out);
}

zt_status failingQuery(zt_host*, zt_str, zt_db_result** out) {
    *out = new zt_db_result(std::string(
        R"({"error":{"code":"conflict","message":"duplicate key","sqlState":"23505","constraint":"users_email_key"}})"));
    return ZT_ERR_CONFLICT;
}

/// The host's table with db_query replaced; `minor` 2 cuts it where a 1.2 host's table ends.
zt_host_api tableFor(int minor, zt_status (*query)(zt_host*, zt_str, zt_db_result**) = cannedQuery) {
    zt_host_api api = *abi::hostApiTable();
    api.db_query = query;
    if (minor == 2) {
        api.struct_size = static_cast<uint32_t>(offsetof(zt_host_api, db_result_shape));
        api.abi_minor = 2;
    }
    return api;
}

db::Value cell(db::Oid oid, const char* text) {
    return db::Value::fromPostgres(oid, text == nullptr, text ? text : "");
}

/// One row with every kind of cell, and a name that appears twice (the last one counts).
db::QueryResult everyKind() {
    using namespace db::pgtype;
    std::vector<db::Column> columns = {
        {"id", Int8},   {"price", Float8}, {"whole", Float8}, {"nan", Float8}, {"amount", Numeric},      {"name", Text},
        {"flag", Bool}, {"off", Bool},     {"missing", Text}, {"doc", Jsonb},  {"created", TimestampTz}, {"uid", Uuid},
        {"dup", Text},  {"dup", Int4}};
    std::vector<db::Value> row = {cell(Int8, "9007199254740993"),
                                  cell(Float8, "3.25"),
                                  cell(Float8, "3"),
                                  cell(Float8, "NaN"),
                                  cell(Numeric, "12345678901234567890.12"),
                                  cell(Text, "Zo\xc3\xab \"q\" \\ / \x01"),
                                  cell(Bool, "t"),
                                  cell(Bool, "f"),
                                  cell(Text, nullptr),
                                  cell(Jsonb, R"({"a": [1, 2]})"),
                                  cell(TimestampTz, "2024-01-02 03:04:05.12+00"),
                                  cell(Uuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
                                  cell(Text, "first"),
                                  cell(Int4, "7")};
    std::vector<std::vector<db::Value>> rows = {row, row};
    return db::QueryResult(std::move(columns), std::move(rows), "SELECT", 2);
}

sdk::Result read(int minor, const db::QueryResult& canned) {
    gCanned = &canned;
    zt_host_api api = tableFor(minor);
    sdk::Db db(&api, nullptr);
    return db.execute(sdk::Json{{"op", "select"}, {"table", "t"}});
}

std::string errorOf(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

class DatabaseApiTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DatabaseApiTest);
    CPPUNIT_TEST(cells_report_the_kinds_the_json_has);
    CPPUNIT_TEST(sdk_reads_cells_and_json_alike);
    CPPUNIT_TEST(sdk_type_errors_are_the_same_on_both_paths);
    CPPUNIT_TEST(sdk_falls_back_to_json_on_a_1_2_host);
    CPPUNIT_TEST(json_is_rendered_on_demand_from_a_cell_result);
    CPPUNIT_TEST(cell_functions_refuse_bad_arguments_and_failed_results);
    CPPUNIT_TEST(sdk_error_result_still_throws_db_error);
    CPPUNIT_TEST(row_json_built_once_under_concurrent_readers_and_kept_by_copies);
    CPPUNIT_TEST(query_sends_exactly_the_description_spec_gives);
    CPPUNIT_TEST_SUITE_END();

public:
    void cells_report_the_kinds_the_json_has() {
        zt_db_result res(everyKind());
        zt_str command{};
        int64_t rowCount = -1;
        size_t columns = 0, rows = 0;
        CPPUNIT_ASSERT_EQUAL(ZT_OK, abi::apiDbResultShape(&res, &command, &rowCount, &columns, &rows));
        CPPUNIT_ASSERT_EQUAL(std::string("SELECT"), std::string(command.data, command.len));
        CPPUNIT_ASSERT_EQUAL(int64_t{2}, rowCount);
        CPPUNIT_ASSERT_EQUAL(size_t{14}, columns);
        CPPUNIT_ASSERT_EQUAL(size_t{2}, rows);

        const std::vector<std::pair<zt_db_kind, std::string>> expected = {
            {ZT_DB_INT, "9007199254740993"},
            {ZT_DB_FLOAT, "3.25"},
            {ZT_DB_FLOAT, "3"},
            {ZT_DB_STRING, "NaN"},
            {ZT_DB_STRING, "12345678901234567890.12"},
            {ZT_DB_STRING, "Zo\xc3\xab \"q\" \\ / \x01"},
            {ZT_DB_BOOL, "true"},
            {ZT_DB_BOOL, "false"},
            {ZT_DB_NULL, ""},
            {ZT_DB_JSON, R"({"a": [1, 2]})"},
            {ZT_DB_STRING, "2024-01-02T03:04:05.120000Z"},
            {ZT_DB_STRING, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
            {ZT_DB_STRING, "first"},
            {ZT_DB_INT, "7"}};
        // Each cell's kind is the type of the same cell in the JSON rendering.
        const auto json = sdk::Json::parse(abi::apiDbResultJson(&res).data,
                                           abi::apiDbResultJson(&res).data + abi::apiDbResultJson(&res).len);
        for (size_t c = 0; c < expected.size(); ++c) {
            zt_db_kind kind = -1;
            zt_str text{};
            CPPUNIT_ASSERT_EQUAL(ZT_OK, abi::apiDbResultCell(&res, 1, c, &kind, &text));
            const std::string msg = "column " + std::to_string(c);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(msg, expected[c].first, kind);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(msg, expected[c].second, std::string(text.data, text.len));
            zt_str name{};
            uint32_t oid = 0;
            CPPUNIT_ASSERT_EQUAL(ZT_OK, abi::apiDbResultColumn(&res, c, &name, &oid));
            CPPUNIT_ASSERT_EQUAL(everyKind().columns()[c].typeOid, oid);
            if (c >= 12) continue;  // "dup" twice: the JSON object keeps only the last
            const auto& v = json["rows"][1][std::string(name.data, name.len)];
            const zt_db_kind jsonKind = v.is_null()      ? ZT_DB_NULL
                                        : v.is_boolean() ? ZT_DB_BOOL
                                        : v.is_string()  ? ZT_DB_STRING
                                        : v.is_object()  ? ZT_DB_JSON
                                        : v.is_number_float()
                                            ? ZT_DB_FLOAT
                                            : (c == 2 ? ZT_DB_FLOAT : ZT_DB_INT);  // "3" parses as an integer
            CPPUNIT_ASSERT_EQUAL_MESSAGE(msg, kind, jsonKind);
        }
    }

    void sdk_reads_cells_and_json_alike() {
        const auto canned = everyKind();
        const sdk::Result cells = read(3, canned);
        const sdk::Result json = read(2, canned);
        CPPUNIT_ASSERT_EQUAL(json.command, cells.command);
        CPPUNIT_ASSERT_EQUAL(json.rowCount, cells.rowCount);
        CPPUNIT_ASSERT_EQUAL(size_t{2}, cells.rows.size());
        for (const sdk::Result* r : {&cells, &json}) {
            const sdk::Row& row = r->rows[1];
            CPPUNIT_ASSERT_EQUAL(std::int64_t{9007199254740993}, row.integer("id"));
            CPPUNIT_ASSERT_DOUBLES_EQUAL(3.25, row.number("price"), 0.0);
            CPPUNIT_ASSERT_EQUAL(std::int64_t{3}, row.integer("whole"));
            CPPUNIT_ASSERT_DOUBLES_EQUAL(3.0, row.number("whole"), 0.0);
            CPPUNIT_ASSERT_EQUAL(std::string("NaN"), row.string("nan"));
            CPPUNIT_ASSERT_EQUAL(std::string("12345678901234567890.12"), row.string("amount"));
            CPPUNIT_ASSERT_EQUAL(std::string("Zo\xc3\xab \"q\" \\ / \x01"), row.string("name"));
            CPPUNIT_ASSERT(row.boolean("flag"));
            CPPUNIT_ASSERT(!row.boolean("off"));
            CPPUNIT_ASSERT(row.isNull("missing"));
            CPPUNIT_ASSERT(!row.isNull("name"));
            CPPUNIT_ASSERT(row.has("doc"));
            CPPUNIT_ASSERT(!row.has("nope"));
            CPPUNIT_ASSERT_EQUAL(2, row.json("doc")["a"][1].get<int>());
            CPPUNIT_ASSERT_EQUAL(std::string("2024-01-02T03:04:05.120000Z"), row.string("created"));
            CPPUNIT_ASSERT_EQUAL(std::int64_t{7}, row.integer("dup"));  // the last "dup"
        }
        CPPUNIT_ASSERT_EQUAL(json.rows[1].toJson().dump(), cells.rows[1].toJson().dump());
        CPPUNIT_ASSERT_EQUAL(json.rowsJson().dump(), cells.rowsJson().dump());
    }

    void sdk_type_errors_are_the_same_on_both_paths() {
        const auto canned = everyKind();
        const sdk::Result cells = read(3, canned);
        const sdk::Result json = read(2, canned);
        const std::vector<std::function<void(const sdk::Row&)>> misreads = {
            [](const sdk::Row& r) { r.integer("name"); },  [](const sdk::Row& r) { r.integer("price"); },
            [](const sdk::Row& r) { r.number("amount"); }, [](const sdk::Row& r) { r.boolean("id"); },
            [](const sdk::Row& r) { r.string("doc"); },    [](const sdk::Row& r) { r.string("missing"); },
            [](const sdk::Row& r) { r.integer("nope"); },  [](const sdk::Row& r) { r.isNull("nope"); },
            [](const sdk::Row& r) { r.json("nope"); }};
        for (size_t i = 0; i < misreads.size(); ++i) {
            const std::string fromCells = errorOf([&] { misreads[i](cells.rows[0]); });
            CPPUNIT_ASSERT_EQUAL_MESSAGE("misread " + std::to_string(i), errorOf([&] { misreads[i](json.rows[0]); }),
                                         fromCells);
            CPPUNIT_ASSERT_MESSAGE(fromCells, fromCells.rfind("column '", 0) == 0);
        }
        CPPUNIT_ASSERT_EQUAL(std::string("column 'name' is not an integer (string)"),
                             errorOf([&] { cells.rows[0].integer("name"); }));
    }

    void sdk_falls_back_to_json_on_a_1_2_host() {
        zt_host_api api = tableFor(2);
        CPPUNIT_ASSERT(ZT_HOST_API_HAS(&api, db_result_free));
        CPPUNIT_ASSERT(!ZT_HOST_API_HAS(&api, db_result_shape));
        CPPUNIT_ASSERT(!ZT_HOST_API_HAS(&api, db_result_cell));
        const auto canned = everyKind();
        CPPUNIT_ASSERT_EQUAL(std::string("SELECT"), read(2, canned).command);
        zt_host_api full = tableFor(3);
        CPPUNIT_ASSERT(ZT_HOST_API_HAS(&full, db_result_cell));
        CPPUNIT_ASSERT_EQUAL(uint16_t{ZT_PLUGIN_ABI_MINOR}, abi::hostApiTable()->abi_minor);
    }

    void json_is_rendered_on_demand_from_a_cell_result() {
        const auto canned = everyKind();
        zt_db_result res(canned);
        const zt_str first = abi::apiDbResultJson(&res);
        CPPUNIT_ASSERT_EQUAL(canned.toJson(), std::string(first.data, first.len));
        const zt_str again = abi::apiDbResultJson(&res);
        CPPUNIT_ASSERT(first.data == again.data);  // rendered once, the same buffer after
        zt_db_result commit(db::QueryResult({}, {}, "COMMIT", 0));
        const zt_str c = abi::apiDbResultJson(&commit);
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"command":"COMMIT","rowCount":0,"columns":[],"rows":[]})"),
                             std::string(c.data, c.len));
    }

    void cell_functions_refuse_bad_arguments_and_failed_results() {
        zt_db_result res(everyKind());
        zt_db_result failed(std::string(R"({"error":{"code":"x","message":"y"}})"));
        zt_db_kind kind = 0;
        zt_str text{}, name{};
        CPPUNIT_ASSERT_EQUAL(ZT_ERR_INVALID_ARGUMENT,
                             abi::apiDbResultShape(nullptr, nullptr, nullptr, nullptr, nullptr));
        CPPUNIT_ASSERT_EQUAL(ZT_ERR_NOT_FOUND, abi::apiDbResultShape(&failed, nullptr, nullptr, nullptr, nullptr));
        CPPUNIT_ASSERT_EQUAL(ZT_OK, abi::apiDbResultShape(&res, nullptr, nullptr, nullptr, nullptr));
        CPPUNIT_ASSERT_EQUAL(ZT_ERR_INVALID_ARGUMENT, abi::apiDbResultColumn(&res, 14, &name, nullptr));
        CPPUNIT_ASSERT_EQUAL(ZT_ERR_INVALID_ARGUMENT, abi::apiDbResultColumn(&failed, 0, &name, nullptr));
        CPPUNIT_ASSERT_EQUAL(ZT_ERR_INVALID_ARGUMENT, abi::apiDbResultColumn(nullptr, 0, &name, nullptr));
        CPPUNIT_ASSERT_EQUAL(ZT_ERR_INVALID_ARGUMENT, abi::apiDbResultCell(&res, 2, 0, &kind, &text));
        CPPUNIT_ASSERT_EQUAL(ZT_ERR_INVALID_ARGUMENT, abi::apiDbResultCell(&res, 0, 14, &kind, &text));
        CPPUNIT_ASSERT_EQUAL(ZT_ERR_INVALID_ARGUMENT, abi::apiDbResultCell(&res, 0, 0, nullptr, &text));
        CPPUNIT_ASSERT_EQUAL(ZT_ERR_INVALID_ARGUMENT, abi::apiDbResultCell(&res, 0, 0, &kind, nullptr));
        CPPUNIT_ASSERT_EQUAL(ZT_ERR_INVALID_ARGUMENT, abi::apiDbResultCell(&failed, 0, 0, &kind, &text));
        CPPUNIT_ASSERT_EQUAL(ZT_ERR_INVALID_ARGUMENT, abi::apiDbResultCell(nullptr, 0, 0, &kind, &text));
        const zt_str error = abi::apiDbResultJson(&failed);
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"error":{"code":"x","message":"y"}})"),
                             std::string(error.data, error.len));
    }

    void sdk_error_result_still_throws_db_error() {
        for (int minor : {2, 3}) {
            zt_host_api api = tableFor(minor, failingQuery);
            sdk::Db db(&api, nullptr);
            try {
                db.execute(sdk::Json{{"op", "insert"}, {"table", "users"}});
                CPPUNIT_FAIL("no DbError");
            } catch (const sdk::DbError& e) {
                CPPUNIT_ASSERT_EQUAL(ZT_ERR_CONFLICT, e.status());
                CPPUNIT_ASSERT_EQUAL(std::string("conflict"), e.code());
                CPPUNIT_ASSERT_EQUAL(std::string("duplicate key"), std::string(e.what()));
                CPPUNIT_ASSERT_EQUAL(std::string("users_email_key"), e.constraint());
                CPPUNIT_ASSERT_EQUAL(409, e.httpStatus());
            }
        }
    }

    void row_json_built_once_under_concurrent_readers_and_kept_by_copies() {
        const auto canned = everyKind();
        sdk::Result r = read(3, canned);
        const sdk::Row& row = r.rows[0];
        std::vector<const sdk::Json*> seen(8, nullptr);
        std::vector<std::thread> readers;
        for (size_t i = 0; i < seen.size(); ++i) readers.emplace_back([&, i] { seen[i] = &row.toJson(); });
        for (auto& t : readers) t.join();
        CPPUNIT_ASSERT_EQUAL(size_t{1}, std::set<const sdk::Json*>(seen.begin(), seen.end()).size());
        sdk::Row copy = row;
        CPPUNIT_ASSERT(&copy.toJson() == seen[0]);  // a copy shares the built (immutable) object
        sdk::Row moved = std::move(copy);
        CPPUNIT_ASSERT_EQUAL(std::int64_t{7}, moved.integer("dup"));
        CPPUNIT_ASSERT_EQUAL(row.toJson().dump(), moved.toJson().dump());
        sdk::Row assigned;
        CPPUNIT_ASSERT(assigned.toJson().is_null());
        CPPUNIT_ASSERT(!assigned.has("id"));
        assigned = moved;
        CPPUNIT_ASSERT_EQUAL(std::int64_t{9007199254740993}, assigned.integer("id"));
    }

    void query_sends_exactly_the_description_spec_gives() {
        const auto canned = everyKind();
        gCanned = &canned;
        gSent.clear();
        zt_host_api api = tableFor(3, recordingQuery);
        sdk::Db db(&api, nullptr);
        auto q =
            db.table("users").where("id", 7).whereIn("name", {"a", "b\"c"}).orderBy("name", "desc").limit(2).offset(1);
        auto row = q.first();
        CPPUNIT_ASSERT(row.has_value());
        CPPUNIT_ASSERT_EQUAL(std::int64_t{9007199254740993}, row->integer("id"));
        q.get();
        const sdk::Json values = {{"name", "x"}, {"email", "e@x"}, {"tags", {1, 2}}};
        q.insert(values);
        db.table("users").whereNull("deleted_at").allowUnfilteredWrite().del();
        CPPUNIT_ASSERT_EQUAL(size_t{4}, gSent.size());
        CPPUNIT_ASSERT_EQUAL(q.spec("first"), sdk::Json::parse(gSent[0]));
        CPPUNIT_ASSERT_EQUAL(q.spec("select"), sdk::Json::parse(gSent[1]));
        sdk::Json insert = q.spec("insert");
        insert["values"] = values;
        CPPUNIT_ASSERT_EQUAL(insert, sdk::Json::parse(gSent[2]));
        CPPUNIT_ASSERT_EQUAL(db.table("users").whereNull("deleted_at").allowUnfilteredWrite().spec("delete"),
                             sdk::Json::parse(gSent[3]));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(DatabaseApiTest);
