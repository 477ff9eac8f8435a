#include "tracing/OtlpHttpExporter.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <map>
#include <sstream>

#include "config/ConfigError.h"
#include "config/EnvConfig.h"

namespace zt::tracing {

namespace {
Poco::JSON::Object::Ptr attribute(const std::string& key, const std::string& value) {
    Poco::JSON::Object::Ptr v = new Poco::JSON::Object;
    v->set("stringValue", value);
    Poco::JSON::Object::Ptr a = new Poco::JSON::Object;
    a->set("key", key);
    a->set("value", v);
    return a;
}

Poco::JSON::Object::Ptr intAttribute(const std::string& key, std::int64_t value) {
    Poco::JSON::Object::Ptr v = new Poco::JSON::Object;
    // The protobuf JSON mapping writes 64-bit integers as strings.
    v->set("intValue", std::to_string(value));
    Poco::JSON::Object::Ptr a = new Poco::JSON::Object;
    a->set("key", key);
    a->set("value", v);
    return a;
}
}  // namespace

OtlpHttpExporter::OtlpHttpExporter(Options options)
    : options_(std::move(options)), logger_(Poco::Logger::get("zt.tracing.otlp")) {
    Poco::URI uri;
    try {
        uri = Poco::URI(options_.endpoint);
    } catch (const Poco::Exception& e) {
        throw config::ConfigError("OTEL_EXPORTER_OTLP_ENDPOINT: '" + options_.endpoint +
                                  "' is not a URL: " + e.message());
    }
    if ((uri.getScheme() != "http" && uri.getScheme() != "https") || uri.getHost().empty()) {
        throw config::ConfigError("OTEL_EXPORTER_OTLP_ENDPOINT: '" + options_.endpoint +
                                  "' must be an http:// or https:// URL with a host");
    }
    if (options_.maxQueueSize == 0 || options_.maxBatchSize == 0) {
        throw Poco::InvalidArgumentException("OtlpHttpExporter: queue and batch sizes must be > 0");
    }
    std::string base = options_.endpoint;
    while (!base.empty() && base.back() == '/') base.pop_back();
    tracesUrl_ = base + "/v1/traces";
    thread_ = std::thread([this] { run(); });
}

OtlpHttpExporter::~OtlpHttpExporter() { stop(); }

bool OtlpHttpExporter::exportSpan(SpanRecord span) {
    std::size_t size = 0;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_ || queue_.size() >= options_.maxQueueSize) {
            dropped_.fetch_add(1);
            return false;
        }
        queue_.push_back(std::move(span));
        size = queue_.size();
    }
    if (size >= options_.maxBatchSize) wake_.notify_one();
    return true;
}

void OtlpHttpExporter::stop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
}

void OtlpHttpExporter::run() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        wake_.wait_for(lock, options_.flushInterval,
                       [this] { return stopping_ || queue_.size() >= options_.maxBatchSize; });
        if (queue_.empty()) {
            if (stopping_) return;
            continue;
        }
        std::vector<SpanRecord> batch;
        const std::size_t n = std::min(queue_.size(), options_.maxBatchSize);
        batch.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            batch.push_back(std::move(queue_.front()));
            queue_.pop_front();
        }
        // The network call happens without the lock: request threads keep enqueueing meanwhile.
        lock.unlock();
        send(batch);
        lock.lock();
    }
}

void OtlpHttpExporter::send(const std::vector<SpanRecord>& batch) {
    try {
        Poco::URI uri(tracesUrl_);
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        if (uri.getScheme() == "https") {
            Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "",
                                                                     Poco::Net::Context::VERIFY_RELAXED, 9, true);
            session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), context);
        } else {
            session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
        }
        session->setTimeout(Poco::Timespan(options_.requestTimeout.count() * 1000));
        const std::string body = toOtlpJson(batch);
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathEtc(),
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        request.setContentType("application/json");
        request.setContentLength(static_cast<std::streamsize>(body.size()));
        session->sendRequest(request) << body;
        Poco::Net::HTTPResponse response;
        std::istream& in = session->receiveResponse(response);
        std::ostringstream ignored;
        Poco::StreamCopier::copyStream(in, ignored);
        if (response.getStatus() / 100 != 2) {
            failed_.fetch_add(batch.size());
            logger_.warning("OTLP export to " + tracesUrl_ + " failed: HTTP " +
                            std::to_string(static_cast<int>(response.getStatus())));
            return;
        }
        exported_.fetch_add(batch.size());
    } catch (const Poco::Exception& e) {
        failed_.fetch_add(batch.size());
        logger_.warning("OTLP export to " + tracesUrl_ + " failed: " + e.displayText());
    } catch (const std::exception& e) {
        failed_.fetch_add(batch.size());
        logger_.warning("OTLP export to " + tracesUrl_ + " failed: " + e.what());
    }
}

std::string OtlpHttpExporter::toOtlpJson(const std::vector<SpanRecord>& spans) {
    // One resourceSpans entry per service, in first-seen order.
    std::vector<std::string> order;
    std::map<std::string, Poco::JSON::Array::Ptr> byService;
    for (const auto& s : spans) {
        auto& list = byService[s.serviceName];
        if (!list) {
            list = new Poco::JSON::Array;
            order.push_back(s.serviceName);
        }
        Poco::JSON::Object::Ptr span = new Poco::JSON::Object;
        span->set("traceId", s.traceId);
        span->set("spanId", s.spanId);
        if (!s.parentSpanId.empty()) span->set("parentSpanId", s.parentSpanId);
        span->set("name", s.name);
        span->set("kind", 2);  // SPAN_KIND_SERVER
        span->set("startTimeUnixNano", std::to_string(s.startUnixNano));
        span->set("endTimeUnixNano", std::to_string(s.endUnixNano));
        Poco::JSON::Array::Ptr attributes = new Poco::JSON::Array;
        attributes->add(attribute("http.method", s.method));
        if (!s.routePattern.empty()) attributes->add(attribute("http.route", s.routePattern));
        attributes->add(intAttribute("http.status_code", s.status));
        span->set("attributes", attributes);
        Poco::JSON::Object::Ptr status = new Poco::JSON::Object;
        // OTel HTTP server semantics: only 5xx marks a server span as an error.
        if (s.status >= 500) status->set("code", 2);
        span->set("status", status);
        list->add(span);
    }
    Poco::JSON::Array::Ptr resourceSpans = new Poco::JSON::Array;
    for (const auto& service : order) {
        Poco::JSON::Array::Ptr resourceAttributes = new Poco::JSON::Array;
        resourceAttributes->add(attribute("service.name", service));
        Poco::JSON::Object::Ptr resource = new Poco::JSON::Object;
        resource->set("attributes", resourceAttributes);
        Poco::JSON::Object::Ptr scope = new Poco::JSON::Object;
        scope->set("name", "zintrust-host");
        Poco::JSON::Object::Ptr scopeSpans = new Poco::JSON::Object;
        scopeSpans->set("scope", scope);
        scopeSpans->set("spans", byService[service]);
        Poco::JSON::Array::Ptr scopeSpansList = new Poco::JSON::Array;
        scopeSpansList->add(scopeSpans);
        Poco::JSON::Object::Ptr entry = new Poco::JSON::Object;
        entry->set("resource", resource);
        entry->set("scopeSpans", scopeSpansList);
        resourceSpans->add(entry);
    }
    Poco::JSON::Object root;
    root.set("resourceSpans", resourceSpans);
    std::ostringstream out;
    root.stringify(out);
    return out.str();
}

std::shared_ptr<SpanExporter> makeSpanExporter(const config::EnvConfig& env) {
    if (env.otlpEndpoint.empty()) return nullptr;
    OtlpHttpExporter::Options options;
    options.endpoint = env.otlpEndpoint;
    return std::make_shared<OtlpHttpExporter>(std::move(options));
}

}  // namespace zt::tracing
