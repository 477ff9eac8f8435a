#pragma once
#include <string>

namespace zt::app {

/// Configures the root logger: LOG_LEVEL and LOG_FORMAT ("text" lines or one JSON object per line)
/// to stderr. Called once in main before anything logs.
void configureLogging(const std::string& level, const std::string& format);

}  // namespace zt::app
