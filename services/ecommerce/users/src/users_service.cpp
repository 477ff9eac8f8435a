// users: user accounts in PostgreSQL (schema ecommerce_users, migrations/001_create_users.sql).
//   GET /users?limit=&offset=   GET /users/:id   POST /users {name, email}
//   PUT /users/:id {name?, email?}   DELETE /users/:id
#include <zintrust/sdk.hpp>

#include "service_support.hpp"

// The reload tests build this file a second time with ZT_USERS_BUILD defined: that build says so
// in an X-Users-Build header, so a test can tell which plugin answered (tests/plugin-api).

using namespace examples;
using zt::sdk::DbError;
using zt::sdk::Response;
using zt::sdk::Row;

namespace {

Json toApi(const Row& row) {
    return {{"id", row.integer("id")},
            {"name", row.string("name")},
            {"email", row.string("email")},
            {"createdAt", row.string("created_at")},
            {"updatedAt", row.string("updated_at")}};
}

/// A unique violation on users_email_key means the e-mail is taken: 409, not 500.
template <class Fn>
auto mapDuplicateEmail(Fn&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (const DbError& e) {
        if (e.status() == ZT_ERR_CONFLICT) throw HttpError(409, "email_taken", "email is already registered");
        throw;
    }
}

class UsersService : public zt::sdk::Service {
public:
    void configure(zt::sdk::Routes& routes, zt::sdk::Host& host) override {
        zt::sdk::Db db = host.db();
        routes
            .get("/users",
                 [db](const Request& req) {
                     auto limit = req.queryInt("limit", 50, 1, 500);
                     auto offset = req.queryInt("offset", 0, 0, 1000000000);
                     auto result = db.table("users").orderBy("id").limit(limit).offset(offset).get();
                     Json users = Json::array();
                     for (const auto& row : result.rows) users.push_back(toApi(row));
                     return Response::json(200, Json{{"users", users}, {"limit", limit}, {"offset", offset}}.dump());
                 })
            .summary("List users, by id, a page at a time (limit, offset)");
        routes
            .get("/users/:id",
                 [db](const Request& req) {
                     auto id = req.paramInt("id");
                     auto row = db.table("users").where("id", id).first();
                     if (!row) throw HttpError(404, "not_found", "user " + std::to_string(id) + " not found");
#ifdef ZT_USERS_BUILD
                     return Response::json(200, toApi(*row).dump()).header("X-Users-Build", ZT_USERS_BUILD);
#else
                     return Response::json(200, toApi(*row).dump());
#endif
                 })
            .summary("Read one user");
        routes
            .post("/users",
                  [db](const Request& req) {
                      Json body = req.jsonBody();
                      Json values = {{"name", requiredString(body, "name", 200)},
                                     {"email", requiredString(body, "email")}};
                      Row row = mapDuplicateEmail([&] { return db.table("users").insert(values); });
                      return Response::json(201, toApi(row).dump())
                          .header("Location", "/users/" + std::to_string(row.integer("id")));
                  })
            .summary("Create a user (name, email)");
        routes
            .put("/users/:id",
                 [db](const Request& req) {
                     auto id = req.paramInt("id");
                     Json body = req.jsonBody();
                     Json values = Json::object();
                     if (body.contains("name")) values["name"] = requiredString(body, "name", 200);
                     if (body.contains("email")) values["email"] = requiredString(body, "email");
                     if (values.empty())
                         throw HttpError(422, "validation_failed", "nothing to update: send name and/or email");
                     values["updated_at"] = "now";  // PostgreSQL reads the literal 'now' as the current time
                     auto result = mapDuplicateEmail([&] { return db.table("users").where("id", id).update(values); });
                     if (result.rows.empty())
                         throw HttpError(404, "not_found", "user " + std::to_string(id) + " not found");
                     return Response::json(200, toApi(result.rows.front()).dump());
                 })
            .summary("Change a user's name or email");
        routes
            .del("/users/:id",
                 [db](const Request& req) {
                     auto id = req.paramInt("id");
                     if (db.table("users").where("id", id).del() == 0)
                         throw HttpError(404, "not_found", "user " + std::to_string(id) + " not found");
                     return Response{204, {}, ""};
                 })
            .summary("Delete a user");
        host.info("users service configured");
    }
};

}  // namespace

#ifdef ZT_USERS_BUILD
ZT_PLUGIN(UsersService, "users", "1.0.0+" ZT_USERS_BUILD, "User accounts")
#else
ZT_PLUGIN(UsersService, "users", "1.0.0", "User accounts")
#endif
