// LOG_FORMAT=json (docs/MONITORING.md: logs): one object per line in the OpenTelemetry log data
// model's field names; a record written while a request is handled carries the request's
// traceId and spanId (a plugin's own log line included), and the access log's fields become
// attributes with numbers as numbers.
#include <cppunit/extensions/HelperMacros.h>

#include <Poco/Message.h>

#include <nlohmann/json.hpp>

#include <string>

#include "app/Logging.h"
#include "http/Exchange.h"
#include "http/RequestLog.h"

using nlohmann::json;
using zt::http::RequestLog;

namespace {
json format(const Poco::Message& msg) {
    auto formatter = zt::app::makeLogFormatter("json");
    std::string line;
    formatter->format(msg, line);
    CPPUNIT_ASSERT_MESSAGE(line, line.find('\n') == std::string::npos);
    return json::parse(line);  // throws when not one JSON object
}

zt::http::Exchange requestWithTrace() {
    zt::http::Exchange ex;
    ex.serviceName = "orders";
    ex.trace.traceId = "0af7651916cd43dd8448eb211c80319c";
    ex.trace.spanId = "b7ad6b7169203331";
    return ex;
}
}  // namespace

class LoggingTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(LoggingTest);
    CPPUNIT_TEST(a_record_outside_a_request_has_the_data_model_fields);
    CPPUNIT_TEST(a_record_inside_a_request_carries_its_trace);
    CPPUNIT_TEST(nested_requests_restore_the_outer_trace);
    CPPUNIT_TEST(an_access_record_has_typed_attributes);
    CPPUNIT_TEST(text_format_is_one_line_per_record);
    CPPUNIT_TEST_SUITE_END();

public:
    void a_record_outside_a_request_has_the_data_model_fields() {
        Poco::Message msg("zt.bootstrap", "ready \"now\"\n", Poco::Message::PRIO_WARNING);
        const auto j = format(msg);
        CPPUNIT_ASSERT_EQUAL(std::string("WARN"), j.at("severityText").get<std::string>());
        CPPUNIT_ASSERT_EQUAL(13, j.at("severityNumber").get<int>());
        CPPUNIT_ASSERT_EQUAL(std::string("ready \"now\"\n"), j.at("body").get<std::string>());
        CPPUNIT_ASSERT(j.at("timestamp").get<std::string>().find('T') != std::string::npos);
        CPPUNIT_ASSERT(!j.contains("traceId"));
        CPPUNIT_ASSERT_EQUAL(std::string("zt.bootstrap"), j.at("attributes").at("logger.name").get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("zintrust-host"), j.at("resource").at("service.name").get<std::string>());
    }

    void a_record_inside_a_request_carries_its_trace() {
        const auto ex = requestWithTrace();
        RequestLog::Scope scope(ex);
        // A plugin's line: its logger names the service.
        Poco::Message msg("zt.service.orders", "order 7 created", Poco::Message::PRIO_INFORMATION);
        const auto j = format(msg);
        CPPUNIT_ASSERT_EQUAL(std::string("INFO"), j.at("severityText").get<std::string>());
        CPPUNIT_ASSERT_EQUAL(9, j.at("severityNumber").get<int>());
        CPPUNIT_ASSERT_EQUAL(ex.trace.traceId, j.at("traceId").get<std::string>());
        CPPUNIT_ASSERT_EQUAL(ex.trace.spanId, j.at("spanId").get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("orders"), j.at("resource").at("service.name").get<std::string>());
    }

    void nested_requests_restore_the_outer_trace() {
        const auto outer = requestWithTrace();
        RequestLog::Scope a(outer);
        {
            auto inner = requestWithTrace();
            inner.serviceName = "users";
            inner.trace.spanId = "1111111111111111";
            RequestLog::Scope b(inner);
            CPPUNIT_ASSERT_EQUAL(
                std::string("1111111111111111"),
                format(Poco::Message("zt.http", "x", Poco::Message::PRIO_ERROR)).at("spanId").get<std::string>());
        }
        CPPUNIT_ASSERT_EQUAL(
            outer.trace.spanId,
            format(Poco::Message("zt.http", "x", Poco::Message::PRIO_ERROR)).at("spanId").get<std::string>());
        CPPUNIT_ASSERT(RequestLog::current() == &outer);
    }

    void an_access_record_has_typed_attributes() {
        Poco::Message msg(RequestLog::kAccessLogger, "GET /users/:id 200 1.500 ms", Poco::Message::PRIO_INFORMATION);
        msg.set(RequestLog::kMethod, "GET");
        msg.set(RequestLog::kRoute, "/users/:id");
        msg.set(RequestLog::kStatus, "200");
        msg.set(RequestLog::kDurationSeconds, "0.001500");
        msg.set(RequestLog::kServiceName, "users");
        msg.set(RequestLog::kTraceId, "4bf92f3577b34da6a3ce929d0e0e4736");
        msg.set(RequestLog::kSpanId, "00f067aa0ba902b7");
        const auto j = format(msg);
        const auto& a = j.at("attributes");
        CPPUNIT_ASSERT_EQUAL(200, a.at("http.response.status_code").get<int>());
        CPPUNIT_ASSERT_DOUBLES_EQUAL(0.0015, a.at("http.server.request.duration").get<double>(), 1e-9);
        CPPUNIT_ASSERT_EQUAL(std::string("/users/:id"), a.at("http.route").get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("4bf92f3577b34da6a3ce929d0e0e4736"), j.at("traceId").get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("users"), j.at("resource").at("service.name").get<std::string>());
    }

    void text_format_is_one_line_per_record() {
        auto formatter = zt::app::makeLogFormatter("text");
        std::string line;
        formatter->format(Poco::Message("zt.host", "hello", Poco::Message::PRIO_INFORMATION), line);
        CPPUNIT_ASSERT(line.find("zt.host: hello") != std::string::npos);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(LoggingTest);
