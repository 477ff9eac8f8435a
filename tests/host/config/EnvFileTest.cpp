// --env-file (README: Command line): KEY=VALUE lines, comments, `export`, quotes; the real environment wins;
// a malformed line names file:line. Every variable used here is unique to this suite and unset after.
#include <cppunit/extensions/HelperMacros.h>

#include <cstdlib>
#include <string>

#include "ConfigTestSupport.h"
#include "config/EnvConfig.h"

using zt::config::loadEnvFile;
using zt::config::test::TempDir;

namespace {
const char* const kVars[] = {
    "ZT_UT_ENVFILE_PLAIN", "ZT_UT_ENVFILE_SECOND", "ZT_UT_ENVFILE_EXPORTED", "ZT_UT_ENVFILE_DQ",
    "ZT_UT_ENVFILE_SQ",    "ZT_UT_ENVFILE_EQ",     "ZT_UT_ENVFILE_EXISTING", "ZT_UT_ENVFILE_EXISTING_EMPTY",
    "ZT_UT_ENVFILE_EMPTY", "ZT_UT_ENVFILE_SPACED", "ZT_UT_ENVFILE_HASH",     "ZT_UT_ENVFILE_BEFORE_ERROR"};

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string("<unset>");
}
}  // namespace

class EnvFileTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(EnvFileTest);
    CPPUNIT_TEST(loads_key_value_pairs_into_environment);
    CPPUNIT_TEST(skips_comments_and_blank_lines);
    CPPUNIT_TEST(accepts_export_prefix);
    CPPUNIT_TEST(strips_matching_quotes_and_keeps_inner_text);
    CPPUNIT_TEST(value_may_contain_equals_sign);
    CPPUNIT_TEST(empty_value_sets_empty_variable);
    CPPUNIT_TEST(existing_environment_variable_is_not_overridden);
    CPPUNIT_TEST(existing_empty_environment_variable_is_not_overridden);
    CPPUNIT_TEST(line_without_equals_names_file_and_line);
    CPPUNIT_TEST(line_starting_with_equals_names_file_and_line);
    CPPUNIT_TEST(invalid_variable_name_names_file_and_line);
    CPPUNIT_TEST(unterminated_quote_names_file_and_line);
    CPPUNIT_TEST(missing_file_names_path);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override { clear(); }
    void tearDown() override { clear(); }

    void loads_key_value_pairs_into_environment() {
        TempDir dir;
        loadEnvFile(dir.write(".env", "ZT_UT_ENVFILE_PLAIN=hello\nZT_UT_ENVFILE_SECOND=42\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), env("ZT_UT_ENVFILE_PLAIN"));
        CPPUNIT_ASSERT_EQUAL(std::string("42"), env("ZT_UT_ENVFILE_SECOND"));
        // What the file set is what EnvConfig's process lookup sees.
        auto v = zt::config::processEnvironment()("ZT_UT_ENVFILE_PLAIN");
        CPPUNIT_ASSERT(v && *v == "hello");
    }

    void skips_comments_and_blank_lines() {
        TempDir dir;
        loadEnvFile(dir.write(".env",
                              "# a comment\n\n   \n   # indented comment=with equals\n"
                              "ZT_UT_ENVFILE_PLAIN=yes\r\n  ZT_UT_ENVFILE_SPACED = padded value  \n"));
        CPPUNIT_ASSERT_EQUAL(std::string("yes"), env("ZT_UT_ENVFILE_PLAIN"));
        CPPUNIT_ASSERT_EQUAL(std::string("padded value"), env("ZT_UT_ENVFILE_SPACED"));
    }

    void accepts_export_prefix() {
        TempDir dir;
        loadEnvFile(dir.write(".env", "export ZT_UT_ENVFILE_EXPORTED=exported\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("exported"), env("ZT_UT_ENVFILE_EXPORTED"));
    }

    void strips_matching_quotes_and_keeps_inner_text() {
        TempDir dir;
        loadEnvFile(dir.write(".env",
                              "ZT_UT_ENVFILE_DQ=\"two words # not a comment\"\n"
                              "ZT_UT_ENVFILE_SQ='single \"quoted\"'\n"
                              "ZT_UT_ENVFILE_HASH=a#b\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("two words # not a comment"), env("ZT_UT_ENVFILE_DQ"));
        CPPUNIT_ASSERT_EQUAL(std::string("single \"quoted\""), env("ZT_UT_ENVFILE_SQ"));
        CPPUNIT_ASSERT_EQUAL(std::string("a#b"), env("ZT_UT_ENVFILE_HASH"));
    }

    void value_may_contain_equals_sign() {
        TempDir dir;
        loadEnvFile(dir.write(".env", "ZT_UT_ENVFILE_EQ=postgresql://u:p@h/db?x=1\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("postgresql://u:p@h/db?x=1"), env("ZT_UT_ENVFILE_EQ"));
    }

    void empty_value_sets_empty_variable() {
        TempDir dir;
        loadEnvFile(dir.write(".env", "ZT_UT_ENVFILE_EMPTY=\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), env("ZT_UT_ENVFILE_EMPTY"));
    }

    void existing_environment_variable_is_not_overridden() {
        ::setenv("ZT_UT_ENVFILE_EXISTING", "from-environment", 1);
        TempDir dir;
        loadEnvFile(dir.write(".env", "ZT_UT_ENVFILE_EXISTING=from-file\nZT_UT_ENVFILE_PLAIN=set\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("from-environment"), env("ZT_UT_ENVFILE_EXISTING"));
        CPPUNIT_ASSERT_EQUAL(std::string("set"), env("ZT_UT_ENVFILE_PLAIN"));
    }

    void existing_empty_environment_variable_is_not_overridden() {
        ::setenv("ZT_UT_ENVFILE_EXISTING_EMPTY", "", 1);
        TempDir dir;
        loadEnvFile(dir.write(".env", "ZT_UT_ENVFILE_EXISTING_EMPTY=from-file\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), env("ZT_UT_ENVFILE_EXISTING_EMPTY"));
    }

    void line_without_equals_names_file_and_line() {
        TempDir dir;
        std::string file = dir.write(".env", "# header\nZT_UT_ENVFILE_BEFORE_ERROR=1\nNOT_A_PAIR\n");
        ZT_ASSERT_CONFIG_ERROR(loadEnvFile(file), {file + ":3"});
    }

    void line_starting_with_equals_names_file_and_line() {
        TempDir dir;
        std::string file = dir.write(".env", "=value\n");
        ZT_ASSERT_CONFIG_ERROR(loadEnvFile(file), {file + ":1"});
    }

    void invalid_variable_name_names_file_and_line() {
        TempDir dir;
        std::string file = dir.write(".env", "\n\nBAD-NAME=1\n");
        ZT_ASSERT_CONFIG_ERROR(loadEnvFile(file), {file + ":3", "BAD-NAME"});
        std::string spaced = dir.write("spaced.env", "TWO WORDS=1\n");
        ZT_ASSERT_CONFIG_ERROR(loadEnvFile(spaced), {spaced + ":1"});
    }

    void unterminated_quote_names_file_and_line() {
        TempDir dir;
        std::string file = dir.write(".env", "ZT_UT_ENVFILE_PLAIN=ok\nZT_UT_ENVFILE_DQ=\"open\n");
        ZT_ASSERT_CONFIG_ERROR(loadEnvFile(file), {file + ":2", "quote"});
        std::string mixed = dir.write("mixed.env", "ZT_UT_ENVFILE_SQ='mixed\"\n");
        ZT_ASSERT_CONFIG_ERROR(loadEnvFile(mixed), {mixed + ":1"});
    }

    void missing_file_names_path() {
        TempDir dir;
        std::string missing = dir.str() + "/absent.env";
        ZT_ASSERT_CONFIG_ERROR(loadEnvFile(missing), {missing});
    }

private:
    static void clear() {
        for (const char* v : kVars) ::unsetenv(v);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(EnvFileTest);
