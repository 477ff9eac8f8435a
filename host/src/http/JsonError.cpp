#include "http/JsonError.h"

#include <cstdio>

namespace zt::http {

std::string jsonEscape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 8);
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* end = p + s.size();
    while (p < end) {
        unsigned char c = *p;
        if (c == '"') {
            out += "\\\"";
            ++p;
            continue;
        }
        if (c == '\\') {
            out += "\\\\";
            ++p;
            continue;
        }
        if (c < 0x20) {
            switch (c) {
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default: {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            }
            }
            ++p;
            continue;
        }
        if (c < 0x80) {
            out += static_cast<char>(c);
            ++p;
            continue;
        }
        // Validate one UTF-8 sequence; copy it when valid, else emit U+FFFD and skip one byte.
        int len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        bool ok = len != 0 && end - p >= len;
        for (int i = 1; ok && i < len; ++i) ok = (p[i] & 0xC0) == 0x80;
        if (ok) {
            unsigned cp = len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
            for (int i = 1; i < len; ++i) cp = (cp << 6) | (p[i] & 0x3Fu);
            ok = (len == 2 && cp >= 0x80) || (len == 3 && cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) ||
                 (len == 4 && cp >= 0x10000 && cp <= 0x10FFFF);
        }
        if (ok) {
            out.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(len));
            p += len;
        } else {
            out += "\xEF\xBF\xBD";
            ++p;
        }
    }
    return out;
}

std::string jsonErrorBody(std::string_view code, std::string_view message) {
    std::string out = R"({"error":{"code":")";
    out += jsonEscape(code);
    out += R"(","message":")";
    out += jsonEscape(message);
    out += "\"}}";
    return out;
}

void setJsonError(HttpResponse& response, int status, std::string_view code, std::string_view message) {
    response.setJson(status, jsonErrorBody(code, message));
}

}  // namespace zt::http
