/*
 * zintrust/testing.h: the in-process test host, C side (docs/TESTING.md).
 *
 * libzintrust-testing.so runs one service plugin the way zintrust-host does (the same loader, the
 * same service code, the same query builder and pool against a real PostgreSQL) without ports or
 * filters: a test loads its plugin, calls its routes directly, answers its callService calls with
 * stubs and reads its log. Service authors use the C++ wrapper zintrust/testing.hpp; this header is
 * what crosses the library boundary, so it carries only C types (as zintrust/plugin.h does).
 *
 * Thread tags: [any-thread] may be called from any thread at any time; [owner-thread] only by the
 * thread that created the test host, never while another call on it runs.
 * OWNERSHIP: every zt_str argument is borrowed for the duration of the call; every zt_str result
 * points into the object it was read from and lives as long as that object.
 */
#ifndef ZINTRUST_TESTING_H
#define ZINTRUST_TESTING_H

#include "zintrust/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* OWNERSHIP: made by zt_test_host_create, owned by the test until zt_test_host_destroy. */
typedef struct zt_test_host zt_test_host;
/* OWNERSHIP: made by zt_test_host_send / zt_test_host_health, owned by the test until
 * zt_test_reply_free. */
typedef struct zt_test_reply zt_test_reply;
/* OWNERSHIP: the host's, lent to one zt_test_call_fn call; never kept by the stub. */
typedef struct zt_test_call_reply zt_test_call_reply;

/*
 * [any-thread: the plugin's request thread] Answers one callService call of the plugin. Fill
 * `reply` (zt_test_call_reply_set, zt_test_call_reply_add_header); a reply left unset is answered
 * 404 unknown_service, as the host answers a service it does not know. Must not throw.
 */
typedef void (*zt_test_call_fn)(void* call_data, zt_str service, zt_str method, zt_str path_and_query,
                                const zt_header* headers, size_t header_count, zt_str body,
                                zt_test_call_reply* reply);
/* [any-thread: the thread that logs] One line the plugin (or the host for it) logged. */
typedef void (*zt_test_log_fn)(void* log_data, zt_log_level level, zt_str message);

typedef struct zt_test_host_options {
    uint32_t struct_size;  /* sizeof(zt_test_host_options): the table only grows at the end */
    zt_str plugin_file;    /* the plugin .so to load */
    zt_str config_json;    /* the service.config.json document (with the test's changes) */
    zt_str config_file;    /* the file it came from: errors name it, migrations/ is next to it */
    zt_str database_url;   /* postgresql://user:password@host:port/db with the rights to create the
                              service's role and schema (as DATABASE_URL); required when the config
                              has a "database" section (zt_test_host_create refuses otherwise) */
    int32_t allow_raw_queries; /* USE_RAW_QUERY: nonzero lets db_raw_query run */
    zt_test_call_fn call_service; /* NULL: every call is answered 404 unknown_service */
    void* call_data;              /* passed back untouched; must outlive the test host */
    zt_test_log_fn log;           /* NULL: the log is discarded */
    void* log_data;               /* passed back untouched; must outlive the test host */
} zt_test_host_options;

/*
 * [owner-thread] Loads the plugin, sets up its database (role, schema, migrations) when
 * database_url is set, and runs its init(). On failure returns an error status, *out stays NULL
 * and `error_buf` says why (the file, the key or the server's message).
 */
zt_status zt_test_host_create(const zt_test_host_options* options, zt_test_host** out, char* error_buf,
                              size_t error_len);
/* [owner-thread] Runs the plugin's shutdown() (after the calls in flight), unloads it. NULL is a no-op. */
void zt_test_host_destroy(zt_test_host* host);

/* [any-thread] How many routes the plugin registered, and the i-th (in the order they are matched). */
size_t zt_test_host_route_count(const zt_test_host* host);
zt_status zt_test_host_route(const zt_test_host* host, size_t index, zt_str* out_method, zt_str* out_pattern);

typedef struct zt_test_request {
    uint32_t struct_size;      /* sizeof(zt_test_request) */
    zt_str method;             /* "GET", "POST", ...: case-sensitive, as the host serves them */
    zt_str target;             /* path and query, percent-encoded as on the wire: "/users/7?x=1" */
    const zt_header* headers;  /* OWNERSHIP: borrowed for the call */
    size_t header_count;
    zt_str body;
    zt_str principal;     /* what an auth filter would have found; empty: not authenticated */
    zt_str claims_json;   /* a JSON object; empty: "{}" */
    int64_t timeout_ms;   /* the request's deadline (ZT_HANDLER_TIMEOUT_MS); 0: 30000 */
} zt_test_request;

/*
 * [any-thread] Routes the request and runs the plugin's handler on the calling thread, as the host
 * runs it after the filters, with the same JSON errors: 501 for a method the host does not serve,
 * 400 for a target it refuses, 404/405 when no route matches, 500/503/... when the handler fails.
 * ZT_ERR_INVALID_ARGUMENT only for a malformed call (NULL pointers, an older struct).
 */
zt_status zt_test_host_send(zt_test_host* host, const zt_test_request* request, zt_test_reply** out);
/* [any-thread] The service's GET /health answer (docs/HEALTH.md): the database, the dependencies
 * (the stubs answer for them: reported healthy) and the plugin's own checks. */
zt_status zt_test_host_health(zt_test_host* host, zt_test_reply** out);

/* [any-thread] Reading a reply. Header names are lower case. */
int32_t zt_test_reply_status(const zt_test_reply* reply);
zt_str zt_test_reply_body(const zt_test_reply* reply);
size_t zt_test_reply_header_count(const zt_test_reply* reply);
zt_status zt_test_reply_header(const zt_test_reply* reply, size_t index, zt_str* out_name, zt_str* out_value);
void zt_test_reply_free(zt_test_reply* reply);

/* [the stub's thread] Filling a call reply inside zt_test_call_fn. */
void zt_test_call_reply_set(zt_test_call_reply* reply, int32_t status, zt_str body);
void zt_test_call_reply_add_header(zt_test_call_reply* reply, zt_str name, zt_str value);

#ifdef __cplusplus
}
#endif

#endif /* ZINTRUST_TESTING_H */
