// payments: payments with idempotency keys (in memory until the service moves to PostgreSQL).
//   POST /payments {orderId, amountCents, currency} + optional Idempotency-Key header
//   GET /payments/:id
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

class PaymentsService : public zt::sdk::Service {
public:
    void configure(zt::sdk::Routes& routes, zt::sdk::Host&) override {
        routes.post("/payments", [this](const Request& req) {
            json body = json::parse(req.body(), nullptr, false);
            if (body.is_discarded() || !body.is_object()) throw HttpError(400, "invalid_json", "request body must be a JSON object");
            if (!body.contains("orderId") || !body["orderId"].is_number_integer())
                throw HttpError(422, "validation_failed", "'orderId' must be an integer");
            if (!body.contains("amountCents") || !body["amountCents"].is_number_integer() || body["amountCents"].get<long long>() <= 0)
                throw HttpError(422, "validation_failed", "'amountCents' must be a positive integer");
            std::string currency = body.value("currency", "EUR");
            if (currency.size() != 3) throw HttpError(422, "validation_failed", "'currency' must be a 3-letter code");
            std::string key(req.header("idempotency-key").value_or(""));
            std::unique_lock lock(mutex_);
            if (!key.empty()) {
                auto it = byKey_.find(key);
                if (it != byKey_.end()) {
                    const json& existing = payments_.at(it->second);
                    if (existing["orderId"] != body["orderId"] || existing["amountCents"] != body["amountCents"])
                        throw HttpError(422, "idempotency_key_reused", "Idempotency-Key was used for a different payment");
                    return Response::json(200, existing.dump()).header("Idempotent-Replayed", "true");
                }
            }
            long long id = ++nextId_;
            json payment = {{"id", id}, {"orderId", body["orderId"]}, {"amountCents", body["amountCents"]},
                            {"currency", currency}, {"status", "captured"}};
            payments_[id] = payment;
            if (!key.empty()) byKey_[key] = id;
            return Response::json(201, payment.dump()).header("Location", "/payments/" + std::to_string(id));
        });
        routes.get("/payments/:id", [this](const Request& req) {
            std::string id = req.param("id");
            std::shared_lock lock(mutex_);
            for (const auto& [k, p] : payments_) {
                if (std::to_string(k) == id) return Response::json(200, p.dump());
            }
            throw HttpError(404, "not_found", "payment " + id + " not found");
        });
    }

private:
    std::shared_mutex mutex_;
    std::map<long long, json> payments_;
    std::map<std::string, long long> byKey_;
    long long nextId_ = 0;
};

}  // namespace

ZT_PLUGIN(PaymentsService, "payments", "1.0.0", "Payments with idempotency keys")
