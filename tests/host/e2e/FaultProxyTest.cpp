// The host against a misbehaving network and server (tests/support/FaultProxy between the host and
// PostgreSQL): every request is answered within its deadline (+250 ms), a 201 always has its row,
// a 5xx never has a committed row unless it says the outcome is unknown, and the pool recovers
// (docs/DEADLINES.md).
#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "support/FaultProxy.h"
#include "support/TestSupport.h"

using namespace zt::test;
using namespace std::chrono;

namespace {

struct ProxiedHost {
    TestPostgres pg = TestPostgres::fromEnvironment();
    TestDatabase database;
    FaultProxy proxy{pg.host, pg.port};
    TempDir services;
    TestPluginFolder plugins;
    int port = freePort();
    int admin = freePort();
    std::unique_ptr<HostProcess> host;

    ProxiedHost() {
        services.write("probe/db/service.config.json",
                       R"({"name":"db","domain":"probe","port":)" + std::to_string(port) +
                           R"(,"plugin":"libzt_db_probe.so","database":{"isolation":"shared","migrations":true}})");
        services.write("probe/db/migrations/001_notes.sql",
                       "CREATE TABLE notes (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL);\n");
        std::map<std::string, std::string> env = {
            {"DATABASE_URL", "postgresql://" + pg.user + ":" + pg.password +
                                 "@127.0.0.1:" + std::to_string(proxy.port()) + "/" + database.name()},
            {"ZT_SERVICES_DIR", services.path()},
            {"ZT_PLUGIN_DIR", plugins.path()},
            {"ADMIN_PORT", std::to_string(admin)},
            {"ZT_BIND_ADDRESS", "127.0.0.1"},
            {"DB_POOL_MAX", "2"},
            {"DB_POOL_CONNECTION_TIMEOUT_MS", "1000"},
            {"LOG_LEVEL", "information"},
        };
        host = std::make_unique<HostProcess>(env, admin);
    }
    int rows(const std::string& body) {
        return std::stoi(pg.scalar(database.name(), "SELECT count(*) FROM probe_db.notes WHERE body = '" + body + "'"));
    }
};

struct Timed {
    HttpResult r;
    long long ms;
};
Timed timedRequest(const std::string& method, int port, const std::string& path, const std::string& body,
                   int deadlineMs) {
    auto t0 = steady_clock::now();
    auto r = httpRequest(method, port, path, body, {{"X-Request-Timeout-Ms", std::to_string(deadlineMs)}},
                         deadlineMs + 5000);
    return {r, duration_cast<milliseconds>(steady_clock::now() - t0).count()};
}

}  // namespace

class FaultProxyTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(FaultProxyTest);
    CPPUNIT_TEST(each_behaviour_is_answered_within_the_deadline_and_never_hides_a_write);
    CPPUNIT_TEST_SUITE_END();

    /// The property every case must keep: answered in time; 201 means stored; a 5xx means not
    /// stored, unless it says the outcome is unknown.
    static void checkWrite(ProxiedHost& h, const std::string& what, const Timed& t, const std::string& body,
                           int deadlineMs) {
        const std::string context =
            what + ": " + std::to_string(t.r.status) + " " + t.r.body + " after " + std::to_string(t.ms) + " ms";
        CPPUNIT_ASSERT_MESSAGE(context, t.r.status != 0);
        CPPUNIT_ASSERT_MESSAGE(context, t.ms <= deadlineMs + 250);
        std::this_thread::sleep_for(milliseconds(500));  // what the server still does, it does now
        if (t.r.status == 201) CPPUNIT_ASSERT_EQUAL_MESSAGE(context, 1, h.rows(body));
        else if (t.r.body.find("commit_outcome_unknown") == std::string::npos)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(context, 0, h.rows(body));
    }

public:
    void each_behaviour_is_answered_within_the_deadline_and_never_hides_a_write() {
        ProxiedHost h;
        CPPUNIT_ASSERT_EQUAL_MESSAGE(h.host->log(), 201, httpRequest("POST", h.port, "/notes/tx", "warm").status);

        // pass
        auto t = timedRequest("POST", h.port, "/notes/tx", "pass", 1000);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(t.r.body, 201, t.r.status);
        checkWrite(h, "pass", t, "pass", 1000);

        // delay: 50 ms a chunk fits the deadline; 600 ms a chunk does not
        h.proxy.setMode(FaultProxy::Mode::Delay, 50);
        t = timedRequest("POST", h.port, "/notes/tx", "delay-50", 1000);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(t.r.body, 201, t.r.status);
        checkWrite(h, "delay 50", t, "delay-50", 1000);
        h.proxy.setMode(FaultProxy::Mode::Delay, 600);
        t = timedRequest("POST", h.port, "/notes/tx", "delay-600", 1000);
        checkWrite(h, "delay 600", t, "delay-600", 1000);
        h.proxy.setMode(FaultProxy::Mode::Pass);
        h.proxy.dropAll();

        // read but never answer (a hung server): the deadline header says 200 ms
        CPPUNIT_ASSERT_EQUAL(201, httpRequest("POST", h.port, "/notes/tx", "again").status);
        h.proxy.setMode(FaultProxy::Mode::ReadButNeverAnswer);
        t = timedRequest("GET", h.port, "/notes/count", "", 200);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(t.r.body, 504, t.r.status);
        assertContains(t.r.body, "deadline_exceeded");
        CPPUNIT_ASSERT_MESSAGE(std::to_string(t.ms) + " ms", t.ms <= 450);
        t = timedRequest("POST", h.port, "/notes/tx", "hung", 300);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(t.r.body, 504, t.r.status);
        h.proxy.setMode(FaultProxy::Mode::Pass);
        h.proxy.dropAll();
        checkWrite(h, "hung", t, "hung", 300);

        // a server that stalls and runs what it was sent once the host gave up (kill -STOP, then
        // -CONT): an autocommit builder write and a transaction alike leave nothing behind
        // (the stall starts at the chunk that carries the write's own value)
        for (const std::string path : {"/notes", "/notes/tx"}) {
            CPPUNIT_ASSERT_EQUAL(201, httpRequest("POST", h.port, path, "before-stall").status);
            h.proxy.setMode(FaultProxy::Mode::StallThenDeliver, 0, "stalled" + path);
            t = timedRequest("POST", h.port, path, "stalled" + path, 300);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(path + ": " + t.r.body, 504, t.r.status);
            checkWrite(h, "stall then deliver " + path, t, "stalled" + path, 300);
            // Whatever the 504 had to say (a lone write is in doubt until its answer), the server
            // that ran it late rolled it back.
            CPPUNIT_ASSERT_EQUAL_MESSAGE(path, 0, h.rows("stalled" + path));
            h.proxy.setMode(FaultProxy::Mode::Pass);
        }

        // The write reaches the server and commits, its answer does not come before the deadline
        // (a server that hangs right after it): the 504 says the outcome is unknown, never a plain
        // failure. A transaction's COMMIT; a lone builder write's single round trip.
        for (const auto& [path, mode] : {std::pair{std::string("/notes/tx"), FaultProxy::Mode::HoldAnswerAfterCommit},
                                         std::pair{std::string("/notes"), FaultProxy::Mode::HoldAnswers}}) {
            CPPUNIT_ASSERT_EQUAL(201, httpRequest("POST", h.port, path, "before-hold").status);
            h.proxy.setMode(mode, 0, mode == FaultProxy::Mode::HoldAnswers ? "held" + path : "");
            t = timedRequest("POST", h.port, path, "held" + path, 500);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(path + ": " + t.r.body, 504, t.r.status);
            assertContains(t.r.body, "commit_outcome_unknown");
            h.proxy.setMode(FaultProxy::Mode::Pass);
            h.proxy.dropAll();
            checkWrite(h, "answer held " + path, t, "held" + path, 500);
            CPPUNIT_ASSERT_EQUAL(1, h.rows("held" + path));  // it did commit: the 504 did not hide it
        }

        // the connection closes in the middle of a query: the write never reached the server
        CPPUNIT_ASSERT_EQUAL(201, httpRequest("POST", h.port, "/notes/tx", "again2").status);
        h.proxy.setMode(FaultProxy::Mode::CloseMidQuery);
        t = timedRequest("POST", h.port, "/notes/tx", "mid-query", 2000);
        // (BEGIN is retried once on a fresh connection, so this may still be a 201: then with its row)
        checkWrite(h, "close mid-query", t, "mid-query", 2000);

        // the connection closes after COMMIT reached the server, before its answer: the host looks
        // the transaction up and answers the truth, 201
        h.proxy.setMode(FaultProxy::Mode::CloseAfterCommit);
        t = timedRequest("POST", h.port, "/notes/tx", "after-commit", 3000);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(t.r.body + h.host->log(), 201, t.r.status);
        checkWrite(h, "close after commit", t, "after-commit", 3000);

        // refused connections: fail fast, then recover when the server is back
        h.proxy.setMode(FaultProxy::Mode::Refuse);
        h.proxy.dropAll();
        t = timedRequest("POST", h.port, "/notes/tx", "refused", 1000);
        CPPUNIT_ASSERT_MESSAGE(t.r.body, t.r.status == 503 || t.r.status == 504);
        checkWrite(h, "refused", t, "refused", 1000);
        // accept but never read: new connections hang in their start-up
        h.proxy.setMode(FaultProxy::Mode::AcceptButNeverRead);
        t = timedRequest("POST", h.port, "/notes/tx", "unread", 1000);
        CPPUNIT_ASSERT_MESSAGE(t.r.body, t.r.status == 503 || t.r.status == 504);
        checkWrite(h, "accept but never read", t, "unread", 1000);

        h.proxy.setMode(FaultProxy::Mode::Pass);
        int status = 0;
        for (int i = 0; i < 50 && (status = httpRequest("POST", h.port, "/notes/tx", "recovered").status) != 201; ++i)
            std::this_thread::sleep_for(milliseconds(200));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(h.host->log(), 201, status);
        assertContains(httpRequest("GET", h.admin, "/db/pool").body, "\"waitingRequests\":0");
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(FaultProxyTest);
