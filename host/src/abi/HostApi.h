#pragma once
// The host side of zt_host_api: the function table handed to every plugin (its handles are
// defined in service/PluginHandles.h). docs/PLUGINS.md lists each function's thread rule.
#include "plugin/AbiStrings.h"
#include "service/PluginHandles.h"
#include "zintrust/plugin.h"

namespace zt::abi {

/// The table given to plugins. OWNERSHIP: static storage, valid for the whole process.
const zt_host_api* hostApiTable();

using plugin::str;
using plugin::view;

}  // namespace zt::abi
