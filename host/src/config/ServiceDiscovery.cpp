#include "config/ServiceDiscovery.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/Path.h>

#include <algorithm>
#include <map>

#include "config/ConfigError.h"

namespace zt::config {

namespace {
std::vector<std::string> sortedSubdirectories(const std::string& dir) {
    std::vector<std::string> out;
    for (Poco::DirectoryIterator it(dir), end; it != end; ++it) {
        try {
            if (it->isDirectory() && it.name() != "shared" && it.name()[0] != '.') {
                out.push_back(it.path().toString());
            }
        } catch (const Poco::Exception&) {
            // dangling link or vanished entry: not a service folder
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}
}  // namespace

DiscoveryResult ServiceDiscovery::discover(const std::string& servicesDir) {
    return discover(std::vector<std::string>{servicesDir});
}

DiscoveryResult ServiceDiscovery::discover(const std::vector<std::string>& servicesDirs) {
    DiscoveryResult result;
    // A missing folder is an error when no folder of the list exists (a typo in the only one); in
    // a list where others exist it is a warning, so an operator who removed their own empty
    // services.d still gets the package's services.
    std::vector<std::string> domainDirs, missing;
    for (const auto& servicesDir : servicesDirs) {
        Poco::File root(servicesDir);
        if (!root.exists() || !root.isDirectory()) {
            missing.push_back(servicesDir);
            continue;
        }
        for (auto& d : sortedSubdirectories(servicesDir)) domainDirs.push_back(std::move(d));
    }
    for (const auto& dir : missing) {
        std::string message = dir + ": services folder does not exist (set ZT_SERVICES_DIR)";
        if (missing.size() == servicesDirs.size()) {
            result.errors.push_back({dir, message});
        } else {
            result.warnings.push_back(message + "; the other folders of the list are scanned");
        }
    }
    std::vector<ServiceConfig> found;
    for (const auto& domainDir : domainDirs) {
        for (const auto& serviceDir : sortedSubdirectories(domainDir)) {
            Poco::Path file(serviceDir);
            file.makeDirectory().setFileName("service.config.json");
            std::string path = file.toString();
            if (!Poco::File(path).exists()) continue;  // a folder without config is not a service
            try {
                ServiceConfig cfg = ServiceConfig::load(path);
                for (const auto& w : cfg.warnings) result.warnings.push_back(w);
                found.push_back(std::move(cfg));
            } catch (const ConfigError& e) {
                result.errors.push_back({path, e.message()});
            } catch (const Poco::Exception& e) {
                result.errors.push_back({path, path + ": " + e.displayText()});
            }
        }
    }
    // Duplicates: the first file (in path order) keeps the name/port/role, later ones fail. Two
    // services on one database role would read each other's data (docs/DATABASE.md: roles).
    std::map<std::string, std::string> byName;
    std::map<int, std::string> byPort;
    std::map<std::string, std::string> byRole;
    std::map<std::string, std::string> bySchema;
    for (auto& cfg : found) {
        if (auto it = byName.find(cfg.name); it != byName.end()) {
            result.errors.push_back({cfg.configFile, cfg.configFile + ": name: duplicate service name '" + cfg.name +
                                                         "' (also in " + it->second + ")"});
            continue;
        }
        if (auto it = byPort.find(cfg.port); it != byPort.end()) {
            result.errors.push_back({cfg.configFile, cfg.configFile + ": port: duplicate port " +
                                                         std::to_string(cfg.port) + " (also in " + it->second + ")"});
            continue;
        }
        if (cfg.database.enabled) {
            if (auto it = byRole.find(cfg.roleName()); it != byRole.end()) {
                result.errors.push_back({cfg.configFile, cfg.configFile + ": database.role: duplicate role '" +
                                                             cfg.roleName() + "' (also in " + it->second + ")"});
                continue;
            }
            // Two services in one schema would own each other's tables.
            if (auto it = bySchema.find(cfg.schemaName()); it != bySchema.end()) {
                result.errors.push_back({cfg.configFile, cfg.configFile + ": database.schema: duplicate schema '" +
                                                             cfg.schemaName() + "' (also in " + it->second + ")"});
                continue;
            }
            byRole[cfg.roleName()] = cfg.configFile;
            bySchema[cfg.schemaName()] = cfg.configFile;
        }
        byName[cfg.name] = cfg.configFile;
        byPort[cfg.port] = cfg.configFile;
        result.services.push_back(std::move(cfg));
    }
    std::sort(result.services.begin(), result.services.end(),
              [](const ServiceConfig& a, const ServiceConfig& b) { return a.name < b.name; });
    return result;
}

}  // namespace zt::config
