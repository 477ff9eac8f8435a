#include "config/JsonTypeName.h"
#include "registry/RemoteServices.h"

#include <Poco/JSON/JSONException.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "config/ConfigError.h"

extern char** environ;

namespace zt::registry {

namespace {

// Same rule as service.config.json "name", so a remote name could also be a local one.
bool validServiceName(const std::string& name) {
    static const std::regex re("^[a-z][a-z0-9_-]{0,62}$");
    return std::regex_match(name, re);
}

/// Validates `url` and fills baseUrl/host/port. `where` names the variable or "<file>: <key>".
void parseBaseUrl(const std::string& url, const std::string& where, RemoteService& out) {
    auto fail = [&](const std::string& problem) -> void {
        throw config::ConfigError(where + ": " + problem + ", got '" + url + "'");
    };
    Poco::URI uri;
    try {
        uri = Poco::URI(url);
    } catch (const Poco::Exception& e) {
        fail("invalid URL (" + e.message() + ")");
    }
    const std::string scheme = Poco::toLower(uri.getScheme());
    if (scheme != "http" && scheme != "https") fail("expected an http:// or https:// URL");
    if (uri.getHost().empty()) fail("the URL has no host");
    if (!uri.getUserInfo().empty()) fail("the URL must not contain user info");
    if (!uri.getPath().empty() && uri.getPath() != "/") fail("the URL must not have a path");
    if (!uri.getRawQuery().empty() || !uri.getFragment().empty()) fail("the URL must not have a query or fragment");
    // Poco::URI rejects ports outside 1..65535 but takes "host:" for the default port: refuse
    // that half-written form (getAuthority() is rebuilt, so look at the text itself).
    const auto start = url.find("://") + 3;
    const auto end = url.find_first_of("/?#", start);
    const std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!authority.empty() && authority.back() == ':') fail("the URL has an empty port");
    out.host = uri.getHost();
    out.port = uri.getPort();
    const bool ipv6 = out.host.find(':') != std::string::npos;
    out.baseUrl = scheme + "://" + (ipv6 ? "[" + out.host + "]" : out.host) + ":" + std::to_string(out.port);
}

std::string readWholeFile(const std::string& path, const std::string& variable) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw config::ConfigError(variable + ": cannot read registry file '" + path + "'");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<RemoteService> parseRegistryFile(const std::string& path) {
    const std::string text = readWholeFile(path, RemoteServices::kRegistryFileVariable);
    auto fail = [&](const std::string& key, const std::string& problem) {
        throw config::ConfigError(path + ": " + key + ": " + problem);
    };
    Poco::Dynamic::Var doc;
    try {
        Poco::JSON::Parser parser;
        doc = parser.parse(text);
    } catch (const Poco::Exception& e) {
        fail("(document)", "invalid JSON: " + e.message());
    }
    if (doc.type() != typeid(Poco::JSON::Object::Ptr)) {
        fail("(document)", std::string("must be a JSON object, got ") + config::jsonTypeName(doc));
    }
    auto root = doc.extract<Poco::JSON::Object::Ptr>();
    if (!root->has("services")) fail("services", "is required");
    auto list = root->get("services");
    if (list.type() != typeid(Poco::JSON::Array::Ptr)) {
        fail("services", std::string("must be an array, got ") + config::jsonTypeName(list));
    }
    auto& logger = Poco::Logger::get("zt.registry");
    for (const auto& name : root->getNames()) {
        if (name != "services") logger.warning(path + ": " + name + ": unknown key (ignored)");
    }

    static const std::set<std::string> known = {"name", "baseUrl", "domain", "version", "auth", "healthCheck"};
    static const std::set<std::string> strategies = {"api-key", "jwt", "custom", "none"};
    std::vector<RemoteService> out;
    std::set<std::string> seen;
    auto array = list.extract<Poco::JSON::Array::Ptr>();
    for (std::size_t i = 0; i < array->size(); ++i) {
        const std::string prefix = "services[" + std::to_string(i) + "]";
        auto item = array->get(static_cast<unsigned>(i));
        if (item.type() != typeid(Poco::JSON::Object::Ptr)) {
            fail(prefix, std::string("must be an object, got ") + config::jsonTypeName(item));
        }
        auto o = item.extract<Poco::JSON::Object::Ptr>();
        auto text = [&](const std::string& member, bool required) -> std::string {
            if (!o->has(member)) {
                if (required) fail(prefix + "." + member, "is required");
                return {};
            }
            auto v = o->get(member);
            if (!v.isString())
                fail(prefix + "." + member, std::string("must be a string, got ") + config::jsonTypeName(v));
            return v.extract<std::string>();
        };
        RemoteService s;
        s.source = path + ": " + prefix;
        s.name = text("name", true);
        if (!validServiceName(s.name)) {
            fail(prefix + ".name", "must match [a-z][a-z0-9_-]{0,62}, got '" + s.name + "'");
        }
        if (!seen.insert(s.name).second) fail(prefix + ".name", "duplicate service name '" + s.name + "'");
        parseBaseUrl(text("baseUrl", true), path + ": " + prefix + ".baseUrl", s);
        s.domain = text("domain", false);
        s.version = text("version", false);
        s.auth = text("auth", false);
        if (o->has("auth") && !strategies.count(s.auth)) {
            fail(prefix + ".auth", "must be one of api-key, jwt, custom, none, got '" + s.auth + "'");
        }
        if (o->has("healthCheck")) {
            s.healthCheck = text("healthCheck", false);
            if (s.healthCheck.empty() || s.healthCheck.front() != '/') {
                fail(prefix + ".healthCheck", "must be a path starting with '/', got '" + s.healthCheck + "'");
            }
        }
        for (const auto& name : o->getNames()) {
            if (!known.count(name)) logger.warning(path + ": " + prefix + "." + name + ": unknown key (ignored)");
        }
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace

RemoteServices::RemoteServices(std::vector<RemoteService> services) : services_(std::move(services)) {}

std::vector<RemoteService> RemoteServices::load(const config::EnvLookup& env,
                                                const std::vector<std::string>& variableNames) {
    std::map<std::string, RemoteService> byName;
    if (auto file = env(kRegistryFileVariable); file && !file->empty()) {
        for (auto& s : parseRegistryFile(*file)) byName[s.name] = std::move(s);
    }

    const std::string prefix = kUrlPrefix;
    std::set<std::string> variables(variableNames.begin(), variableNames.end());  // sorted, unique
    std::map<std::string, std::string> nameSource;  // service name -> variable that set it
    for (const auto& variable : variables) {
        if (variable.rfind(prefix, 0) != 0) continue;
        auto value = env(variable);
        if (!value) continue;  // listed but unset (the list and the environment may differ)
        std::string name = Poco::toLower(variable.substr(prefix.size()));
        std::replace(name.begin(), name.end(), '_', '-');
        if (!validServiceName(name)) {
            throw config::ConfigError(variable + ": the service name after " + prefix +
                                      " must give [a-z][a-z0-9-]{0,62} once lower-cased with '_' as '-', got '" + name +
                                      "'");
        }
        if (auto other = nameSource.find(name); other != nameSource.end()) {
            // SERVICE_URL_ORDERS and SERVICE_URL_orders both name "orders".
            throw config::ConfigError(variable + ": names the same service '" + name + "' as " + other->second);
        }
        nameSource[name] = variable;
        auto& s = byName[name];  // keeps the file's description when there is one
        s.name = name;
        s.source = variable;
        parseBaseUrl(*value, variable, s);
    }

    std::vector<RemoteService> out;
    out.reserve(byName.size());
    for (auto& [_, s] : byName) out.push_back(std::move(s));
    return out;
}

std::vector<std::string> RemoteServices::processVariableNames() {
    std::vector<std::string> names;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        std::string entry(*e);
        names.push_back(entry.substr(0, entry.find('=')));
    }
    return names;
}

std::vector<RemoteService> RemoteServices::loadFromProcess() {
    return load(config::processEnvironment(), processVariableNames());
}

void RemoteServices::registerAll(MicroserviceManager& manager) const {
    for (const auto& s : services_) {
        // configFile: a service of this host's folders (an isolated one is not `local`: it is
        // called over HTTP, but it is still this host's).
        if (auto existing = manager.find(s.name); existing && (existing->local || !existing->configFile.empty())) {
            throw config::ConfigError(s.source + ": remote service '" + s.name +
                                      "' has the name of the local service configured in " +
                                      (existing->configFile.empty() ? std::string("this host") : existing->configFile));
        }
    }
    for (const auto& s : services_) {
        ServiceRecord record;
        record.name = s.name;
        record.domain = s.domain;
        record.version = s.version;
        record.baseUrl = s.baseUrl;
        record.port = s.port;
        record.local = false;
        record.status = ServiceStatus::Starting;
        record.configFile = s.source;
        manager.registerService(std::move(record));
    }
}

const RemoteService* RemoteServices::find(const std::string& name) const {
    for (const auto& s : services_) {
        if (s.name == name) return &s;
    }
    return nullptr;
}

std::string RemoteServices::authStrategy(const std::string& name) const {
    const auto* s = find(name);
    return s ? s->auth : std::string();
}

std::string RemoteServices::healthCheckPath(const std::string& name) const {
    const auto* s = find(name);
    return s ? s->healthCheck : std::string("/health");
}

}  // namespace zt::registry
