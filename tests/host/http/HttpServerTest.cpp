// The host's HTTP/1.1 connection loop over real sockets: keep-alive, pipelining, bodies, errors,
// time limits, thread hand-over and shutdown.
#include <cppunit/extensions/HelperMacros.h>

#include <sys/resource.h>

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/TestSupport.h"
#include "http/HttpServer.h"

using namespace zt::http;
using zt::test::assertContains;

namespace {
using Clock = std::chrono::steady_clock;

long long msSince(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

/// Echoes method, path, query, body and a header; a few paths misbehave on purpose.
void echo(Exchange& ex) {
    const auto& r = ex.request;
    if (r.path == "/throw") throw std::runtime_error("handler exploded");
    if (r.path == "/sleep") std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(r.query)));
    if (r.path == "/empty") {
        ex.response.status = 204;
        return;
    }
    if (r.path == "/big") {
        ex.response.body.assign(std::stoul(r.query), 'x');
        return;
    }
    if (r.path == "/host") {
        ex.response.body = std::string(r.headers.get("host").value_or("-"));
        return;
    }
    if (r.path == "/len") {
        ex.response.body = std::to_string(r.body.size()) + " " + std::to_string(std::hash<std::string>{}(r.body));
        return;
    }
    if (r.path == "/inject") ex.response.headers.add("x-injected", "a\r\nset-cookie: stolen=1");
    ex.response.status = 200;
    ex.response.headers.set("content-type", "text/plain");
    ex.response.body = r.method + " " + r.path + " q=" + r.query + " body=" + r.body +
                       " x=" + std::string(r.headers.get("x-test").value_or("-")) + " from=" + r.remoteAddress;
}

struct Server {
    explicit Server(HttpServerOptions o = {}) {
        o.bindAddress = "127.0.0.1";
        server = std::make_unique<HttpServer>("test", o, echo);
        server->start();
    }
    int port() const { return server->port(); }
    std::unique_ptr<HttpServer> server;
};

struct Response {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? "" : it->second;
    }
};

class Client {
public:
    explicit Client(int port) : socket_(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port))) {
        socket_.setReceiveTimeout(Poco::Timespan(5, 0));
    }
    void send(const std::string& bytes) { socket_.sendBytes(bytes.data(), static_cast<int>(bytes.size())); }

    /// Reads one response (Content-Length framed; none for 204/304 and HEAD).
    Response read(bool head = false) {
        std::size_t end;
        while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) fill();
        Response r;
        const std::string text = buffer_.substr(0, end + 2);
        buffer_.erase(0, end + 4);
        r.status = std::stoi(text.substr(9, 3));
        std::size_t pos = text.find("\r\n") + 2;
        while (pos < text.size()) {
            const std::size_t eol = text.find("\r\n", pos);
            const std::string line = text.substr(pos, eol - pos);
            const std::size_t colon = line.find(':');
            std::string name = line.substr(0, colon);
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            r.headers[name] = line.substr(colon + 2);
            pos = eol + 2;
        }
        if (r.status == 100) return r;
        std::size_t length = head || r.status == 204 ? 0 : std::stoul(r.header("content-length"));
        while (buffer_.size() < length) fill();
        r.body = buffer_.substr(0, length);
        buffer_.erase(0, length);
        return r;
    }

    /// True when the server closed the connection within `ms` (EOF or reset).
    bool closedWithin(int ms) {
        socket_.setReceiveTimeout(Poco::Timespan(0, ms * 1000));
        try {
            char c;
            const int n = socket_.receiveBytes(&c, 1);
            socket_.setReceiveTimeout(Poco::Timespan(5, 0));
            if (n > 0) buffer_.push_back(c);
            return n == 0;
        } catch (const Poco::TimeoutException&) {
            socket_.setReceiveTimeout(Poco::Timespan(5, 0));
            return false;
        } catch (const Poco::Exception&) {
            return true;
        }
    }

private:
    void fill() {
        char buf[4096];
        const int n = socket_.receiveBytes(buf, sizeof buf);
        if (n <= 0) throw std::runtime_error("connection closed while reading a response; have: " + buffer_);
        buffer_.append(buf, static_cast<std::size_t>(n));
    }

    Poco::Net::StreamSocket socket_;
    std::string buffer_;
};
/// A new client's GET /fresh on a new connection: how long until its answer, in ms.
long long msToServeANewClient(int port) {
    const auto started = Clock::now();
    Client fresh(port);
    fresh.send("GET /fresh HTTP/1.1\r\nHost: a\r\n\r\n");
    assertContains(fresh.read().body, "/fresh");
    return msSince(started);
}
}  // namespace

class HttpServerTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(HttpServerTest);
    CPPUNIT_TEST(keep_alive_serves_pipelined_requests_in_order);
    CPPUNIT_TEST(request_parts_reach_the_handler);
    CPPUNIT_TEST(chunked_body_and_expect_100_continue);
    CPPUNIT_TEST(framing_errors_are_json_and_close_the_connection);
    CPPUNIT_TEST(strict_requests_are_refused_with_json_and_trace_headers);
    CPPUNIT_TEST(options_asterisk_lists_the_methods);
    CPPUNIT_TEST(oversized_content_length_is_413_without_reading_the_body);
    CPPUNIT_TEST(http10_closes_unless_it_asks_for_keep_alive);
    CPPUNIT_TEST(head_and_204_carry_no_body);
    CPPUNIT_TEST(handler_exception_is_500_json_and_counted);
    CPPUNIT_TEST(header_values_that_would_split_the_response_are_dropped);
    CPPUNIT_TEST(idle_keep_alive_connection_closes_after_the_timeout);
    CPPUNIT_TEST(idle_and_slow_connections_hold_no_handler_thread);
    CPPUNIT_TEST(a_client_that_never_reads_holds_no_handler_thread);
    CPPUNIT_TEST(pipelined_requests_do_not_starve_a_new_connection);
    CPPUNIT_TEST(connections_past_the_limits_get_503_json_with_retry_after);
    CPPUNIT_TEST(a_large_body_sent_in_pieces_arrives_whole);
    CPPUNIT_TEST(handed_back_connections_wake_the_loop_after_a_concurrent_burst);
    CPPUNIT_TEST(a_reset_during_a_slow_answer_does_not_spin_the_loop);
    CPPUNIT_TEST(connections_are_dealt_to_the_loops_in_turn);
    CPPUNIT_TEST(absolute_form_host_replaces_the_host_field);
    CPPUNIT_TEST(default_server_answers_a_probe_while_64_keep_alive_clients_are_busy);
    CPPUNIT_TEST(slow_head_is_cut_at_the_header_deadline_and_counted);
    CPPUNIT_TEST(handler_past_its_deadline_gets_504_and_the_late_answer_is_dropped);
    CPPUNIT_TEST(request_deadline_headers_shorten_the_handler_timeout);
    CPPUNIT_TEST(graceful_stop_finishes_in_flight_requests_and_closes_idle_connections);
    CPPUNIT_TEST_SUITE_END();

public:
    void keep_alive_serves_pipelined_requests_in_order() {
        Server s;
        Client c(s.port());
        c.send("GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n\r\n");
        assertContains(c.read().body, "GET /one");
        assertContains(c.read().body, "GET /two");
        for (int i = 0; i < 50; ++i) {
            c.send("GET /n HTTP/1.1\r\nHost: a\r\n\r\n");
            CPPUNIT_ASSERT_EQUAL(200, c.read().status);
        }
        CPPUNIT_ASSERT(!c.closedWithin(50));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{52}, s.server->counters()->requests.load());
    }

    void request_parts_reach_the_handler() {
        Server s;
        Client c(s.port());
        c.send("POST /a%20b/c?x=1&y=%20 HTTP/1.1\r\nHost: a\r\nX-Test: hello\r\nContent-Length: 5\r\n\r\nHELLO");
        Response r = c.read();
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        assertContains(r.body, "POST /a b/c q=x=1&y=%20 body=HELLO x=hello from=127.0.0.1:");
        CPPUNIT_ASSERT_EQUAL(std::string("text/plain"), r.header("content-type"));
        CPPUNIT_ASSERT(!r.header("date").empty());
        // absolute-form targets are accepted too (RFC 9112 3.2.2).
        c.send("GET http://a/abs?z=9 HTTP/1.1\r\nHost: a\r\n\r\n");
        assertContains(c.read().body, "GET /abs q=z=9");
    }

    void chunked_body_and_expect_100_continue() {
        Server s;
        Client c(s.port());
        c.send("POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        c.send("6\r\n world\r\n0\r\n\r\n");
        assertContains(c.read().body, "body=hello world");
        c.send("POST /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
        CPPUNIT_ASSERT_EQUAL(100, c.read().status);
        c.send("DATA");
        assertContains(c.read().body, "body=DATA");
    }

    void framing_errors_are_json_and_close_the_connection() {
        Server s;
        for (const std::string& bad :
             {std::string("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc"),
              std::string("GET / HTTP/1.1\r\n\r\n"), std::string("GET / HTTP/3.0\r\nHost: a\r\n\r\n"),
              std::string("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")}) {
            Client c(s.port());
            c.send(bad);
            Response r = c.read();
            CPPUNIT_ASSERT_MESSAGE(bad, r.status == 400 || r.status == 505);
            CPPUNIT_ASSERT_EQUAL(std::string("application/json"), r.header("content-type"));
            CPPUNIT_ASSERT_EQUAL(std::string("close"), r.header("connection"));
            assertContains(r.body, "{\"error\":{\"code\":");
            CPPUNIT_ASSERT_MESSAGE(bad, c.closedWithin(2000));
        }
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{4},
                             s.server->counters()->clientErrors.load() + s.server->counters()->serverErrors.load());
    }

    void strict_requests_are_refused_with_json_and_trace_headers() {
        HttpServerOptions o;
        o.maxBodyBytes = 100;
        o.stampOwnResponse = [](HttpResponse& r) {
            r.headers.set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00");
            r.headers.set("x-trace-id", "0af7651916cd43dd8448eb211c80319c");
        };
        Server s(o);
        struct Case {
            std::string request;
            int status;
        };
        const std::vector<Case> cases = {
            {"get / HTTP/1.1\r\nHost: a\r\n\r\n", 501},
            {"delete /users/1 HTTP/1.1\r\nHost: a\r\n\r\n", 501},
            {"Get / HTTP/1.1\r\nHost: a\r\n\r\n", 501},
            {"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", 501},
            {"GET a:443 HTTP/1.1\r\nHost: a\r\n\r\n", 400},  // authority-form
            {"GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400},
            {"GET users/1 HTTP/1.1\r\nHost: a\r\n\r\n", 400},         // relative
            {"GET http://u:p@a/x HTTP/1.1\r\nHost: a\r\n\r\n", 400},  // userinfo
            {"GET ftp://a/x HTTP/1.1\r\nHost: a\r\n\r\n", 400},
            {"GET /a%00b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
            {"GET /a%0Ab HTTP/1.1\r\nHost: a\r\n\r\n", 400},
            {"GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400},
            {"GET /a%2 HTTP/1.1\r\nHost: a\r\n\r\n", 400},
            {"GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", 400},
            {"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
            {"GET / HTTP/1.1\r\nHost: a:99999x\r\n\r\n", 400},
            {"GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer x\r\nAuthorization: Bearer y\r\n\r\n", 400},
            {"GET / HTTP/1.1\r\nHost: a\r\nX-API-Key: x\r\nx-api-key: y\r\n\r\n", 400},
            {"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 ;x\r\nhello\r\n0\r\n\r\n", 400},
            {"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\tx\r\nhello\r\n0\r\n\r\n", 400},
            {"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n", 413},
            {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
            {"GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(40000, 'x') + "\r\n\r\n", 431},
        };
        for (const auto& c : cases) {
            Client client(s.port());
            client.send(c.request);
            Response r = client.read();
            const std::string what = c.request.substr(0, 60);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(what + " -> " + r.body, c.status, r.status);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(what, std::string("application/json"), r.header("content-type"));
            assertContains(r.body, "{\"error\":{\"code\":");
            CPPUNIT_ASSERT_EQUAL_MESSAGE(what, std::string("0af7651916cd43dd8448eb211c80319c"), r.header("x-trace-id"));
            CPPUNIT_ASSERT_MESSAGE(what, !r.header("traceparent").empty());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(what, std::string("close"), r.header("connection"));
        }
        // What the rules still serve: each segment decoded on its own, so %2F is no separator and
        // reaches the handler encoded; absolute-form; an empty Host; a chunk extension.
        Client ok(s.port());
        ok.send("GET /payments%2F500 HTTP/1.1\r\nHost: a\r\n\r\n");
        assertContains(ok.read().body, "GET /payments%2F500 q=");
        ok.send("GET /a%2fb%25c%20d HTTP/1.1\r\nHost: a\r\n\r\n");
        assertContains(ok.read().body, "GET /a%2Fb%25c d q=");
        ok.send("GET HTTP://a:8080?x=1 HTTP/1.1\r\nHost: a:8080\r\n\r\n");
        assertContains(ok.read().body, "GET / q=x=1");
        ok.send("GET / HTTP/1.1\r\nHost:\r\n\r\n");
        CPPUNIT_ASSERT_EQUAL(200, ok.read().status);
        ok.send("GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n");
        CPPUNIT_ASSERT_EQUAL(200, ok.read().status);
        ok.send("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;name=v\r\nhello\r\n0\r\n\r\n");
        assertContains(ok.read().body, "body=hello");
    }

    void options_asterisk_lists_the_methods() {
        HttpServerOptions o;
        o.stampOwnResponse = [](HttpResponse& r) { r.headers.set("x-trace-id", "0af7651916cd43dd8448eb211c80319c"); };
        Server s(o);
        Client c(s.port());
        c.send("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n");
        Response r = c.read();
        CPPUNIT_ASSERT_EQUAL(204, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"), r.header("allow"));
        CPPUNIT_ASSERT(!r.header("x-trace-id").empty());
        c.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n");  // the connection stays usable
        assertContains(c.read().body, "GET /after");
    }

    void oversized_content_length_is_413_without_reading_the_body() {
        HttpServerOptions o;
        o.maxBodyBytes = 100;
        Server s(o);
        Client c(s.port());
        c.send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000\r\n\r\n" + std::string(1000, 'z'));
        Response r = c.read();
        CPPUNIT_ASSERT_EQUAL(413, r.status);
        assertContains(r.body, "payload_too_large");
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, s.server->counters()->rejectedBodies.load());
        CPPUNIT_ASSERT(c.closedWithin(2000));
    }

    void http10_closes_unless_it_asks_for_keep_alive() {
        Server s;
        Client plain(s.port());
        plain.send("GET /old HTTP/1.0\r\n\r\n");
        Response r = plain.read();
        CPPUNIT_ASSERT_EQUAL(std::string("close"), r.header("connection"));
        CPPUNIT_ASSERT(plain.closedWithin(1000));
        Client kept(s.port());
        kept.send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        CPPUNIT_ASSERT_EQUAL(std::string("keep-alive"), kept.read().header("connection"));
        kept.send("GET /again HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        assertContains(kept.read().body, "/again");
    }

    void head_and_204_carry_no_body() {
        Server s;
        Client c(s.port());
        c.send("HEAD /h HTTP/1.1\r\nHost: a\r\n\r\n");
        Response head = c.read(true);
        CPPUNIT_ASSERT_EQUAL(200, head.status);
        CPPUNIT_ASSERT(std::stoi(head.header("content-length")) > 0);
        c.send("GET /empty HTTP/1.1\r\nHost: a\r\n\r\n");
        Response empty = c.read();
        CPPUNIT_ASSERT_EQUAL(204, empty.status);
        CPPUNIT_ASSERT(empty.header("content-length").empty());
        // Had HEAD sent a body, these bytes would be read as the next status line.
        c.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n");
        assertContains(c.read().body, "GET /after");
    }

    void handler_exception_is_500_json_and_counted() {
        Server s;
        Client c(s.port());
        c.send("GET /throw HTTP/1.1\r\nHost: a\r\n\r\n");
        Response r = c.read();
        CPPUNIT_ASSERT_EQUAL(500, r.status);
        assertContains(r.body, "internal_error");
        CPPUNIT_ASSERT(c.closedWithin(1000));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, s.server->counters()->serverErrors.load());
    }

    void header_values_that_would_split_the_response_are_dropped() {
        Server s;
        Client c(s.port());
        c.send("GET /inject HTTP/1.1\r\nHost: a\r\n\r\n");
        Response r = c.read();
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        CPPUNIT_ASSERT(r.headers.count("x-injected") == 0);
        CPPUNIT_ASSERT(r.headers.count("set-cookie") == 0);
    }

    void idle_keep_alive_connection_closes_after_the_timeout() {
        HttpServerOptions o;
        o.keepAliveTimeoutMs = 300;
        Server s(o);
        Client c(s.port());
        c.send("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
        c.read();
        const auto started = Clock::now();
        CPPUNIT_ASSERT(c.closedWithin(2000));
        const auto ms = msSince(started);
        CPPUNIT_ASSERT_MESSAGE(std::to_string(ms) + " ms", ms >= 250 && ms < 800);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{0}, s.server->counters()->headerTimeouts.load());
    }

    // One worker thread: an idle keep-alive connection must not make a new client wait for the
    // keep-alive timeout (10 s here) - it gives its thread up after 500 ms idle.
    // Connections are owned by the event loop: idle keep-alive connections, half-sent heads and
    // half-sent bodies hold no handler thread, so one thread still serves a new client at once.
    void idle_and_slow_connections_hold_no_handler_thread() {
        HttpServerOptions o;
        o.maxThreads = 1;
        o.maxConnectionsPerIp = 0;
        Server s(o);
        std::vector<std::unique_ptr<Client>> held;
        for (int i = 0; i < 100; ++i) {
            held.push_back(std::make_unique<Client>(s.port()));
            held.back()->send("GET /first HTTP/1.1\r\nHost: a\r\n\r\n");
            held.back()->read();
        }
        for (int i = 0; i < 50; ++i) {
            held.push_back(std::make_unique<Client>(s.port()));
            held.back()->send("GET /slow HTTP/1.1\r\nHost: a\r\nX-Part");
        }
        for (int i = 0; i < 20; ++i) {
            held.push_back(std::make_unique<Client>(s.port()));
            held.back()->send("POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n0123456789");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        const auto ms = msToServeANewClient(s.port());
        CPPUNIT_ASSERT_MESSAGE(std::to_string(ms) + " ms", ms < 300);
        CPPUNIT_ASSERT(!held.front()->closedWithin(20));  // the idle ones are still open
        // Every held one is open (the new client's connection closes when the server sees its FIN).
        for (int i = 0; i < 100 && s.server->openConnections() != 170; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        CPPUNIT_ASSERT_EQUAL(170, s.server->openConnections());
    }

    // A client that pipelines requests and never reads its answers fills its socket buffers; it
    // then holds its connection, not a handler thread.
    void a_client_that_never_reads_holds_no_handler_thread() {
        HttpServerOptions o;
        o.maxThreads = 1;
        Server s(o);
        Client hog(s.port());
        std::string burst;
        for (int i = 0; i < 400; ++i) burst += "GET /big?65536 HTTP/1.1\r\nHost: a\r\n\r\n";
        hog.send(burst);
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        const auto ms = msToServeANewClient(s.port());
        CPPUNIT_ASSERT_MESSAGE(std::to_string(ms) + " ms", ms < 300);
    }

    // Every pipelined request waits its turn in the handler queue like any other, so 3,000 of
    // them on one connection do not starve a new connection.
    void pipelined_requests_do_not_starve_a_new_connection() {
        HttpServerOptions o;
        o.maxThreads = 1;
        Server s(o);
        Client busy(s.port());
        std::string burst;
        for (int i = 0; i < 3000; ++i) burst += "GET /sleep?1 HTTP/1.1\r\nHost: a\r\n\r\n";
        auto sender = std::async(std::launch::async, [&] { busy.send(burst); });
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        const auto ms = msToServeANewClient(s.port());
        CPPUNIT_ASSERT_MESSAGE(std::to_string(ms) + " ms", ms < 150);
        for (int i = 0; i < 3000; ++i) CPPUNIT_ASSERT_EQUAL(200, busy.read().status);  // all, in order
        sender.get();
    }

    void connections_past_the_limits_get_503_json_with_retry_after() {
        {
            HttpServerOptions o;
            o.maxConnectionsPerIp = 3;
            Server s(o);
            std::vector<std::unique_ptr<Client>> held;
            for (int i = 0; i < 3; ++i) {
                held.push_back(std::make_unique<Client>(s.port()));
                held.back()->send("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
                CPPUNIT_ASSERT_EQUAL(200, held.back()->read().status);
            }
            Client over(s.port());
            over.send("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
            Response r = over.read();
            CPPUNIT_ASSERT_EQUAL(503, r.status);
            CPPUNIT_ASSERT_EQUAL(std::string("1"), r.header("retry-after"));
            CPPUNIT_ASSERT_EQUAL(std::string("close"), r.header("connection"));
            assertContains(r.body, "\"code\":\"too_many_connections\"");
            assertContains(r.body, "ZT_HTTP_MAX_CONNECTIONS_PER_IP");
            CPPUNIT_ASSERT(over.closedWithin(2000));
            CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, s.server->counters()->rejectedConnections.load());
            held.pop_back();  // a slot frees up: the next connection is served
            bool served = false;
            for (int i = 0; i < 50 && !served; ++i) {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                Client again(s.port());
                again.send("GET /again HTTP/1.1\r\nHost: a\r\n\r\n");
                served = again.read().status == 200;
            }
            CPPUNIT_ASSERT(served);
        }
        {
            HttpServerOptions o;
            o.maxConnections = 4;
            o.maxConnectionsPerIp = 0;
            Server s(o);
            std::vector<std::unique_ptr<Client>> held;
            for (int i = 0; i < 4; ++i) {
                held.push_back(std::make_unique<Client>(s.port()));
                held.back()->send("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
                CPPUNIT_ASSERT_EQUAL(200, held.back()->read().status);
            }
            Client over(s.port());
            Response r = over.read();  // answered at once, before it sends anything
            CPPUNIT_ASSERT_EQUAL(503, r.status);
            assertContains(r.body, "ZT_HTTP_MAX_CONNECTIONS");
        }
    }

    // A handler thread wakes the loop when it hands a connection back. A lost wake-up (once, under
    // concurrency, the flag said "pending" with no byte behind it) left every later hand-back to
    // the 100 ms sweep: 10-30 sequential requests a second.
    void handed_back_connections_wake_the_loop_after_a_concurrent_burst() {
        HttpServerOptions o;
        o.eventLoops = 2;
        Server s(o);
        std::vector<std::thread> burst;
        for (int t = 0; t < 16; ++t) {
            burst.emplace_back([&] {
                Client c(s.port());
                for (int i = 0; i < 300; ++i) {
                    c.send("GET /burst HTTP/1.1\r\nHost: a\r\n\r\n");
                    c.read();
                }
            });
        }
        for (auto& t : burst) t.join();
        for (int round = 0; round < 4; ++round) {
            Client c(s.port());
            const auto started = Clock::now();
            for (int i = 0; i < 200; ++i) {
                c.send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
                CPPUNIT_ASSERT_EQUAL(200, c.read().status);
            }
            const auto ms = msSince(started);
            CPPUNIT_ASSERT_MESSAGE("200 sequential requests took " + std::to_string(ms) + " ms", ms < 2000);
        }
    }

    // RFC 9112 3.2.2: with an absolute-form target the server uses its authority and ignores Host.
    void absolute_form_host_replaces_the_host_field() {
        Server s;
        Client c(s.port());
        c.send("GET http://b.example:8080/host HTTP/1.1\r\nHost: a.example\r\n\r\n");
        CPPUNIT_ASSERT_EQUAL(std::string("b.example:8080"), c.read().body);
        c.send("GET /host HTTP/1.1\r\nHost: a.example\r\n\r\n");
        CPPUNIT_ASSERT_EQUAL(std::string("a.example"), c.read().body);
        c.send("GET HTTPS://c.example/host?x=1 HTTP/1.1\r\nHost: a.example\r\n\r\n");
        CPPUNIT_ASSERT_EQUAL(std::string("c.example"), c.read().body);
    }

    // A burst of connections is shared by the loops, not owned by whichever woke first.
    void connections_are_dealt_to_the_loops_in_turn() {
        HttpServerOptions o;
        o.eventLoops = 2;
        Server s(o);
        std::vector<std::unique_ptr<Client>> held;
        for (int i = 0; i < 64; ++i) {
            held.push_back(std::make_unique<Client>(s.port()));
            held.back()->send("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
        }
        for (auto& c : held) CPPUNIT_ASSERT_EQUAL(200, c->read().status);
        const auto perLoop = s.server->connectionsPerLoop();
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, perLoop.size());
        CPPUNIT_ASSERT_EQUAL(32, perLoop[0]);
        CPPUNIT_ASSERT_EQUAL(32, perLoop[1]);
    }

    // A client that resets its connection while a large answer is still being written leaves an
    // error on the socket; the loop must close it, not wake up for it over and over.
    void a_reset_during_a_slow_answer_does_not_spin_the_loop() {
        Server s;
        {
            Poco::Net::StreamSocket raw(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(s.port())));
            const std::string request = "GET /big?20000000 HTTP/1.1\r\nHost: a\r\n\r\n";
            raw.sendBytes(request.data(), static_cast<int>(request.size()));
            std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the answer fills the buffers
            raw.setLinger(true, 0);  // close with unread data and linger 0: a reset
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        rusage before{}, after{};
        ::getrusage(RUSAGE_SELF, &before);
        std::this_thread::sleep_for(std::chrono::milliseconds(1000));
        ::getrusage(RUSAGE_SELF, &after);
        auto us = [](const rusage& r) {
            return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1000000LL + r.ru_utime.tv_usec + r.ru_stime.tv_usec;
        };
        const long long cpuMs = (us(after) - us(before)) / 1000;
        CPPUNIT_ASSERT_MESSAGE("the server used " + std::to_string(cpuMs) + " ms of CPU in 1 s while idle",
                               cpuMs < 200);
        Client c(s.port());
        c.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n");
        assertContains(c.read().body, "/after");
    }

    // A Content-Length body that arrives in pieces is received straight into the request body.
    void a_large_body_sent_in_pieces_arrives_whole() {
        HttpServerOptions o;
        o.maxBodyBytes = 2 * 1024 * 1024;
        Server s(o);
        Client c(s.port());
        std::string body;
        for (int i = 0; i < 1500000; ++i) body.push_back(static_cast<char>('a' + (i * 7) % 26));
        c.send("POST /len HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
               body.substr(0, 1000));
        for (std::size_t pos = 1000; pos < body.size(); pos += 300000) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            c.send(body.substr(pos, 300000));
        }
        Response r = c.read();
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        CPPUNIT_ASSERT_EQUAL(std::to_string(body.size()) + " " + std::to_string(std::hash<std::string>{}(body)),
                             r.body);
        c.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n");  // the connection goes on
        assertContains(c.read().body, "/after");
    }

    // A connection holds its worker while open: with the old default of 64 workers, 64 busy
    // keep-alive clients (bench/run's c=64 rows) left a health monitor's connection unserved for
    // seconds (busy connections never yield). The default leaves room for more than that.
    void default_server_answers_a_probe_while_64_keep_alive_clients_are_busy() {
        Server s;
        struct BusyClients {
            std::atomic<bool> stop{false};
            std::atomic<int> served{0};
            std::vector<std::thread> threads;
            ~BusyClients() {  // also when an assertion below throws
                stop.store(true);
                for (auto& t : threads) t.join();
            }
        } busy;
        for (int i = 0; i < 64; ++i) {
            busy.threads.emplace_back([&] {
                try {
                    Client c(s.port());
                    while (!busy.stop.load()) {
                        c.send("GET /sleep?2 HTTP/1.1\r\nHost: a\r\n\r\n");
                        if (c.read().status == 200) busy.served.fetch_add(1);
                    }
                } catch (const std::exception&) {
                    // a client the server never served times out; the probe below fails the test
                }
            });
        }
        for (int i = 0; i < 500 && busy.served.load() < 640; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        const auto started = Clock::now();
        Client probe(s.port());
        probe.send("GET /probe HTTP/1.1\r\nHost: a\r\n\r\n");
        Response r;
        try {
            r = probe.read();
        } catch (const std::exception& e) {
            CPPUNIT_FAIL(std::string("the probe got no answer: ") + e.what());
        }
        const auto ms = msSince(started);
        assertContains(r.body, "/probe");
        CPPUNIT_ASSERT_MESSAGE(std::to_string(ms) + " ms", ms < 400);
    }

    void slow_head_is_cut_at_the_header_deadline_and_counted() {
        HttpServerOptions o;
        o.headerTimeoutMs = 400;
        Server s(o);
        Client c(s.port());
        const auto started = Clock::now();
        c.send("GET /slow HTTP/1.1\r\n");
        bool closed = false;
        for (int i = 0; i < 30 && !closed; ++i) {
            try {
                c.send("X-Drip-" + std::to_string(i) + ": 1\r\n");
            } catch (const Poco::Exception&) {
                closed = true;
                break;
            }
            closed = c.closedWithin(50);
        }
        const auto ms = msSince(started);
        CPPUNIT_ASSERT(closed);
        CPPUNIT_ASSERT_MESSAGE(std::to_string(ms) + " ms", ms >= 350 && ms < 1200);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, s.server->counters()->headerTimeouts.load());
    }

    void handler_past_its_deadline_gets_504_and_the_late_answer_is_dropped() {
        HttpServerOptions o;
        o.handlerTimeoutMs = 200;
        Server s(o);
        Client c(s.port());
        const auto started = Clock::now();
        c.send("GET /sleep?700 HTTP/1.1\r\nHost: a\r\n\r\n");
        Response r = c.read();
        const auto ms = msSince(started);
        CPPUNIT_ASSERT_EQUAL(504, r.status);
        assertContains(r.body, "deadline_exceeded");
        CPPUNIT_ASSERT_MESSAGE(std::to_string(ms) + " ms", ms >= 150 && ms < 600);
        CPPUNIT_ASSERT(c.closedWithin(2000));  // after the handler returned; its 200 never arrives
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, s.server->counters()->handlerTimeouts.load());
        Client next(s.port());
        next.send("GET /ok HTTP/1.1\r\nHost: a\r\n\r\n");
        CPPUNIT_ASSERT_EQUAL(200, next.read().status);
    }

    void request_deadline_headers_shorten_the_handler_timeout() {
        Server s;  // ZT_HANDLER_TIMEOUT_MS default: 30 s
        {
            Client c(s.port());
            const auto started = Clock::now();
            c.send("GET /sleep?1000 HTTP/1.1\r\nHost: a\r\nX-Request-Timeout-Ms: 200\r\n\r\n");
            Response r = c.read();
            const auto ms = msSince(started);
            CPPUNIT_ASSERT_EQUAL(504, r.status);
            assertContains(r.body, "\"code\":\"deadline_exceeded\"");
            CPPUNIT_ASSERT_MESSAGE(std::to_string(ms) + " ms", ms >= 180 && ms < 450);
        }
        {
            // An absolute deadline already past: the handler never runs.
            Client c(s.port());
            const auto past = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count() -
                              1000;
            const auto started = Clock::now();
            c.send("GET /sleep?1000 HTTP/1.1\r\nHost: a\r\nX-Request-Deadline: " + std::to_string(past) + "\r\n\r\n");
            Response r = c.read();
            CPPUNIT_ASSERT_EQUAL(504, r.status);
            assertContains(r.body, "deadline_exceeded");
            CPPUNIT_ASSERT_MESSAGE(std::to_string(msSince(started)), msSince(started) < 150);
        }
        for (const char* bad : {"X-Request-Timeout-Ms: soon", "X-Request-Deadline: tomorrow"}) {
            Client c(s.port());
            c.send(std::string("GET /ok HTTP/1.1\r\nHost: a\r\n") + bad + "\r\n\r\n");
            Response r = c.read();
            CPPUNIT_ASSERT_EQUAL_MESSAGE(bad, 400, r.status);
        }
        Client ok(s.port());
        ok.send("GET /sleep?10 HTTP/1.1\r\nHost: a\r\nX-Request-Timeout-Ms: 5000\r\n\r\n");
        CPPUNIT_ASSERT_EQUAL(200, ok.read().status);
    }

    void graceful_stop_finishes_in_flight_requests_and_closes_idle_connections() {
        Server s;
        Client idle(s.port());
        idle.send("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
        idle.read();
        Client busy(s.port());
        busy.send("GET /sleep?400 HTTP/1.1\r\nHost: a\r\n\r\n");
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        const auto started = Clock::now();
        auto stopped = std::async(std::launch::async, [&] { s.server->stop(3000); });
        Response r = busy.read();
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("close"), r.header("connection"));
        CPPUNIT_ASSERT(idle.closedWithin(1000));
        stopped.get();
        const auto ms = msSince(started);
        CPPUNIT_ASSERT_MESSAGE(std::to_string(ms) + " ms", ms < 1500);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(HttpServerTest);
