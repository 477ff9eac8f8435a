#include "config/ServiceConfig.h"

#include <Poco/File.h>
#include <Poco/JSON/JSONException.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Path.h>

#include <cmath>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "config/ConfigError.h"
#include "config/JsonTypeName.h"

namespace zt::config {

namespace {

/// Validates one JSON document; every error names the file and the dotted key.
class Validator {
public:
    explicit Validator(std::string file) : file_(std::move(file)) {}

    [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
        throw ConfigError(file_ + ": " + key + ": " + problem);
    }

    static const char* typeName(const Poco::Dynamic::Var& v) { return jsonTypeName(v); }

    std::string string(const Poco::JSON::Object::Ptr& o, const std::string& member, const std::string& key,
                       bool required, const std::string& def = "") const {
        if (!o->has(member)) {
            if (required) fail(key, "is required");
            return def;
        }
        auto v = o->get(member);
        if (!v.isString()) fail(key, std::string("must be a string, got ") + typeName(v));
        return v.extract<std::string>();
    }

    bool boolean(const Poco::JSON::Object::Ptr& o, const std::string& member, const std::string& key, bool def) const {
        if (!o->has(member)) return def;
        auto v = o->get(member);
        if (v.type() != typeid(bool)) fail(key, std::string("must be a boolean, got ") + typeName(v));
        return v.extract<bool>();
    }

    double number(const Poco::JSON::Object::Ptr& o, const std::string& member, const std::string& key) const {
        auto v = o->get(member);
        if (!v.isNumeric() || v.type() == typeid(bool) || v.isString()) {
            fail(key, std::string("must be a number, got ") + typeName(v));
        }
        return v.convert<double>();
    }

    Poco::JSON::Object::Ptr object(const Poco::JSON::Object::Ptr& o, const std::string& member,
                                   const std::string& key) const {
        if (!o->has(member)) return nullptr;
        auto v = o->get(member);
        if (v.type() != typeid(Poco::JSON::Object::Ptr)) {
            fail(key, std::string("must be an object, got ") + typeName(v));
        }
        return v.extract<Poco::JSON::Object::Ptr>();
    }

    std::vector<std::string> stringArray(const Poco::JSON::Object::Ptr& o, const std::string& member,
                                         const std::string& key) const {
        std::vector<std::string> out;
        if (!o->has(member)) return out;
        auto v = o->get(member);
        if (v.type() != typeid(Poco::JSON::Array::Ptr)) {
            fail(key, std::string("must be an array of strings, got ") + typeName(v));
        }
        auto arr = v.extract<Poco::JSON::Array::Ptr>();
        for (std::size_t i = 0; i < arr->size(); ++i) {
            auto item = arr->get(static_cast<unsigned>(i));
            if (!item.isString()) {
                fail(key + "[" + std::to_string(i) + "]", std::string("must be a string, got ") + typeName(item));
            }
            out.push_back(item.extract<std::string>());
        }
        return out;
    }

    void unknownKeys(const Poco::JSON::Object::Ptr& o, const std::string& prefix, const std::set<std::string>& known,
                     std::vector<std::string>& warnings) const {
        for (const auto& name : o->getNames()) {
            if (!known.count(name)) {
                warnings.push_back(file_ + ": " + prefix + name + ": unknown key (ignored)");
            }
        }
    }

private:
    std::string file_;
};

const std::regex& serviceNamePattern() {
    static const std::regex re("^[a-z][a-z0-9_-]{0,62}$");
    return re;
}
const std::regex& identifierPattern() {
    static const std::regex re("^[A-Za-z_][A-Za-z0-9_]{0,62}$");
    return re;
}

}  // namespace

namespace {
std::string domainAndName(const std::string& domain, const std::string& name) {
    std::string s = domain + "_" + name;
    for (auto& c : s) {
        if (c == '-') c = '_';
    }
    return s;
}
}  // namespace

std::string ServiceConfig::schemaName() const {
    return database.schema.empty() ? domainAndName(domain, name) : database.schema;
}

std::string ServiceConfig::roleName() const {
    return database.role.empty() ? domainAndName(domain, name) : database.role;
}

ServiceConfig ServiceConfig::parse(const std::string& jsonText, const std::string& configFile) {
    Validator v(configFile);
    Poco::Dynamic::Var doc;
    try {
        Poco::JSON::Parser parser;
        doc = parser.parse(jsonText);
    } catch (const Poco::Exception& e) {
        throw ConfigError(configFile + ": (document): invalid JSON: " + e.message());
    }
    if (doc.type() != typeid(Poco::JSON::Object::Ptr)) {
        v.fail("(document)", std::string("must be a JSON object, got ") + Validator::typeName(doc));
    }
    auto root = doc.extract<Poco::JSON::Object::Ptr>();

    ServiceConfig c;
    c.raw = root;
    c.configFile = configFile;
    c.directory = Poco::Path(configFile).parent().toString();
    if (!c.directory.empty() && c.directory.back() == '/') c.directory.pop_back();

    c.name = v.string(root, "name", "name", true);
    if (!std::regex_match(c.name, serviceNamePattern())) {
        v.fail("name", "must match [a-z][a-z0-9_-]* (at most 63 characters), got '" + c.name + "'");
    }
    c.domain = v.string(root, "domain", "domain", true);
    if (!std::regex_match(c.domain, serviceNamePattern())) {
        v.fail("domain", "must match [a-z][a-z0-9_-]*, got '" + c.domain + "'");
    }
    c.version = v.string(root, "version", "version", false, c.version);
    if (!root->has("port")) v.fail("port", "is required");
    {
        double p = v.number(root, "port", "port");
        if (p != std::floor(p) || p < 1 || p > 65535) {
            v.fail("port", "must be an integer in [1, 65535], got " + root->get("port").toString());
        }
        c.port = static_cast<int>(p);
    }
    c.plugin = v.string(root, "plugin", "plugin", false, "libzt_" + c.name + ".so");
    if (c.plugin.empty() || c.plugin.find('/') != std::string::npos || c.plugin == "." || c.plugin == "..") {
        v.fail("plugin", "must be a file name inside the plugin folder, got '" + c.plugin + "'");
    }
    c.description = v.string(root, "description", "description", false);
    c.dependencies = v.stringArray(root, "dependencies", "dependencies");
    for (std::size_t i = 0; i < c.dependencies.size(); ++i) {
        if (!std::regex_match(c.dependencies[i], serviceNamePattern())) {
            v.fail("dependencies[" + std::to_string(i) + "]",
                   "must be a service name, got '" + c.dependencies[i] + "'");
        }
        if (c.dependencies[i] == c.name) {
            v.fail("dependencies[" + std::to_string(i) + "]", "a service cannot depend on itself");
        }
    }
    c.healthCheck = v.string(root, "healthCheck", "healthCheck", false, c.healthCheck);
    if (c.healthCheck.empty() || c.healthCheck[0] != '/') {
        v.fail("healthCheck", "must be a path starting with '/', got '" + c.healthCheck + "'");
    }

    c.process = v.string(root, "process", "process", false, c.process);
    if (c.process != "shared" && c.process != "isolated") {
        v.fail("process", "must be \"shared\" or \"isolated\", got '" + c.process + "'");
    }

    if (auto db = v.object(root, "database", "database")) {
        c.database.enabled = true;
        c.database.isolation = v.string(db, "isolation", "database.isolation", false);
        if (!c.database.isolation.empty() && c.database.isolation != "shared" && c.database.isolation != "isolated") {
            v.fail("database.isolation", "must be \"shared\" or \"isolated\", got '" + c.database.isolation + "'");
        }
        c.database.migrations = v.boolean(db, "migrations", "database.migrations", false);
        c.database.schema = v.string(db, "schema", "database.schema", false);
        if (!c.database.schema.empty() && !std::regex_match(c.database.schema, identifierPattern())) {
            v.fail("database.schema",
                   "must be an SQL identifier [A-Za-z_][A-Za-z0-9_]*, got '" + c.database.schema + "'");
        }
        c.database.role = v.string(db, "role", "database.role", false);
        if (!c.database.role.empty() && !std::regex_match(c.database.role, identifierPattern())) {
            v.fail("database.role", "must be an SQL identifier [A-Za-z_][A-Za-z0-9_]*, got '" + c.database.role + "'");
        }
        if (c.database.role.rfind("pg_", 0) == 0 || c.database.role.rfind("PG_", 0) == 0) {
            v.fail("database.role",
                   "names starting with pg_ are reserved by PostgreSQL, got '" + c.database.role + "'");
        }
        v.unknownKeys(db, "database.", {"isolation", "migrations", "schema", "role"}, c.warnings);
        // PostgreSQL identifiers are at most 63 bytes (longer ones are silently truncated, so two
        // services could share a schema or a role): refuse a too-long default instead.
        if (c.database.schema.empty() && c.schemaName().size() > 63) {
            v.fail("database.schema",
                   "the default schema '" + c.schemaName() + "' is longer than 63 characters; set database.schema");
        }
        if (c.database.role.empty() && c.roleName().size() > 63) {
            v.fail("database.role",
                   "the default role '" + c.roleName() + "' is longer than 63 characters; set database.role");
        }
    }

    if (auto auth = v.object(root, "auth", "auth")) {
        c.auth.strategy = v.string(auth, "strategy", "auth.strategy", false, "none");
        if (c.auth.strategy != "api-key" && c.auth.strategy != "jwt" && c.auth.strategy != "custom" &&
            c.auth.strategy != "none") {
            v.fail("auth.strategy", "must be one of api-key, jwt, custom, none; got '" + c.auth.strategy + "'");
        }
        c.auth.algorithms = v.stringArray(auth, "algorithms", "auth.algorithms");
        for (std::size_t i = 0; i < c.auth.algorithms.size(); ++i) {
            const auto& a = c.auth.algorithms[i];
            if (a != "HS256" && a != "RS256" && a != "ES256") {
                v.fail("auth.algorithms[" + std::to_string(i) + "]", "must be HS256, RS256 or ES256, got '" + a + "'");
            }
        }
        c.auth.issuer = v.string(auth, "issuer", "auth.issuer", false);
        c.auth.audience = v.string(auth, "audience", "auth.audience", false);
        v.unknownKeys(auth, "auth.", {"strategy", "algorithms", "issuer", "audience"}, c.warnings);
    }

    if (auto tr = v.object(root, "tracing", "tracing")) {
        if (tr->has("enabled")) c.tracing.enabled = v.boolean(tr, "enabled", "tracing.enabled", false);
        if (tr->has("samplingRate")) {
            double r = v.number(tr, "samplingRate", "tracing.samplingRate");
            if (!(r >= 0.0 && r <= 1.0)) {
                v.fail("tracing.samplingRate", "must be a number in [0, 1], got " + tr->get("samplingRate").toString());
            }
            c.tracing.samplingRate = r;
        }
        v.unknownKeys(tr, "tracing.", {"enabled", "samplingRate"}, c.warnings);
    }
    v.object(root, "config", "config");  // free-form plugin settings, but must be an object

    v.unknownKeys(root, "",
                  {"name", "domain", "version", "port", "plugin", "description", "dependencies", "healthCheck",
                   "process", "database", "auth", "tracing", "config"},
                  c.warnings);
    return c;
}

ServiceConfig ServiceConfig::load(const std::string& configFile) {
    std::ifstream in(configFile, std::ios::binary);
    if (!in) throw ConfigError(configFile + ": (file): cannot be read");
    std::stringstream ss;
    ss << in.rdbuf();
    return parse(ss.str(), Poco::Path(configFile).absolute().toString());
}

}  // namespace zt::config
