// NotifyListener, the supervisor's end of sd_notify for its worker processes (docs/OPERATIONS.md:
// crash containment), fed by the host's own SystemdNotifier over a real abstract datagram socket.
#include <cppunit/extensions/HelperMacros.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "systemd/NotifyListener.h"
#include "systemd/SystemdNotifier.h"

using zt::systemd::NotifyListener;
using zt::systemd::SystemdNotifier;

namespace {
/// What arrives from `sender` within 2 s (stops at the first non-empty read).
std::vector<NotifyListener::Assignment> receiveFrom(NotifyListener& listener, pid_t sender) {
    for (int i = 0; i < 100; ++i) {
        pollfd p{listener.fd(), POLLIN, 0};
        ::poll(&p, 1, 20);
        auto got = listener.receive(sender);
        if (!got.empty()) return got;
    }
    return {};
}
}  // namespace

class NotifyListenerTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(NotifyListenerTest);
    CPPUNIT_TEST(messages_of_the_expected_process_arrive_as_assignments);
    CPPUNIT_TEST(messages_of_another_process_are_dropped);
    CPPUNIT_TEST(every_listener_has_its_own_address);
    CPPUNIT_TEST_SUITE_END();

public:
    void tearDown() override { ::unsetenv("NOTIFY_SOCKET"); }

    void messages_of_the_expected_process_arrive_as_assignments() {
        NotifyListener listener;
        CPPUNIT_ASSERT_EQUAL('@', listener.address().front());
        ::setenv("NOTIFY_SOCKET", listener.address().c_str(), 1);
        SystemdNotifier::ready("1/1 services ready");
        auto got = receiveFrom(listener, ::getpid());
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), got.size());
        CPPUNIT_ASSERT_EQUAL(std::string("READY"), got[0].first);
        CPPUNIT_ASSERT_EQUAL(std::string("1"), got[0].second);
        CPPUNIT_ASSERT_EQUAL(std::string("STATUS"), got[1].first);
        CPPUNIT_ASSERT_EQUAL(std::string("1/1 services ready"), got[1].second);
        CPPUNIT_ASSERT(listener.receive(::getpid()).empty());  // never blocks when nothing waits
    }

    void messages_of_another_process_are_dropped() {
        NotifyListener listener;
        ::setenv("NOTIFY_SOCKET", listener.address().c_str(), 1);
        auto sendFromChild = [] {
            const pid_t child = ::fork();
            if (child == 0) {
                SystemdNotifier::ready("from the child");
                ::_exit(0);
            }
            int status = 0;
            ::waitpid(child, &status, 0);
            return child;
        };
        sendFromChild();
        CPPUNIT_ASSERT(receiveFrom(listener, ::getpid()).empty());  // a stranger's READY=1 is not believed
        const pid_t child = sendFromChild();
        auto got = receiveFrom(listener, child);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), got.size());
        CPPUNIT_ASSERT_EQUAL(std::string("from the child"), got[1].second);
    }

    void every_listener_has_its_own_address() {
        NotifyListener a;
        NotifyListener b;
        CPPUNIT_ASSERT(a.address() != b.address());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(NotifyListenerTest);
