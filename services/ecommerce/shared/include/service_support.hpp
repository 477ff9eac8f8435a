// Small helpers shared by the example services (request parsing and validation).
#pragma once

#include <zintrust/sdk.hpp>

#include <string>

namespace examples {

using zt::sdk::HttpError;
using zt::sdk::Json;
using zt::sdk::Request;

/// The body as a JSON object; 400 invalid_json with the parse position otherwise.
inline Json jsonBody(const Request& req) {
    try {
        Json body = Json::parse(req.body());
        if (!body.is_object()) throw HttpError(400, "invalid_json", "request body must be a JSON object");
        return body;
    } catch (const Json::parse_error& e) {
        throw HttpError(400, "invalid_json", std::string("request body is not valid JSON: ") + e.what());
    }
}

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

/// A positive integer path parameter; 400 otherwise.
inline long long idParam(const Request& req, const char* name = "id") {
    std::string s = req.param(name);
    long long id = 0;
    std::size_t used = 0;
    try {
        id = std::stoll(s, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != s.size() || id <= 0) {
        throw HttpError(400, "bad_request", std::string(name) + " must be a positive integer, got '" + s + "'");
    }
    return id;
}

/// ?name=N as an integer in [min, max], or `fallback` when absent.
inline long long queryInteger(const Request& req, const char* name, long long fallback, long long min, long long max) {
    auto v = req.query(name);
    if (!v) return fallback;
    long long n = 0;
    std::size_t used = 0;
    try {
        n = std::stoll(*v, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != v->size() || n < min || n > max) {
        throw HttpError(400, "bad_request", std::string(name) + " must be an integer in [" + std::to_string(min) +
                                                ", " + std::to_string(max) + "]");
    }
    return n;
}

}  // namespace examples
