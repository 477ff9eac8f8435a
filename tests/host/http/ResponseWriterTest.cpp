// The response head the connection writes.
#include <cppunit/extensions/HelperMacros.h>

#include <string>

#include "http/ResponseWriter.h"

using namespace zt::http;

class ResponseWriterTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ResponseWriterTest);
    CPPUNIT_TEST(writes_status_headers_length_date_server);
    CPPUNIT_TEST(connection_header_follows_the_keep_alive_decision);
    CPPUNIT_TEST(no_content_length_for_204_304_and_1xx);
    CPPUNIT_TEST(framing_headers_from_handlers_are_replaced_and_splitting_values_dropped);
    CPPUNIT_TEST(date_is_an_imf_fixdate);
    CPPUNIT_TEST_SUITE_END();

public:
    void writes_status_headers_length_date_server() {
        HttpResponse r;
        r.status = 404;
        r.headers.add("Content-Type", "application/json");
        std::string out;
        appendResponseHead(out, r, 17, ResponseHeadOptions{true, false});
        CPPUNIT_ASSERT_EQUAL(std::string("HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n"),
                             out.substr(0, 56));
        CPPUNIT_ASSERT(out.find("\r\ncontent-length: 17\r\n") != std::string::npos);
        CPPUNIT_ASSERT(out.find("\r\nserver: zintrust-host\r\n") != std::string::npos);
        CPPUNIT_ASSERT(out.find("\r\ndate: ") != std::string::npos);
        CPPUNIT_ASSERT(out.find("connection:") == std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::string("\r\n\r\n"), out.substr(out.size() - 4));
    }

    void connection_header_follows_the_keep_alive_decision() {
        HttpResponse r;
        std::string closing, http10;
        appendResponseHead(closing, r, 0, ResponseHeadOptions{false, false});
        CPPUNIT_ASSERT(closing.find("\r\nconnection: close\r\n") != std::string::npos);
        appendResponseHead(http10, r, 0, ResponseHeadOptions{true, true});
        CPPUNIT_ASSERT(http10.find("\r\nconnection: keep-alive\r\n") != std::string::npos);
    }

    void no_content_length_for_204_304_and_1xx() {
        for (int status : {204, 304, 101}) {
            HttpResponse r;
            r.status = status;
            std::string out;
            appendResponseHead(out, r, 0, ResponseHeadOptions{});
            CPPUNIT_ASSERT_MESSAGE(out, out.find("content-length") == std::string::npos);
            CPPUNIT_ASSERT(statusHasNoBody(status));
        }
        CPPUNIT_ASSERT(!statusHasNoBody(200));
    }

    void framing_headers_from_handlers_are_replaced_and_splitting_values_dropped() {
        HttpResponse r;
        r.headers.add("Content-Length", "999");
        r.headers.add("Transfer-Encoding", "chunked");
        r.headers.add("Connection", "upgrade");
        r.headers.add("X-Evil", "a\r\nSet-Cookie: x=1");
        r.headers.add("X-Fine", "ok");
        r.headers.add("Server", "custom");
        std::string out;
        appendResponseHead(out, r, 2, ResponseHeadOptions{});
        CPPUNIT_ASSERT(out.find("999") == std::string::npos);
        CPPUNIT_ASSERT(out.find("chunked") == std::string::npos);
        CPPUNIT_ASSERT(out.find("upgrade") == std::string::npos);
        CPPUNIT_ASSERT(out.find("Set-Cookie") == std::string::npos);
        CPPUNIT_ASSERT(out.find("\r\nx-fine: ok\r\n") != std::string::npos);
        CPPUNIT_ASSERT(out.find("\r\nserver: custom\r\n") != std::string::npos);
        CPPUNIT_ASSERT(out.find("zintrust-host") == std::string::npos);
        CPPUNIT_ASSERT(out.find("\r\ncontent-length: 2\r\n") != std::string::npos);
    }

    void date_is_an_imf_fixdate() {
        const std::string date(httpDateNow());
        CPPUNIT_ASSERT_EQUAL_MESSAGE(date, std::size_t{29}, date.size());
        CPPUNIT_ASSERT_EQUAL(std::string(" GMT"), date.substr(25));
        CPPUNIT_ASSERT_EQUAL(',', date[3]);
        CPPUNIT_ASSERT_EQUAL(std::string("Unknown"), std::string(reasonPhrase(799)));
        CPPUNIT_ASSERT_EQUAL(std::string("Request Header Fields Too Large"), std::string(reasonPhrase(431)));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ResponseWriterTest);
