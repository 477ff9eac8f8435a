#pragma once
// zt_str (the ABI's borrowed string) to and from std::string_view for the host's side of the ABI.
// The implementation is the SDK's, so plugins and the host convert alike and it exists once.
#include "zintrust/sdk/detail/abi_strings.hpp"

namespace zt::plugin {

using sdk::detail::str;
using sdk::detail::view;

}  // namespace zt::plugin
