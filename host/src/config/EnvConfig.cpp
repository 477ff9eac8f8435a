#include "config/EnvConfig.h"

#include <Poco/Environment.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

#include "config/ConfigError.h"

namespace zt::config {

EnvLookup processEnvironment() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (v == nullptr) return std::nullopt;
        return std::string(v);
    };
}

EnvLookup mapEnvironment(std::map<std::string, std::string> values) {
    return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
        auto it = values.find(name);
        if (it == values.end()) return std::nullopt;
        return it->second;
    };
}

const std::vector<std::string>& EnvConfig::knownVariables() {
    static const std::vector<std::string> names = {"MICROSERVICES",
                                                   "ENABLE_MICROSERVICES",
                                                   "SERVICES",
                                                   "MICROSERVICES_TRACING",
                                                   "MICROSERVICES_TRACING_RATE",
                                                   "USE_RAW_QRY",
                                                   "DATABASE_URL",
                                                   "DB_HOST",
                                                   "DB_PORT",
                                                   "DB_DATABASE",
                                                   "DB_USERNAME",
                                                   "DB_PASSWORD",
                                                   "DB_POOL_MAX",
                                                   "DB_POOL_IDLE_TIMEOUT_MS",
                                                   "DB_POOL_CONNECTION_TIMEOUT_MS",
                                                   "DATABASE_ISOLATION",
                                                   "SERVICE_API_KEY",
                                                   "SERVICE_API_KEYS_FILE",
                                                   "SERVICE_JWT_SECRET",
                                                   "SERVICE_JWT_PUBLIC_KEY_FILE",
                                                   "SERVICE_JWT_ISSUER",
                                                   "SERVICE_JWT_AUDIENCE",
                                                   "SERVICE_CALL_TIMEOUT_MS",
                                                   "SERVICE_CALL_RETRIES",
                                                   "CIRCUIT_BREAKER_THRESHOLD",
                                                   "CIRCUIT_BREAKER_TIMEOUT_MS",
                                                   "SERVICE_HEALTH_CHECK_INTERVAL_MS",
                                                   "SERVICE_HEALTH_CHECK_TIMEOUT_MS",
                                                   "LOG_LEVEL",
                                                   "LOG_FORMAT",
                                                   "ZT_ACCESS_LOG",
                                                   "ADMIN_PORT",
                                                   "ADMIN_BIND_ADDRESS",
                                                   "ADMIN_TOKEN",
                                                   "ZT_PLUGIN_DIR",
                                                   "ZT_SERVICES_DIR",
                                                   "OTEL_EXPORTER_OTLP_ENDPOINT",
                                                   "ZT_BIND_ADDRESS",
                                                   "ZT_HTTP_MAX_THREADS",
                                                   "ZT_HTTP_MAX_ACTIVE_HANDLERS",
                                                   "ZT_HTTP_EVENT_LOOPS",
                                                   "ZT_HTTP_MAX_CONNECTIONS",
                                                   "ZT_HTTP_MAX_CONNECTIONS_PER_IP",
                                                   "ZT_HTTP_KEEP_ALIVE_TIMEOUT_MS",
                                                   "ZT_SHUTDOWN_DRAIN_TIMEOUT_MS",
                                                   "ZT_MAX_BODY_BYTES",
                                                   "ZT_HTTP_HEADER_TIMEOUT_MS",
                                                   "ZT_HANDLER_TIMEOUT_MS",
                                                   "SERVICE_URL_<NAME>",
                                                   "ZT_SERVICE_REGISTRY_FILE",
                                                   "SERVICE_DB_PASSWORD_<NAME>"};
    return names;
}

namespace {

constexpr std::size_t kMinAdminTokenLength = 16;

/// Reads one variable with the validation helpers every field uses.
class Reader {
public:
    explicit Reader(const EnvLookup& env) : env_(env) {}

    std::optional<std::string> raw(const std::string& name) const {
        auto v = env_(name);
        if (v && Poco::trim(*v).empty()) return std::nullopt;  // VAR= counts as unset
        return v;
    }

    [[noreturn]] static void fail(const std::string& name, const std::string& expected, const std::string& got) {
        throw ConfigError(name + ": expected " + expected + ", got '" + got + "'");
    }

    bool boolean(const std::string& name, bool def) const {
        auto v = raw(name);
        if (!v) return def;
        std::string s = Poco::toLower(Poco::trim(*v));
        if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
        if (s == "false" || s == "0" || s == "no" || s == "off") return false;
        fail(name, "true or false", *v);
    }

    long long integer(const std::string& name, long long def, long long min, long long max) const {
        auto v = raw(name);
        if (!v) return def;
        std::string s = Poco::trim(*v);
        // std::from_chars, not Poco::NumberParser: Poco skips ',' as a thousands separator
        // ("1,0" would become 10).
        long long out = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        if (s.empty() || ec != std::errc() || end != s.data() + s.size() || out < min || out > max) {
            fail(name, "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]", *v);
        }
        return out;
    }

    double rate(const std::string& name, double def) const {
        auto v = raw(name);
        if (!v) return def;
        std::string s = Poco::trim(*v);
        // strtod with a full-consumption check, not Poco::NumberParser::tryParseFloat, which drops
        // every 'f' ("f" would parse as 0 and silently disable sampling).
        // Plain decimal notation only (strtod alone would also take "0x1", "inf", "nan").
        bool decimal = s.find_first_not_of("0123456789.+-eE") == std::string::npos;
        char* end = nullptr;
        errno = 0;
        double out = s.empty() ? 0.0 : std::strtod(s.c_str(), &end);
        if (s.empty() || !decimal || errno != 0 || end != s.c_str() + s.size() || !std::isfinite(out) || out < 0.0 ||
            out > 1.0) {
            fail(name, "a number in [0, 1]", *v);
        }
        return out;
    }

    std::string oneOf(const std::string& name, const std::string& def,
                      std::initializer_list<const char*> allowed) const {
        auto v = raw(name);
        if (!v) return def;
        std::string s = Poco::toLower(Poco::trim(*v));
        std::string list;
        for (const char* a : allowed) {
            if (s == a) return s;
            list += (list.empty() ? "" : ", ") + std::string(a);
        }
        fail(name, "one of " + list, *v);
    }

    std::string string(const std::string& name, const std::string& def) const {
        auto v = raw(name);
        return v ? *v : def;
    }

    /// An IPv4 or IPv6 address literal (no host names: a listening address must not depend on DNS).
    std::string ipAddress(const std::string& name, const std::string& def) const {
        std::string s = string(name, def);
        unsigned char addr[16];
        if (::inet_pton(AF_INET, s.c_str(), addr) != 1 && ::inet_pton(AF_INET6, s.c_str(), addr) != 1)
            fail(name, "an IPv4 or IPv6 address (e.g. 127.0.0.1, 0.0.0.0 or ::1)", s);
        return s;
    }

private:
    const EnvLookup& env_;
};

std::vector<std::string> splitList(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ',')) {
        item = Poco::trim(item);
        if (!item.empty()) out.push_back(item);
    }
    return out;
}

}  // namespace

std::vector<std::string> splitFolderList(const std::string& variable, const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t colon = text.find(':', start);
        std::string item = text.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
        if (item.empty()) {
            throw ConfigError(variable + ": empty folder in the list '" + text +
                              "' (folders are separated by ':'; write ./ for the current folder)");
        }
        out.push_back(std::move(item));
        if (colon == std::string::npos) break;
        start = colon + 1;
    }
    return out;
}

namespace {

void readDatabaseUrl(const std::string& url, DatabaseSettings& db) {
    auto schemeEnd = url.find("://");
    auto authorityEnd = url.find('/', schemeEnd == std::string::npos ? 0 : schemeEnd + 3);
    std::string authority = url.substr(0, authorityEnd);
    if (std::count(authority.begin(), authority.end(), '@') > 1) {
        throw ConfigError("DATABASE_URL: '@' in the user name or password must be percent-encoded as %40");
    }
    Poco::URI uri;
    try {
        uri = Poco::URI(url);
    } catch (const Poco::Exception& e) {
        throw ConfigError("DATABASE_URL: not a valid URL (" + e.message() + ")");
    }
    if (uri.getScheme() != "postgres" && uri.getScheme() != "postgresql") {
        throw ConfigError("DATABASE_URL: scheme must be postgresql:// or postgres://, got '" + uri.getScheme() + "'");
    }
    if (uri.getHost().empty()) throw ConfigError("DATABASE_URL: missing host");
    db.host = uri.getHost();
    if (uri.getPort() != 0) db.port = uri.getPort();
    std::string path = uri.getPath();
    if (!path.empty() && path[0] == '/') path.erase(0, 1);
    if (!path.empty()) db.database = path;
    std::string userInfo = uri.getUserInfo();
    if (!userInfo.empty()) {
        auto colon = userInfo.find(':');
        std::string user = userInfo.substr(0, colon);
        std::string pass = colon == std::string::npos ? "" : userInfo.substr(colon + 1);
        // Poco::URI::decode appends: clear the defaults first.
        db.username.clear();
        db.password.clear();
        try {
            Poco::URI::decode(user, db.username);
            Poco::URI::decode(pass, db.password);
        } catch (const Poco::SyntaxException&) {
            // A '%' without two hex digits. The value is not echoed: it holds the password.
            throw ConfigError("DATABASE_URL: invalid percent-encoding in the user name or password");
        }
    }
}

std::vector<std::string> readKeysFile(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw ConfigError("SERVICE_API_KEYS_FILE: cannot read '" + path + "'");
    std::vector<std::string> keys;
    std::string line;
    while (std::getline(in, line)) {
        line = Poco::trim(line);
        if (line.empty() || line[0] == '#') continue;
        keys.push_back(line);
    }
    if (keys.empty()) throw ConfigError("SERVICE_API_KEYS_FILE: '" + path + "' contains no key");
    return keys;
}

}  // namespace

EnvConfig EnvConfig::load(const EnvLookup& env, const std::string& defaultPluginDir,
                          const std::string& defaultServicesDir) {
    Reader r(env);
    EnvConfig c;
    c.source = env;

    if (r.raw("MICROSERVICES")) {
        c.microservices = r.boolean("MICROSERVICES", true);
    } else if (r.raw("ENABLE_MICROSERVICES")) {
        c.microservices = r.boolean("ENABLE_MICROSERVICES", true);
    }
    if (auto s = r.raw("SERVICES")) {
        c.services = splitList(*s);
        for (const auto& name : c.services) {
            for (char ch : name) {
                if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_')) {
                    Reader::fail("SERVICES", "comma-separated service names", *s);
                }
            }
        }
    }
    c.tracing = r.boolean("MICROSERVICES_TRACING", false);
    c.tracingRate = r.rate("MICROSERVICES_TRACING_RATE", 1.0);
    // Exactly "true" (docs/CONFIGURATION.md: environment): raw SQL is a security decision, no truthy guessing.
    if (auto v = r.raw("USE_RAW_QRY")) {
        if (*v != "true" && *v != "false") Reader::fail("USE_RAW_QRY", "exactly 'true' or 'false'", *v);
        c.useRawQuery = (*v == "true");
    }

    auto& db = c.database;
    // DB_* are always validated; DATABASE_URL, when set, overrides what it names.
    db.host = r.string("DB_HOST", db.host);
    db.port = static_cast<int>(r.integer("DB_PORT", db.port, 1, 65535));
    db.database = r.string("DB_DATABASE", db.database);
    db.username = r.string("DB_USERNAME", db.username);
    db.password = r.string("DB_PASSWORD", db.password);
    if (auto url = r.raw("DATABASE_URL")) readDatabaseUrl(*url, db);
    db.poolMax = static_cast<int>(r.integer("DB_POOL_MAX", db.poolMax, 1, 10000));
    db.poolIdleTimeoutMs = static_cast<int>(r.integer("DB_POOL_IDLE_TIMEOUT_MS", db.poolIdleTimeoutMs, 0, 86400000));
    db.poolConnectionTimeoutMs =
        static_cast<int>(r.integer("DB_POOL_CONNECTION_TIMEOUT_MS", db.poolConnectionTimeoutMs, 1, 3600000));
    db.defaultIsolation = r.oneOf("DATABASE_ISOLATION", "shared", {"shared", "isolated"});

    if (auto k = r.raw("SERVICE_API_KEY")) c.apiKeys = splitList(*k);
    if (auto f = r.raw("SERVICE_API_KEYS_FILE")) {
        auto fileKeys = readKeysFile(*f);
        c.apiKeys.insert(c.apiKeys.end(), fileKeys.begin(), fileKeys.end());
    }
    c.jwtSecret = r.string("SERVICE_JWT_SECRET", "");
    if (!c.jwtSecret.empty() && c.jwtSecret.size() < 32) {
        throw ConfigError("SERVICE_JWT_SECRET: must be at least 32 bytes for HS256, got " +
                          std::to_string(c.jwtSecret.size()));
    }
    c.jwtPublicKeyFile = r.string("SERVICE_JWT_PUBLIC_KEY_FILE", "");
    if (!c.jwtPublicKeyFile.empty() && !std::ifstream(c.jwtPublicKeyFile)) {
        throw ConfigError("SERVICE_JWT_PUBLIC_KEY_FILE: cannot read '" + c.jwtPublicKeyFile + "'");
    }
    c.jwtIssuer = r.string("SERVICE_JWT_ISSUER", "");
    c.jwtAudience = r.string("SERVICE_JWT_AUDIENCE", "");

    c.serviceCallTimeoutMs = static_cast<int>(r.integer("SERVICE_CALL_TIMEOUT_MS", c.serviceCallTimeoutMs, 1, 600000));
    c.serviceCallRetries = static_cast<int>(r.integer("SERVICE_CALL_RETRIES", c.serviceCallRetries, 0, 10));
    c.circuitBreakerThreshold =
        static_cast<int>(r.integer("CIRCUIT_BREAKER_THRESHOLD", c.circuitBreakerThreshold, 1, 1000));
    c.circuitBreakerTimeoutMs =
        static_cast<int>(r.integer("CIRCUIT_BREAKER_TIMEOUT_MS", c.circuitBreakerTimeoutMs, 1, 3600000));
    c.healthCheckIntervalMs =
        static_cast<int>(r.integer("SERVICE_HEALTH_CHECK_INTERVAL_MS", c.healthCheckIntervalMs, 100, 3600000));
    c.healthCheckTimeoutMs =
        static_cast<int>(r.integer("SERVICE_HEALTH_CHECK_TIMEOUT_MS", c.healthCheckTimeoutMs, 10, 600000));

    c.logLevel = r.oneOf("LOG_LEVEL", "information",
                         {"fatal", "critical", "error", "warning", "notice", "information", "debug", "trace", "none"});
    c.logFormat = r.oneOf("LOG_FORMAT", "text", {"text", "json"});
    c.accessLog = r.boolean("ZT_ACCESS_LOG", false);

    c.adminPort = static_cast<int>(r.integer("ADMIN_PORT", c.adminPort, 0, 65535));
    c.pluginDir = r.string("ZT_PLUGIN_DIR", defaultPluginDir);
    c.servicesDir = r.string("ZT_SERVICES_DIR", defaultServicesDir);
    c.pluginDirs = splitFolderList("ZT_PLUGIN_DIR", c.pluginDir);
    c.servicesDirs = splitFolderList("ZT_SERVICES_DIR", c.servicesDir);
    c.otlpEndpoint = r.string("OTEL_EXPORTER_OTLP_ENDPOINT", "");
    if (!c.otlpEndpoint.empty()) {
        try {
            Poco::URI u(c.otlpEndpoint);
            if ((u.getScheme() != "http" && u.getScheme() != "https") || u.getHost().empty()) {
                Reader::fail("OTEL_EXPORTER_OTLP_ENDPOINT", "an http:// or https:// URL", c.otlpEndpoint);
            }
        } catch (const Poco::SyntaxException&) {
            Reader::fail("OTEL_EXPORTER_OTLP_ENDPOINT", "an http:// or https:// URL", c.otlpEndpoint);
        }
    }
    c.bindAddress = r.string("ZT_BIND_ADDRESS", c.bindAddress);
    // The admin port answers on loopback unless told otherwise: it lists every service and its
    // pools and, later, controls them, so it is not for the network by default.
    c.adminBindAddress = r.ipAddress("ADMIN_BIND_ADDRESS", c.adminBindAddress);
    // /control/* reloads and restarts services: a token short enough to guess is refused.
    c.adminToken = r.string("ADMIN_TOKEN", "");
    if (!c.adminToken.empty() && c.adminToken.size() < kMinAdminTokenLength) {
        throw ConfigError("ADMIN_TOKEN: expected at least " + std::to_string(kMinAdminTokenLength) +
                          " characters (openssl rand -hex 32 makes one), got " + std::to_string(c.adminToken.size()));
    }
    c.workerService = r.string("ZT_WORKER_SERVICE", "");
    c.workerPort = static_cast<int>(r.integer("ZT_WORKER_PORT", 0, 0, 65535));
    c.workerDbPassword = r.string("ZT_WORKER_DB_PASSWORD", "");
    if (c.workerMode() && c.workerPort == 0) {
        throw ConfigError("ZT_WORKER_PORT: required with ZT_WORKER_SERVICE (set by the host for its worker processes)");
    }
    c.httpMaxThreads = static_cast<int>(r.integer("ZT_HTTP_MAX_THREADS", c.httpMaxThreads, 2, 10000));
    c.httpMaxActiveHandlers =
        static_cast<int>(r.integer("ZT_HTTP_MAX_ACTIVE_HANDLERS", c.httpMaxActiveHandlers, 0, 10000));
    c.httpEventLoops = static_cast<int>(r.integer("ZT_HTTP_EVENT_LOOPS", c.httpEventLoops, 1, 64));
    c.httpMaxConnections = static_cast<int>(r.integer("ZT_HTTP_MAX_CONNECTIONS", c.httpMaxConnections, 0, 1000000));
    c.httpMaxConnectionsPerIp =
        static_cast<int>(r.integer("ZT_HTTP_MAX_CONNECTIONS_PER_IP", c.httpMaxConnectionsPerIp, 0, 1000000));
    c.httpKeepAliveTimeoutMs =
        static_cast<int>(r.integer("ZT_HTTP_KEEP_ALIVE_TIMEOUT_MS", c.httpKeepAliveTimeoutMs, 100, 600000));
    c.shutdownDrainTimeoutMs =
        static_cast<int>(r.integer("ZT_SHUTDOWN_DRAIN_TIMEOUT_MS", c.shutdownDrainTimeoutMs, 0, 600000));
    c.maxBodyBytes = static_cast<std::size_t>(
        r.integer("ZT_MAX_BODY_BYTES", static_cast<long long>(c.maxBodyBytes), 0, 1024LL * 1024 * 1024));
    c.httpHeaderTimeoutMs =
        static_cast<int>(r.integer("ZT_HTTP_HEADER_TIMEOUT_MS", c.httpHeaderTimeoutMs, 100, 600000));
    c.handlerTimeoutMs = static_cast<int>(r.integer("ZT_HANDLER_TIMEOUT_MS", c.handlerTimeoutMs, 0, 3600000));
    return c;
}

std::string serviceVariableName(const std::string& prefix, const std::string& serviceName) {
    std::string name = prefix;
    for (char ch : serviceName)
        name += ch == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return name;
}

std::optional<std::string> EnvConfig::serviceDbPassword(const std::string& serviceName) const {
    if (!source) return std::nullopt;
    const std::string name = serviceVariableName("SERVICE_DB_PASSWORD_", serviceName);
    auto v = source(name);
    if (!v || v->empty()) return std::nullopt;
    // The value is never echoed: it is a password.
    for (char ch : *v) {
        if (std::isspace(static_cast<unsigned char>(ch)) || ch == '\'' || ch == '"' || ch == '\\')
            throw ConfigError(name + ": must not contain whitespace, quotes or backslashes");
    }
    if (v->size() < 16) throw ConfigError(name + ": must be at least 16 characters, got " + std::to_string(v->size()));
    return v;
}

void loadEnvFile(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw ConfigError("--env-file: cannot read '" + path + "'");
    std::string line;
    int lineNo = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        std::string t = Poco::trim(line);
        if (t.empty() || t[0] == '#') continue;
        if (t.rfind("export ", 0) == 0) t = Poco::trim(t.substr(7));
        auto eq = t.find('=');
        std::string where = path + ":" + std::to_string(lineNo);
        if (eq == std::string::npos || eq == 0) {
            throw ConfigError(where + ": expected KEY=VALUE");
        }
        std::string key = Poco::trim(t.substr(0, eq));
        for (char ch : key) {
            if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_')) {
                throw ConfigError(where + ": invalid variable name '" + key + "'");
            }
        }
        std::string value = Poco::trim(t.substr(eq + 1));
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'')) {
            if (value.back() != value.front()) throw ConfigError(where + ": unterminated quote");
            value = value.substr(1, value.size() - 2);
        }
        // The real environment wins (like dotenv): a systemd/docker override beats the file.
        if (!Poco::Environment::has(key)) Poco::Environment::set(key, value);
    }
}

}  // namespace zt::config
