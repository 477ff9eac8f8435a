#include "auth/CustomAuthenticator.h"

namespace zt::auth {

// Out of line so the vtable has one home (and the header stays dependency-free).
CustomAuthenticator::~CustomAuthenticator() = default;

}  // namespace zt::auth
