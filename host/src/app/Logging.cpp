#include "app/Logging.h"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Formatter.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/PatternFormatter.h>

#include <string_view>
#include <utility>

#include "http/RequestLog.h"
#include "json/JsonEscape.h"

namespace zt::app {

namespace {
/// One object per line in the OpenTelemetry log data model's field names (docs/MONITORING.md):
/// {"timestamp":"...","severityText":"INFO","severityNumber":9,"body":"...",
///  "traceId":"...","spanId":"...","attributes":{...},"resource":{"service.name":"users"}}
/// traceId and spanId are the request's the record was written for (RequestLog), so a search for
/// a trace id finds the log lines next to the spans.
class OtelJsonFormatter : public Poco::Formatter {
public:
    void format(const Poco::Message& msg, std::string& text) override {
        using json::jsonEscape;
        // Poco's levels on OpenTelemetry's severity numbers (TRACE 1, DEBUG 5, INFO 9, WARN 13,
        // ERROR 17, FATAL 21; notice and critical one step above info and error).
        static const std::pair<const char*, int> severities[] = {{"", 0},       {"FATAL", 21}, {"CRITICAL", 18},
                                                                 {"ERROR", 17}, {"WARN", 13},  {"NOTICE", 10},
                                                                 {"INFO", 9},   {"DEBUG", 5},  {"TRACE", 1}};
        const int p = static_cast<int>(msg.getPriority());
        const auto& [severityText, severityNumber] = severities[p >= 1 && p <= 8 ? p : 6];
        const http::Exchange* request = http::RequestLog::current();
        std::string traceId = msg.get(http::RequestLog::kTraceId, "");
        std::string spanId = msg.get(http::RequestLog::kSpanId, "");
        if (traceId.empty() && request && request->trace.valid()) {
            traceId = request->trace.traceId;
            spanId = request->trace.spanId;
        }
        const std::string& source = msg.getSource();
        std::string service = msg.get(http::RequestLog::kServiceName, "");
        if (service.empty() && source.rfind(kServiceLoggerPrefix, 0) == 0)
            service = source.substr(kServiceLoggerPrefix.size());
        if (service.empty() && request) service = request->serviceName;
        if (service.empty()) service = "zintrust-host";

        text = "{\"timestamp\":\"" +
               Poco::DateTimeFormatter::format(msg.getTime(), Poco::DateTimeFormat::ISO8601_FRAC_FORMAT) +
               "\",\"severityText\":\"" + severityText + "\",\"severityNumber\":" + std::to_string(severityNumber) +
               ",\"body\":\"" + jsonEscape(msg.getText()) + "\"";
        if (!traceId.empty())
            text += ",\"traceId\":\"" + jsonEscape(traceId) + "\",\"spanId\":\"" + jsonEscape(spanId) + "\"";
        text += ",\"attributes\":{\"logger.name\":\"" + jsonEscape(source) +
                "\",\"thread.id\":" + std::to_string(msg.getTid());
        for (const char* name : http::RequestLog::kAttributes) {
            if (name == std::string_view(http::RequestLog::kServiceName) || !msg.has(name)) continue;
            const std::string& value = msg.get(name);
            // Status codes and durations are numbers in OpenTelemetry's attributes.
            const bool number = name == std::string_view(http::RequestLog::kStatus) ||
                                name == std::string_view(http::RequestLog::kDurationSeconds);
            text += ",\"" + std::string(name) + "\":" + (number ? value : "\"" + jsonEscape(value) + "\"");
        }
        text += "},\"resource\":{\"service.name\":\"" + jsonEscape(service) + "\"}}";
    }

private:
    static constexpr std::string_view kServiceLoggerPrefix = "zt.service.";
};
}  // namespace

Poco::AutoPtr<Poco::Formatter> makeLogFormatter(const std::string& format) {
    if (format == "json") return new OtelJsonFormatter;
    return new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%iZ %p %s: %t");
}

void configureLogging(const std::string& level, const std::string& format) {
    Poco::AutoPtr<Poco::Formatter> formatter = makeLogFormatter(format);
    Poco::AutoPtr<Poco::ConsoleChannel> console(new Poco::ConsoleChannel);
    Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(formatter, console));
    int prio = level == "none" ? 0 : Poco::Logger::parseLevel(level);
    // Apply to every logger that already exists (static-init ones) and to future ones.
    Poco::Logger::setChannel("", channel);
    Poco::Logger::setLevel("", prio);
    Poco::Logger::root().setChannel(channel);
    Poco::Logger::root().setLevel(prio);
}

}  // namespace zt::app
