// Broken on purpose: registers an invalid route pattern (no leading '/'); the host refuses it.
#include <zintrust/sdk.hpp>

class BadRoute : public zt::sdk::Service {
public:
    void configure(zt::sdk::Routes& routes, zt::sdk::Host&) override {
        routes.get("users/:id", [](const zt::sdk::Request&) { return zt::sdk::Response::text(200, "x"); });
    }
};

ZT_PLUGIN(BadRoute, "bad_route", "1.0.0", "invalid route")
