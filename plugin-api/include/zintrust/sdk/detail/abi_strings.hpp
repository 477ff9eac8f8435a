#pragma once
// zt_str (the ABI's borrowed string: pointer and length) to and from std::string_view,
// header-only: the one implementation that the SDK (zt::sdk::view / str) and the host
// (zt::plugin::view / str) share. Neither copies: the view lives as long as the bytes it
// points at (docs/PLUGINS.md: ownership).
#include <string_view>

#include "zintrust/plugin.h"

namespace zt::sdk::detail {

inline std::string_view view(zt_str s) {
    return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.len);
}
inline zt_str str(std::string_view s) { return zt_str{s.data(), s.size()}; }

}  // namespace zt::sdk::detail
