// The SDK's request helpers (sdk.hpp: Request::paramInt, queryInt, jsonBody) on requests laid out
// as the host passes them: malformed or out-of-range input is HttpError 400 naming the parameter,
// never an exception a handler would turn into a 500.
#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <vector>

#include <zintrust/sdk.hpp>

#include "support/TestSupport.h"

using zt::test::assertContains;

namespace {

zt_str str(const std::string& s) { return zt_str{s.data(), s.size()}; }

/// A request with one path parameter `id`, a raw query string and a body (the strings must
/// outlive it).
struct FakeRequest {
    std::string id, query, body;
    zt_header param{};
    zt_request raw{};
    FakeRequest(std::string idValue, std::string queryText, std::string bodyText)
        : id(std::move(idValue)), query(std::move(queryText)), body(std::move(bodyText)) {
        static const std::string name = "id";
        param.name = str(name);
        param.value = str(id);
        raw.struct_size = sizeof raw;
        raw.params = &param;
        raw.param_count = 1;
        raw.query = str(query);
        raw.body = str(body);
    }
    zt::sdk::Request request() const { return zt::sdk::Request(&raw); }
};

/// The HttpError `f` throws (status, code and message), or a failure when it throws none.
template <typename F>
zt::sdk::HttpError httpError(F&& f) {
    try {
        f();
    } catch (const zt::sdk::HttpError& e) {
        return e;
    }
    CPPUNIT_FAIL("expected an HttpError");
    return zt::sdk::HttpError(0, "", "");
}

}  // namespace

class SdkRequestTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SdkRequestTest);
    CPPUNIT_TEST(paramInt_reads_a_positive_id_and_refuses_everything_else_with_400);
    CPPUNIT_TEST(paramInt_takes_a_range);
    CPPUNIT_TEST(queryInt_falls_back_when_absent_and_checks_its_range);
    CPPUNIT_TEST(jsonBody_is_an_object_or_400_invalid_json);
    CPPUNIT_TEST_SUITE_END();

public:
    void paramInt_reads_a_positive_id_and_refuses_everything_else_with_400() {
        CPPUNIT_ASSERT_EQUAL(std::int64_t(7), FakeRequest("7", "", "").request().paramInt("id"));
        CPPUNIT_ASSERT_EQUAL(std::int64_t(9223372036854775807LL),
                             FakeRequest("9223372036854775807", "", "").request().paramInt("id"));
        for (const char* bad : {"abc", "0", "-1", "1x", " 1", "+1", "", "9223372036854775808", "1.0"}) {
            FakeRequest r(bad, "", "");
            auto e = httpError([&] { r.request().paramInt("id"); });
            CPPUNIT_ASSERT_EQUAL_MESSAGE(bad, 400, e.status());
            CPPUNIT_ASSERT_EQUAL(std::string("bad_request"), e.code());
            assertContains(e.what(), "path parameter 'id' must be a positive integer, got '" + std::string(bad) + "'");
        }
        // A parameter the route does not have is a 400 too (param() says which).
        assertContains(httpError([] { FakeRequest("1", "", "").request().paramInt("other"); }).what(),
                       "missing path parameter 'other'");
    }
    void paramInt_takes_a_range() {
        CPPUNIT_ASSERT_EQUAL(std::int64_t(-5), FakeRequest("-5", "", "").request().paramInt("id", -10, 10));
        assertContains(httpError([] { FakeRequest("11", "", "").request().paramInt("id", -10, 10); }).what(),
                       "must be an integer in [-10, 10], got '11'");
    }
    void queryInt_falls_back_when_absent_and_checks_its_range() {
        FakeRequest r("1", "limit=25&offset=0&q=a%20b&bad=12abc&big=501", "");
        auto req = r.request();
        CPPUNIT_ASSERT_EQUAL(std::int64_t(25), req.queryInt("limit", 50, 1, 500));
        CPPUNIT_ASSERT_EQUAL(std::int64_t(0), req.queryInt("offset", 10, 0));
        CPPUNIT_ASSERT_EQUAL(std::int64_t(50), req.queryInt("absent", 50, 1, 500));
        auto e = httpError([&] { req.queryInt("bad", 1); });
        CPPUNIT_ASSERT_EQUAL(400, e.status());
        assertContains(e.what(), "query parameter 'bad' must be an integer, got '12abc'");
        assertContains(httpError([&] { req.queryInt("big", 50, 1, 500); }).what(),
                       "query parameter 'big' must be an integer in [1, 500], got '501'");
        assertContains(httpError([&] { req.queryInt("q", 0); }).what(), "got 'a b'");  // decoded
    }
    void jsonBody_is_an_object_or_400_invalid_json() {
        auto body = FakeRequest("1", "", R"({"name":"Ada","n":2})").request().jsonBody();
        CPPUNIT_ASSERT_EQUAL(std::string("Ada"), body["name"].get<std::string>());
        for (const char* bad : {"{not json", "", "[1,2]", "\"text\"", "{\"a\":1} trailing"}) {
            FakeRequest r("1", "", bad);
            auto e = httpError([&] { r.request().jsonBody(); });
            CPPUNIT_ASSERT_EQUAL_MESSAGE(bad, 400, e.status());
            CPPUNIT_ASSERT_EQUAL(std::string("invalid_json"), e.code());
        }
        assertContains(httpError([] { FakeRequest("1", "", "[1]").request().jsonBody(); }).what(),
                       "request body must be a JSON object");
        assertContains(httpError([] { FakeRequest("1", "", "{x").request().jsonBody(); }).what(),
                       "request body is not valid JSON: ");
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SdkRequestTest);
