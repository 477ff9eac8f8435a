// Small helpers shared by the example services: validation of JSON body fields (path and query
// integers and the JSON body itself come from the SDK: req.paramInt, req.queryInt, req.jsonBody).
#pragma once

#include <zintrust/sdk.hpp>

#include <string>

namespace examples {

using zt::sdk::HttpError;
using zt::sdk::Json;
using zt::sdk::Request;

inline std::string requiredString(const Json& body, const char* key, std::size_t maxLength = 320) {
    auto it = body.find(key);
    if (it == body.end() || !it->is_string() || it->get<std::string>().empty() ||
        it->get<std::string>().size() > maxLength) {
        throw HttpError(422, "validation_failed",
                        std::string("'") + key + "' must be a non-empty string of at most " +
                            std::to_string(maxLength) + " characters");
    }
    return it->get<std::string>();
}

inline long long requiredInteger(const Json& body, const char* key, long long min) {
    auto it = body.find(key);
    if (it == body.end() || !it->is_number_integer() || it->get<long long>() < min) {
        throw HttpError(422, "validation_failed",
                        std::string("'") + key + "' must be an integer >= " + std::to_string(min));
    }
    return it->get<long long>();
}

}  // namespace examples
