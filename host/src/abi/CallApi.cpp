#include "abi/CallApi.h"

#include <Poco/String.h>

#include <charconv>

#include "calls/ServiceCaller.h"
#include "http/JsonError.h"
#include "abi/HostApi.h"
#include "service/LocalService.h"

namespace zt::abi {

namespace {
/// Rebuilds the caller's server span from the request the plugin is handling. Only plain fields
/// are read: the plugin may pass a copy of the zt_request it was given.
http::TraceContext traceOf(const zt_request& r) {
    http::TraceContext t;
    t.traceId = std::string(view(r.trace_id));
    t.spanId = std::string(view(r.span_id));
    t.flags = static_cast<std::uint8_t>(r.trace_flags & 0xFFu);
    for (std::size_t i = 0; i < r.header_count; ++i) {
        if (Poco::icompare(std::string(view(r.headers[i].name)), "x-trace-depth") == 0) {
            auto v = view(r.headers[i].value);
            int depth = 0;
            auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), depth);
            if (ec == std::errc() && end == v.data() + v.size() && depth >= 0) t.depth = depth;
        }
        if (Poco::icompare(std::string(view(r.headers[i].name)), "tracestate") == 0) {
            t.tracestate = std::string(view(r.headers[i].value));
        }
    }
    return t;
}
}  // namespace

calls::CallRequest callRequestOf(const zt_host& host, zt_str service, zt_str method, zt_str pathAndQuery,
                                 const zt_header* headers, size_t headerCount, zt_str body) {
    calls::CallRequest req;
    req.caller = host.service->config().name;
    req.target = std::string(view(service));
    req.method = std::string(view(method));
    req.pathAndQuery = std::string(view(pathAndQuery));
    for (std::size_t i = 0; i < headerCount; ++i) {
        req.headers.emplace_back(std::string(view(headers[i].name)), std::string(view(headers[i].value)));
    }
    req.body = std::string(view(body));
    return req;
}

zt_status apiCallService(zt_host* host, const zt_request* context, zt_str service, zt_str method, zt_str pathAndQuery,
                         const zt_header* headers, size_t headerCount, zt_str body, zt_call_response** out) {
    if (out == nullptr) return ZT_ERR_INVALID_ARGUMENT;
    *out = nullptr;
    if (host == nullptr || host->service == nullptr || (headers == nullptr && headerCount != 0))
        return ZT_ERR_INVALID_ARGUMENT;
    auto result = std::make_unique<zt_call_response>();
    try {
        auto caller = host->service->caller();
        if (caller == nullptr) {
            result->response.status = 503;
            result->response.body =
                http::jsonErrorBody("service_unavailable", "inter-service calls are not available yet");
        } else {
            calls::CallRequest req = callRequestOf(*host, service, method, pathAndQuery, headers, headerCount, body);
            http::TraceContext trace;
            if (context != nullptr) {
                trace = traceOf(*context);
                if (trace.valid()) req.trace = &trace;
            }
            result->response = caller->call(req);
        }
    } catch (const std::exception& e) {
        result->response = {};
        result->response.status = 500;
        result->response.body = http::jsonErrorBody("internal_error", e.what());
    }
    *out = result.release();
    return ZT_OK;
}

int32_t apiCallResponseStatus(const zt_call_response* r) { return r == nullptr ? 0 : r->response.status; }

zt_str apiCallResponseBody(const zt_call_response* r) { return r == nullptr ? zt_str{"", 0} : str(r->response.body); }

zt_status apiCallResponseHeader(const zt_call_response* r, zt_str name, zt_str* out) {
    if (r == nullptr || out == nullptr) return ZT_ERR_INVALID_ARGUMENT;
    std::string n(view(name));
    for (const auto& [k, v] : r->response.headers) {
        if (Poco::icompare(k, n) == 0) {
            *out = str(v);
            return ZT_OK;
        }
    }
    return ZT_ERR_NOT_FOUND;
}

void apiCallResponseFree(zt_call_response* r) { delete r; }

}  // namespace zt::abi
