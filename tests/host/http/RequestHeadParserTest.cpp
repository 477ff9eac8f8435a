// RFC 9112 request-head parsing and framing: what is accepted, what is refused with which status.
#include <cppunit/extensions/HelperMacros.h>

#include <memory>
#include <string>

#include "http/RequestHeadParser.h"

using namespace zt::http;

namespace {
struct Parsed {
    std::shared_ptr<const std::string> text;  ///< what the head's views point into
    bool ok = false;
    RequestHead head;
    RequestFraming framing;
    HeadError error;
};

Parsed parse(const std::string& input, HeadLimits limits = {}) {
    Parsed p;
    p.text = std::make_shared<const std::string>(input);
    const std::string& text = *p.text;
    const std::size_t end = findHeadEnd(text);
    CPPUNIT_ASSERT_MESSAGE("no head end in: " + text, end != std::string::npos);
    p.ok = parseRequestHead(std::string_view(text).substr(0, end), limits, p.head, p.error) &&
           requestFraming(p.head, p.framing, p.error);
    return p;
}

void assertRefused(const std::string& text, int status, const std::string& code = "") {
    Parsed p = parse(text);
    CPPUNIT_ASSERT_MESSAGE("accepted: " + text, !p.ok);
    CPPUNIT_ASSERT_EQUAL_MESSAGE(text, status, p.error.status);
    if (!code.empty()) CPPUNIT_ASSERT_EQUAL_MESSAGE(text, code, p.error.code);
    CPPUNIT_ASSERT(!p.error.message.empty());
}
}  // namespace

class RequestHeadParserTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RequestHeadParserTest);
    CPPUNIT_TEST(parses_request_line_headers_and_trims_values);
    CPPUNIT_TEST(finds_the_head_end_with_crlf_or_bare_lf_and_resumes);
    CPPUNIT_TEST(skips_leading_empty_lines);
    CPPUNIT_TEST(http10_closes_unless_keep_alive_and_http11_keeps_unless_close);
    CPPUNIT_TEST(content_length_and_chunked_framing);
    CPPUNIT_TEST(refuses_ambiguous_or_invalid_framing);
    CPPUNIT_TEST(refuses_malformed_heads_with_400);
    CPPUNIT_TEST(refuses_other_http_versions_with_505);
    CPPUNIT_TEST(http11_needs_exactly_one_host);
    CPPUNIT_TEST(expect_100_continue_only_with_a_body);
    CPPUNIT_TEST(limits_give_414_and_431);
    CPPUNIT_TEST_SUITE_END();

public:
    void parses_request_line_headers_and_trims_values() {
        Parsed p = parse("GET /users/7?x=1 HTTP/1.1\r\nHost: a\r\nX-Api-Key: \t k e y \t\r\nEmpty:\r\n\r\nBODY");
        CPPUNIT_ASSERT(p.ok);
        CPPUNIT_ASSERT_EQUAL(std::string("GET"), std::string(p.head.method));
        CPPUNIT_ASSERT_EQUAL(std::string("/users/7?x=1"), std::string(p.head.target));
        CPPUNIT_ASSERT_EQUAL(1, p.head.minorVersion);
        CPPUNIT_ASSERT_EQUAL(std::size_t{3}, p.head.headers.size());
        CPPUNIT_ASSERT_EQUAL(std::string("X-Api-Key"), std::string(p.head.headers[1].first));
        CPPUNIT_ASSERT_EQUAL(std::string("k e y"), std::string(p.head.headers[1].second));
        CPPUNIT_ASSERT_EQUAL(std::string(""), std::string(p.head.headers[2].second));
        CPPUNIT_ASSERT_EQUAL(
            std::string("GET /users/7?x=1 HTTP/1.1\r\nHost: a\r\nX-Api-Key: \t k e y \t\r\nEmpty:\r\n\r\n").size(),
            p.head.headBytes);
        CPPUNIT_ASSERT(p.framing.body == RequestFraming::Body::None);
        CPPUNIT_ASSERT(p.framing.keepAlive);
    }

    void finds_the_head_end_with_crlf_or_bare_lf_and_resumes() {
        CPPUNIT_ASSERT_EQUAL(std::size_t{18}, findHeadEnd("GET / HTTP/1.1\r\n\r\nrest"));
        CPPUNIT_ASSERT_EQUAL(std::size_t{16}, findHeadEnd("GET / HTTP/1.1\n\nrest"));
        CPPUNIT_ASSERT_EQUAL(std::string::npos, findHeadEnd("GET / HTTP/1.1\r\nHost: a\r\n"));
        CPPUNIT_ASSERT_EQUAL(std::string::npos, findHeadEnd("GET / HTTP/1.1\r\nHost: a\r\n\r"));
        // Resuming where the previous search stopped, with the end split across two reads.
        std::string buffer = "GET / HTTP/1.1\r\nHost: a\r\n\r";
        const std::size_t scanned = buffer.size();
        buffer += "\n";
        CPPUNIT_ASSERT_EQUAL(buffer.size(), findHeadEnd(buffer, scanned));
        Parsed p = parse("GET / HTTP/1.1\nHost: a\n\n");
        CPPUNIT_ASSERT(p.ok);
        CPPUNIT_ASSERT_EQUAL(std::string("a"), std::string(p.head.headers[0].second));
    }

    void skips_leading_empty_lines() {
        Parsed p = parse("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
        CPPUNIT_ASSERT(p.ok);
        CPPUNIT_ASSERT_EQUAL(std::string("/"), std::string(p.head.target));
        CPPUNIT_ASSERT_EQUAL(std::string::npos, findHeadEnd("\r\n\r\n\r\n"));
    }

    void http10_closes_unless_keep_alive_and_http11_keeps_unless_close() {
        CPPUNIT_ASSERT(!parse("GET / HTTP/1.0\r\n\r\n").framing.keepAlive);
        CPPUNIT_ASSERT(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").framing.keepAlive);
        CPPUNIT_ASSERT(parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n").framing.keepAlive);
        CPPUNIT_ASSERT(!parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, CLOSE\r\n\r\n").framing.keepAlive);
        CPPUNIT_ASSERT(!parse("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n").framing.keepAlive);
    }

    void content_length_and_chunked_framing() {
        Parsed p = parse("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n");
        CPPUNIT_ASSERT(p.ok);
        CPPUNIT_ASSERT(p.framing.body == RequestFraming::Body::Length);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{12}, p.framing.contentLength);
        // Repeated identical values are one value (RFC 9110 8.6).
        CPPUNIT_ASSERT(parse("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\n").ok);
        CPPUNIT_ASSERT(parse("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").framing.body ==
                       RequestFraming::Body::None);
        Parsed c = parse("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n");
        CPPUNIT_ASSERT(c.ok);
        CPPUNIT_ASSERT(c.framing.body == RequestFraming::Body::Chunked);
    }

    void refuses_ambiguous_or_invalid_framing() {
        assertRefused("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400);
        assertRefused("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400);
        assertRefused("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n", 400);
        assertRefused("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400);
        assertRefused("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", 400);
        assertRefused("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", 400);
        assertRefused("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400);
        assertRefused("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501,
                      "not_implemented");
        assertRefused("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 501);
        assertRefused("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                      501);
        assertRefused("POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400);
    }

    void refuses_malformed_heads_with_400() {
        assertRefused("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
        assertRefused("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400);
        assertRefused("GET /\r\nHost: a\r\n\r\n", 400);
        assertRefused("G(ET / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
        assertRefused("GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n", 400);
        assertRefused("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 400);
        assertRefused("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400);
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400);
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400);
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\n: empty-name\r\n\r\n", 400);
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", 400);
        assertRefused(std::string("GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n", 35), 400);
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\nX: \x01\r\n\r\n", 400);
        assertRefused("GET / HTTX/1.1\r\nHost: a\r\n\r\n", 400);
        assertRefused("GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400);
        // obs-text in a value is allowed (RFC 9110 5.5).
        CPPUNIT_ASSERT(parse("GET / HTTP/1.1\r\nHost: a\r\nX-Name: caf\xc3\xa9\r\n\r\n").ok);
    }

    void refuses_other_http_versions_with_505() {
        assertRefused("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "http_version_not_supported");
        assertRefused("GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505);
    }

    void http11_needs_exactly_one_host() {
        assertRefused("GET / HTTP/1.1\r\n\r\n", 400);
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", 400);
        CPPUNIT_ASSERT(parse("GET / HTTP/1.0\r\n\r\n").ok);
    }

    void expect_100_continue_only_with_a_body() {
        CPPUNIT_ASSERT(parse("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n")
                           .framing.expectContinue);
        CPPUNIT_ASSERT(!parse("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n").framing.expectContinue);
        assertRefused("POST / HTTP/1.1\r\nHost: a\r\nExpect: something-else\r\nContent-Length: 3\r\n\r\n", 417);
    }

    void limits_give_414_and_431() {
        HeadLimits limits;
        limits.maxRequestLineBytes = 64;
        limits.maxHeadBytes = 256;
        limits.maxHeaderCount = 3;
        Parsed longLine = parse("GET /" + std::string(100, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", limits);
        CPPUNIT_ASSERT(!longLine.ok);
        CPPUNIT_ASSERT_EQUAL(414, longLine.error.status);
        Parsed many = parse("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits);
        CPPUNIT_ASSERT(!many.ok);
        CPPUNIT_ASSERT_EQUAL(431, many.error.status);
        Parsed big = parse("GET / HTTP/1.1\r\nHost: a\r\nA: " + std::string(300, 'x') + "\r\n\r\n", limits);
        CPPUNIT_ASSERT(!big.ok);
        CPPUNIT_ASSERT_EQUAL(431, big.error.status);
        // A head that never ended within the limit: the connection asks which error it is.
        CPPUNIT_ASSERT_EQUAL(414, headTooLarge("GET /" + std::string(100, 'a'), limits).status);
        CPPUNIT_ASSERT_EQUAL(431, headTooLarge("GET / HTTP/1.1\r\nA: " + std::string(300, 'x'), limits).status);
        CPPUNIT_ASSERT_EQUAL(std::string("header_fields_too_large"),
                             headTooLarge("GET / HTTP/1.1\r\nA: " + std::string(300, 'x'), limits).code);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RequestHeadParserTest);
