#pragma once
#include <Poco/Exception.h>

namespace zt::config {

/// A bad environment variable, env file, or service.config.json. The message always names the
/// variable or the file and key ("SERVICE_CALL_RETRIES: expected an integer >= 0, got 'x'").
POCO_DECLARE_EXCEPTION(, ConfigError, Poco::DataException)

}  // namespace zt::config
