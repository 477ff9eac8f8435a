// The JSON error body (docs/HTTP.md): escaping table, invalid UTF-8 -> U+FFFD (output always valid UTF-8 JSON),
// jsonErrorBody shape and setJsonError's effect on a response.
#include <cppunit/extensions/HelperMacros.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <string>
#include <utility>
#include <vector>

#include "http/JsonError.h"
#include "json/JsonEscape.h"

using zt::http::jsonErrorBody;
using zt::json::jsonEscape;

namespace {

const std::string kReplacement = "\xEF\xBF\xBD";  // U+FFFD

/// Strict UTF-8 check (no overlongs, no surrogates, nothing above U+10FFFF).
bool isValidUtf8(const std::string& s) {
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        int len;
        unsigned cp, min;
        if (c < 0x80) {
            ++i;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
            min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
            min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
            min = 0x10000;
        } else return false;
        if (i + len > s.size()) return false;
        for (int k = 1; k < len; ++k) {
            auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

/// Parses `{"error":{"code":..,"message":..}}` and returns (code, message).
std::pair<std::string, std::string> parseErrorBody(const std::string& body) {
    Poco::JSON::Parser parser;
    auto root = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
    CPPUNIT_ASSERT_EQUAL(std::size_t(1), root->size());
    auto error = root->getObject("error");
    CPPUNIT_ASSERT(!error.isNull());
    CPPUNIT_ASSERT_EQUAL(std::size_t(2), error->size());
    return {error->getValue<std::string>("code"), error->getValue<std::string>("message")};
}

}  // namespace

class JsonErrorTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(JsonErrorTest);
    CPPUNIT_TEST(escapes_quote_and_backslash);
    CPPUNIT_TEST(escapes_newline_return_and_tab_in_short_form);
    CPPUNIT_TEST(escapes_other_control_characters_as_u00xx);
    CPPUNIT_TEST(leaves_printable_ascii_slash_and_del_unchanged);
    CPPUNIT_TEST(keeps_valid_multibyte_utf8);
    CPPUNIT_TEST(replaces_lone_continuation_and_invalid_lead_bytes);
    CPPUNIT_TEST(replaces_overlong_surrogate_and_out_of_range_sequences);
    CPPUNIT_TEST(replaces_truncated_sequences_without_eating_following_ascii);
    CPPUNIT_TEST(error_body_has_spec_shape);
    CPPUNIT_TEST(error_body_stays_valid_json_for_hostile_text);
    CPPUNIT_TEST(set_json_error_replaces_status_body_and_content_type);
    CPPUNIT_TEST_SUITE_END();

public:
    void escapes_quote_and_backslash() {
        CPPUNIT_ASSERT_EQUAL(std::string(R"(say \"hi\")"), jsonEscape(R"(say "hi")"));
        CPPUNIT_ASSERT_EQUAL(std::string(R"(C:\\path\\x)"), jsonEscape(R"(C:\path\x)"));
        CPPUNIT_ASSERT_EQUAL(std::string(R"(\\\")"), jsonEscape(R"(\")"));
    }

    void escapes_newline_return_and_tab_in_short_form() {
        CPPUNIT_ASSERT_EQUAL(std::string(R"(a\nb\rc\td)"), jsonEscape("a\nb\rc\td"));
    }

    void escapes_other_control_characters_as_u00xx() {
        const std::vector<std::pair<std::string, std::string>> table = {
            {std::string(1, '\0'), R"(\u0000)"},
            {"\x01", R"(\u0001)"},
            {"\b", R"(\u0008)"},
            {"\f", R"(\u000c)"},
            {"\x0b", R"(\u000b)"},
            {"\x1b", R"(\u001b)"},
            {"\x1f", R"(\u001f)"},
        };
        for (const auto& [in, out] : table) {
            CPPUNIT_ASSERT_EQUAL(out, jsonEscape(in));
        }
        CPPUNIT_ASSERT_EQUAL(std::string(R"(a\u0000b)"), jsonEscape(std::string("a\0b", 3)));
    }

    void leaves_printable_ascii_slash_and_del_unchanged() {
        std::string ascii;
        for (char c = 0x20; c < 0x7f; ++c) {
            if (c != '"' && c != '\\') ascii += c;
        }
        ascii += '\x7f';
        CPPUNIT_ASSERT_EQUAL(ascii, jsonEscape(ascii));
        CPPUNIT_ASSERT_EQUAL(std::string(""), jsonEscape(""));
    }

    void keeps_valid_multibyte_utf8() {
        for (const char* s : {"caf\xC3\xA9", "\xE2\x82\xAC 5", "\xF0\x9F\x98\x80", "\xC2\x80", "\xEF\xBF\xBF",
                              "\xF4\x8F\xBF\xBF", "\xED\x9F\xBF", "\xEE\x80\x80"}) {
            CPPUNIT_ASSERT_EQUAL(std::string(s), jsonEscape(s));
        }
    }

    void replaces_lone_continuation_and_invalid_lead_bytes() {
        CPPUNIT_ASSERT_EQUAL(kReplacement, jsonEscape("\x80"));
        CPPUNIT_ASSERT_EQUAL(kReplacement, jsonEscape("\xBF"));
        CPPUNIT_ASSERT_EQUAL("a" + kReplacement + "b", jsonEscape("a\xFF"
                                                                  "b"));
        CPPUNIT_ASSERT_EQUAL("a" + kReplacement + "b", jsonEscape("a\xFE"
                                                                  "b"));
        CPPUNIT_ASSERT_EQUAL("a" + kReplacement + "b", jsonEscape("a\xF8"
                                                                  "b"));
        // Latin-1 text is not UTF-8: each byte becomes one replacement character.
        CPPUNIT_ASSERT_EQUAL("caf" + kReplacement, jsonEscape("caf\xE9"));
    }

    void replaces_overlong_surrogate_and_out_of_range_sequences() {
        for (const char* bad : {"\xC0\xAF", "\xC1\xBF", "\xE0\x80\xAF", "\xF0\x80\x80\xAF",  // overlong
                                "\xED\xA0\x80", "\xED\xBF\xBF",                              // surrogates
                                "\xF4\x90\x80\x80", "\xF5\x80\x80\x80"}) {                   // > U+10FFFF
            std::string out = jsonEscape(bad);
            CPPUNIT_ASSERT_MESSAGE(out, isValidUtf8(out));
            CPPUNIT_ASSERT_MESSAGE(out, out.find(kReplacement) == 0);
            CPPUNIT_ASSERT_MESSAGE(out, out.find(bad) == std::string::npos);
        }
    }

    void replaces_truncated_sequences_without_eating_following_ascii() {
        for (const char* bad : {"\xE2\x82", "\xF0\x9F\x98", "\xC3"}) {
            std::string out = jsonEscape(bad);
            CPPUNIT_ASSERT(isValidUtf8(out));
            CPPUNIT_ASSERT(out.find(kReplacement) == 0);
            std::string followed = jsonEscape(std::string(bad) + "A\"");
            CPPUNIT_ASSERT(isValidUtf8(followed));
            CPPUNIT_ASSERT_EQUAL(std::string("A\\\""), followed.substr(followed.size() - 3));
        }
    }

    void error_body_has_spec_shape() {
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"error":{"code":"not_found","message":"no route for GET /x"}})"),
                             jsonErrorBody("not_found", "no route for GET /x"));
    }

    void error_body_stays_valid_json_for_hostile_text() {
        std::string message = "bad \"token\"\n\\ \x01 caf\xC3\xA9 \xFF end";
        std::string body = jsonErrorBody("invalid_\"code", message);
        CPPUNIT_ASSERT(isValidUtf8(body));
        auto [code, text] = parseErrorBody(body);
        CPPUNIT_ASSERT_EQUAL(std::string("invalid_\"code"), code);
        CPPUNIT_ASSERT_EQUAL(std::string("bad \"token\"\n\\ \x01 caf\xC3\xA9 ") + kReplacement + " end", text);
    }

    void set_json_error_replaces_status_body_and_content_type() {
        zt::http::HttpResponse response;
        response.status = 200;
        response.body = "<html>partial</html>";
        response.headers.add("Content-Type", "text/html");
        response.headers.add("content-type", "text/plain");
        response.headers.add("X-Kept", "yes");
        zt::http::setJsonError(response, 401, "missing_credentials", "no X-API-Key header");
        CPPUNIT_ASSERT_EQUAL(401, response.status);
        CPPUNIT_ASSERT(response.bodySet);
        auto [code, text] = parseErrorBody(response.body);
        CPPUNIT_ASSERT_EQUAL(std::string("missing_credentials"), code);
        CPPUNIT_ASSERT_EQUAL(std::string("no X-API-Key header"), text);
        int contentTypes = 0;
        for (const auto& [name, value] : response.headers.entries()) {
            if (name == "content-type") {
                ++contentTypes;
                CPPUNIT_ASSERT_EQUAL(std::string("application/json"), value);
            }
        }
        CPPUNIT_ASSERT_EQUAL(1, contentTypes);
        CPPUNIT_ASSERT(response.headers.get("x-kept") == std::optional<std::string_view>("yes"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(JsonErrorTest);
