// orders: orders and their items in PostgreSQL (one transaction per order).
//   GET /orders?userId=N   GET /orders/:id   POST /orders {userId, items:[{sku, quantity, priceCents}]}
// Creating an order checks the user with the users service and charges it through the payments
// service (Idempotency-Key "order-<id>"), all in the caller's trace. A dependency that is down
// fails the order with 503 (the host's circuit breaker makes that fast) and nothing is stored.
#include <zintrust/sdk.hpp>

#include <map>

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

Json itemToApi(const Row& r) {
    return {{"sku", r.string("sku")}, {"quantity", r.integer("quantity")}, {"priceCents", r.integer("price_cents")}};
}

Json itemsToApi(const zt::sdk::Result& result) {
    Json items = Json::array();
    for (const auto& r : result.rows) items.push_back(itemToApi(r));
    return items;
}

/// A dependency answered with an error: 503 when it is down (5xx, breaker open, timeout), 502 for
/// any other unexpected answer. The dependency's own error code is kept in the message.
void requireDependency(const std::string& name, const zt::sdk::CallResult& r) {
    if (r.ok()) return;
    Json err = r.json();
    std::string detail = (!err.is_discarded() && err.contains("error"))
                             ? err["error"].value("code", "") + ": " + err["error"].value("message", "")
                             : r.body.substr(0, 200);
    throw HttpError(r.status >= 500 ? 503 : 502, "dependency_failed",
                    name + " answered " + std::to_string(r.status) + " (" + detail + ")");
}

class OrdersService : public zt::sdk::Service {
public:
    void configure(zt::sdk::Routes& routes, zt::sdk::Host& host) override {
        zt::sdk::Db db = host.db();
        zt::sdk::Services services = host.services();
        routes.get("/orders", [db](const Request& req) {
            auto query = db.table("orders").orderBy("id").limit(req.queryInt("limit", 50, 1, 500));
            if (req.query("userId")) query.where("user_id", req.queryInt("userId", 0, 1, INT64_MAX));
            const auto found = query.get();
            Json orders = Json::array();
            if (found.rows.empty()) return Response::json(200, Json{{"orders", orders}}.dump());
            // Every listed order's items in one query (not one per order), grouped here.
            Json ids = Json::array();
            for (const auto& o : found.rows) ids.push_back(o.integer("id"));
            std::map<std::int64_t, Json> itemsByOrder;
            for (const auto& r :
                 db.table("order_items").whereIn("order_id", ids).orderBy("order_id").orderBy("id").get().rows) {
                auto& items = itemsByOrder.try_emplace(r.integer("order_id"), Json::array()).first->second;
                items.push_back(itemToApi(r));
            }
            for (const auto& o : found.rows) {
                auto it = itemsByOrder.find(o.integer("id"));
                orders.push_back(orderToApi(o, it == itemsByOrder.end() ? Json::array() : it->second));
            }
            return Response::json(200, Json{{"orders", orders}}.dump());
        });
        routes.get("/orders/:id", [db](const Request& req) {
            auto id = req.paramInt("id");
            auto order = db.table("orders").where("id", id).first();
            if (!order) throw HttpError(404, "not_found", "order " + std::to_string(id) + " not found");
            auto items = db.table("order_items").where("order_id", id).orderBy("id").get();
            return Response::json(200, orderToApi(*order, itemsToApi(items)).dump());
        });
        // OWNERSHIP: `host` is the plugin instance's, alive as long as the service.
        const zt::sdk::Host* log = &host;
        routes
            .post("/orders",
                  [db, services, log](const Request& req) {
                      Json body = req.jsonBody();
                      long long userId = requiredInteger(body, "userId", 1);
                      if (!body.contains("items") || !body["items"].is_array() || body["items"].empty() ||
                          body["items"].size() > 100)
                          throw HttpError(422, "validation_failed", "'items' must be an array of 1 to 100 items");
                      long long total = 0;
                      for (const auto& it : body["items"]) {
                          if (!it.is_object()) throw HttpError(422, "validation_failed", "each item must be an object");
                          requiredString(it, "sku", 64);
                          long long q = requiredInteger(it, "quantity", 1);
                          long long p = requiredInteger(it, "priceCents", 0);
                          total += q * p;
                      }
                      auto user = services.get(&req, "users", "/users/" + std::to_string(userId));
                      if (user.status == 404)
                          throw HttpError(422, "unknown_user", "user " + std::to_string(userId) + " does not exist");
                      requireDependency("users", user);
                      Json created;
                      db.transaction([&] {
                          Row order = db.table("orders").insert({{"user_id", userId}, {"total_cents", total}});
                          long long orderId = order.integer("id");
                          Json items = Json::array();
                          for (const auto& it : body["items"]) {
                              db.table("order_items")
                                  .insert({{"order_id", orderId},
                                           {"sku", it["sku"]},
                                           {"quantity", it["quantity"]},
                                           {"price_cents", it["priceCents"]}});
                              items.push_back(
                                  {{"sku", it["sku"]}, {"quantity", it["quantity"]}, {"priceCents", it["priceCents"]}});
                          }
                          if (total > 0) {
                              // Inside the transaction: a failed charge rolls the order back; the key makes a
                              // retried order creation replay the same payment instead of charging twice.
                              auto payment =
                                  services.post(&req, "payments", "/payments",
                                                {{"orderId", orderId}, {"amountCents", total}, {"currency", "EUR"}},
                                                {{"Idempotency-Key", "order-" + std::to_string(orderId)}});
                              requireDependency("payments", payment);
                              long long paymentId = payment.json().value("id", 0LL);
                              auto paid = db.table("orders")
                                              .where("id", orderId)
                                              .update({{"status", "paid"}, {"payment_id", paymentId}});
                              order = paid.rows.at(0);
                          }
                          created = orderToApi(order, items);
                      });
                      // Written during the request: the host puts its trace on the record (docs/MONITORING.md).
                      log->info("order " + std::to_string(created["id"].get<long long>()) + " created for user " +
                                std::to_string(userId));
                      return Response::json(201, created.dump())
                          .header("Location", "/orders/" + std::to_string(created["id"].get<long long>()));
                  })
            .summary("Place an order: checks the user, charges the payment, stores it in one transaction");
    }
};

}  // namespace

ZT_PLUGIN(OrdersService, "orders", "1.0.0", "Orders and their items")
