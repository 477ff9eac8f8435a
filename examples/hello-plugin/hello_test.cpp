// The hello plugin's own unit test: runs the built plugin in-process with zintrust/testing.hpp
// (no zintrust-host, no port), against the SDK as installed. Built and run by ctest.
#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>
#include <cppunit/extensions/TestFactoryRegistry.h>
#include <cppunit/ui/text/TestRunner.h>

#include <zintrust/testing.hpp>

class HelloTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(HelloTest);
    CPPUNIT_TEST(greets_with_the_configured_greeting);
    CPPUNIT_TEST(the_greeting_comes_from_the_config);
    CPPUNIT_TEST(only_get_hello_is_routed);
    CPPUNIT_TEST_SUITE_END();

public:
    void greets_with_the_configured_greeting() {
        zt::testing::TestHost host({.pluginFile = HELLO_PLUGIN, .configFile = HELLO_CONFIG});
        auto reply = host.get("/hello/world");
        CPPUNIT_ASSERT_EQUAL(200, reply.status);
        CPPUNIT_ASSERT_EQUAL(std::string("Hello, world!"), reply.body);
        CPPUNIT_ASSERT(reply.header("Content-Type").value_or("").find("text/plain") == 0);
        CPPUNIT_ASSERT(host.logged("greeting is 'Hello'"));
    }
    void the_greeting_comes_from_the_config() {
        zt::testing::TestHost host({.pluginFile = HELLO_PLUGIN,
                                    .configFile = HELLO_CONFIG,
                                    .configPatch = {{"config", {{"greeting", "Howdy"}}}}});
        CPPUNIT_ASSERT_EQUAL(std::string("Howdy, tester!"), host.get("/hello/tester").body);
        // A path parameter arrives decoded.
        CPPUNIT_ASSERT_EQUAL(std::string("Howdy, a b!"), host.get("/hello/a%20b").body);
    }
    void only_get_hello_is_routed() {
        zt::testing::TestHost host({.pluginFile = HELLO_PLUGIN, .configFile = HELLO_CONFIG});
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), host.routes().size());
        CPPUNIT_ASSERT_EQUAL(404, host.get("/goodbye").status);
        CPPUNIT_ASSERT_EQUAL(405, host.postJson("/hello/x", {{"a", 1}}).status);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(HelloTest);

int main() {
    CppUnit::TextUi::TestRunner runner;
    runner.addTest(CppUnit::TestFactoryRegistry::getRegistry().makeTest());
    return runner.run() ? 0 : 1;
}
