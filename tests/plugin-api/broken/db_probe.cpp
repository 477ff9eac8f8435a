// A working SDK plugin for the database tests (not one of the examples):
//   GET  /schema          raw SQL: current_schema() and search_path (needs USE_RAW_QRY=true)
//   POST /notes           insert a note, returns it
//   POST /notes/rollback  inserts two notes in a transaction, then throws: nothing must remain
//   POST /notes/tx        inserts a note inside a transaction (COMMIT's fate matters), returns 201
//   POST /notes/savepoint outer insert kept, inner (nested) transaction rolled back
//   GET  /notes/count     count(*)
//   GET  /peek/:table     builder select on another service's table name (must stay in own schema)
//   GET  /typed           typed values from raw SQL (timestamp microseconds, numeric, uuid, jsonb)
//   GET  /hold/:ms        holds one pooled connection for ms milliseconds (raw pg_sleep)
//   POST /sql             raw SQL: the request body as one statement, the rows as JSON (what a
//                         hostile plugin author could run with USE_RAW_QRY=true)
#include <zintrust/sdk.hpp>

using zt::sdk::HttpError;
using zt::sdk::Json;
using zt::sdk::Request;
using zt::sdk::Response;

class DbProbe : public zt::sdk::Service {
public:
    void configure(zt::sdk::Routes& routes, zt::sdk::Host& host) override {
        zt::sdk::Db db = host.db();
        routes.get("/schema", [db](const Request&) {
            auto r = db.raw("SELECT current_schema() AS schema, current_setting('search_path') AS search_path");
            return Response::json(200, r.rows.at(0).toJson().dump());
        });
        routes.post("/notes", [db](const Request& req) {
            auto row = db.table("notes").insert({{"body", std::string(req.body())}});
            return Response::json(201, row.toJson().dump());
        });
        routes.post("/notes/tx", [db](const Request& req) {
            Json row;
            db.transaction([&] { row = db.table("notes").insert({{"body", std::string(req.body())}}).toJson(); });
            return Response::json(201, row.dump());
        });
        routes.post("/notes/rollback", [db](const Request&) -> Response {
            db.transaction([&] {
                db.table("notes").insert({{"body", "tx-1"}});
                db.table("notes").insert({{"body", "tx-2"}});
                throw HttpError(409, "rolled_back_on_purpose", "the transaction body threw");
            });
            return Response::text(200, "unreachable");
        });
        routes.post("/notes/savepoint", [db](const Request&) {
            db.transaction([&] {
                db.table("notes").insert({{"body", "outer"}});
                try {
                    db.transaction([&] {
                        db.table("notes").insert({{"body", "inner"}});
                        throw std::runtime_error("inner fails");
                    });
                } catch (const std::runtime_error&) {
                }
            });
            return Response::json(200, "{}");
        });
        routes.get("/notes/count", [db](const Request&) {
            return Response::json(200, Json{{"count", db.table("notes").count()}}.dump());
        });
        routes.get("/peek/:table", [db](const Request& req) {
            auto r = db.table(req.param("table")).limit(5).get();
            return Response::json(200, r.rowsJson().dump());
        });
        routes.post("/sql", [db](const Request& req) {
            auto r = db.raw(std::string(req.body()));
            return Response::json(200, r.rowsJson().dump());
        });
        routes.get("/hold/:ms", [db](const Request& req) {
            db.raw("SELECT pg_sleep($1::int / 1000.0)", Json::array({std::stoi(req.param("ms"))}));
            return Response::json(200, "{\"held\":true}");
        });
        routes.get("/typed", [db](const Request&) {
            auto r = db.raw(
                "SELECT $1::timestamptz AS ts, $2::numeric AS n, $3::uuid AS u, $4::jsonb AS j, $5::bool AS b, "
                "NULL::int AS z",
                Json::array({"2026-01-02T03:04:05.123456Z", "12345678901234567890.123456789",
                             "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "{\"k\":[1,2]}", true}));
            const auto& row = r.rows.at(0);
            Json out = {{"ts", row.string("ts")}, {"n", row.string("n")},  {"u", row.string("u")},
                        {"j", row.json("j")},     {"b", row.boolean("b")}, {"zIsNull", row.isNull("z")}};
            return Response::json(200, out.dump());
        });
    }
};

ZT_PLUGIN(DbProbe, "db_probe", "1.0.0", "database test plugin")
