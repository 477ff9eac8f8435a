#pragma once
// Passwords the host generates for service roles (docs/DATABASE.md: roles and passwords).
#include <string>

namespace zt::db {

/// 192 random bits from OpenSSL's CSPRNG as 48 lower-case hex digits: no character a libpq
/// connection string would need to quote. Throws std::runtime_error when the CSPRNG fails.
std::string generateRolePassword();

}  // namespace zt::db
