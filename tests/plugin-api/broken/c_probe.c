/* A working plugin written in plain C11 against plugin.h only: proves the ABI is usable without
 * the C++ SDK, and exercises every 1.0 host function for the loader tests.
 *   GET /probe/:id      -> 200 {"id":"<id>","greeting":"<config.greeting>","method":"GET"}
 *   POST /probe/echo    -> 202 with the request body and an x-probe header
 *   GET /probe/fail     -> handler returns ZT_ERR_UNAVAILABLE without a body (host answers 503)
 *   health check "probe": degraded with message "probe degraded"
 *   custom authenticator: allows requests with header x-probe-user, denies others with 403 */
#include <stdio.h>
#include <string.h>

#include "zintrust/plugin.h"

typedef struct probe_state {
    const zt_host_api* api;
    zt_host* host;
    char greeting[128];
} probe_state;

static probe_state g_state;

static zt_str lit(const char* s) {
    zt_str r;
    r.data = s;
    r.len = strlen(s);
    return r;
}

static zt_status get_fail(void* data, const zt_request* req, zt_response* resp);

static zt_status get_probe(void* data, const zt_request* req, zt_response* resp) {
    probe_state* st = (probe_state*)data;
    char body[512];
    const zt_str* id = 0;
    size_t i;
    int late;
    for (i = 0; i < req->param_count; ++i) {
        if (req->params[i].name.len == 2 && memcmp(req->params[i].name.data, "id", 2) == 0) id = &req->params[i].value;
    }
    if (id == 0) return ZT_ERR_INVALID_ARGUMENT;
    /* Registering after init must be refused with ZT_ERR_PERMISSION: reported as "late". */
    late = (int)st->api->register_route(st->host, lit("GET"), lit("/late"), get_fail, st);
    if (st->api->describe_route(st->host, lit("GET"), lit("/probe/:id"), lit("late")) != ZT_ERR_PERMISSION) late = -1;
    snprintf(body, sizeof body, "{\"id\":\"%.*s\",\"greeting\":\"%s\",\"method\":\"%.*s\",\"late\":%d}", (int)id->len,
             id->data, st->greeting, (int)req->method.len, req->method.data, late);
    st->api->response_set_status(resp, 200);
    st->api->response_add_header(resp, lit("content-type"), lit("application/json"));
    return st->api->response_set_body(resp, lit(body));
}

static zt_status post_echo(void* data, const zt_request* req, zt_response* resp) {
    probe_state* st = (probe_state*)data;
    st->api->response_set_status(resp, 202);
    st->api->response_add_header(resp, lit("x-probe"), lit("echo"));
    return st->api->response_set_body(resp, req->body);
}

static zt_status get_fail(void* data, const zt_request* req, zt_response* resp) {
    (void)data;
    (void)req;
    (void)resp;
    return ZT_ERR_UNAVAILABLE;
}

static zt_health_state probe_health(void* data, char* buf, size_t cap) {
    (void)data;
    snprintf(buf, cap, "probe degraded");
    return ZT_HEALTH_DEGRADED;
}

static zt_status probe_auth(void* data, const zt_request* req, zt_auth_result* result) {
    probe_state* st = (probe_state*)data;
    size_t i;
    for (i = 0; i < req->header_count; ++i) {
        if (req->headers[i].name.len == 12 && memcmp(req->headers[i].name.data, "x-probe-user", 12) == 0) {
            return st->api->auth_result_set(result, 1, req->headers[i].value, 0, lit(""));
        }
    }
    return st->api->auth_result_set(result, 0, lit(""), 403, lit("x-probe-user header required"));
}

static zt_status probe_init(const zt_host_api* api, zt_host* host, void** out, char* err, size_t cap) {
    zt_str value;
    zt_status rc;
    if (api->struct_size < offsetof(zt_host_api, auth_result_set) + sizeof(api->auth_result_set)) {
        snprintf(err, cap, "host table too small");
        return ZT_ERR_INTERNAL;
    }
    g_state.api = api;
    g_state.host = host;
    snprintf(g_state.greeting, sizeof g_state.greeting, "none");
    if (api->config_get(host, lit("config.greeting"), &value) == ZT_OK) {
        snprintf(g_state.greeting, sizeof g_state.greeting, "%.*s", (int)value.len, value.data);
    }
    rc = api->register_route(host, lit("GET"), lit("/probe/:id"), get_probe, &g_state);
    if (rc == ZT_OK) rc = api->register_route(host, lit("POST"), lit("/probe/echo"), post_echo, &g_state);
    if (rc == ZT_OK) rc = api->register_route(host, lit("GET"), lit("/probe/fail"), get_fail, &g_state);
    if (rc == ZT_OK &&
        api->register_route(host, lit("GET"), lit("/probe/:other"), get_probe, &g_state) != ZT_ERR_CONFLICT) {
        snprintf(err, cap, "duplicate route was not refused");
        return ZT_ERR_INTERNAL;
    }
    /* 1.4: a summary for a route that exists; none for one that does not, nor a two-line one. */
    if (rc == ZT_OK) rc = api->describe_route(host, lit("GET"), lit("/probe/:id"), lit("Read one probe"));
    if (rc == ZT_OK &&
        (api->describe_route(host, lit("GET"), lit("/nowhere"), lit("x")) != ZT_ERR_NOT_FOUND ||
         api->describe_route(host, lit("GET"), lit("/probe/:id"), lit("a\nb")) != ZT_ERR_INVALID_ARGUMENT ||
         api->describe_route(host, lit("GET"), lit("/probe/:id"), lit("")) != ZT_ERR_INVALID_ARGUMENT)) {
        snprintf(err, cap, "describe_route accepted an unknown route or a bad summary");
        return ZT_ERR_INTERNAL;
    }
    if (rc == ZT_OK) rc = api->register_health_check(host, lit("probe"), probe_health, &g_state);
    if (rc == ZT_OK) rc = api->register_authenticator(host, probe_auth, &g_state);
    if (rc != ZT_OK) {
        snprintf(err, cap, "registration failed with status %d", (int)rc);
        return rc;
    }
    api->log(host, ZT_LOG_INFORMATION, lit("c probe ready"));
    *out = &g_state;
    return ZT_OK;
}

static void probe_shutdown(void* instance) { (void)instance; }

static const zt_plugin_descriptor descriptor = {
    sizeof(zt_plugin_descriptor), ZT_PLUGIN_ABI_MAJOR, ZT_PLUGIN_ABI_MINOR, "c_probe", "0.1.0",
    "pure C ABI probe",           probe_init,          probe_shutdown};

ZT_PLUGIN_EXPORT const zt_plugin_descriptor* zt_plugin_entry(void) { return &descriptor; }
