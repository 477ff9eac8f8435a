#pragma once
// zintrust/sdk/errors.hpp: part of the header-only SDK.
// Include "zintrust/sdk.hpp", not this file.
//
// zt_str helpers, the JSON error body, and the exceptions a handler throws to answer an error
// (HttpError) or that a database call throws (DbError).
#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "zintrust/plugin.h"
#include "zintrust/sdk/detail/abi_strings.hpp"
#include "zintrust/sdk/detail/json_escape.hpp"

namespace zt::sdk {

/// JSON for bodies and query values/results (nlohmann/json, Debian package nlohmann-json3-dev).
using Json = nlohmann::json;

/// zt_str to and from std::string_view, without copying (zintrust/sdk/detail/abi_strings.hpp).
using detail::str;
using detail::view;

/// JSON string escaping for hand-built bodies (zintrust/sdk/detail/json_escape.hpp).
using detail::jsonEscape;

/// The JSON error body (docs/HTTP.md) document.
inline std::string errorJson(std::string_view code, std::string_view message) {
    return "{\"error\":{\"code\":\"" + jsonEscape(code) + "\",\"message\":\"" +
           jsonEscape(message) + "\"}}";
}

/// Throw from a handler to answer with a JSON error: HttpError(404, "not_found", "user 7 not found").
class HttpError : public std::runtime_error {
public:
    HttpError(int status, std::string code, const std::string& message)
        : std::runtime_error(message), status_(status), code_(std::move(code)) {}
    int status() const { return status_; }
    const std::string& code() const { return code_; }

private:
    int status_;
    std::string code_;
};

/// A database call failed. status() is the zt_status the host returned; httpStatus() is what a
/// handler answers when it lets the error escape (503 + Retry-After for an unavailable database).
class DbError : public std::runtime_error {
public:
    DbError(zt_status status, std::string code, const std::string& message,
            std::string sqlState = "", std::string constraint = "")
        : std::runtime_error(message),
          status_(status),
          code_(std::move(code)),
          sqlState_(std::move(sqlState)),
          constraint_(std::move(constraint)) {}
    zt_status status() const { return status_; }
    const std::string& code() const { return code_; }
    const std::string& sqlState() const { return sqlState_; }
    const std::string& constraint() const { return constraint_; }
    int httpStatus() const {
        switch (status_) {
        case ZT_ERR_UNAVAILABLE:
            return 503;
        case ZT_ERR_TIMEOUT:
            return 504;
        case ZT_ERR_CONFLICT:
            return 409;
        case ZT_ERR_INVALID_ARGUMENT:
            return 400;
        case ZT_ERR_PERMISSION:
            return 403;
        default:
            return 500;
        }
    }

private:
    zt_status status_;
    std::string code_;
    std::string sqlState_;
    std::string constraint_;
};

}  // namespace zt::sdk
