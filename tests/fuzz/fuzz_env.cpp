// Environment parsing, two ways per input:
//  1. EnvConfig::load over mapEnvironment(<KEY=VALUE lines of the input>). The values of
//     SERVICE_API_KEYS_FILE / SERVICE_JWT_PUBLIC_KEY_FILE become the *content* of a temp file the
//     variable then names, so the keys-file reader is fuzzed too and no real file is ever opened.
//  2. loadEnvFile over the input written to a temp file; every variable it added to the process
//     environment is removed again so runs stay independent.
// Both may only throw ConfigError; accepted environments must satisfy the ranges in docs/CONFIGURATION.md: environment.
#include <cstdlib>
#include <map>
#include <set>
#include <string>

#include "FuzzSupport.h"
#include "config/ConfigError.h"
#include "config/EnvConfig.h"

extern char** environ;

using zt::config::ConfigError;
using zt::config::EnvConfig;
using zt::fuzz::check;

namespace {
std::map<std::string, std::string> parseLines(const std::string& text) {
    std::map<std::string, std::string> vars;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        auto eq = line.find('=');
        if (eq == std::string::npos || eq == 0) continue;
        std::string key = line.substr(0, eq), value = line.substr(eq + 1);
        if (key == "SERVICE_API_KEYS_FILE" || key == "SERVICE_JWT_PUBLIC_KEY_FILE")
            value = zt::fuzz::writeTempFile(key, value);
        vars[key] = value;
    }
    return vars;
}

std::set<std::string> environmentNames() {
    std::set<std::string> names;
    for (char** e = environ; *e; ++e) {
        std::string entry(*e);
        names.insert(entry.substr(0, entry.find('=')));
    }
    return names;
}

void checkAccepted(const EnvConfig& c) {
    check(c.tracingRate >= 0.0 && c.tracingRate <= 1.0, "accepted rate " + std::to_string(c.tracingRate));
    check(c.logFormat == "text" || c.logFormat == "json", "accepted LOG_FORMAT '" + c.logFormat + "'");
    check(c.database.defaultIsolation == "shared" || c.database.defaultIsolation == "isolated",
          "accepted DATABASE_ISOLATION '" + c.database.defaultIsolation + "'");
    check(c.jwtSecret.empty() || c.jwtSecret.size() >= 32, "accepted a short SERVICE_JWT_SECRET");
    check(c.database.port >= 1 && c.database.port <= 65535, "accepted DB_PORT " + std::to_string(c.database.port));
    check(c.adminPort >= 0 && c.adminPort <= 65535, "accepted ADMIN_PORT " + std::to_string(c.adminPort));
    check(c.database.poolMax >= 1, "accepted DB_POOL_MAX " + std::to_string(c.database.poolMax));
    check(c.serviceCallRetries >= 0, "accepted SERVICE_CALL_RETRIES " + std::to_string(c.serviceCallRetries));
    for (const auto& k : c.apiKeys) check(!k.empty(), "accepted an empty API key");
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    zt::fuzz::quietLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);

    try {
        EnvConfig c = EnvConfig::load(zt::config::mapEnvironment(parseLines(text)), "/fuzz/plugins", "/fuzz/services");
        checkAccepted(c);
    } catch (const ConfigError&) {
    } catch (...) {
        zt::fuzz::unexpectedException();  // documented: ConfigError naming the variable
    }

    const std::set<std::string> before = environmentNames();
    const std::string path = zt::fuzz::writeTempFile("fuzz.env", text);
    try {
        zt::config::loadEnvFile(path);
    } catch (const ConfigError& e) {
        check(e.message().find(path) != std::string::npos, "env-file error does not name the file: " + e.message());
    } catch (...) {
        zt::fuzz::unexpectedException();
    }
    for (const auto& name : environmentNames())
        if (!before.count(name)) ::unsetenv(name.c_str());
    return 0;
}
