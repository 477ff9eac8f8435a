// Chunked request bodies (RFC 9112 7.1), fed in arbitrary pieces.
#include <cppunit/extensions/HelperMacros.h>

#include <string>

#include "http/ChunkedDecoder.h"

using zt::http::ChunkedDecoder;

namespace {
/// Feeds `wire` `step` bytes at a time; returns the final status, the body and what was left over.
ChunkedDecoder::Status decode(const std::string& wire, std::size_t step, std::string& body, std::string& rest,
                              std::size_t maxBody = 1 << 20) {
    ChunkedDecoder decoder(maxBody);
    std::size_t pos = 0;
    while (pos < wire.size()) {
        const std::size_t n = std::min(step, wire.size() - pos);
        std::size_t used = 0;
        const auto status = decoder.feed(std::string_view(wire).substr(pos, n), body, used);
        pos += used;
        if (status != ChunkedDecoder::Status::NeedMore) {
            rest = wire.substr(pos);
            return status;
        }
        CPPUNIT_ASSERT_EQUAL(n, used);
    }
    rest.clear();
    return ChunkedDecoder::Status::NeedMore;
}
}  // namespace

class ChunkedDecoderTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ChunkedDecoderTest);
    CPPUNIT_TEST(decodes_in_any_split_and_leaves_the_next_request);
    CPPUNIT_TEST(skips_extensions_and_trailers);
    CPPUNIT_TEST(needs_more_until_the_final_empty_line);
    CPPUNIT_TEST(refuses_malformed_sizes_and_missing_crlf);
    CPPUNIT_TEST(stops_at_the_body_limit_before_buffering_it);
    CPPUNIT_TEST_SUITE_END();

public:
    void decodes_in_any_split_and_leaves_the_next_request() {
        const std::string wire = "5\r\nhello\r\nA\r\n, chunked!\r\n0\r\n\r\nGET /next HTTP/1.1\r\n";
        for (std::size_t step : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}, wire.size()}) {
            std::string body, rest;
            CPPUNIT_ASSERT(decode(wire, step, body, rest) == ChunkedDecoder::Status::Done);
            CPPUNIT_ASSERT_EQUAL(std::string("hello, chunked!"), body);
            CPPUNIT_ASSERT_EQUAL_MESSAGE("step " + std::to_string(step), std::string("GET /next HTTP/1.1\r\n"), rest);
        }
    }

    void skips_extensions_and_trailers() {
        std::string body, rest;
        CPPUNIT_ASSERT(decode("3;name=value\r\nabc\r\n0;last\r\nX-Checksum: 1\r\nY: 2\r\n\r\nZ", 4, body, rest) ==
                       ChunkedDecoder::Status::Done);
        CPPUNIT_ASSERT_EQUAL(std::string("abc"), body);
        CPPUNIT_ASSERT_EQUAL(std::string("Z"), rest);
        // Only ';' may follow the size: whitespace there is read differently by other parsers.
        for (const char* bad :
             {"0 ; last\r\n\r\n", "0 \r\n\r\n", "3\t;x\r\nabc\r\n0\r\n\r\n", "3x\r\nabc\r\n0\r\n\r\n"}) {
            body.clear();
            CPPUNIT_ASSERT_MESSAGE(bad, decode(bad, 1, body, rest) == ChunkedDecoder::Status::Malformed);
        }
        // Every framing line ends in CRLF: a bare LF anywhere is refused (parsers disagree on it).
        for (const char* bad : {"2\nhi\r\n0\r\n\r\n", "2\r\nhi\n0\r\n\r\n", "2;x\nhi\r\n0\r\n\r\n",
                                "2\r\nhi\r\n0\r\n\n", "2\r\nhi\r\n0\r\nT: 1\n\r\n"}) {
            body.clear();
            for (std::size_t split : {std::size_t{1}, std::size_t{100}}) {
                CPPUNIT_ASSERT_MESSAGE(bad, decode(bad, split, body, rest) == ChunkedDecoder::Status::Malformed);
                body.clear();
            }
        }
        CPPUNIT_ASSERT(decode("2\r\nhi\r\n0\r\nT: 1\r\n\r\n", 1, body, rest) == ChunkedDecoder::Status::Done);
        CPPUNIT_ASSERT_EQUAL(std::string("hi"), body);
    }

    void needs_more_until_the_final_empty_line() {
        std::string body, rest;
        CPPUNIT_ASSERT(decode("3\r\nabc\r\n0\r\n", 100, body, rest) == ChunkedDecoder::Status::NeedMore);
        CPPUNIT_ASSERT(decode("3\r\nab", 100, body, rest) == ChunkedDecoder::Status::NeedMore);
    }

    void refuses_malformed_sizes_and_missing_crlf() {
        for (const std::string& wire :
             {std::string("x\r\n"), std::string("\r\n"), std::string("3\r\nabcX\r\n0\r\n\r\n"), std::string("3\rabc"),
              std::string("-1\r\n"), std::string("11111111111111111\r\n"), std::string("0\r\nX: 1\r") + "Z"}) {
            std::string body, rest;
            CPPUNIT_ASSERT_MESSAGE(wire, decode(wire, 1, body, rest) == ChunkedDecoder::Status::Malformed);
        }
    }

    void stops_at_the_body_limit_before_buffering_it() {
        std::string body, rest;
        CPPUNIT_ASSERT(decode("400\r\n" + std::string(1024, 'a') + "\r\n0\r\n\r\n", 50, body, rest, 1000) ==
                       ChunkedDecoder::Status::TooLarge);
        CPPUNIT_ASSERT(body.empty());
        body.clear();
        CPPUNIT_ASSERT(
            decode("200\r\n" + std::string(512, 'a') + "\r\n200\r\n" + std::string(512, 'b') + "\r\n0\r\n\r\n", 64,
                   body, rest, 1000) == ChunkedDecoder::Status::TooLarge);
        CPPUNIT_ASSERT_EQUAL(std::size_t{512}, body.size());
        body.clear();
        CPPUNIT_ASSERT(decode("fffffffffffffff\r\n", 64, body, rest, 1000) == ChunkedDecoder::Status::TooLarge);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ChunkedDecoderTest);
