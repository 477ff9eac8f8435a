// The HTTP rules at the edge of the real host with the example services: a method in the wrong
// case never runs, an encoded '/' never routes, answers made before the filters carry a trace,
// and no library's exception text reaches a client (docs/HTTP.md).
#include <cppunit/extensions/HelperMacros.h>

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <regex>
#include <string>

#include "support/TestSupport.h"

using namespace zt::test;

namespace {
/// Sends raw bytes on a fresh connection and returns everything the server sent before closing
/// (or within 3 s).
std::string rawExchange(int port, const std::string& bytes) {
    Poco::Net::StreamSocket s(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
    s.setReceiveTimeout(Poco::Timespan(3, 0));
    s.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
    std::string out;
    char buf[4096];
    try {
        for (int n; (n = s.receiveBytes(buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
    } catch (const Poco::Exception&) {
    }
    return out;
}
}  // namespace

class HttpStrictnessTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(HttpStrictnessTest);
    CPPUNIT_TEST(the_rules_hold_on_the_example_services);
    CPPUNIT_TEST_SUITE_END();

public:
    void the_rules_hold_on_the_example_services() {
        ExampleServices services({"users", "payments"});
        int admin = freePort();
        HostProcess host(hostEnv(services, admin), admin);
        const int users = services.ports["users"], payments = services.ports["payments"];
        const std::map<std::string, std::string> key = {{"X-API-Key", kTestApiKey}};
        auto created = httpRequest("POST", users, "/users", R"({"name":"Ada","email":"ada@example.com"})", key);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(created.body, 201, created.status);

        // A lower-case method is not DELETE: 501, and the row is still there.
        auto lower = httpRequest("delete", users, "/users/1", "", key);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(lower.body, 501, lower.status);
        assertContains(lower.body, "\"code\":\"not_implemented\"");
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", users, "/users/1", "", key).status);

        // An encoded '/' is part of a segment: /payments%2F1 is not payment 1.
        CPPUNIT_ASSERT_EQUAL(201,
                             httpRequest("POST", payments, "/payments", R"({"orderId":1,"amountCents":5})").status);
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", payments, "/payments/1").status);
        CPPUNIT_ASSERT_EQUAL(404, httpRequest("GET", payments, "/payments%2F1").status);
        CPPUNIT_ASSERT_EQUAL(400, httpRequest("GET", payments, "/payments/1%00").status);

        // Answers made before the filter chain carry a real trace too.
        const std::regex traceparent("\r\ntraceparent: 00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]\r\n", std::regex::icase);
        for (const std::string& bad :
             {std::string("GET / HTTP/1.1\r\nHost: a, b\r\n\r\n"), std::string("GET / HTTP/3.0\r\nHost: a\r\n\r\n"),
              std::string("GET /users HTTP/1.1\r\nHost: a\r\nX-API-Key: a\r\nX-API-Key: b\r\n\r\n"),
              std::string("GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(40000, 'x') + "\r\n\r\n")}) {
            std::string answer = rawExchange(users, bad);
            CPPUNIT_ASSERT_MESSAGE(answer, std::regex_search(answer, traceparent));
            assertContains(answer, "\r\nx-trace-id: ");
            assertContains(answer, "{\"error\":{\"code\":");
        }

        // A value a handler cannot put into JSON is the client's error, never a library's text.
        auto badKey = httpRequest("POST", payments, "/payments", R"({"orderId":2,"amountCents":5})",
                                  {{"Idempotency-Key", "k\xff"}});
        CPPUNIT_ASSERT_MESSAGE(badKey.body, badKey.status == 400 || badKey.status == 422);
        CPPUNIT_ASSERT_MESSAGE(badKey.body, badKey.body.find("json.exception") == std::string::npos);
        CPPUNIT_ASSERT(host.running());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(HttpStrictnessTest);
