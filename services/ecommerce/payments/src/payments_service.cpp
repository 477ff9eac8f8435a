// payments: payments in their own database (isolation "isolated"), with idempotency keys.
//   POST /payments {orderId, amountCents, currency} + optional Idempotency-Key header
//   GET /payments/:id
#include <zintrust/sdk.hpp>

#include "service_support.hpp"

using namespace examples;
using zt::sdk::DbError;
using zt::sdk::Response;
using zt::sdk::Row;

namespace {

Json toApi(const Row& row) {
    return {{"id", row.integer("id")},
            {"orderId", row.integer("order_id")},
            {"amountCents", row.integer("amount_cents")},
            {"currency", row.string("currency")},
            {"status", row.string("status")},
            {"createdAt", row.string("created_at")}};
}

/// Same key, same payment: replay it; same key, different payment: refuse.
Response replay(const Row& existing, long long orderId, long long amount) {
    if (existing.integer("order_id") != orderId || existing.integer("amount_cents") != amount) {
        throw HttpError(422, "idempotency_key_reused", "Idempotency-Key was used for a different payment");
    }
    return Response::json(200, toApi(existing).dump()).header("Idempotent-Replayed", "true");
}

class PaymentsService : public zt::sdk::Service {
public:
    void configure(zt::sdk::Routes& routes, zt::sdk::Host& host) override {
        zt::sdk::Db db = host.db();
        routes.post("/payments", [db](const Request& req) {
            Json body = req.jsonBody();
            long long orderId = requiredInteger(body, "orderId", 1);
            long long amount = requiredInteger(body, "amountCents", 1);
            std::string currency = body.contains("currency") ? requiredString(body, "currency", 3) : "EUR";
            if (currency.size() != 3) throw HttpError(422, "validation_failed", "'currency' must be a 3-letter code");
            std::string key(req.header("idempotency-key").value_or(""));
            if (key.size() > 200)
                throw HttpError(422, "validation_failed", "Idempotency-Key is longer than 200 characters");
            if (!key.empty()) {
                if (auto existing = db.table("payments").where("idempotency_key", key).first())
                    return replay(*existing, orderId, amount);
            }
            Json values = {{"order_id", orderId}, {"amount_cents", amount}, {"currency", currency}};
            if (!key.empty()) values["idempotency_key"] = key;
            try {
                Row row = db.table("payments").insert(values);
                return Response::json(201, toApi(row).dump())
                    .header("Location", "/payments/" + std::to_string(row.integer("id")));
            } catch (const DbError& e) {
                // Two requests with one key raced: the loser replays the winner's payment.
                if (e.status() != ZT_ERR_CONFLICT || key.empty()) throw;
                auto existing = db.table("payments").where("idempotency_key", key).first();
                if (!existing) throw;
                return replay(*existing, orderId, amount);
            }
        });
        routes.get("/payments/:id", [db](const Request& req) {
            auto id = req.paramInt("id");
            auto row = db.table("payments").where("id", id).first();
            if (!row) throw HttpError(404, "not_found", "payment " + std::to_string(id) + " not found");
            return Response::json(200, toApi(*row).dump());
        });
    }
};

}  // namespace

ZT_PLUGIN(PaymentsService, "payments", "1.0.0", "Payments with idempotency keys")
