#include "config/JsonTypeName.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

namespace zt::config {

const char* jsonTypeName(const Poco::Dynamic::Var& v) {
    if (v.isEmpty()) return "null";
    if (v.type() == typeid(Poco::JSON::Object::Ptr)) return "object";
    if (v.type() == typeid(Poco::JSON::Array::Ptr)) return "array";
    if (v.isString()) return "string";
    if (v.type() == typeid(bool)) return "boolean";
    if (v.isNumeric()) return "number";
    return "value";
}

}  // namespace zt::config
