// ProgressWatchdog: pings only while the progress check says so (docs/OPERATIONS.md: systemd).
#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "systemd/ProgressWatchdog.h"

using zt::systemd::ProgressWatchdog;

class ProgressWatchdogTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ProgressWatchdogTest);
    CPPUNIT_TEST(pings_every_half_interval_while_progressing);
    CPPUNIT_TEST(withholds_pings_while_stuck_and_resumes_after);
    CPPUNIT_TEST(a_throwing_check_counts_as_stuck);
    CPPUNIT_TEST(stop_returns_at_once);
    CPPUNIT_TEST_SUITE_END();

public:
    void pings_every_half_interval_while_progressing() {
        std::atomic<int> pings{0};
        ProgressWatchdog dog(
            std::chrono::milliseconds(200), [] { return std::string(); }, [&] { ++pings; });
        dog.start();
        std::this_thread::sleep_for(std::chrono::milliseconds(1050));
        dog.stop();
        // One at start, then one per 100 ms: about 11.
        CPPUNIT_ASSERT_MESSAGE(std::to_string(pings.load()), pings >= 8 && pings <= 12);
    }

    void withholds_pings_while_stuck_and_resumes_after() {
        std::atomic<int> pings{0};
        std::atomic<bool> stuck{false};
        ProgressWatchdog dog(
            std::chrono::milliseconds(100),
            [&] { return stuck ? std::string("service x: event loop stood still") : ""; }, [&] { ++pings; });
        dog.start();
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        stuck = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        const int atStall = pings;
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        CPPUNIT_ASSERT_EQUAL(atStall, pings.load());
        stuck = false;
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        dog.stop();
        CPPUNIT_ASSERT_MESSAGE(std::to_string(pings.load()) + " vs " + std::to_string(atStall), pings > atStall + 2);
    }

    void a_throwing_check_counts_as_stuck() {
        std::atomic<int> pings{0};
        ProgressWatchdog dog(
            std::chrono::milliseconds(100), []() -> std::string { throw std::runtime_error("boom"); },
            [&] { ++pings; });
        dog.start();
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
        dog.stop();
        CPPUNIT_ASSERT_EQUAL(1, pings.load());  // only the one at start
    }

    void stop_returns_at_once() {
        ProgressWatchdog dog(
            std::chrono::seconds(60), [] { return std::string(); }, [] {});
        dog.start();
        const auto t0 = std::chrono::steady_clock::now();
        dog.stop();
        CPPUNIT_ASSERT(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ProgressWatchdogTest);
