// SystemdNotifier against a real datagram socket in NOTIFY_SOCKET, as systemd listens
// (docs/OPERATIONS.md: systemd).
#include <cppunit/extensions/HelperMacros.h>

#include <cstdlib>

#include "support/NotifySocket.h"
#include "systemd/SystemdNotifier.h"

using zt::systemd::SystemdNotifier;
using zt::test::NotifySocket;

class SystemdNotifierTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SystemdNotifierTest);
    CPPUNIT_TEST(messages_reach_the_socket_in_order);
    CPPUNIT_TEST(status_is_one_line_even_when_the_text_has_newlines);
    CPPUNIT_TEST(without_notify_socket_nothing_is_sent_and_nothing_fails);
    CPPUNIT_TEST(watchdog_interval_comes_from_watchdog_usec_only_for_this_process);
    CPPUNIT_TEST_SUITE_END();

public:
    void tearDown() override {
        ::unsetenv("NOTIFY_SOCKET");
        ::unsetenv("WATCHDOG_USEC");
        ::unsetenv("WATCHDOG_PID");
    }

    void messages_reach_the_socket_in_order() {
        NotifySocket socket;
        ::setenv("NOTIFY_SOCKET", socket.path().c_str(), 1);
        CPPUNIT_ASSERT(SystemdNotifier::enabled());
        SystemdNotifier::ready("3/3 services ready");
        SystemdNotifier::reloading("reloading services");
        SystemdNotifier::ready("3/3 services ready");
        SystemdNotifier::watchdogPing();
        SystemdNotifier::stopping("draining");
        auto got = socket.read(2000, "STOPPING=1");
        CPPUNIT_ASSERT_EQUAL(std::size_t(5), got.size());
        CPPUNIT_ASSERT(got[0].has("READY=1"));
        CPPUNIT_ASSERT_EQUAL(std::string("3/3 services ready"), got[0].value("STATUS"));
        CPPUNIT_ASSERT(got[1].has("RELOADING=1"));
        // systemd 253 wants the CLOCK_MONOTONIC time of the reload in microseconds.
        const auto monotonic = got[1].value("MONOTONIC_USEC");
        CPPUNIT_ASSERT_MESSAGE(got[1].text, !monotonic.empty() && std::stoull(monotonic) > 0);
        timespec now{};
        ::clock_gettime(CLOCK_MONOTONIC, &now);
        CPPUNIT_ASSERT(std::stoull(monotonic) <= static_cast<unsigned long long>(now.tv_sec) * 1000000ull +
                                                     static_cast<unsigned long long>(now.tv_nsec) / 1000ull);
        CPPUNIT_ASSERT(got[2].has("READY=1"));
        CPPUNIT_ASSERT_EQUAL(std::string("WATCHDOG=1"), got[3].text);
        CPPUNIT_ASSERT(got[4].has("STOPPING=1"));
    }

    void status_is_one_line_even_when_the_text_has_newlines() {
        NotifySocket socket;
        ::setenv("NOTIFY_SOCKET", socket.path().c_str(), 1);
        SystemdNotifier::status("2/3 services ready\nREADY=1");
        auto got = socket.read(2000, "STATUS=");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), got.size());
        CPPUNIT_ASSERT(!got[0].has("READY=1"));
        CPPUNIT_ASSERT_EQUAL(std::string("2/3 services ready READY=1"), got[0].value("STATUS"));
    }

    void without_notify_socket_nothing_is_sent_and_nothing_fails() {
        ::unsetenv("NOTIFY_SOCKET");
        CPPUNIT_ASSERT(!SystemdNotifier::enabled());
        SystemdNotifier::ready("x");
        SystemdNotifier::watchdogPing();
        CPPUNIT_ASSERT_EQUAL(0LL, static_cast<long long>(SystemdNotifier::watchdogInterval().count()));
    }

    void watchdog_interval_comes_from_watchdog_usec_only_for_this_process() {
        ::setenv("WATCHDOG_USEC", "3000000", 1);
        CPPUNIT_ASSERT_EQUAL(3000000LL, static_cast<long long>(SystemdNotifier::watchdogInterval().count()));
        ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
        CPPUNIT_ASSERT_EQUAL(3000000LL, static_cast<long long>(SystemdNotifier::watchdogInterval().count()));
        // Meant for another process (a parent that did not unset it): not ours to ping.
        ::setenv("WATCHDOG_PID", std::to_string(::getpid() + 1).c_str(), 1);
        CPPUNIT_ASSERT_EQUAL(0LL, static_cast<long long>(SystemdNotifier::watchdogInterval().count()));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SystemdNotifierTest);
