#pragma once
// Finds <servicesDir>/<domain>/<service>/service.config.json (README: service.config.json). Folders named "shared"
// are skipped. One bad file fails that service only: its error is collected and discovery goes on.
#include <string>
#include <vector>

#include "config/ServiceConfig.h"

namespace zt::config {

struct DiscoveryProblem {
    std::string file;     ///< the service.config.json (or folder) concerned
    std::string message;  ///< "<file>: <key>: <problem>"
};

struct DiscoveryResult {
    std::vector<ServiceConfig> services;  ///< valid, unique names and ports, sorted by name
    std::vector<DiscoveryProblem> errors;
    std::vector<std::string> warnings;
};

class ServiceDiscovery {
public:
    /// Scans `servicesDir`. A missing folder is one error, not an exception.
    static DiscoveryResult discover(const std::string& servicesDir);
};

}  // namespace zt::config
