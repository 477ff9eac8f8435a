// orders: orders with their items (in memory until the service moves to PostgreSQL).
//   GET /orders[?userId=N], GET /orders/:id, POST /orders {userId, items:[{sku, quantity, price}]}
#include <zintrust/sdk.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <mutex>
#include <shared_mutex>

using nlohmann::json;
using zt::sdk::HttpError;
using zt::sdk::Request;
using zt::sdk::Response;

namespace {

class OrdersService : public zt::sdk::Service {
public:
    void configure(zt::sdk::Routes& routes, zt::sdk::Host&) override {
        routes.get("/orders", [this](const Request& req) {
            auto userFilter = req.query("userId");
            std::shared_lock lock(mutex_);
            json list = json::array();
            for (const auto& [_, o] : orders_) {
                if (userFilter && std::to_string(o["userId"].get<long long>()) != *userFilter) continue;
                list.push_back(o);
            }
            return Response::json(200, json{{"orders", list}}.dump());
        });
        routes.get("/orders/:id", [this](const Request& req) {
            std::string id = req.param("id");
            std::shared_lock lock(mutex_);
            for (const auto& [key, o] : orders_) {
                if (std::to_string(key) == id) return Response::json(200, o.dump());
            }
            throw HttpError(404, "not_found", "order " + id + " not found");
        });
        routes.post("/orders", [this](const Request& req) {
            json body = json::parse(req.body(), nullptr, false);
            if (body.is_discarded() || !body.is_object()) throw HttpError(400, "invalid_json", "request body must be a JSON object");
            if (!body.contains("userId") || !body["userId"].is_number_integer() || body["userId"].get<long long>() <= 0)
                throw HttpError(422, "validation_failed", "'userId' must be a positive integer");
            if (!body.contains("items") || !body["items"].is_array() || body["items"].empty())
                throw HttpError(422, "validation_failed", "'items' must be a non-empty array");
            json items = json::array();
            long long totalCents = 0;
            for (const auto& it : body["items"]) {
                if (!it.is_object() || !it.contains("sku") || !it["sku"].is_string() || !it.contains("quantity") ||
                    !it["quantity"].is_number_integer() || it["quantity"].get<long long>() <= 0 ||
                    !it.contains("priceCents") || !it["priceCents"].is_number_integer() || it["priceCents"].get<long long>() < 0)
                    throw HttpError(422, "validation_failed", "each item needs sku (string), quantity (> 0) and priceCents (>= 0)");
                totalCents += it["quantity"].get<long long>() * it["priceCents"].get<long long>();
                items.push_back({{"sku", it["sku"]}, {"quantity", it["quantity"]}, {"priceCents", it["priceCents"]}});
            }
            std::unique_lock lock(mutex_);
            long long id = ++nextId_;
            json order = {{"id", id}, {"userId", body["userId"]}, {"items", items}, {"totalCents", totalCents},
                          {"status", "created"}};
            orders_[id] = order;
            return Response::json(201, order.dump()).header("Location", "/orders/" + std::to_string(id));
        });
    }

private:
    std::shared_mutex mutex_;
    std::map<long long, json> orders_;
    long long nextId_ = 0;
};

}  // namespace

ZT_PLUGIN(OrdersService, "orders", "1.0.0", "Orders and their items")
