// HeaderList (lower-cased names, case-insensitive get/set/remove, order and duplicates kept)
// and TraceContext::traceparent() formatting.
#include <cppunit/extensions/HelperMacros.h>

#include <string>

#include "http/Exchange.h"

using zt::http::HeaderList;
using zt::http::TraceContext;

namespace {
std::string value(const HeaderList& h, std::string_view name) {
    auto v = h.get(name);
    return v ? std::string(*v) : std::string("<absent>");
}

TraceContext context(std::uint8_t flags) {
    TraceContext t;
    t.traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    t.spanId = "00f067aa0ba902b7";
    t.flags = flags;
    return t;
}
}  // namespace

class ExchangeTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ExchangeTest);
    CPPUNIT_TEST(add_stores_lower_case_name_and_keeps_value_case);
    CPPUNIT_TEST(get_is_case_insensitive);
    CPPUNIT_TEST(get_returns_first_of_duplicates);
    CPPUNIT_TEST(get_of_missing_header_is_empty);
    CPPUNIT_TEST(set_replaces_every_value_of_any_case);
    CPPUNIT_TEST(remove_drops_every_value_of_any_case);
    CPPUNIT_TEST(insertion_order_is_kept);
    CPPUNIT_TEST(traceparent_formats_version_ids_and_sampled_flag);
    CPPUNIT_TEST(traceparent_formats_flags_as_two_lower_hex_digits);
    CPPUNIT_TEST(sampled_and_valid_reflect_fields);
    CPPUNIT_TEST_SUITE_END();

public:
    void add_stores_lower_case_name_and_keeps_value_case() {
        HeaderList h;
        h.add("X-Trace-ID", "AbC");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), h.size());
        CPPUNIT_ASSERT_EQUAL(std::string("x-trace-id"), h.entries()[0].first);
        CPPUNIT_ASSERT_EQUAL(std::string("AbC"), h.entries()[0].second);
    }

    void get_is_case_insensitive() {
        HeaderList h;
        h.add("Content-Type", "application/json");
        CPPUNIT_ASSERT_EQUAL(std::string("application/json"), value(h, "content-type"));
        CPPUNIT_ASSERT_EQUAL(std::string("application/json"), value(h, "CONTENT-TYPE"));
        CPPUNIT_ASSERT_EQUAL(std::string("application/json"), value(h, "Content-type"));
        CPPUNIT_ASSERT(h.has("cOnTeNt-TyPe"));
        CPPUNIT_ASSERT(!h.has("content-typ"));
        CPPUNIT_ASSERT(!h.has("content-type-x"));
    }

    void get_returns_first_of_duplicates() {
        HeaderList h;
        h.add("Set-Cookie", "a=1");
        h.add("set-cookie", "b=2");
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), h.size());
        CPPUNIT_ASSERT_EQUAL(std::string("a=1"), value(h, "SET-COOKIE"));
    }

    void get_of_missing_header_is_empty() {
        HeaderList h;
        CPPUNIT_ASSERT(!h.get("x-api-key").has_value());
        h.add("x-api-key", "");
        CPPUNIT_ASSERT(h.get("X-API-KEY").has_value());
        CPPUNIT_ASSERT_EQUAL(std::string(""), value(h, "x-api-key"));
    }

    void set_replaces_every_value_of_any_case() {
        HeaderList h;
        h.add("Accept", "text/html");
        h.add("X-Other", "o");
        h.add("ACCEPT", "text/plain");
        h.set("accept", "application/json");
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), h.size());
        CPPUNIT_ASSERT_EQUAL(std::string("application/json"), value(h, "Accept"));
        CPPUNIT_ASSERT_EQUAL(std::string("o"), value(h, "x-other"));
        h.set("New-Header", "n");
        CPPUNIT_ASSERT_EQUAL(std::string("new-header"), h.entries().back().first);
    }

    void remove_drops_every_value_of_any_case() {
        HeaderList h;
        h.add("Authorization", "Bearer a");
        h.add("x-keep", "k");
        h.add("authorization", "Bearer b");
        h.remove("AUTHORIZATION");
        CPPUNIT_ASSERT(!h.has("authorization"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), h.size());
        CPPUNIT_ASSERT_EQUAL(std::string("k"), value(h, "X-Keep"));
        h.remove("not-there");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), h.size());
    }

    void insertion_order_is_kept() {
        HeaderList h;
        h.add("b", "1");
        h.add("a", "2");
        h.add("c", "3");
        CPPUNIT_ASSERT_EQUAL(std::string("b"), h.entries()[0].first);
        CPPUNIT_ASSERT_EQUAL(std::string("a"), h.entries()[1].first);
        CPPUNIT_ASSERT_EQUAL(std::string("c"), h.entries()[2].first);
    }

    void traceparent_formats_version_ids_and_sampled_flag() {
        CPPUNIT_ASSERT_EQUAL(std::string("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
                             context(0x01).traceparent());
        CPPUNIT_ASSERT_EQUAL(std::string("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"),
                             context(0x00).traceparent());
    }

    void traceparent_formats_flags_as_two_lower_hex_digits() {
        CPPUNIT_ASSERT_EQUAL(std::string("0a"), context(0x0a).traceparent().substr(53));
        CPPUNIT_ASSERT_EQUAL(std::string("ff"), context(0xff).traceparent().substr(53));
        CPPUNIT_ASSERT_EQUAL(std::string("10"), context(0x10).traceparent().substr(53));
        CPPUNIT_ASSERT_EQUAL(std::size_t(55), context(0xff).traceparent().size());
    }

    void sampled_and_valid_reflect_fields() {
        CPPUNIT_ASSERT(context(0x01).sampled());
        CPPUNIT_ASSERT(context(0x03).sampled());
        CPPUNIT_ASSERT(!context(0x02).sampled());
        CPPUNIT_ASSERT(context(0).valid());
        TraceContext shortId = context(1);
        shortId.traceId.pop_back();
        CPPUNIT_ASSERT(!shortId.valid());
        TraceContext noSpan = context(1);
        noSpan.spanId.clear();
        CPPUNIT_ASSERT(!noSpan.valid());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ExchangeTest);
