// Request targets, methods and Host values as the connection loop checks them: the path is split
// into segments before it is decoded, so an encoded '/' never routes as a separator.
#include <cppunit/extensions/HelperMacros.h>

#include "http/RequestTarget.h"
#include "http/Router.h"

using namespace zt::http;

namespace {
std::string pathOf(std::string_view method, std::string_view target) {
    std::string path, query;
    HeadError error;
    if (!parseRequestTarget(method, target, path, query, error)) return "ERROR " + std::to_string(error.status);
    return path + (query.empty() ? "" : "?" + query);
}
}  // namespace

class RequestTargetTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RequestTargetTest);
    CPPUNIT_TEST(methods_are_case_sensitive);
    CPPUNIT_TEST(segments_are_decoded_one_by_one);
    CPPUNIT_TEST(only_origin_absolute_and_options_asterisk_forms);
    CPPUNIT_TEST(host_values);
    CPPUNIT_TEST(authority_of_absolute_form);
    CPPUNIT_TEST(an_encoded_slash_is_a_parameter_value_never_a_separator);
    CPPUNIT_TEST_SUITE_END();

public:
    void methods_are_case_sensitive() {
        for (const char* m : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
            CPPUNIT_ASSERT(isServedMethod(m));
        for (const char* m : {"get", "Delete", "delete", "CONNECT", "TRACE", "PROPFIND", ""})
            CPPUNIT_ASSERT(!isServedMethod(m));
    }

    void segments_are_decoded_one_by_one() {
        CPPUNIT_ASSERT_EQUAL(std::string("/payments%2F500"), pathOf("GET", "/payments%2F500"));
        CPPUNIT_ASSERT_EQUAL(std::string("/payments%2F500"), pathOf("GET", "/payments%2f500"));
        CPPUNIT_ASSERT_EQUAL(std::string("/a b/%25/c?x=%20"), pathOf("GET", "/a%20b/%25/c?x=%20"));
        CPPUNIT_ASSERT_EQUAL(std::string("/users"), pathOf("GET", "/%75sers"));
        for (const char* bad : {"/a%00", "/%0d%0aSet-Cookie:x", "/a%7f", "/a%", "/a%g0", "/a%0"})
            CPPUNIT_ASSERT_EQUAL_MESSAGE(bad, std::string("ERROR 400"), pathOf("GET", bad));
        CPPUNIT_ASSERT_EQUAL(std::string("a/b"), decodePathSegment("a%2Fb"));
        CPPUNIT_ASSERT_EQUAL(std::string("100%"), decodePathSegment("100%25"));
        CPPUNIT_ASSERT_EQUAL(std::string("%2F"), decodePathSegment("%252F"));  // decoded once only
    }

    void only_origin_absolute_and_options_asterisk_forms() {
        CPPUNIT_ASSERT_EQUAL(std::string("/x?y=1"), pathOf("GET", "http://h:80/x?y=1"));
        CPPUNIT_ASSERT_EQUAL(std::string("/"), pathOf("GET", "https://h"));
        CPPUNIT_ASSERT_EQUAL(std::string("*"), pathOf("OPTIONS", "*"));
        for (const char* bad : {"*", "h:443", "users/1", "http://u:p@h/", "http://u@h/", "ftp://h/", "http:///x",
                                "/a#frag", "http://h a/"})
            CPPUNIT_ASSERT_EQUAL_MESSAGE(bad, std::string("ERROR 400"), pathOf("GET", bad));
    }

    void host_values() {
        for (const char* ok :
             {"", "a", "api.example.com", "a:8080", "127.0.0.1:3001", "[::1]", "[::1]:80", "x_y~z", "a:"})
            CPPUNIT_ASSERT_MESSAGE(ok, isValidHostHeader(ok));
        for (const char* bad :
             {"a, b", "a b", "a,b", ":80", "a:80:90", "a:123456", "a:8x", "[::1", "[]", "[zz]", "a/b", "u@a"})
            CPPUNIT_ASSERT_MESSAGE(bad, !isValidHostHeader(bad));
    }

    void an_encoded_slash_is_a_parameter_value_never_a_separator() {
        Router router;
        router.add("GET", "/payments/:id", [](Exchange&) {});
        router.add("GET", "/files/*", [](Exchange&) {});
        std::string path, query;
        HeadError error;
        CPPUNIT_ASSERT(parseRequestTarget("GET", "/payments%2F500", path, query, error));
        CPPUNIT_ASSERT(router.match("GET", path).kind == Router::Match::Kind::NotFound);
        CPPUNIT_ASSERT(parseRequestTarget("GET", "/payments/a%2Fb", path, query, error));
        auto m = router.match("GET", path);
        CPPUNIT_ASSERT(m.kind == Router::Match::Kind::Found);
        CPPUNIT_ASSERT_EQUAL(std::string("a/b"), m.params.at(0).second);
        CPPUNIT_ASSERT(parseRequestTarget("GET", "/files/x/y%2Fz", path, query, error));
        // A rest parameter is a path: its own encoded '/' stays encoded, never a separator downstream.
        CPPUNIT_ASSERT_EQUAL(std::string("x/y%2Fz"), router.match("GET", path).params.at(0).second);
    }

    void authority_of_absolute_form() {
        CPPUNIT_ASSERT_EQUAL(std::string("a.example:8080"),
                             std::string(absoluteFormAuthority("http://a.example:8080/p?q")));
        CPPUNIT_ASSERT_EQUAL(std::string("[::1]"), std::string(absoluteFormAuthority("https://[::1]?q")));
        CPPUNIT_ASSERT_EQUAL(std::string("b"), std::string(absoluteFormAuthority("HTTP://b")));
        CPPUNIT_ASSERT(absoluteFormAuthority("/p").empty());
        CPPUNIT_ASSERT(absoluteFormAuthority("*").empty());
        CPPUNIT_ASSERT(absoluteFormAuthority("ftp://x/").empty());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RequestTargetTest);
