/*
 * zintrust/plugin.h: the stable C ABI between zintrust-host and a service plugin.
 *
 * Pure C11 (also valid C++20). Nothing here may change layout once released:
 *   - structs are size-prefixed (`struct_size` first) and only ever grow at the end;
 *   - a new function or field bumps ZT_PLUGIN_ABI_MINOR; removing or reordering bumps MAJOR;
 *   - strings cross as pointer + length (zt_str), never assumed NUL-terminated unless stated;
 *   - no C++ types, exceptions or Poco types cross the boundary: functions return zt_status codes.
 *
 * Loading (host side, see host/src/plugin/PluginLibrary.cpp; docs/ARCHITECTURE.md):
 *   1. dlopen(file, RTLD_NOW | RTLD_LOCAL); a missing or unresolved symbol fails here.
 *   2. dlsym(ZT_PLUGIN_ENTRY_SYMBOL) must find a function of type zt_plugin_entry_fn.
 *   3. The descriptor it returns must have abi_major == ZT_PLUGIN_ABI_MAJOR and
 *      struct_size >= ZT_PLUGIN_DESCRIPTOR_MIN_SIZE. Otherwise the plugin is refused with the file
 *      name and the reason, and the other services keep starting.
 *   4. init() is called once, on the host's main thread, with the host function table.
 *      register_* functions are only valid during init().
 *   5. Route handlers, health checks and authenticators are then called from many host worker
 *      threads at once: they must be thread-safe.
 *   6. shutdown() is called once, after the service stopped accepting requests and every in-flight
 *      call into the plugin has returned. The library is dlclose()d afterwards.
 *
 * THREAD tags, at the start of every callback's and every host function's comment:
 *   [main-thread]    the host calls it once per service: the entry function and init() on the
 *                    main thread at start-up, shutdown() on the thread that stops the service,
 *                    after every call into the plugin has returned and no new one can enter.
 *   [init-only]      the plugin may call it only from init() itself; ZT_ERR_PERMISSION afterwards.
 *   [request-thread] only on the thread running the call that was given the object (`response`,
 *                    `result`), and only until that call returns.
 *   [worker-thread]  the host calls it on its handler threads, or on the thread of an in-process
 *                    call_service from another service: many at once, so it must be thread-safe.
 *   [any-thread]     any thread of the process may call it, concurrently; a call from a thread
 *                    that is not running a request has no request deadline.
 *   [owner-thread]   one thread at a time per object (the object itself is not locked).
 *
 * OWNERSHIP conventions used below:
 *   "borrowed, call"   : owned by the caller, valid only until the function returns. Copy to keep.
 *   "borrowed, plugin" : owned by the host, valid until the plugin's shutdown() returns.
 *   "static"           : owned by the plugin, must stay valid while the library is loaded.
 *   "copied"           : the callee copies the data before returning; the caller keeps ownership.
 */
#ifndef ZINTRUST_PLUGIN_H
#define ZINTRUST_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#define ZT_PLUGIN_ABI_MAJOR 1u
#define ZT_PLUGIN_ABI_MINOR 4u

/* Name of the one exported function (dlsym is only reliable for functions, as PG_MODULE_MAGIC). */
#define ZT_PLUGIN_ENTRY_SYMBOL "zt_plugin_entry"

#if defined(__GNUC__) || defined(__clang__)
#define ZT_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define ZT_PLUGIN_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Basic types
 * ------------------------------------------------------------------------------------------- */

/* A string slice. OWNERSHIP: stated at every use. `data` may be NULL only when `len` is 0. */
typedef struct zt_str {
    const char* data;
    size_t len;
} zt_str;

/* Status codes returned across the ABI. Fixed width so the ABI does not depend on enum size. */
typedef int32_t zt_status;
#define ZT_OK 0
#define ZT_ERR_INVALID_ARGUMENT 1 /* bad argument (NULL, malformed pattern, bad status code...) */
#define ZT_ERR_NOT_FOUND 2        /* looked-up key does not exist */
#define ZT_ERR_INTERNAL 3         /* unexpected failure; the host logs it and answers 500 */
#define ZT_ERR_UNAVAILABLE 4      /* a dependency (database, other service) is unavailable */
#define ZT_ERR_TIMEOUT 5          /* a dependency did not answer in time */
#define ZT_ERR_PERMISSION 6       /* not allowed (e.g. raw SQL disabled, register_* after init) */
#define ZT_ERR_CONFLICT 7         /* duplicate (route already registered, unique violation) */
#define ZT_ERR_BUFFER_TOO_SMALL 8 /* a caller-provided buffer was too small */

/* Log levels, ordered like Poco::Message::Priority (lower = more severe). */
typedef int32_t zt_log_level;
#define ZT_LOG_FATAL 1
#define ZT_LOG_CRITICAL 2
#define ZT_LOG_ERROR 3
#define ZT_LOG_WARNING 4
#define ZT_LOG_NOTICE 5
#define ZT_LOG_INFORMATION 6
#define ZT_LOG_DEBUG 7
#define ZT_LOG_TRACE 8

/* Health states returned by plugin health checks. */
typedef int32_t zt_health_state;
#define ZT_HEALTH_HEALTHY 0
#define ZT_HEALTH_DEGRADED 1
#define ZT_HEALTH_UNHEALTHY 2

/* One HTTP header. OWNERSHIP: as the array that holds it. */
typedef struct zt_header {
    zt_str name; /* lower-case when produced by the host */
    zt_str value;
} zt_header;

/* Opaque host objects. Never dereferenced by the plugin. */
typedef struct zt_host zt_host;         /* one per loaded service; lives until shutdown() returns */
typedef struct zt_response zt_response; /* one per handler call; valid only during that call */

/* ---------------------------------------------------------------------------------------------
 * Requests
 * ------------------------------------------------------------------------------------------- */

/*
 * A request as seen by a route handler or an authenticator.
 * OWNERSHIP: the struct and every pointer in it are "borrowed, call": owned by the host and valid
 * only until the handler / authenticator returns.
 * Fields added in later minors are appended; check struct_size before reading them.
 */
typedef struct zt_request {
    uint32_t struct_size;
    zt_str method; /* "GET", "POST", ... (upper case: other spellings never reach a plugin) */
    zt_str path;   /* path without the query string, each segment percent-decoded, e.g.
                                 "/users/7"; an encoded '/' or '%' inside a segment stays "%2F" /
                                 "%25", so every '/' separates segments (params are fully decoded) */
    zt_str query;  /* raw query string without '?', possibly empty */
    const zt_header* headers; /* request headers, names lower-cased */
    size_t header_count;
    const zt_header* params; /* path parameters: {name without ':', value}, e.g. {"id","7"} */
    size_t param_count;
    zt_str body;         /* the full request body (the host reads it before calling) */
    zt_str service_name; /* the service this request was routed to */
    zt_str
        principal; /* authenticated subject ("sub" or api-key id); empty when not authenticated */
    zt_str claims_json;   /* verified claims as a JSON object text; "{}" when none */
    zt_str trace_id;      /* W3C trace id (32 lower-case hex) of this request */
    zt_str span_id;       /* the server span id (16 hex) the host opened for this request */
    zt_str traceparent;   /* value to send on outgoing calls so they become children of this span */
    uint32_t trace_flags; /* W3C trace flags; bit 0 = sampled */
} zt_request;

/* ---------------------------------------------------------------------------------------------
 * Plugin callbacks
 * ------------------------------------------------------------------------------------------- */

/*
 * [worker-thread] Handles one request. Build the answer with zt_host_api.response_* on `response`.
 * Return ZT_OK when the response is complete. Any other status makes the host answer with a JSON
 * error whose HTTP status follows the code (ZT_ERR_UNAVAILABLE -> 503, ZT_ERR_TIMEOUT -> 504,
 * ZT_ERR_NOT_FOUND -> 404, ZT_ERR_INVALID_ARGUMENT -> 400, ZT_ERR_PERMISSION -> 403,
 * ZT_ERR_CONFLICT -> 409, others -> 500) unless the handler already set a body.
 * `route_data`: the pointer given to register_route, passed back untouched.
 * Must not throw: a C++ exception crossing this boundary is undefined behaviour (the host catches
 * what it can and answers 500, but do not rely on it; the SDK converts exceptions to statuses).
 */
typedef zt_status (*zt_route_handler)(void* route_data, const zt_request* request,
                                      zt_response* response);

/*
 * [any-thread] A plugin health check (the health endpoints and the monitor call it, possibly
 * concurrently). Writes an optional NUL-terminated human-readable message into
 * `message_buf` (OWNERSHIP: host-owned buffer of `message_cap` bytes, "borrowed, call") and returns
 * a zt_health_state.
 */
typedef zt_health_state (*zt_health_check_fn)(void* check_data, char* message_buf,
                                              size_t message_cap);

/*
 * Result of a custom authenticator (auth strategy "custom").
 * OWNERSHIP: the struct is host-owned ("borrowed, call"). The authenticator fills it through
 * zt_host_api.auth_result_set (copied), never by writing pointers into it.
 */
typedef struct zt_auth_result zt_auth_result;

/*
 * [worker-thread] A custom authenticator: decides whether `request` may reach the route handlers.
 * Return ZT_OK after calling auth_result_set (allow or deny). Any other return value, or returning
 * without calling auth_result_set, denies the request (fail closed).
 */
typedef zt_status (*zt_authenticate_fn)(void* auth_data, const zt_request* request,
                                        zt_auth_result* result);

/*
 * A database result (1.1). OWNERSHIP: allocated by the host, owned by the plugin until it calls
 * zt_host_api.db_result_free (exactly once); read it with db_result_json or, since 1.3, cell by
 * cell with db_result_shape / db_result_column / db_result_cell. [owner-thread]
 */
typedef struct zt_db_result zt_db_result;

/*
 * What a result cell is (1.3): the JSON type it has in db_result_json's "rows", so both ways of
 * reading a result agree. The cell's text (db_result_cell) is:
 *   ZT_DB_NULL   empty
 *   ZT_DB_BOOL   "true" or "false"
 *   ZT_DB_INT    a decimal integer that fits int64_t (int2/int4/int8/oid columns)
 *   ZT_DB_FLOAT  a finite number in JSON number syntax (float4/float8; NaN and +-Infinity are
 *                ZT_DB_STRING "NaN", "Infinity", "-Infinity", as in the JSON)
 *   ZT_DB_STRING the string's characters, unescaped: text, NUMERIC (exact decimal), timestamps
 *                (microseconds), UUIDs, everything else
 *   ZT_DB_JSON   json/jsonb columns: the JSON text as PostgreSQL returned it
 */
typedef int32_t zt_db_kind;
#define ZT_DB_NULL 0
#define ZT_DB_BOOL 1
#define ZT_DB_INT 2
#define ZT_DB_FLOAT 3
#define ZT_DB_STRING 4
#define ZT_DB_JSON 5

/*
 * [request-thread] Body of a database transaction (1.1): runs on the thread that called
 * db_transaction, which is the "request" here; every db_* call it makes on that thread joins the
 * transaction (nested db_transaction calls become savepoints).
 * Return ZT_OK to commit; anything else rolls back. Must not throw.
 */
typedef zt_status (*zt_transaction_fn)(void* tx_data);

/*
 * The answer to an inter-service call (1.2). OWNERSHIP: allocated by the host, owned by the
 * plugin until it calls zt_host_api.call_response_free (exactly once).
 */
typedef struct zt_call_response zt_call_response;

/* ---------------------------------------------------------------------------------------------
 * The host function table
 * ------------------------------------------------------------------------------------------- */

/*
 * Functions the host offers the plugin, in the style of sqlite3_api_routines.
 * OWNERSHIP: the table itself is "borrowed, plugin" (host-owned, valid until shutdown() returns).
 * A plugin built against a newer minor must check struct_size (ZT_HOST_API_HAS) before calling a
 * function appended after the minor it was built with.
 */
typedef struct zt_host_api {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;

    /* ---- 1.0 ---- */

    /* [any-thread] Logs `message` ("copied") under the service's logger. */
    void (*log)(zt_host* host, zt_log_level level, zt_str message);

    /*
     * [any-thread] Looks up a value of the service's service.config.json by dotted path ("database.schema",
     * "config.greeting"); non-string values come back as their JSON text.
     * `out_value`: receives a "borrowed, plugin" string. ZT_ERR_NOT_FOUND when absent.
     */
    zt_status (*config_get)(zt_host* host, zt_str key, zt_str* out_value);

    /*
     * [init-only] Registers a route. `method`: "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD",
     * "OPTIONS" or "*" for any. `pattern`: "/users/:id" style; segments starting with ':' capture one
     * path segment, a final "*" segment captures the rest. Both strings are "copied".
     * `route_data` ("static" for the plugin: must outlive the service) is passed to `handler`.
     * ZT_ERR_CONFLICT for a duplicate method+pattern, ZT_ERR_INVALID_ARGUMENT for a bad pattern,
     * ZT_ERR_PERMISSION after init.
     */
    zt_status (*register_route)(zt_host* host, zt_str method, zt_str pattern,
                                zt_route_handler handler, void* route_data);

    /*
     * [init-only] Registers a named health check shown under checks.plugin.<name> of /health.
     * `name` is "copied"; `check_data` must outlive the service.
     */
    zt_status (*register_health_check)(zt_host* host, zt_str name, zt_health_check_fn check,
                                       void* check_data);

    /*
     * [init-only] Registers the authenticator used when the service's auth.strategy is "custom"
     * (at most one). `auth_data` must outlive the service.
     */
    zt_status (*register_authenticator)(zt_host* host, zt_authenticate_fn authenticate,
                                        void* auth_data);

    /* [request-thread] Sets the HTTP status (100..599) of the response being built. Default 200. */
    zt_status (*response_set_status)(zt_response* response, int32_t status);

    /* [request-thread] Adds a response header; name and value are "copied". Names with CR/LF are
     * refused. */
    zt_status (*response_add_header)(zt_response* response, zt_str name, zt_str value);

    /* [request-thread] Replaces the response body ("copied"). */
    zt_status (*response_set_body)(zt_response* response, zt_str body);

    /*
     * [request-thread] Fills a custom-auth result. `allow` non-zero allows. `principal` ("copied") names the caller.
     * `deny_status`: HTTP status used when denying (401 or 403; 0 means 401). `message` ("copied")
     * goes into the JSON error body when denying.
     */
    zt_status (*auth_result_set)(zt_auth_result* result, int32_t allow, zt_str principal,
                                 int32_t deny_status, zt_str message);

    /* ---- 1.1: database (docs/DATABASE.md). Check ZT_HOST_API_HAS(api, db_query) before use. ----
     *
     * Every db_* function stores a result in *out_result (when out_result is not NULL), also on
     * failure, so the plugin can read the error; free it with db_result_free. Result JSON:
     *   success: {"command":"SELECT","rowCount":N,"columns":[{"name":"id","type":20}],"rows":[{...}]}
     *            (int/float -> numbers, NUMERIC -> string (exact), bool, null, json/jsonb embedded,
     *             timestamps -> strings with microseconds, everything else -> strings)
     *   failure: {"error":{"code":"...","message":"...","sqlState":"23505","constraint":"..."}}
     * Status codes: ZT_ERR_INVALID_ARGUMENT bad query description; ZT_ERR_CONFLICT unique violation;
     * ZT_ERR_UNAVAILABLE database down or pool wait timed out (answer 503 + Retry-After);
     * ZT_ERR_PERMISSION raw SQL disabled (USE_RAW_QRY), or the service's own database role has no
     * right to what the statement touches (SQLSTATE 42501: another service's schema, a server file,
     * another role; since host 0.1 with per-service roles); ZT_ERR_NOT_FOUND the service has no
     * "database" section; ZT_ERR_INTERNAL any other database error.
     */

    /*
     * [any-thread] Runs a query-builder description ("copied") against the service's own schema/database:
     *   {"op":"select|first|count|insert|update|delete","table":"users","columns":["id"],
     *    "where":[["id","=",1],["email","in",["a","b"]],["deleted_at","is-null"]],
     *    "orderBy":[["created_at","desc"]],"limit":10,"offset":0,"values":{"name":"x"},
     *    "allowUnfilteredWrite":false}
     * Operators: = != <> < <= > >= like ilike in not-in is-null not-null. Values are always bound as
     * $n parameters; identifiers are validated and quoted; tables are always schema-qualified.
     * insert/update/delete return the affected rows (RETURNING *). update/delete need a where
     * unless allowUnfilteredWrite is true.
     */
    zt_status (*db_query)(zt_host* host, zt_str builder_json, zt_db_result** out_result);

    /*
     * [any-thread] One SQL statement ("copied") with $1..$n placeholders and `params_json` ("copied"), a JSON
     * array of values (strings, numbers, booleans, null; objects/arrays bind as JSON text).
     * Runs with search_path set to the service schema only. ZT_ERR_PERMISSION unless the host runs
     * with USE_RAW_QRY=true.
     */
    zt_status (*db_raw_query)(zt_host* host, zt_str sql, zt_str params_json,
                              zt_db_result** out_result);

    /*
     * [any-thread] BEGIN; fn(tx_data) on this thread; COMMIT when fn returns ZT_OK, ROLLBACK otherwise (the status is
     * returned). Nested calls use SAVEPOINTs. `tx_data` is passed back untouched.
     */
    zt_status (*db_transaction)(zt_host* host, zt_transaction_fn fn, void* tx_data,
                                zt_db_result** out_result);

    /* [owner-thread] The result as JSON text. OWNERSHIP: borrowed from `result`, valid until db_result_free. */
    zt_str (*db_result_json)(const zt_db_result* result);

    /* [owner-thread] Frees a result returned by a db_* function. NULL is ignored. */
    void (*db_result_free)(zt_db_result* result);

    /* ---- 1.2: inter-service calls (docs/CALLS.md). Check ZT_HOST_API_HAS(api, call_service). ---- */

    /*
     * [any-thread] Calls service `service` ("copied"): in-process when it is loaded in this host (same filters
     * as a network call, no socket), else over HTTP at its registry URL with pooled keep-alive
     * connections. The host adds trace headers (the span of `context` becomes the parent; the
     * sampled flag and x-trace-depth + 1 propagate) and the credentials the target's auth strategy
     * needs; applies SERVICE_CALL_TIMEOUT_MS to the whole call, retries idempotent methods with
     * backoff (SERVICE_CALL_RETRIES) and keeps a circuit breaker per target.
     * `context`: the request being handled ("borrowed, call"), or NULL outside a request.
     * `method`, `path_and_query` ("/users/7?x=1"), `headers` (extra request headers) and `body`
     * are "copied".
     * Always stores an answer in *out_response when it returns ZT_OK - also for failures, which
     * come back as HTTP statuses with a JSON error body: 404 unknown_service, 503 circuit_open /
     * service_unavailable, 504 upstream_timeout, 508 loop_detected. ZT_ERR_INVALID_ARGUMENT only for
     * NULL pointers.
     */
    zt_status (*call_service)(zt_host* host, const zt_request* context, zt_str service,
                              zt_str method, zt_str path_and_query, const zt_header* headers,
                              size_t header_count, zt_str body, zt_call_response** out_response);

    /* [owner-thread] HTTP status of the answer (100..599). */
    int32_t (*call_response_status)(const zt_call_response* response);

    /* [owner-thread] Body of the answer. OWNERSHIP: borrowed from `response`, valid until call_response_free. */
    zt_str (*call_response_body)(const zt_call_response* response);

    /*
     * [owner-thread] First header `name` (case-insensitive) of the answer; ZT_ERR_NOT_FOUND when absent.
     * `out_value` is borrowed from `response`, valid until call_response_free.
     */
    zt_status (*call_response_header)(const zt_call_response* response, zt_str name,
                                      zt_str* out_value);

    /* [owner-thread] Frees an answer. NULL is ignored. */
    void (*call_response_free)(zt_call_response* response);

    /* ---- 1.3: reading a result without JSON. Check ZT_HOST_API_HAS(api, db_result_cell). ----
     *
     * The same data as db_result_json, cell by cell: the host renders no JSON for a result that is
     * only read this way (db_result_json still works on any result and renders it on first use).
     * Every zt_str these functions store is borrowed from `result`, valid until db_result_free.
     */

    /*
     * [owner-thread] The shape of a successful result: the command verb ("SELECT", "INSERT", "COMMIT"...), the
     * rowCount of the JSON, and how many columns and rows it holds (any out pointer may be NULL).
     * ZT_ERR_NOT_FOUND for a failed call's result (it holds only the error: read db_result_json);
     * ZT_ERR_INVALID_ARGUMENT for a NULL result.
     */
    zt_status (*db_result_shape)(const zt_db_result* result, zt_str* out_command,
                                 int64_t* out_row_count, size_t* out_columns, size_t* out_rows);

    /*
     * [owner-thread] Column `column` (0-based, < columns): its name and PostgreSQL type OID (either out pointer
     * may be NULL). ZT_ERR_INVALID_ARGUMENT when out of range or `result` is NULL or failed.
     */
    zt_status (*db_result_column)(const zt_db_result* result, size_t column, zt_str* out_name,
                                  uint32_t* out_type_oid);

    /*
     * [owner-thread] Cell (`row`, `column`): its kind and text (see zt_db_kind). ZT_ERR_INVALID_ARGUMENT when out
     * of range, an out pointer is NULL, or `result` is NULL or failed.
     */
    zt_status (*db_result_cell)(const zt_db_result* result, size_t row, size_t column,
                                zt_db_kind* out_kind, zt_str* out_text);

    /* ---- 1.4: describing routes (docs/MONITORING.md: OpenAPI). Check ZT_HOST_API_HAS(api, describe_route). ---- */

    /*
     * [init-only] Attaches a one-line `summary` ("copied", at most 200 bytes, no CR/LF) to the route
     * registered with exactly `method` and `pattern` ("copied"); GET /openapi.json shows it as the
     * operation's summary. A second call replaces the first. ZT_ERR_NOT_FOUND when no such route was
     * registered, ZT_ERR_INVALID_ARGUMENT for an empty, too long or multi-line summary,
     * ZT_ERR_PERMISSION after init.
     */
    zt_status (*describe_route)(zt_host* host, zt_str method, zt_str pattern, zt_str summary);
} zt_host_api;

/* True when `api` is large enough to contain `member` (for functions appended in later minors). */
#define ZT_HOST_API_HAS(api, member) \
    ((api)->struct_size >= offsetof(zt_host_api, member) + sizeof((api)->member))

/* ---------------------------------------------------------------------------------------------
 * The plugin descriptor
 * ------------------------------------------------------------------------------------------- */

/*
 * What the entry function returns.
 * OWNERSHIP: "static": the descriptor and its strings belong to the plugin and must stay valid
 * while the library is loaded.
 */
typedef struct zt_plugin_descriptor {
    uint32_t struct_size;    /* sizeof(zt_plugin_descriptor) as the plugin was compiled */
    uint16_t abi_major;      /* ZT_PLUGIN_ABI_MAJOR the plugin was compiled with */
    uint16_t abi_minor;      /* ZT_PLUGIN_ABI_MINOR the plugin was compiled with */
    const char* name;        /* NUL-terminated service/plugin name, e.g. "users" */
    const char* version;     /* NUL-terminated semantic version, e.g. "1.0.0" */
    const char* description; /* NUL-terminated, may be "" */

    /*
     * [main-thread] Called once. `api` and `host` are "borrowed, plugin".
     * Store the plugin's per-service state in *out_instance (plugin-owned, freed by shutdown()).
     * On failure return non-ZT_OK and write a NUL-terminated reason into `error_buf`
     * (host-owned, `error_cap` bytes, "borrowed, call"): the host refuses the service with it.
     */
    zt_status (*init)(const zt_host_api* api, zt_host* host, void** out_instance, char* error_buf,
                      size_t error_cap);

    /* [main-thread] Called once; frees what init allocated. `instance` is what init stored. Must not fail. */
    void (*shutdown)(void* instance);
} zt_plugin_descriptor;

/* The smallest descriptor the host accepts: everything up to and including `shutdown`. */
#define ZT_PLUGIN_DESCRIPTOR_MIN_SIZE \
    (offsetof(zt_plugin_descriptor, shutdown) + sizeof(void (*)(void*)))

/* [main-thread] Type of the exported entry function (called once, when the library is loaded).
 * Returns a "static" descriptor; never NULL on success. */
typedef const zt_plugin_descriptor* (*zt_plugin_entry_fn)(void);

/* Declaration of the entry function a plugin must export (with C linkage). */
ZT_PLUGIN_EXPORT const zt_plugin_descriptor* zt_plugin_entry(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ZINTRUST_PLUGIN_H */
