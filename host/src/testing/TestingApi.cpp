// The C functions of zintrust/testing.h over testing::TestHost: C types in, every exception
// caught at the boundary (a status and a message out), replies owned by the caller until freed.
#include <Poco/String.h>

#include <cstring>
#include <exception>
#include <memory>

#include "abi/HostApi.h"
#include "testing/TestHost.h"
#include "zintrust/testing.h"

/// OWNERSHIP: new in zt_test_host_create, delete in zt_test_host_destroy.
struct zt_test_host {
    std::unique_ptr<zt::testing::TestHost> host;
};

/// OWNERSHIP: new in zt_test_host_send / zt_test_host_health, delete in zt_test_reply_free.
struct zt_test_reply {
    zt::http::HttpResponse response;
};

/// OWNERSHIP: on the stack of the call stub's caller, for one zt_test_call_fn call.
struct zt_test_call_reply {
    zt::calls::CallResponse response;
};

namespace {

using zt::abi::str;
using zt::abi::view;

std::string text(zt_str s) { return std::string(view(s)); }

void writeError(char* buf, size_t len, const std::string& message) {
    if (buf == nullptr || len == 0) return;
    const size_t n = message.size() < len - 1 ? message.size() : len - 1;
    std::memcpy(buf, message.data(), n);
    buf[n] = '\0';
}

}  // namespace

extern "C" {

zt_status zt_test_host_create(const zt_test_host_options* options, zt_test_host** out, char* error_buf,
                              size_t error_len) {
    if (out == nullptr) return ZT_ERR_INVALID_ARGUMENT;
    *out = nullptr;
    writeError(error_buf, error_len, "");
    if (options == nullptr || options->struct_size < sizeof(zt_test_host_options)) {
        writeError(error_buf, error_len, "zt_test_host_options is missing or older than this library");
        return ZT_ERR_INVALID_ARGUMENT;
    }
    zt::testing::TestHost::Options o;
    o.pluginFile = text(options->plugin_file);
    o.configJson = text(options->config_json);
    o.configFile = text(options->config_file);
    o.databaseUrl = text(options->database_url);
    o.allowRawQueries = options->allow_raw_queries != 0;
    if (options->call_service != nullptr) {
        o.callStub = [fn = options->call_service, data = options->call_data](const zt::calls::CallRequest& r) {
            std::vector<zt_header> headers;
            headers.reserve(r.headers.size());
            for (const auto& [name, value] : r.headers) headers.push_back({str(name), str(value)});
            zt_test_call_reply reply;
            fn(data, str(r.target), str(r.method), str(r.pathAndQuery), headers.data(), headers.size(), str(r.body),
               &reply);
            return reply.response;
        };
    }
    if (options->log != nullptr) {
        o.logSink = [fn = options->log, data = options->log_data](zt_log_level level, const std::string& message) {
            fn(data, level, str(message));
        };
    }
    try {
        auto host = std::make_unique<zt_test_host>();
        host->host = std::make_unique<zt::testing::TestHost>(std::move(o));
        *out = host.release();
        return ZT_OK;
    } catch (const zt::testing::TestHostError& e) {
        writeError(error_buf, error_len, e.message());
        return ZT_ERR_INVALID_ARGUMENT;
    } catch (const std::exception& e) {
        writeError(error_buf, error_len, e.what());
        return ZT_ERR_INTERNAL;
    }
}

void zt_test_host_destroy(zt_test_host* host) { delete host; }

size_t zt_test_host_route_count(const zt_test_host* host) { return host == nullptr ? 0 : host->host->routes().size(); }

zt_status zt_test_host_route(const zt_test_host* host, size_t index, zt_str* out_method, zt_str* out_pattern) {
    if (host == nullptr || out_method == nullptr || out_pattern == nullptr) return ZT_ERR_INVALID_ARGUMENT;
    const auto& routes = host->host->routes();
    if (index >= routes.size()) return ZT_ERR_NOT_FOUND;
    *out_method = str(routes[index].first);
    *out_pattern = str(routes[index].second);
    return ZT_OK;
}

zt_status zt_test_host_send(zt_test_host* host, const zt_test_request* request, zt_test_reply** out) {
    if (out == nullptr) return ZT_ERR_INVALID_ARGUMENT;
    *out = nullptr;
    if (host == nullptr || request == nullptr || request->struct_size < sizeof(zt_test_request) ||
        (request->headers == nullptr && request->header_count != 0) || request->timeout_ms < 0)
        return ZT_ERR_INVALID_ARGUMENT;
    zt::testing::TestHost::Request r;
    r.method = text(request->method);
    r.target = text(request->target);
    for (size_t i = 0; i < request->header_count; ++i) {
        r.headers.emplace_back(text(request->headers[i].name), text(request->headers[i].value));
    }
    r.body = text(request->body);
    r.principal = text(request->principal);
    r.claimsJson = text(request->claims_json);
    if (request->timeout_ms > 0) r.timeout = std::chrono::milliseconds(request->timeout_ms);
    try {
        auto reply = std::make_unique<zt_test_reply>();
        reply->response = host->host->send(r);
        *out = reply.release();
        return ZT_OK;
    } catch (...) {
        return ZT_ERR_INTERNAL;
    }
}

zt_status zt_test_host_health(zt_test_host* host, zt_test_reply** out) {
    if (out == nullptr) return ZT_ERR_INVALID_ARGUMENT;
    *out = nullptr;
    if (host == nullptr) return ZT_ERR_INVALID_ARGUMENT;
    try {
        auto reply = std::make_unique<zt_test_reply>();
        reply->response = host->host->health();
        *out = reply.release();
        return ZT_OK;
    } catch (...) {
        return ZT_ERR_INTERNAL;
    }
}

int32_t zt_test_reply_status(const zt_test_reply* reply) { return reply == nullptr ? 0 : reply->response.status; }

zt_str zt_test_reply_body(const zt_test_reply* reply) {
    return reply == nullptr ? zt_str{"", 0} : str(reply->response.body);
}

size_t zt_test_reply_header_count(const zt_test_reply* reply) {
    return reply == nullptr ? 0 : reply->response.headers.size();
}

zt_status zt_test_reply_header(const zt_test_reply* reply, size_t index, zt_str* out_name, zt_str* out_value) {
    if (reply == nullptr || out_name == nullptr || out_value == nullptr) return ZT_ERR_INVALID_ARGUMENT;
    const auto& entries = reply->response.headers.entries();
    if (index >= entries.size()) return ZT_ERR_NOT_FOUND;
    *out_name = str(entries[index].first);
    *out_value = str(entries[index].second);
    return ZT_OK;
}

void zt_test_reply_free(zt_test_reply* reply) { delete reply; }

void zt_test_call_reply_set(zt_test_call_reply* reply, int32_t status, zt_str body) {
    if (reply == nullptr) return;
    reply->response.status = status;
    reply->response.body = text(body);
}

void zt_test_call_reply_add_header(zt_test_call_reply* reply, zt_str name, zt_str value) {
    if (reply == nullptr) return;
    reply->response.headers.emplace_back(Poco::toLower(text(name)), text(value));
}

}  // extern "C"
