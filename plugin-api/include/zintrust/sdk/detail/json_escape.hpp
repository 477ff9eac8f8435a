#pragma once
// JSON string escaping, header-only and dependency-free: the one implementation that the SDK's
// hand-built bodies (zt::sdk::jsonEscape) and the host's own JSON (zt::json::jsonEscape) share.
//
// Quotes, backslash and control characters are escaped; valid UTF-8 is copied as it is; invalid
// UTF-8 (e.g. echoed from a bad request) becomes U+FFFD, so the document stays valid JSON.
#include <cstdio>
#include <string>
#include <string_view>

namespace zt::sdk::detail {

/// The escaped text, without the surrounding quotes.
inline std::string jsonEscape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* end = p + s.size();
    while (p < end) {
        unsigned char c = *p;
        if (c < 0x80) {
            switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
            }
            ++p;
            continue;
        }
        int len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        bool ok = len != 0 && end - p >= len;
        unsigned cp = len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
        for (int i = 1; ok && i < len; ++i) {
            ok = (p[i] & 0xC0) == 0x80;
            cp = (cp << 6) | (p[i] & 0x3Fu);
        }
        ok = ok && ((len == 2 && cp >= 0x80) ||
                    (len == 3 && cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) ||
                    (len == 4 && cp >= 0x10000 && cp <= 0x10FFFF));
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

}  // namespace zt::sdk::detail
