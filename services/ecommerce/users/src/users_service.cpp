// users: user accounts (in memory until the service moves to PostgreSQL).
//   GET /users, GET /users/:id, POST /users {name, email}, PUT /users/:id, DELETE /users/:id
#include <zintrust/sdk.hpp>

#include <nlohmann/json.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <mutex>
#include <shared_mutex>

using nlohmann::json;
using zt::sdk::HttpError;
using zt::sdk::Request;
using zt::sdk::Response;

namespace {

json parseBody(const Request& req) {
    json body = json::parse(req.body(), nullptr, /*allow_exceptions*/ false);
    if (body.is_discarded() || !body.is_object()) {
        throw HttpError(400, "invalid_json", "request body must be a JSON object");
    }
    return body;
}

std::string requiredString(const json& body, const char* key) {
    auto it = body.find(key);
    if (it == body.end() || !it->is_string() || it->get<std::string>().empty()) {
        throw HttpError(422, "validation_failed", std::string("'") + key + "' must be a non-empty string");
    }
    return it->get<std::string>();
}

long long idParam(const Request& req) {
    std::string s = req.param("id");
    try {
        std::size_t used = 0;
        long long id = std::stoll(s, &used);
        if (used == s.size() && id > 0) return id;
    } catch (const std::exception&) {
    }
    throw HttpError(400, "bad_request", "id must be a positive integer, got '" + s + "'");
}

class UsersService : public zt::sdk::Service {
public:
    void configure(zt::sdk::Routes& routes, zt::sdk::Host& host) override {
        routes.get("/users", [this](const Request&) {
            std::shared_lock lock(mutex_);
            json list = json::array();
            for (const auto& [_, u] : users_) list.push_back(u);
            return Response::json(200, json{{"users", list}}.dump());
        });
        routes.get("/users/:id", [this](const Request& req) {
            auto id = idParam(req);
            std::shared_lock lock(mutex_);
            auto it = users_.find(id);
            if (it == users_.end()) throw HttpError(404, "not_found", "user " + std::to_string(id) + " not found");
            return Response::json(200, it->second.dump());
        });
        routes.post("/users", [this](const Request& req) {
            json body = parseBody(req);
            std::string name = requiredString(body, "name");
            std::string email = requiredString(body, "email");
            std::unique_lock lock(mutex_);
            for (const auto& [_, u] : users_) {
                if (u["email"] == email) throw HttpError(409, "conflict", "email already registered");
            }
            long long id = ++nextId_;
            json user = {{"id", id}, {"name", name}, {"email", email}};
            users_[id] = user;
            return Response::json(201, user.dump()).header("Location", "/users/" + std::to_string(id));
        });
        routes.put("/users/:id", [this](const Request& req) {
            auto id = idParam(req);
            json body = parseBody(req);
            std::unique_lock lock(mutex_);
            auto it = users_.find(id);
            if (it == users_.end()) throw HttpError(404, "not_found", "user " + std::to_string(id) + " not found");
            if (body.contains("name")) it->second["name"] = requiredString(body, "name");
            if (body.contains("email")) {
                std::string email = requiredString(body, "email");
                for (const auto& [otherId, u] : users_) {
                    if (otherId != id && u["email"] == email) throw HttpError(409, "conflict", "email already registered");
                }
                it->second["email"] = email;
            }
            return Response::json(200, it->second.dump());
        });
        routes.del("/users/:id", [this](const Request& req) {
            auto id = idParam(req);
            std::unique_lock lock(mutex_);
            if (users_.erase(id) == 0) throw HttpError(404, "not_found", "user " + std::to_string(id) + " not found");
            return Response{204, {}, ""};
        });
        host.addHealthCheck("store", [this] {
            std::shared_lock lock(mutex_);
            return zt::sdk::HealthResult{zt::sdk::HealthState::Healthy, std::to_string(users_.size()) + " users"};
        });
        host.info("users service configured");
    }

private:
    std::shared_mutex mutex_;
    std::map<long long, json> users_;
    long long nextId_ = 0;
};

}  // namespace

ZT_PLUGIN(UsersService, "users", "1.0.0", "User accounts")
