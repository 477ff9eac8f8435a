// Router: params, rest "*", literal-over-param priority independent of registration order,
// 405 with Allow (HEAD implied by GET), HEAD->GET, duplicates and invalid patterns refused,
// trailing and repeated slashes.
#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <utility>
#include <vector>

#include "http/Router.h"

using zt::http::Exchange;
using zt::http::Router;
using Kind = Router::Match::Kind;
using Params = std::vector<std::pair<std::string, std::string>>;

namespace {

/// A handler that records its tag into the exchange's routePattern, so tests can tell handlers apart.
zt::http::RouteHandler tagged(const std::string& tag) {
    return [tag](Exchange& ex) { ex.routePattern = tag; };
}

std::string invoke(const Router::Match& m) {
    CPPUNIT_ASSERT(m.handler != nullptr);
    Exchange ex;
    (*m.handler)(ex);
    return ex.routePattern;
}

std::string kindName(Kind k) {
    switch (k) {
    case Kind::Found:
        return "Found";
    case Kind::MethodNotAllowed:
        return "MethodNotAllowed";
    case Kind::NotFound:
        return "NotFound";
    }
    return "?";
}

void assertKind(Kind expected, const Router::Match& m, const CppUnit::SourceLine& where) {
    CppUnit::assertEquals(kindName(expected), kindName(m.kind), where, "match kind");
}
#define ASSERT_KIND(expected, match) assertKind(expected, match, CPPUNIT_SOURCELINE())

}  // namespace

class RouterTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RouterTest);
    CPPUNIT_TEST(matches_literal_route_and_returns_its_handler_and_pattern);
    CPPUNIT_TEST(captures_named_param);
    CPPUNIT_TEST(captures_multiple_params_in_order);
    CPPUNIT_TEST(rest_wildcard_captures_remaining_segments);
    CPPUNIT_TEST(root_rest_wildcard_captures_whole_path);
    CPPUNIT_TEST(literal_beats_param_registered_first);
    CPPUNIT_TEST(literal_beats_param_registered_last);
    CPPUNIT_TEST(param_beats_rest_wildcard_regardless_of_order);
    CPPUNIT_TEST(root_pattern_matches_only_root);
    CPPUNIT_TEST(not_found_when_no_pattern_matches_path);
    CPPUNIT_TEST(segment_count_must_match);
    CPPUNIT_TEST(literal_match_is_case_sensitive);
    CPPUNIT_TEST(method_not_allowed_lists_allowed_methods);
    CPPUNIT_TEST(allow_list_includes_head_when_get_exists);
    CPPUNIT_TEST(allow_list_has_no_head_without_get);
    CPPUNIT_TEST(head_falls_back_to_get);
    CPPUNIT_TEST(get_does_not_fall_back_to_head_route);
    CPPUNIT_TEST(method_not_allowed_does_not_hide_less_specific_route_with_that_method);
    CPPUNIT_TEST(wildcard_method_matches_every_method);
    CPPUNIT_TEST(refuses_duplicate_route);
    CPPUNIT_TEST(refuses_same_shape_with_other_param_names);
    CPPUNIT_TEST(same_pattern_with_other_method_is_not_duplicate);
    CPPUNIT_TEST(refuses_pattern_without_leading_slash);
    CPPUNIT_TEST(refuses_duplicate_param_name);
    CPPUNIT_TEST(refuses_star_that_is_not_last);
    CPPUNIT_TEST(refuses_bad_param_names_and_literal_metacharacters);
    CPPUNIT_TEST(refuses_bad_method);
    CPPUNIT_TEST(refuses_empty_handler);
    CPPUNIT_TEST(trailing_slash_is_ignored);
    CPPUNIT_TEST(repeated_slashes_collapse);
    CPPUNIT_TEST(param_never_captures_empty_segment);
    CPPUNIT_TEST_SUITE_END();

public:
    void matches_literal_route_and_returns_its_handler_and_pattern() {
        Router r;
        CPPUNIT_ASSERT(r.add("GET", "/users", tagged("list")) == Router::AddResult::Added);
        CPPUNIT_ASSERT(r.add("GET", "/orders", tagged("orders")) == Router::AddResult::Added);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), r.size());
        auto m = r.match("GET", "/users");
        ASSERT_KIND(Kind::Found, m);
        CPPUNIT_ASSERT_EQUAL(std::string("/users"), m.pattern);
        CPPUNIT_ASSERT_EQUAL(std::string("list"), invoke(m));
        CPPUNIT_ASSERT(m.params.empty());
    }

    void captures_named_param() {
        Router r;
        r.add("GET", "/users/:id", tagged("one"));
        auto m = r.match("GET", "/users/42");
        ASSERT_KIND(Kind::Found, m);
        CPPUNIT_ASSERT(m.params == (Params{{"id", "42"}}));
        CPPUNIT_ASSERT_EQUAL(std::string("/users/:id"), m.pattern);
    }

    void captures_multiple_params_in_order() {
        Router r;
        r.add("GET", "/users/:userId/orders/:order_id", tagged("x"));
        auto m = r.match("GET", "/users/u-7/orders/o9");
        ASSERT_KIND(Kind::Found, m);
        CPPUNIT_ASSERT(m.params == (Params{{"userId", "u-7"}, {"order_id", "o9"}}));
    }

    void rest_wildcard_captures_remaining_segments() {
        Router r;
        r.add("GET", "/files/*", tagged("files"));
        auto m = r.match("GET", "/files/a/b/c.txt");
        ASSERT_KIND(Kind::Found, m);
        CPPUNIT_ASSERT(m.params == (Params{{"*", "a/b/c.txt"}}));
        auto one = r.match("GET", "/files/readme");
        CPPUNIT_ASSERT(one.params == (Params{{"*", "readme"}}));
        ASSERT_KIND(Kind::NotFound, r.match("GET", "/other/a"));
    }

    void root_rest_wildcard_captures_whole_path() {
        Router r;
        r.add("GET", "/static/:name/*", tagged("s"));
        r.add("*", "/*", tagged("fallback"));
        auto m = r.match("POST", "/x/y");
        ASSERT_KIND(Kind::Found, m);
        CPPUNIT_ASSERT_EQUAL(std::string("fallback"), invoke(m));
        CPPUNIT_ASSERT(m.params == (Params{{"*", "x/y"}}));
        auto s = r.match("GET", "/static/css/a/b.css");
        CPPUNIT_ASSERT_EQUAL(std::string("s"), invoke(s));
        CPPUNIT_ASSERT(s.params == (Params{{"name", "css"}, {"*", "a/b.css"}}));
    }

    void literal_beats_param_registered_first() {
        Router r;
        r.add("GET", "/users/me", tagged("me"));
        r.add("GET", "/users/:id", tagged("byId"));
        CPPUNIT_ASSERT_EQUAL(std::string("me"), invoke(r.match("GET", "/users/me")));
        CPPUNIT_ASSERT_EQUAL(std::string("byId"), invoke(r.match("GET", "/users/7")));
    }

    void literal_beats_param_registered_last() {
        Router r;
        r.add("GET", "/users/:id", tagged("byId"));
        r.add("GET", "/users/:id/orders", tagged("orders"));
        r.add("GET", "/users/me", tagged("me"));
        r.add("GET", "/users/me/orders", tagged("myOrders"));
        auto me = r.match("GET", "/users/me");
        CPPUNIT_ASSERT_EQUAL(std::string("me"), invoke(me));
        CPPUNIT_ASSERT(me.params.empty());
        CPPUNIT_ASSERT_EQUAL(std::string("myOrders"), invoke(r.match("GET", "/users/me/orders")));
        CPPUNIT_ASSERT_EQUAL(std::string("orders"), invoke(r.match("GET", "/users/5/orders")));
        CPPUNIT_ASSERT_EQUAL(std::string("byId"), invoke(r.match("GET", "/users/5")));
    }

    void param_beats_rest_wildcard_regardless_of_order() {
        for (bool restFirst : {true, false}) {
            Router r;
            if (restFirst) r.add("GET", "/files/*", tagged("rest"));
            r.add("GET", "/files/:name", tagged("param"));
            if (!restFirst) r.add("GET", "/files/*", tagged("rest"));
            CPPUNIT_ASSERT_EQUAL(std::string("param"), invoke(r.match("GET", "/files/a")));
            CPPUNIT_ASSERT_EQUAL(std::string("rest"), invoke(r.match("GET", "/files/a/b")));
        }
    }

    void root_pattern_matches_only_root() {
        Router r;
        r.add("GET", "/", tagged("root"));
        ASSERT_KIND(Kind::Found, r.match("GET", "/"));
        ASSERT_KIND(Kind::NotFound, r.match("GET", "/x"));
    }

    void not_found_when_no_pattern_matches_path() {
        Router r;
        r.add("GET", "/users", tagged("u"));
        auto m = r.match("GET", "/orders");
        ASSERT_KIND(Kind::NotFound, m);
        CPPUNIT_ASSERT(m.handler == nullptr);
        CPPUNIT_ASSERT(m.allow.empty());
        ASSERT_KIND(Kind::NotFound, Router().match("GET", "/"));
    }

    void segment_count_must_match() {
        Router r;
        r.add("GET", "/users/:id", tagged("u"));
        ASSERT_KIND(Kind::NotFound, r.match("GET", "/users"));
        ASSERT_KIND(Kind::NotFound, r.match("GET", "/users/1/extra"));
    }

    void literal_match_is_case_sensitive() {
        Router r;
        r.add("GET", "/users", tagged("u"));
        ASSERT_KIND(Kind::NotFound, r.match("GET", "/Users"));
    }

    void method_not_allowed_lists_allowed_methods() {
        Router r;
        r.add("POST", "/users", tagged("create"));
        r.add("GET", "/users", tagged("list"));
        r.add("PUT", "/orders", tagged("other path"));
        auto m = r.match("DELETE", "/users");
        ASSERT_KIND(Kind::MethodNotAllowed, m);
        CPPUNIT_ASSERT(m.handler == nullptr);
        CPPUNIT_ASSERT_EQUAL(std::string("GET, HEAD, POST"), m.allow);
    }

    void allow_list_includes_head_when_get_exists() {
        Router r;
        r.add("GET", "/items/:id", tagged("get"));
        auto m = r.match("PATCH", "/items/3");
        ASSERT_KIND(Kind::MethodNotAllowed, m);
        CPPUNIT_ASSERT_EQUAL(std::string("GET, HEAD"), m.allow);
    }

    void allow_list_has_no_head_without_get() {
        Router r;
        r.add("POST", "/items", tagged("create"));
        r.add("DELETE", "/items", tagged("clear"));
        auto m = r.match("HEAD", "/items");
        ASSERT_KIND(Kind::MethodNotAllowed, m);
        CPPUNIT_ASSERT_EQUAL(std::string("DELETE, POST"), m.allow);
    }

    void head_falls_back_to_get() {
        Router r;
        r.add("GET", "/users/:id", tagged("get"));
        auto m = r.match("HEAD", "/users/9");
        ASSERT_KIND(Kind::Found, m);
        CPPUNIT_ASSERT_EQUAL(std::string("get"), invoke(m));
        CPPUNIT_ASSERT(m.params == (Params{{"id", "9"}}));
    }

    void get_does_not_fall_back_to_head_route() {
        Router r;
        r.add("HEAD", "/ping", tagged("head"));
        auto m = r.match("GET", "/ping");
        ASSERT_KIND(Kind::MethodNotAllowed, m);
        CPPUNIT_ASSERT_EQUAL(std::string("HEAD"), m.allow);
    }

    void method_not_allowed_does_not_hide_less_specific_route_with_that_method() {
        Router r;
        r.add("GET", "/users/me", tagged("me"));
        r.add("DELETE", "/users/:id", tagged("delete"));
        auto m = r.match("DELETE", "/users/me");
        ASSERT_KIND(Kind::Found, m);
        CPPUNIT_ASSERT_EQUAL(std::string("delete"), invoke(m));
        CPPUNIT_ASSERT(m.params == (Params{{"id", "me"}}));
    }

    void wildcard_method_matches_every_method() {
        Router r;
        r.add("*", "/echo", tagged("any"));
        for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}) {
            auto m = r.match(method, "/echo");
            ASSERT_KIND(Kind::Found, m);
            CPPUNIT_ASSERT_EQUAL(std::string("any"), invoke(m));
        }
    }

    void refuses_duplicate_route() {
        Router r;
        CPPUNIT_ASSERT(r.add("GET", "/users/:id", tagged("first")) == Router::AddResult::Added);
        CPPUNIT_ASSERT(r.add("GET", "/users/:id", tagged("second")) == Router::AddResult::Duplicate);
        CPPUNIT_ASSERT(r.add("GET", "/users/:id/", tagged("third")) == Router::AddResult::Duplicate);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), r.size());
        CPPUNIT_ASSERT_EQUAL(std::string("first"), invoke(r.match("GET", "/users/1")));
    }

    void refuses_same_shape_with_other_param_names() {
        Router r;
        r.add("GET", "/users/:id", tagged("first"));
        CPPUNIT_ASSERT(r.add("GET", "/users/:name", tagged("second")) == Router::AddResult::Duplicate);
        r.add("GET", "/files/*", tagged("rest"));
        CPPUNIT_ASSERT(r.add("GET", "/files/*", tagged("rest2")) == Router::AddResult::Duplicate);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), r.size());
    }

    void same_pattern_with_other_method_is_not_duplicate() {
        Router r;
        CPPUNIT_ASSERT(r.add("GET", "/users/:id", tagged("get")) == Router::AddResult::Added);
        CPPUNIT_ASSERT(r.add("PUT", "/users/:id", tagged("put")) == Router::AddResult::Added);
        CPPUNIT_ASSERT(r.add("GET", "/users/me", tagged("me")) == Router::AddResult::Added);
        CPPUNIT_ASSERT_EQUAL(std::string("put"), invoke(r.match("PUT", "/users/1")));
    }

    void refuses_pattern_without_leading_slash() {
        Router r;
        CPPUNIT_ASSERT(r.add("GET", "users", tagged("x")) == Router::AddResult::InvalidPattern);
        CPPUNIT_ASSERT(r.add("GET", "", tagged("x")) == Router::AddResult::InvalidPattern);
        CPPUNIT_ASSERT(r.add("GET", ":id", tagged("x")) == Router::AddResult::InvalidPattern);
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), r.size());
    }

    void refuses_duplicate_param_name() {
        Router r;
        CPPUNIT_ASSERT(r.add("GET", "/a/:id/b/:id", tagged("x")) == Router::AddResult::InvalidPattern);
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), r.size());
    }

    void refuses_star_that_is_not_last() {
        Router r;
        CPPUNIT_ASSERT(r.add("GET", "/files/*/meta", tagged("x")) == Router::AddResult::InvalidPattern);
        CPPUNIT_ASSERT(r.add("GET", "/*/*", tagged("x")) == Router::AddResult::InvalidPattern);
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), r.size());
    }

    void refuses_bad_param_names_and_literal_metacharacters() {
        Router r;
        for (const char* bad : {"/users/:", "/users/:user-id", "/users/:id.json", "/a*b", "/files/x*", "/a:b", "/q?x=1",
                                "/frag#x", "/tab\there"}) {
            CPPUNIT_ASSERT_MESSAGE(bad, r.add("GET", bad, tagged("x")) == Router::AddResult::InvalidPattern);
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), r.size());
    }

    void refuses_bad_method() {
        Router r;
        for (const char* bad : {"get", "FETCH", "", "GET ", "CONNECT"}) {
            CPPUNIT_ASSERT_MESSAGE(bad, r.add(bad, "/users", tagged("x")) == Router::AddResult::InvalidMethod);
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), r.size());
        for (const char* good : {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}) {
            CPPUNIT_ASSERT_MESSAGE(good, r.add(good, "/users", tagged("x")) == Router::AddResult::Added);
        }
    }

    void refuses_empty_handler() {
        Router r;
        CPPUNIT_ASSERT(r.add("GET", "/users", zt::http::RouteHandler{}) != Router::AddResult::Added);
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), r.size());
    }

    void trailing_slash_is_ignored() {
        Router r;
        r.add("GET", "/users", tagged("list"));
        r.add("GET", "/users/:id", tagged("one"));
        CPPUNIT_ASSERT_EQUAL(std::string("list"), invoke(r.match("GET", "/users/")));
        auto m = r.match("GET", "/users/42/");
        CPPUNIT_ASSERT_EQUAL(std::string("one"), invoke(m));
        CPPUNIT_ASSERT(m.params == (Params{{"id", "42"}}));
    }

    void repeated_slashes_collapse() {
        Router r;
        r.add("GET", "/users/:id", tagged("one"));
        r.add("GET", "/files/*", tagged("files"));
        auto m = r.match("GET", "//users///42");
        ASSERT_KIND(Kind::Found, m);
        CPPUNIT_ASSERT(m.params == (Params{{"id", "42"}}));
        auto f = r.match("GET", "/files//a///b");
        CPPUNIT_ASSERT(f.params == (Params{{"*", "a/b"}}));
    }

    void param_never_captures_empty_segment() {
        Router r;
        r.add("GET", "/users/:id", tagged("one"));
        ASSERT_KIND(Kind::NotFound, r.match("GET", "/users//"));
        ASSERT_KIND(Kind::NotFound, r.match("GET", "/users/"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RouterTest);
