#include "abi/HostApi.h"

#include <cstddef>

#include "abi/CallApi.h"
#include "abi/DatabaseApi.h"
#include "service/LocalService.h"

namespace zt::abi {

namespace {

bool headerTokenOk(std::string_view s, bool isName) {
    if (isName && s.empty()) return false;
    for (char c : s) {
        if (c == '\r' || c == '\n' || c == '\0') return false;
        if (isName && (c == ':' || c == ' ' || c == '\t')) return false;
    }
    return true;
}

void apiLog(zt_host* host, zt_log_level level, zt_str message) {
    if (host == nullptr || host->service == nullptr) return;
    try {
        host->service->pluginLog(level, view(message));
    } catch (...) {
        // logging must never throw into plugin code
    }
}

zt_status apiConfigGet(zt_host* host, zt_str key, zt_str* out) {
    if (host == nullptr || host->service == nullptr || out == nullptr) return ZT_ERR_INVALID_ARGUMENT;
    try {
        return host->service->configValue(view(key), out);
    } catch (...) {
        return ZT_ERR_INTERNAL;
    }
}

zt_status apiRegisterRoute(zt_host* host, zt_str method, zt_str pattern, zt_route_handler handler, void* data) {
    if (host == nullptr || host->service == nullptr || handler == nullptr) return ZT_ERR_INVALID_ARGUMENT;
    try {
        return host->service->registerRoute(view(method), view(pattern), handler, data);
    } catch (...) {
        return ZT_ERR_INTERNAL;
    }
}

zt_status apiDescribeRoute(zt_host* host, zt_str method, zt_str pattern, zt_str summary) {
    if (host == nullptr || host->service == nullptr) return ZT_ERR_INVALID_ARGUMENT;
    try {
        return host->service->describeRoute(view(method), view(pattern), view(summary));
    } catch (...) {
        return ZT_ERR_INTERNAL;
    }
}

zt_status apiRegisterHealthCheck(zt_host* host, zt_str name, zt_health_check_fn fn, void* data) {
    if (host == nullptr || host->service == nullptr || fn == nullptr) return ZT_ERR_INVALID_ARGUMENT;
    try {
        return host->service->registerHealthCheck(view(name), fn, data);
    } catch (...) {
        return ZT_ERR_INTERNAL;
    }
}

zt_status apiRegisterAuthenticator(zt_host* host, zt_authenticate_fn fn, void* data) {
    if (host == nullptr || host->service == nullptr || fn == nullptr) return ZT_ERR_INVALID_ARGUMENT;
    try {
        return host->service->registerAuthenticator(fn, data);
    } catch (...) {
        return ZT_ERR_INTERNAL;
    }
}

zt_status apiResponseSetStatus(zt_response* r, int32_t status) {
    if (r == nullptr || r->response == nullptr || status < 100 || status > 599) return ZT_ERR_INVALID_ARGUMENT;
    r->response->status = status;
    return ZT_OK;
}

zt_status apiResponseAddHeader(zt_response* r, zt_str name, zt_str value) {
    if (r == nullptr || r->response == nullptr) return ZT_ERR_INVALID_ARGUMENT;
    if (!headerTokenOk(view(name), true) || !headerTokenOk(view(value), false)) return ZT_ERR_INVALID_ARGUMENT;
    try {
        r->response->headers.add(view(name), view(value));
        return ZT_OK;
    } catch (...) {
        return ZT_ERR_INTERNAL;
    }
}

zt_status apiResponseSetBody(zt_response* r, zt_str body) {
    if (r == nullptr || r->response == nullptr || (body.data == nullptr && body.len != 0))
        return ZT_ERR_INVALID_ARGUMENT;
    try {
        r->response->body.assign(body.data == nullptr ? "" : body.data, body.len);
        r->response->bodySet = true;
        return ZT_OK;
    } catch (...) {
        return ZT_ERR_INTERNAL;
    }
}

zt_status apiAuthResultSet(zt_auth_result* r, int32_t allow, zt_str principal, int32_t denyStatus, zt_str message) {
    if (r == nullptr) return ZT_ERR_INVALID_ARGUMENT;
    if (denyStatus != 0 && denyStatus != 401 && denyStatus != 403) return ZT_ERR_INVALID_ARGUMENT;
    try {
        r->set = true;
        r->allow = allow != 0;
        r->principal.assign(view(principal));
        r->denyStatus = denyStatus == 0 ? 401 : denyStatus;
        r->message.assign(view(message));
        return ZT_OK;
    } catch (...) {
        return ZT_ERR_INTERNAL;
    }
}

const zt_host_api kTable = {
    /* struct_size */ static_cast<uint32_t>(sizeof(zt_host_api)),
    /* abi_major   */ ZT_PLUGIN_ABI_MAJOR,
    /* abi_minor   */ ZT_PLUGIN_ABI_MINOR,
    apiLog,
    apiConfigGet,
    apiRegisterRoute,
    apiRegisterHealthCheck,
    apiRegisterAuthenticator,
    apiResponseSetStatus,
    apiResponseAddHeader,
    apiResponseSetBody,
    apiAuthResultSet,
    // 1.1
    apiDbQuery,
    apiDbRawQuery,
    apiDbTransaction,
    apiDbResultJson,
    apiDbResultFree,
    // 1.2
    apiCallService,
    apiCallResponseStatus,
    apiCallResponseBody,
    apiCallResponseHeader,
    apiCallResponseFree,
    // 1.3
    apiDbResultShape,
    apiDbResultColumn,
    apiDbResultCell,
    // 1.4
    apiDescribeRoute,
};

}  // namespace

const zt_host_api* hostApiTable() { return &kTable; }

}  // namespace zt::abi
