#pragma once
// What a log record knows of the request its thread is handling (docs/MONITORING.md: logs), and
// the access log (ZT_ACCESS_LOG=true): one record per answered request.
//
// RequestLog::Scope marks the request a thread works on; a log formatter reads
// RequestLog::current() to put the request's traceId and spanId on every record written
// meanwhile (the plugin's own log lines included), so a search for a trace id finds both the
// spans and the log lines. Scopes nest (an in-process call runs the callee's request on the
// caller's thread) and restore the outer request when they end.
#include <Poco/Message.h>

#include <chrono>
#include <string>
#include <string_view>

#include "http/Exchange.h"

namespace zt::http {

class RequestLog {
public:
    /// Names of the Poco::Message parameters a record may carry; the JSON formatter writes them as
    /// OpenTelemetry attributes (the trace ids as the record's traceId and spanId).
    static constexpr const char* kTraceId = "traceId";
    static constexpr const char* kSpanId = "spanId";
    static constexpr const char* kServiceName = "service.name";
    static constexpr const char* kMethod = "http.request.method";
    static constexpr const char* kRoute = "http.route";
    static constexpr const char* kStatus = "http.response.status_code";
    static constexpr const char* kDurationSeconds = "http.server.request.duration";
    static constexpr const char* kClientAddress = "client.address";
    /// Every attribute name above a formatter looks for, in the order it writes them.
    static constexpr const char* kAttributes[] = {kServiceName, kMethod,          kRoute,
                                                  kStatus,      kDurationSeconds, kClientAddress};

    /// [request-thread] Lives for the handling of `exchange`, which must outlive it.
    class Scope {
    public:
        explicit Scope(const Exchange& exchange) noexcept;
        ~Scope();
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;

    private:
        const Exchange* outer_;
    };

    /// The request this thread is handling, or nullptr. OWNERSHIP: borrowed, valid until the
    /// innermost Scope ends.
    static const Exchange* current() noexcept;

    /// The access log's logger ("zt.access"): information level, a record per answered request.
    static constexpr const char* kAccessLogger = "zt.access";
    /// [any-thread] Writes the access record of `exchange` answered with `response` after
    /// `elapsed`: `GET /users/:id 200 1.234 ms trace=<id>`, with the same fields as message
    /// parameters. The trace is the request's, else the one the answer carries (x-trace-id of an
    /// answer the server made itself).
    static void writeAccess(const Exchange& exchange, const HttpResponse& response, std::chrono::nanoseconds elapsed);
};

}  // namespace zt::http
