#pragma once
// Finds <servicesDir>/<domain>/<service>/service.config.json (docs/CONFIGURATION.md: service.config.json). Folders named "shared"
// are skipped. One bad file fails that service only: its error is collected and discovery goes on.
// With several folders (ZT_SERVICES_DIR=a:b) they are scanned in order: a name, port or database
// role already taken by an earlier folder's service is a duplicate in the later one.
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
    /// Scans each folder in order. A missing folder is a warning while another folder of the list
    /// exists, an error naming ZT_SERVICES_DIR when none does.
    static DiscoveryResult discover(const std::vector<std::string>& servicesDirs);
};

}  // namespace zt::config
