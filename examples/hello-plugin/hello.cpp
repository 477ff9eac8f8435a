// hello: the smallest zintrust-host service plugin.
//   GET /hello/:name -> 200 text/plain "<greeting>, <name>!"
// The greeting comes from service.config.json ("config": {"greeting": "..."}).
#include <zintrust/sdk.hpp>

#include <string>

namespace {

class HelloService : public zt::sdk::Service {
public:
    void configure(zt::sdk::Routes& routes, zt::sdk::Host& host) override {
        greeting_ = host.config("config.greeting").value_or("Hello");
        host.info("hello: greeting is '" + greeting_ + "'");
        routes.get("/hello/:name", [this](const zt::sdk::Request& req) {
            return zt::sdk::Response::text(200, greeting_ + ", " + req.param("name") + "!");
        });
    }

private:
    std::string greeting_;  // written once in configure(), read by every request thread
};

}  // namespace

ZT_PLUGIN(HelloService, "hello", "1.0.0", "Says hello")
