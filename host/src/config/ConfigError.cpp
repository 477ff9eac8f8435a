#include "config/ConfigError.h"

#include <typeinfo>

namespace zt::config {

POCO_IMPLEMENT_EXCEPTION(ConfigError, Poco::DataException, "Configuration error")

}  // namespace zt::config
