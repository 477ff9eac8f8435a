// A plugin that misbehaves on purpose, for the containment tests (issue 8):
//   GET /sleep/:ms      blocks the handler thread for ms milliseconds (handler timeout -> 504)
//   GET /throw/sdk      throws inside an SDK handler (SDK turns it into a JSON 500, text logged only)
//   POST /echo-json     parses the body as JSON and echoes the X-Tag header inside JSON (a bad
//                       body is 400 invalid_json, a non-UTF-8 header 400 invalid_utf8)
//   GET /throw/raw      a raw C-ABI handler that throws a C++ exception across the boundary
//   GET /abi-misuse     calls host functions with invalid arguments; reports what they returned
//   GET /crash/abort    calls abort(): the whole process dies with SIGABRT (crash containment)
//   GET /crash/segv     dies with SIGSEGV, as a stray pointer would
//   GET /pid            the process id that serves the request (which process: host or worker)
//                       and the X-Forwarded-For it got
//   health check "raw-throw": throws across the boundary (host: unhealthy, never a crash)
#include <zintrust/sdk.hpp>

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <thread>

using zt::sdk::Json;
using zt::sdk::Request;
using zt::sdk::Response;

namespace {
zt_status throwingHandler(void*, const zt_request*, zt_response*) { throw std::runtime_error("raw handler exploded"); }
zt_health_state throwingHealth(void*, char*, size_t) { throw std::logic_error("health exploded"); }

struct MisuseContext {
    const zt_host_api* api;
};
MisuseContext g_misuse;

zt_status misuseHandler(void* data, const zt_request*, zt_response* response) {
    const zt_host_api* api = static_cast<MisuseContext*>(data)->api;
    Json out;
    out["statusTooLow"] = api->response_set_status(response, 42);
    out["statusTooHigh"] = api->response_set_status(response, 1000);
    out["bodyNullWithLength"] = api->response_set_body(response, zt_str{nullptr, 5});
    out["headerWithNewline"] = api->response_add_header(response, zt_str{"x-a\r\nx-b", 8}, zt_str{"v", 1});
    out["headerEmptyName"] = api->response_add_header(response, zt_str{"", 0}, zt_str{"v", 1});
    out["valueWithNewline"] = api->response_add_header(response, zt_str{"x-ok", 4}, zt_str{"a\nb", 3});
    out["nullResponse"] = api->response_set_status(nullptr, 200);
    std::string body = out.dump();
    api->response_set_status(response, 200);
    api->response_add_header(response, zt_str{"content-type", 12}, zt_str{"application/json", 16});
    return api->response_set_body(response, zt_str{body.data(), body.size()});
}
}  // namespace

class Misbehaving : public zt::sdk::Service {
public:
    void configure(zt::sdk::Routes& routes, zt::sdk::Host& host) override {
        routes.get("/sleep/:ms", [](const Request& req) {
            std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(req.param("ms"))));
            return Response::json(200, "{\"slept\":true}");
        });
        routes.get("/crash/abort", [](const Request&) -> Response { std::abort(); });
        routes.get("/crash/segv", [](const Request&) -> Response {
            std::raise(SIGSEGV);
            return Response::json(500, "{\"survived\":true}");
        });
        routes.get("/pid", [](const Request& req) {
            Json out;
            out["pid"] = ::getpid();
            out["forwardedFor"] = std::string(req.header("x-forwarded-for").value_or(""));
            return Response::json(200, out.dump());
        });
        routes.get("/throw/sdk", [](const Request&) -> Response { throw std::runtime_error("sdk handler exploded"); });
        routes.post("/echo-json", [](const Request& req) {
            auto body = zt::sdk::Json::parse(req.body());
            body["tag"] = std::string(req.header("x-tag").value_or(""));
            return Response::json(200, body.dump());
        });
        const zt_host_api* api = host.api();
        if (api->register_route(host.handle(), zt::sdk::str("GET"), zt::sdk::str("/throw/raw"), &throwingHandler,
                                nullptr) != ZT_OK)
            throw std::runtime_error("cannot register /throw/raw");
        g_misuse.api = api;
        if (api->register_route(host.handle(), zt::sdk::str("GET"), zt::sdk::str("/abi-misuse"), &misuseHandler,
                                &g_misuse) != ZT_OK)
            throw std::runtime_error("cannot register /abi-misuse");
        if (api->register_health_check(host.handle(), zt::sdk::str("raw-throw"), &throwingHealth, nullptr) != ZT_OK)
            throw std::runtime_error("cannot register health check");
    }
};

ZT_PLUGIN(Misbehaving, "misbehaving", "1.0.0", "misbehaves on purpose")
