#pragma once
// zintrust/sdk/detail/handlers.hpp: part of the header-only SDK.
// Include "zintrust/sdk.hpp", not this file.
//
// Internal: the C callbacks that turn the ABI's calls into SDK handler calls and SDK results back
// into ABI calls (exceptions never cross). Not for service code.

#include "zintrust/sdk/host.hpp"

namespace zt::sdk {

namespace detail {

inline void writeResponse(const zt_host_api* api, zt_response* out, const Response& r) {
    api->response_set_status(out, r.status);
    for (const auto& [n, v] : r.headers) api->response_add_header(out, str(n), str(v));
    api->response_set_body(out, str(r.body));
}

struct RouteSlot {
    const zt_host_api* api;
    Handler handler;
    zt_host* host = nullptr;  ///< for logging what a failing handler threw
};

/// What a handler threw that the client must not see (library text, internals): logged through
/// the host as an error, answered with the SDK's own words.
inline void logHandlerFailure(const RouteSlot& slot, const zt_request* request,
                              std::string_view what) {
    if (slot.host == nullptr || slot.api->log == nullptr) return;
    std::string line = "handler failed";
    if (request != nullptr) {
        line += " (" + std::string(request->method.data, request->method.len) + " " +
                std::string(request->path.data, request->path.len) + ")";
    }
    line += ": ";
    line += what;
    slot.api->log(slot.host, ZT_LOG_ERROR, str(line));
}

inline zt_status invokeRoute(void* data, const zt_request* request, zt_response* response) {
    auto* slot = static_cast<RouteSlot*>(data);
    try {
        Request req(request);
        Response r = slot->handler(req);
        writeResponse(slot->api, response, r);
        return ZT_OK;
    } catch (const HttpError& e) {
        writeResponse(slot->api, response, Response::error(e.status(), e.code(), e.what()));
        return ZT_OK;
    } catch (const DbError& e) {
        Response r = Response::error(e.httpStatus(), e.code(), e.what());
        if (e.httpStatus() == 503) r.header("Retry-After", "1");
        writeResponse(slot->api, response, r);
        return ZT_OK;
    } catch (const Json::parse_error& e) {
        // Most often Json::parse(req.body()) on a bad body: the client's input, not our failure.
        logHandlerFailure(*slot, request, e.what());
        writeResponse(slot->api, response,
                      Response::error(400, "invalid_json", "the request body is not valid JSON"));
        return ZT_OK;
    } catch (const Json::type_error& e) {
        logHandlerFailure(*slot, request, e.what());
        if (e.id == 316)  // a string that is not UTF-8 (a header or body value put into JSON)
            writeResponse(
                slot->api, response,
                Response::error(400, "invalid_utf8", "a request value is not valid UTF-8"));
        else
            writeResponse(slot->api, response,
                          Response::error(500, "internal_error", "internal error"));
        return ZT_OK;
    } catch (const std::exception& e) {
        // Never the exception's text: it may be a library's message or carry internals.
        logHandlerFailure(*slot, request, e.what());
        writeResponse(slot->api, response,
                      Response::error(500, "internal_error", "internal error"));
        return ZT_OK;
    } catch (...) {
        logHandlerFailure(*slot, request, "unknown exception");
        writeResponse(slot->api, response,
                      Response::error(500, "internal_error", "internal error"));
        return ZT_OK;
    }
}

inline zt_health_state invokeHealth(void* data, char* buf, std::size_t cap) {
    auto* check = static_cast<HealthCheck*>(data);
    HealthResult r;
    try {
        r = (*check)();
    } catch (const std::exception& e) {
        r = {HealthState::Unhealthy, std::string("check threw: ") + e.what()};
    } catch (...) {
        r = {HealthState::Unhealthy, "check threw"};
    }
    if (cap > 0) {
        std::size_t n = r.message.size() < cap - 1 ? r.message.size() : cap - 1;
        std::memcpy(buf, r.message.data(), n);
        buf[n] = '\0';
    }
    return static_cast<zt_health_state>(r.state);
}

struct AuthSlot {
    const zt_host_api* api;
    Authenticator fn;
};

inline zt_status invokeAuth(void* data, const zt_request* request, zt_auth_result* result) {
    auto* slot = static_cast<AuthSlot*>(data);
    try {
        AuthDecision d = slot->fn(Request(request));
        return slot->api->auth_result_set(result, d.allow ? 1 : 0, str(d.principal), d.denyStatus,
                                          str(d.message));
    } catch (...) {
        return ZT_ERR_INTERNAL;  // the host denies: fail closed
    }
}

}  // namespace detail

}  // namespace zt::sdk
