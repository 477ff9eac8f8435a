#pragma once
// Batches sampled spans to an OpenTelemetry collector: OTLP/HTTP with the JSON encoding,
// POST <endpoint>/v1/traces (OTEL_EXPORTER_OTLP_ENDPOINT, docs/FILTERS.md).
//
// Request threads only append to a bounded queue under a mutex (never any I/O); a background
// thread sends a batch when `maxBatchSize` spans are waiting or `flushInterval` has passed. When
// the queue is full new spans are dropped and counted rather than making requests wait or memory
// grow. stop() (also run by the destructor) sends what is queued, then joins the thread.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tracing/SpanExporter.h"

namespace Poco {
class Logger;
class URI;
}  // namespace Poco
namespace zt::config {
struct EnvConfig;
}

namespace zt::tracing {

class OtlpHttpExporter final : public SpanExporter {
public:
    struct Options {
        std::string endpoint;  ///< base URL, e.g. "http://collector:4318"; "/v1/traces" is appended
        std::size_t maxQueueSize = 2048;
        std::size_t maxBatchSize = 256;
        std::chrono::milliseconds flushInterval{2000};
        std::chrono::milliseconds requestTimeout{5000};
    };

    /// Validates the endpoint (http or https URL; ConfigError naming OTEL_EXPORTER_OTLP_ENDPOINT
    /// otherwise) and starts the sender thread.
    explicit OtlpHttpExporter(Options options);
    ~OtlpHttpExporter() override;

    OtlpHttpExporter(const OtlpHttpExporter&) = delete;
    OtlpHttpExporter& operator=(const OtlpHttpExporter&) = delete;

    bool exportSpan(SpanRecord span) override;

    /// Sends every queued span, then stops the thread. Idempotent; later spans are dropped.
    void stop();

    std::uint64_t droppedSpans() const { return dropped_.load(); }
    std::uint64_t exportedSpans() const { return exported_.load(); }
    std::uint64_t failedSpans() const { return failed_.load(); }  ///< lost to collector errors
    const std::string& tracesUrl() const { return tracesUrl_; }

    /// The OTLP JSON ExportTraceServiceRequest for a batch (spans grouped by service.name).
    static std::string toOtlpJson(const std::vector<SpanRecord>& spans);

private:
    void run();
    void send(const std::vector<SpanRecord>& batch);

    Options options_;
    std::string tracesUrl_;
    Poco::Logger& logger_;

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<SpanRecord> queue_;
    bool stopping_ = false;
    std::atomic<std::uint64_t> dropped_{0};
    std::atomic<std::uint64_t> exported_{0};
    std::atomic<std::uint64_t> failed_{0};
    std::thread thread_;
};

/// The process-wide OTLP exporter for OTEL_EXPORTER_OTLP_ENDPOINT, or null when it is not set.
std::shared_ptr<SpanExporter> makeSpanExporter(const config::EnvConfig& env);

}  // namespace zt::tracing
