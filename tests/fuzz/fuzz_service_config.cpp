// ServiceConfig::parse on arbitrary service.config.json text. Bad documents must be ConfigError
// (naming the file); accepted ones must satisfy the rules of docs/CONFIGURATION.md: service.config.json.
#include <regex>
#include <string>

#include "FuzzSupport.h"
#include "config/ConfigError.h"
#include "config/ServiceConfig.h"

using zt::config::ConfigError;
using zt::config::ServiceConfig;
using zt::fuzz::check;

namespace {
const char* const kFile = "/srv/fuzz/ecommerce/users/service.config.json";

bool isServiceName(const std::string& s) {
    if (s.empty() || s.size() > 63 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
    return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    ServiceConfig c;
    try {
        c = ServiceConfig::parse(text, kFile);
    } catch (const ConfigError& e) {
        check(e.message().rfind(kFile, 0) == 0, "ConfigError does not name the file: " + e.message());
        return 0;
    } catch (...) {
        zt::fuzz::unexpectedException();  // documented: ConfigError only
    }
    check(isServiceName(c.name), "accepted name '" + c.name + "'");
    check(isServiceName(c.domain), "accepted domain '" + c.domain + "'");
    check(c.port >= 1 && c.port <= 65535, "accepted port " + std::to_string(c.port));
    check(!c.plugin.empty() && c.plugin.find('/') == std::string::npos && c.plugin != "." && c.plugin != "..",
          "accepted plugin '" + c.plugin + "'");
    check(!c.healthCheck.empty() && c.healthCheck[0] == '/', "accepted healthCheck '" + c.healthCheck + "'");
    for (const auto& d : c.dependencies) check(isServiceName(d) && d != c.name, "accepted dependency '" + d + "'");
    const auto& s = c.auth.strategy;
    check(s == "api-key" || s == "jwt" || s == "custom" || s == "none", "accepted strategy '" + s + "'");
    for (const auto& a : c.auth.algorithms)
        check(a == "HS256" || a == "RS256" || a == "ES256", "accepted algorithm '" + a + "'");
    const auto& iso = c.database.isolation;
    check(iso.empty() || iso == "shared" || iso == "isolated", "accepted isolation '" + iso + "'");
    if (c.tracing.samplingRate) {
        double r = *c.tracing.samplingRate;
        check(r >= 0.0 && r <= 1.0, "accepted samplingRate " + std::to_string(r));
    }
    static const std::regex identifier("^[A-Za-z_][A-Za-z0-9_]{0,62}$");
    if (c.database.enabled && !c.database.schema.empty())
        check(std::regex_match(c.database.schema, identifier), "accepted schema '" + c.database.schema + "'");
    check(c.raw != nullptr, "accepted document without raw object");
    return 0;
}
