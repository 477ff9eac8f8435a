// The HTTP request filter chain (tracing -> auth) built by zt::bootstrap::makeFilterChain, on requests whose
// method, path, headers and body come from the input:
//   byte 0          chain: 0 api-key, 1 jwt (HS256 secret), 2 jwt (RSA + EC keys, iss/aud), 3 none
//                   (+4: tracing disabled instead of enabled with rate 1)
//   first line      "<METHOD> <path>[?query]"
//   then            "name: value" header lines up to an empty line
//   rest            body
// The chain runs as the HTTP layer runs it (onRequest until StopIteration, then onResponse in
// reverse); when it continues, a handler answers 200. Properties: filters never throw; every
// response carries a valid traceparent whose trace id equals x-trace-id; a stopped request has a
// 4xx/5xx status and a JSON error body (docs/HTTP.md) with Content-Type application/json; `none` never
// stops; a request that passes an auth filter has an authenticated principal (except /health...).
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <memory>
#include <string>

#include "FuzzSupport.h"
#include "config/EnvConfig.h"
#include "config/ServiceConfig.h"
#include "bootstrap/FilterChain.h"
#include "tracing/TraceParent.h"
#include "http/Exchange.h"

using zt::fuzz::check;
using zt::http::Exchange;
using zt::http::FilterStatus;
using zt::http::HttpFilterList;

namespace {
const char* const kStrategies[4] = {"api-key", "jwt", "jwt", "none"};

HttpFilterList makeChain(int index, bool tracing) {
    zt::config::ServiceConfig service;
    service.name = "users";
    service.domain = "ecommerce";
    service.configFile = "/srv/fuzz/ecommerce/users/service.config.json";
    service.auth.strategy = kStrategies[index];
    service.tracing.enabled = tracing;
    service.tracing.samplingRate = 1.0;
    zt::config::EnvConfig env;
    env.apiKeys = {zt::fuzz::kApiKey, zt::fuzz::kOtherApiKey};
    if (index == 1) env.jwtSecret = zt::fuzz::kHmacSecret;
    if (index == 2) {
        // RS256 and ES256 both need one key file each: the service allows the one the file has.
        env.jwtPublicKeyFile = zt::fuzz::keys().ecPublic;
        service.auth.issuer = "zt-fuzz";
        service.auth.audience = "users";
    }
    return zt::bootstrap::makeFilterChain(service, env, nullptr, nullptr);
}

const HttpFilterList& chain(int selector) {
    static const auto chains = [] {
        std::vector<HttpFilterList> out;
        for (int t = 0; t < 2; ++t)
            for (int i = 0; i < 4; ++i) out.push_back(makeChain(i, t == 0));
        return out;
    }();
    return chains[selector % 8];
}

std::string_view nextLine(std::string_view& in) {
    auto nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

Exchange parseRequest(std::string_view in) {
    Exchange ex;
    ex.serviceName = "users";
    ex.request.remoteAddress = "127.0.0.1:40000";
    std::string_view requestLine = nextLine(in);
    auto sp = requestLine.find(' ');
    ex.request.method = std::string(requestLine.substr(0, sp));
    std::string_view target = sp == std::string_view::npos ? std::string_view() : requestLine.substr(sp + 1);
    auto q = target.find('?');
    ex.request.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) ex.request.query = std::string(target.substr(q + 1));
    while (!in.empty()) {
        std::string_view line = nextLine(in);
        if (line.empty()) break;
        auto colon = line.find(':');
        std::string_view name = line.substr(0, colon);
        std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        ex.request.headers.add(name, value);
    }
    ex.request.body = std::string(in);
    return ex;
}

void checkErrorBody(const Exchange& ex) {
    const auto& r = ex.response;
    check(r.status >= 400 && r.status <= 599, "stopped with status " + std::to_string(r.status));
    auto type = r.headers.get("content-type");
    check(type && type->find("application/json") == 0, "error without Content-Type application/json");
    Poco::JSON::Object::Ptr error;
    try {
        auto doc = Poco::JSON::Parser().parse(r.body);
        error = doc.extract<Poco::JSON::Object::Ptr>()->getObject("error");
    } catch (const Poco::Exception& e) {
        zt::fuzz::fail("error body is not JSON (" + e.displayText() + "): " + r.body);
    }
    check(error && error->has("code") && error->get("code").isString() && error->has("message") &&
              error->get("message").isString(),
          "error body is not {\"error\":{\"code\",\"message\"}}: " + r.body);
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    zt::fuzz::quietLogging();
    for (int i = 0; i < 8; ++i) chain(i);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const int selector = data[0] % 8;
    const auto& filters = chain(selector);
    Exchange ex = parseRequest(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));

    std::size_t ran = 0;
    bool stopped = false;
    try {
        for (; ran < filters.size(); ++ran) {
            if (filters[ran]->onRequest(ex) == FilterStatus::StopIteration) {
                ++ran;
                stopped = true;
                break;
            }
        }
        if (!stopped) {
            // docs/FILTERS.md, docs/HEALTH.md: /health and /health/... are exempt from authentication.
            const auto& p = ex.request.path;
            const bool health = p == "/health" || p.rfind("/health/", 0) == 0;
            check(ex.principal.authenticated || selector % 4 == 3 || health,
                  "request to '" + p + "' passed the auth filter without an authenticated principal");
            ex.response.setJson(200, "{\"ok\":true}");
        }
        for (std::size_t i = ran; i-- > 0;) filters[i]->onResponse(ex);
    } catch (...) {
        zt::fuzz::unexpectedException();  // filters answer with responses, never exceptions
    }

    if (selector % 4 == 3) check(!stopped, "the none strategy stopped a request");
    if (stopped) checkErrorBody(ex);
    auto tp = ex.response.headers.get("traceparent");
    check(tp.has_value(), "response without traceparent");
    auto parsed = zt::tracing::TraceParent::parse(*tp);
    check(parsed.has_value() && parsed->version == 0, "response traceparent is invalid: " + std::string(*tp));
    auto xid = ex.response.headers.get("x-trace-id");
    check(xid && *xid == parsed->traceId, "x-trace-id does not match the traceparent's trace id");
    return 0;
}
