#include "filters/CustomAuthenticator.h"

namespace zt::filters {

// Out of line so the vtable has one home (and the header stays dependency-free).
CustomAuthenticator::~CustomAuthenticator() = default;

}  // namespace zt::filters
