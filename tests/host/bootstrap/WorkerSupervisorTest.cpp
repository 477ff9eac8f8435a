// WorkerSupervisor without the host binary (docs/OPERATIONS.md: crash containment): the path it
// forwards, what its port answers while no worker is ready, and how it reports and restarts a
// worker that exits at once (a real process: /bin/false).
#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <thread>

#include "bootstrap/WorkerSupervisor.h"

using zt::bootstrap::WorkerSupervisor;

namespace {
WorkerSupervisor::Options options(const std::string& executable) {
    WorkerSupervisor::Options o;
    o.service = "users";
    o.executable = executable;
    o.environment = {"PATH=/usr/bin:/bin"};
    o.firstRestartDelay = std::chrono::milliseconds(50);
    o.maxRestartDelay = std::chrono::milliseconds(400);
    return o;
}
}  // namespace

class WorkerSupervisorTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(WorkerSupervisorTest);
    CPPUNIT_TEST(paths_are_encoded_again_as_the_client_may_have_sent_them);
    CPPUNIT_TEST(a_worker_that_exits_is_reported_and_restarted_with_backoff);
    CPPUNIT_TEST(a_worker_that_cannot_be_executed_is_reported);
    CPPUNIT_TEST(without_a_ready_worker_requests_get_503_with_retry_after);
    CPPUNIT_TEST_SUITE_END();

public:
    void paths_are_encoded_again_as_the_client_may_have_sent_them() {
        CPPUNIT_ASSERT_EQUAL(std::string("/users/1"), WorkerSupervisor::encodePath("/users/1"));
        CPPUNIT_ASSERT_EQUAL(std::string("/a%20b/%C3%A9"), WorkerSupervisor::encodePath("/a b/\xC3\xA9"));
        // Kept as the host's decoded path holds them: a segment's %2F stays one segment.
        CPPUNIT_ASSERT_EQUAL(std::string("/payments%2F500/x%25y"),
                             WorkerSupervisor::encodePath("/payments%2F500/x%25y"));
        CPPUNIT_ASSERT_EQUAL(std::string("/-._~!$&'()*+,;=:@"), WorkerSupervisor::encodePath("/-._~!$&'()*+,;=:@"));
        CPPUNIT_ASSERT_EQUAL(std::string("/%3F%23%22%3C%3E%5C%00"),
                             WorkerSupervisor::encodePath(std::string("/?#\"<>\\\0", 8)));
    }

    void a_worker_that_exits_is_reported_and_restarted_with_backoff() {
        WorkerSupervisor supervisor(options("/bin/false"));
        supervisor.start();
        const auto error = supervisor.waitReady(std::chrono::milliseconds(5000));
        CPPUNIT_ASSERT_MESSAGE(error, error.find("exited with status 1 before it was ready") != std::string::npos);
        // 50, 100, 200, 400, 400 ... ms between starts: a few restarts in a second, not hundreds.
        std::this_thread::sleep_for(std::chrono::milliseconds(1000));
        const auto s = supervisor.state();
        CPPUNIT_ASSERT_MESSAGE(std::to_string(s.restarts), s.restarts >= 3 && s.restarts <= 8);
        CPPUNIT_ASSERT_EQUAL(std::string("exited with status 1"), s.lastExit);
        CPPUNIT_ASSERT(!s.ready);
        const auto replaced = supervisor.replace({"PATH=/usr/bin:/bin"}, {});
        CPPUNIT_ASSERT_MESSAGE(replaced, replaced.find("before it was ready") != std::string::npos);
        supervisor.stop(std::chrono::steady_clock::now());
        CPPUNIT_ASSERT_EQUAL(std::string("the host is stopping"), supervisor.replace({"PATH=/usr/bin:/bin"}, {}));
    }

    void a_worker_that_cannot_be_executed_is_reported() {
        WorkerSupervisor supervisor(options("/nonexistent/zintrust-host"));
        supervisor.start();
        const auto error = supervisor.waitReady(std::chrono::milliseconds(5000));
        CPPUNIT_ASSERT_MESSAGE(error, error.find("exited with status 127") != std::string::npos);
    }

    void without_a_ready_worker_requests_get_503_with_retry_after() {
        WorkerSupervisor supervisor(options("/bin/false"));
        supervisor.start();
        zt::http::Exchange ex;
        ex.request.method = "GET";
        ex.request.path = "/users/1";
        supervisor.forward(ex);
        CPPUNIT_ASSERT_EQUAL(503, ex.response.status);
        CPPUNIT_ASSERT(ex.response.body.find("\"code\":\"service_unavailable\"") != std::string::npos);
        CPPUNIT_ASSERT(ex.response.headers.get("retry-after").has_value());
        CPPUNIT_ASSERT(std::stoi(std::string(*ex.response.headers.get("retry-after"))) >= 1);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(WorkerSupervisorTest);
