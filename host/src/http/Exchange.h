#pragma once
// One HTTP request/response pair as it travels through a service's filter chain and handler.
//
// Why our own type instead of Poco::Net::HTTPServerRequest: the same Exchange is built for
// network requests and for in-process service calls (no socket), it is filled completely before
// the filters run (body read, names lower-cased), and the response is buffered so filters can add
// headers after the handler ran (tracing) and errors can replace a half-built answer.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zt::http {

/// Header list that keeps insertion order; names are stored lower-case.
class HeaderList {
public:
    using Entry = std::pair<std::string, std::string>;

    /// Adds a header (name is lower-cased). Duplicates are kept, like HTTP allows.
    void add(std::string_view name, std::string_view value);
    /// Replaces every header of that name with one value.
    void set(std::string_view name, std::string_view value);
    /// First value of `name` (case-insensitive), or nullopt.
    std::optional<std::string_view> get(std::string_view name) const;
    bool has(std::string_view name) const { return get(name).has_value(); }
    void remove(std::string_view name);

    const std::vector<Entry>& entries() const { return entries_; }
    std::size_t size() const { return entries_.size(); }

private:
    std::vector<Entry> entries_;
};

struct HttpRequest {
    std::string method;  ///< upper case
    std::string path;    ///< percent-decoded, no query string
    std::string query;   ///< raw, without '?'
    HeaderList headers;
    std::string body;
    std::string remoteAddress;  ///< "ip:port" or "in-process"
};

struct HttpResponse {
    int status = 200;
    HeaderList headers;
    std::string body;
    bool bodySet = false;  ///< a handler or filter wrote a body

    /// Replaces status and body with a JSON document and sets Content-Type.
    void setJson(int status, std::string json);
};

/// Who the authentication filter decided the caller is.
struct Principal {
    bool authenticated = false;
    std::string subject;            ///< JWT "sub", api-key id, or custom principal
    std::string claimsJson = "{}";  ///< verified claims as a JSON object text
    std::string strategy;           ///< "api-key", "jwt", "custom", "none"
};

/// W3C trace context of the server span the host opened for this request.
struct TraceContext {
    std::string traceId;          ///< 32 lower-case hex
    std::string spanId;           ///< 16 hex: this service's span
    std::string parentSpanId;     ///< 16 hex from the incoming traceparent, empty at the edge
    std::uint8_t flags = 0;       ///< bit 0 = sampled
    std::string tracestate;       ///< passed through untouched
    std::string parentServiceId;  ///< x-parent-service-id received
    int depth = 0;                ///< x-trace-depth received (+1 for outgoing calls)

    bool sampled() const { return (flags & 0x01u) != 0; }
    bool valid() const { return traceId.size() == 32 && spanId.size() == 16; }
    /// "00-<traceId>-<spanId>-<flags>" naming this span as the parent of outgoing calls.
    std::string traceparent() const;
};

/// A request, its response and what the filters learned about it.
struct Exchange {
    std::string serviceName;
    HttpRequest request;
    HttpResponse response;
    Principal principal;
    TraceContext trace;
    std::vector<std::pair<std::string, std::string>> pathParams;  ///< filled by the router
    std::string routePattern;  ///< "/users/:id" once routed, for span names and metrics
    bool inProcess = false;    ///< built by callService without a socket
    std::chrono::steady_clock::time_point startedAt = std::chrono::steady_clock::now();
    /// When the answer is due (docs/DEADLINES.md): ZT_HANDLER_TIMEOUT_MS from the start, sooner
    /// when the request asks (X-Request-Deadline, X-Request-Timeout-Ms) or its caller's is sooner.
    /// time_point::max() = none.
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

}  // namespace zt::http
