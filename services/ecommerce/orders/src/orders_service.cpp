// orders: orders and their items in PostgreSQL (one transaction per order).
//   GET /orders?userId=N   GET /orders/:id   POST /orders {userId, items:[{sku, quantity, priceCents}]}
#include <zintrust/sdk.hpp>

#include "service_support.hpp"

using namespace examples;
using zt::sdk::Response;
using zt::sdk::Row;

namespace {

Json orderToApi(const Row& order, const Json& items) {
    return {{"id", order.integer("id")},
            {"userId", order.integer("user_id")},
            {"status", order.string("status")},
            {"totalCents", order.integer("total_cents")},
            {"currency", order.string("currency")},
            {"paymentId", order.isNull("payment_id") ? Json(nullptr) : Json(order.integer("payment_id"))},
            {"createdAt", order.string("created_at")},
            {"items", items}};
}

Json itemsToApi(const zt::sdk::Result& result) {
    Json items = Json::array();
    for (const auto& r : result.rows) {
        items.push_back({{"sku", r.string("sku")}, {"quantity", r.integer("quantity")}, {"priceCents", r.integer("price_cents")}});
    }
    return items;
}

class OrdersService : public zt::sdk::Service {
public:
    void configure(zt::sdk::Routes& routes, zt::sdk::Host& host) override {
        zt::sdk::Db db = host.db();
        routes.get("/orders", [db](const Request& req) {
            auto query = db.table("orders").orderBy("id").limit(queryInteger(req, "limit", 50, 1, 500));
            if (req.query("userId")) query.where("user_id", queryInteger(req, "userId", 0, 1, INT64_MAX));
            Json orders = Json::array();
            for (const auto& o : query.get().rows) {
                orders.push_back(orderToApi(o, itemsToApi(db.table("order_items").where("order_id", o.integer("id")).orderBy("id").get())));
            }
            return Response::json(200, Json{{"orders", orders}}.dump());
        });
        routes.get("/orders/:id", [db](const Request& req) {
            auto id = idParam(req);
            auto order = db.table("orders").where("id", id).first();
            if (!order) throw HttpError(404, "not_found", "order " + std::to_string(id) + " not found");
            auto items = db.table("order_items").where("order_id", id).orderBy("id").get();
            return Response::json(200, orderToApi(*order, itemsToApi(items)).dump());
        });
        routes.post("/orders", [db](const Request& req) {
            Json body = jsonBody(req);
            long long userId = requiredInteger(body, "userId", 1);
            if (!body.contains("items") || !body["items"].is_array() || body["items"].empty() || body["items"].size() > 100)
                throw HttpError(422, "validation_failed", "'items' must be an array of 1 to 100 items");
            long long total = 0;
            for (const auto& it : body["items"]) {
                if (!it.is_object()) throw HttpError(422, "validation_failed", "each item must be an object");
                requiredString(it, "sku", 64);
                long long q = requiredInteger(it, "quantity", 1);
                long long p = requiredInteger(it, "priceCents", 0);
                total += q * p;
            }
            Json created;
            db.transaction([&] {
                Row order = db.table("orders").insert({{"user_id", userId}, {"total_cents", total}});
                Json items = Json::array();
                for (const auto& it : body["items"]) {
                    db.table("order_items").insert({{"order_id", order.integer("id")}, {"sku", it["sku"]},
                                                    {"quantity", it["quantity"]}, {"price_cents", it["priceCents"]}});
                    items.push_back({{"sku", it["sku"]}, {"quantity", it["quantity"]}, {"priceCents", it["priceCents"]}});
                }
                created = orderToApi(order, items);
            });
            return Response::json(201, created.dump()).header("Location", "/orders/" + std::to_string(created["id"].get<long long>()));
        });
    }
};

}  // namespace

ZT_PLUGIN(OrdersService, "orders", "1.0.0", "Orders and their items")
