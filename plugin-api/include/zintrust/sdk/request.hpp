#pragma once
// zintrust/sdk/request.hpp: part of the header-only SDK.
// Include "zintrust/sdk.hpp", not this file.
//
// zt::sdk::Request: the read-only view of one request, with typed parameters and the JSON body.

#include "zintrust/sdk/errors.hpp"

namespace zt::sdk {

/// Read-only view of the request. Valid only during the handler call (it borrows host memory).
class Request {
public:
    explicit Request(const zt_request* r) : r_(r) {}

    std::string_view method() const { return view(r_->method); }
    std::string_view path() const { return view(r_->path); }
    std::string_view rawQuery() const { return view(r_->query); }
    std::string_view body() const { return view(r_->body); }
    std::string_view serviceName() const { return view(r_->service_name); }
    std::string_view principal() const { return view(r_->principal); }
    std::string_view claimsJson() const { return view(r_->claims_json); }
    std::string_view traceId() const { return view(r_->trace_id); }
    std::string_view traceparent() const { return view(r_->traceparent); }
    bool sampled() const { return (r_->trace_flags & 1u) != 0; }

    /// First header with that name (case-insensitive).
    std::optional<std::string_view> header(std::string_view name) const {
        for (std::size_t i = 0; i < r_->header_count; ++i) {
            auto n = view(r_->headers[i].name);
            if (n.size() == name.size() && equalsIgnoreCase(n, name))
                return view(r_->headers[i].value);
        }
        return std::nullopt;
    }

    /// A path parameter (":id" -> param("id")); throws HttpError 400 when absent.
    std::string param(std::string_view name) const {
        for (std::size_t i = 0; i < r_->param_count; ++i) {
            if (view(r_->params[i].name) == name) return std::string(view(r_->params[i].value));
        }
        throw HttpError(400, "bad_request", "missing path parameter '" + std::string(name) + "'");
    }

    /// A query parameter, percent-decoded ('+' is a space); nullopt when absent.
    std::optional<std::string> query(std::string_view name) const {
        std::string_view q = rawQuery();
        while (!q.empty()) {
            auto amp = q.find('&');
            std::string_view pair = q.substr(0, amp);
            auto eq = pair.find('=');
            if (decode(pair.substr(0, eq)) == name)
                return eq == std::string_view::npos ? std::string() : decode(pair.substr(eq + 1));
            if (amp == std::string_view::npos) break;
            q.remove_prefix(amp + 1);
        }
        return std::nullopt;
    }

    /// A path parameter as an integer in [min, max] (default: a positive id). Anything else, such
    /// as "/users/abc", "/users/0" or "/users/1x", throws HttpError 400 bad_request naming it.
    std::int64_t paramInt(std::string_view name, std::int64_t min = 1,
                          std::int64_t max = std::numeric_limits<std::int64_t>::max()) const {
        const std::string text = param(name);
        auto value = parseInt(text);
        if (!value || *value < min || *value > max) {
            throw HttpError(400, "bad_request",
                            rangeMessage("path parameter", name, text, min, max));
        }
        return *value;
    }

    /// ?name=N as an integer in [min, max]; `fallback` when the parameter is absent. Anything else
    /// throws HttpError 400 bad_request naming it.
    std::int64_t queryInt(std::string_view name, std::int64_t fallback,
                          std::int64_t min = std::numeric_limits<std::int64_t>::min(),
                          std::int64_t max = std::numeric_limits<std::int64_t>::max()) const {
        auto text = query(name);
        if (!text) return fallback;
        auto value = parseInt(*text);
        if (!value || *value < min || *value > max) {
            throw HttpError(400, "bad_request",
                            rangeMessage("query parameter", name, *text, min, max));
        }
        return *value;
    }

    /// The body as a JSON object. Not JSON, or JSON that is not an object, throws HttpError 400
    /// invalid_json (with the parser's message).
    Json jsonBody() const {
        Json parsed;
        try {
            parsed = Json::parse(body());
        } catch (const Json::parse_error& e) {
            throw HttpError(400, "invalid_json",
                            std::string("request body is not valid JSON: ") + e.what());
        }
        if (!parsed.is_object())
            throw HttpError(400, "invalid_json", "request body must be a JSON object");
        return parsed;
    }

    const zt_request* raw() const { return r_; }

private:
    /// A whole decimal integer with an optional '-' (no '+', spaces or trailing characters).
    static std::optional<std::int64_t> parseInt(std::string_view text) {
        std::int64_t value = 0;
        const char* end = text.data() + text.size();
        auto [ptr, ec] = std::from_chars(text.data(), end, value);
        if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
        return value;
    }
    static std::string rangeMessage(const char* kind, std::string_view name,
                                    const std::string& text, std::int64_t min, std::int64_t max) {
        std::string range = "an integer";
        if (min == 1 && max == std::numeric_limits<std::int64_t>::max())
            range = "a positive integer";
        else if (min == 0 && max == std::numeric_limits<std::int64_t>::max())
            range = "an integer >= 0";
        else if (min != std::numeric_limits<std::int64_t>::min() ||
                 max != std::numeric_limits<std::int64_t>::max())
            range = "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
        return std::string(kind) + " '" + std::string(name) + "' must be " + range + ", got '" +
               text.substr(0, 64) + "'";
    }
    static bool equalsIgnoreCase(std::string_view a, std::string_view b) {
        for (std::size_t i = 0; i < a.size(); ++i) {
            char x = a[i], y = b[i];
            if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
            if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
            if (x != y) return false;
        }
        return true;
    }
    static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
    static std::string decode(std::string_view s) {
        std::string out;
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (s[i] == '+') {
                out += ' ';
            } else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 &&
                       hex(s[i + 2]) >= 0) {
                out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
                i += 2;
            } else {
                out += s[i];
            }
        }
        return out;
    }
    const zt_request* r_;
};

}  // namespace zt::sdk
