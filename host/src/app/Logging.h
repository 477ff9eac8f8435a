#pragma once
#include <Poco/AutoPtr.h>
#include <Poco/Formatter.h>

#include <string>

namespace zt::app {

/// Configures the root logger: LOG_LEVEL and LOG_FORMAT ("text" lines or one JSON object per line)
/// to stderr. Called once in main before anything logs.
void configureLogging(const std::string& level, const std::string& format);

/// The formatter of LOG_FORMAT `format`: "json" writes one OpenTelemetry log record per line
/// (docs/MONITORING.md: logs), anything else a text line.
Poco::AutoPtr<Poco::Formatter> makeLogFormatter(const std::string& format);

}  // namespace zt::app
