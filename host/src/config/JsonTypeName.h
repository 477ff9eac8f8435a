#pragma once
#include <Poco/Dynamic/Var.h>

namespace zt::config {

/// "object", "array", "string", "boolean", "number", "null" or "value": for error messages about
/// a JSON value of the wrong type ("port: must be a number, got string").
const char* jsonTypeName(const Poco::Dynamic::Var& value);

}  // namespace zt::config
