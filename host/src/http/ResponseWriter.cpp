#include "http/ResponseWriter.h"

#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace zt::http {

std::string_view reasonPhrase(int status) {
    switch (status) {
    case 100:
        return "Continue";
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 203:
        return "Non-Authoritative Information";
    case 204:
        return "No Content";
    case 205:
        return "Reset Content";
    case 206:
        return "Partial Content";
    case 300:
        return "Multiple Choices";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 402:
        return "Payment Required";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 411:
        return "Length Required";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 416:
        return "Range Not Satisfiable";
    case 417:
        return "Expectation Failed";
    case 421:
        return "Misdirected Request";
    case 422:
        return "Unprocessable Content";
    case 425:
        return "Too Early";
    case 426:
        return "Upgrade Required";
    case 428:
        return "Precondition Required";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 451:
        return "Unavailable For Legal Reasons";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Unknown";
    }
}

bool statusHasNoBody(int status) { return (status >= 100 && status < 200) || status == 204 || status == 304; }

std::string_view httpDateNow() {
    struct Cache {
        std::time_t second = -1;
        char text[32] = {};
        std::size_t length = 0;
    };
    thread_local Cache cache;
    const std::time_t now = std::time(nullptr);
    if (now != cache.second) {
        static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
        static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        std::tm tm{};
        gmtime_r(&now, &tm);
        const int n =
            std::snprintf(cache.text, sizeof cache.text, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                          tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
        cache.length = n > 0 ? static_cast<std::size_t>(n) : 0;
        cache.second = now;
    }
    return {cache.text, cache.length};
}

namespace {
bool framingHeader(std::string_view lowerName) {
    return lowerName == "content-length" || lowerName == "transfer-encoding" || lowerName == "connection" ||
           lowerName == "date" || lowerName == "server";
}
bool splitsHead(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos; }
void appendNumber(std::string& out, std::size_t n) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, n);
    out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}
}  // namespace

void appendResponseHead(std::string& out, const HttpResponse& response, std::size_t bodyBytes,
                        const ResponseHeadOptions& options) {
    const int status = response.status >= 100 && response.status <= 999 ? response.status : 500;
    out.append("HTTP/1.1 ");
    appendNumber(out, static_cast<std::size_t>(status));
    out.push_back(' ');
    out.append(reasonPhrase(status));
    out.append("\r\n");
    bool date = false, server = false;
    for (const auto& [name, value] : response.headers.entries()) {
        if (framingHeader(name)) {
            // A handler may set its own Date/Server; the framing headers are the connection's.
            if (name == "date") date = true;
            else if (name == "server") server = true;
            else continue;
        }
        if (name.empty() || splitsHead(name) || splitsHead(value) || name.find(':') != std::string::npos) continue;
        out.append(name);
        out.append(": ");
        out.append(value);
        out.append("\r\n");
    }
    if (!date) {
        out.append("date: ");
        out.append(httpDateNow());
        out.append("\r\n");
    }
    if (!server) out.append("server: zintrust-host\r\n");
    if (!statusHasNoBody(status)) {
        out.append("content-length: ");
        appendNumber(out, bodyBytes);
        out.append("\r\n");
    }
    if (!options.keepAlive) out.append("connection: close\r\n");
    else if (options.http10KeepAlive) out.append("connection: keep-alive\r\n");
    out.append("\r\n");
}

}  // namespace zt::http
