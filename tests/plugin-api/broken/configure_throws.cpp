// Broken on purpose: an SDK service whose configure() throws. The SDK turns it into an init error.
#include <zintrust/sdk.hpp>

class ConfigureThrows : public zt::sdk::Service {
public:
    void configure(zt::sdk::Routes&, zt::sdk::Host&) override {
        throw std::runtime_error("config.greeting is required");
    }
};

ZT_PLUGIN(ConfigureThrows, "configure_throws", "1.0.0", "refuses to start")
