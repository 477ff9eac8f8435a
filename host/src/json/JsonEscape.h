#pragma once
// JSON string escaping for the JSON the host writes by hand (health, admin, errors, logs). The
// implementation is the SDK's, so plugins and the host escape alike and it exists once.
#include "zintrust/sdk/detail/json_escape.hpp"

namespace zt::json {

using sdk::detail::jsonEscape;

}  // namespace zt::json
