#pragma once
// What a reload compares to decide whether a service changed (docs/OPERATIONS.md: reload): the
// SHA-256 of its plugin file, its service.config.json and, when it has migrations, every file of
// its migrations folder (names and bytes, in name order). Bytes, not modification times: a file
// copied over with the same content is no change, and a change within the same second is one.
#include <string>

#include "config/ServiceConfig.h"

namespace zt::bootstrap {

/// Hex SHA-256 of everything above. A file that cannot be read counts with its error text, so a
/// plugin that appears later is a change too. Never throws.
std::string serviceFingerprint(const config::ServiceConfig& config, const std::string& pluginPath);

}  // namespace zt::bootstrap
