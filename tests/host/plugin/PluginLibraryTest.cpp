// The loader refuses every kind of broken plugin with the file name and the reason, and loads
// well-formed ones (docs/PLUGINS.md).
#include <cppunit/extensions/HelperMacros.h>

#include <string>

#include "plugin/PluginLibrary.h"
#include "support/TestSupport.h"

using zt::test::assertContains;

using zt::plugin::PluginLibrary;
using zt::plugin::PluginLoadError;

namespace {
std::string broken(const std::string& name) {
    return std::string(ZT_TEST_BROKEN_PLUGIN_DIR) + "/libzt_" + name + ".so";
}

/// Returns the refusal message, or fails the test when the plugin loads.
std::string refusal(const std::string& path) {
    try {
        PluginLibrary::open(path);
    } catch (const PluginLoadError& e) {
        return e.message();
    }
    CPPUNIT_FAIL("plugin was not refused: " + path);
    return "";
}

}  // namespace

class PluginLibraryTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PluginLibraryTest);
    CPPUNIT_TEST(loads_valid_plugin_and_reads_descriptor);
    CPPUNIT_TEST(refuses_missing_file);
    CPPUNIT_TEST(refuses_file_that_is_not_elf);
    CPPUNIT_TEST(refuses_plugin_without_entry_symbol);
    CPPUNIT_TEST(refuses_plugin_with_wrong_abi_major);
    CPPUNIT_TEST(refuses_descriptor_smaller_than_minimum);
    CPPUNIT_TEST(refuses_entry_returning_null);
    CPPUNIT_TEST(refuses_plugin_with_unresolved_symbol_at_load_time);
    CPPUNIT_TEST_SUITE_END();

public:
    void loads_valid_plugin_and_reads_descriptor() {
        auto lib = PluginLibrary::open(std::string(ZT_TEST_PLUGIN_DIR) + "/libzt_users.so");
        CPPUNIT_ASSERT_EQUAL(std::string("users"), lib->name());
        CPPUNIT_ASSERT_EQUAL(std::string("1.0.0"), lib->version());
        CPPUNIT_ASSERT_EQUAL(static_cast<unsigned>(ZT_PLUGIN_ABI_MAJOR),
                             static_cast<unsigned>(lib->descriptor().abi_major));
        auto probe = PluginLibrary::open(broken("c_probe"));
        CPPUNIT_ASSERT_EQUAL(std::string("c_probe"), probe->name());
    }
    void refuses_missing_file() {
        auto msg = refusal("/nonexistent/libzt_nothing.so");
        assertContains(msg, "/nonexistent/libzt_nothing.so");
        assertContains(msg, "file not found");
    }
    void refuses_file_that_is_not_elf() {
        auto msg = refusal(broken("not_elf"));
        assertContains(msg, "libzt_not_elf.so");
        assertContains(msg, "dlopen failed");
    }
    void refuses_plugin_without_entry_symbol() {
        auto msg = refusal(broken("missing_symbol"));
        assertContains(msg, "libzt_missing_symbol.so");
        assertContains(msg, "missing entry symbol 'zt_plugin_entry'");
    }
    void refuses_plugin_with_wrong_abi_major() {
        auto msg = refusal(broken("wrong_major"));
        assertContains(msg, "libzt_wrong_major.so");
        assertContains(msg, "ABI major version 99 is not supported");
    }
    void refuses_descriptor_smaller_than_minimum() {
        auto msg = refusal(broken("short_descriptor"));
        assertContains(msg, "libzt_short_descriptor.so");
        assertContains(msg, "descriptor too small: struct_size 16 bytes");
    }
    void refuses_entry_returning_null() {
        auto msg = refusal(broken("null_descriptor"));
        assertContains(msg, "returned NULL");
    }
    void refuses_plugin_with_unresolved_symbol_at_load_time() {
        auto msg = refusal(broken("unresolved_symbol"));
        assertContains(msg, "libzt_unresolved_symbol.so");
        assertContains(msg, "zt_symbol_that_does_not_exist");
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(PluginLibraryTest);
