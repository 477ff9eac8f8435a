// Many, slow and greedy clients against the real host (docs/HTTP.md: connections): slowloris
// heads, clients that pipeline and never read, thousands of idle keep-alive connections, the
// per-address limit, and a burst of large bodies whose memory must come back.
#include <cppunit/extensions/HelperMacros.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/TestSupport.h"

using namespace zt::test;

namespace {
using Clock = std::chrono::steady_clock;

long long msSince(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

/// The hard limit here is 20000 descriptors; the soft one starts at 1024. The host inherits it.
void raiseOpenFileLimit() {
    rlimit l{};
    ::getrlimit(RLIMIT_NOFILE, &l);
    l.rlim_cur = l.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &l);
}

/// A plain socket: thousands of them are opened here, so no Poco objects, no threads.
class RawConnection {
public:
    explicit RawConnection(int port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) throw std::runtime_error("socket: " + std::to_string(errno));
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            ::close(fd_);
            throw std::runtime_error("connect: " + std::to_string(errno));
        }
        timeval tv{5, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    ~RawConnection() {
        if (fd_ >= 0) ::close(fd_);
    }
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    /// Sends what the socket takes without blocking; true when all of it went.
    bool send(const std::string& bytes) {
        std::size_t sent = 0;
        while (sent < bytes.size()) {
            const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n <= 0) return false;
            sent += static_cast<std::size_t>(n);
        }
        return true;
    }
    /// Sends everything, waiting while the socket is full; false when the peer is gone.
    bool sendAll(const std::string& bytes) {
        std::size_t sent = 0;
        while (sent < bytes.size()) {
            const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return false;
            sent += static_cast<std::size_t>(n);
        }
        return true;
    }
    /// Reads until one whole Content-Length framed answer is in; returns it (head and body).
    std::string readAnswer() {
        std::string in;
        char buf[8192];
        for (;;) {
            const std::size_t headEnd = in.find("\r\n\r\n");
            if (headEnd != std::string::npos) {
                const std::size_t cl = in.find("content-length: ");
                const std::size_t length = cl == std::string::npos ? 0 : std::stoul(in.substr(cl + 16));
                if (in.size() >= headEnd + 4 + length) return in.substr(0, headEnd + 4 + length);
            }
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) throw std::runtime_error("connection ended before an answer; have: " + in);
            in.append(buf, static_cast<std::size_t>(n));
        }
    }
    /// True while the server has not closed the connection (nothing to read, no EOF).
    bool stillOpen() {
        char c;
        const ssize_t n = ::recv(fd_, &c, 1, MSG_DONTWAIT | MSG_PEEK);
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }

private:
    int fd_ = -1;
};

long rssKb(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
}

using Env = std::map<std::string, std::string>;

const std::string kKey = std::string("X-API-Key: ") + kTestApiKey + "\r\n";

struct Fixture {
    ExampleServices services{{"users"}};
    int admin = freePort();
    std::unique_ptr<HostProcess> host;

    explicit Fixture(const Env& extra) {
        raiseOpenFileLimit();
        auto env = hostEnv(services, admin);
        env["LOG_LEVEL"] = "warning";
        for (const auto& [k, v] : extra) env[k] = v;
        host = std::make_unique<HostProcess>(env, admin);
        CPPUNIT_ASSERT_MESSAGE(host->log(), host->running());
        auto created = httpRequest("POST", users(), "/users", R"({"name":"Ada","email":"ada@example.com"})",
                                   {{"X-API-Key", kTestApiKey}});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(created.body, 201, created.status);
    }
    int users() { return services.ports["users"]; }

    /// A normal client's GET /users/1 on a new connection: the time it took, in ms.
    long long timedGetUser() {
        const auto started = Clock::now();
        auto r = httpRequest("GET", users(), "/users/1", "", {{"X-API-Key", kTestApiKey}}, 5000);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.body, 200, r.status);
        return msSince(started);
    }
};
}  // namespace

class ConnectionFloodTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ConnectionFloodTest);
    CPPUNIT_TEST(slowloris_and_non_reading_clients_do_not_delay_a_normal_client);
    CPPUNIT_TEST(idle_keep_alive_connections_stay_open_and_a_new_client_is_served);
    CPPUNIT_TEST(a_client_address_past_its_limit_gets_503_json);
    CPPUNIT_TEST(memory_comes_back_after_a_burst_of_large_bodies);
    CPPUNIT_TEST_SUITE_END();

public:
    void slowloris_and_non_reading_clients_do_not_delay_a_normal_client() {
        Fixture f(Env{{"ZT_HTTP_MAX_CONNECTIONS_PER_IP", "0"}});
        std::vector<std::unique_ptr<RawConnection>> slow;
        for (int i = 0; i < 500; ++i) {
            slow.push_back(std::make_unique<RawConnection>(f.users()));
            slow.back()->send("GET /users/1 HTTP/1.1\r\nHost: a\r\n" + kKey + "X-Slow: ");
        }
        // 300 clients that pipeline 1,000 requests each and never read an answer: their socket
        // buffers fill and the host holds their answers.
        std::string burst;
        for (int i = 0; i < 1000; ++i) burst += "GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n";
        std::vector<std::unique_ptr<RawConnection>> greedy;
        for (int i = 0; i < 300; ++i) {
            greedy.push_back(std::make_unique<RawConnection>(f.users()));
            greedy.back()->send(burst);
        }
        std::atomic<bool> stop{false};
        std::thread drip([&] {  // one byte a second on every slow connection
            while (!stop.load()) {
                for (auto& c : slow) c->send("x");
                for (int i = 0; i < 10 && !stop.load(); ++i)
                    std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        });
        struct Join {
            std::atomic<bool>& stop;
            std::thread& t;
            ~Join() {
                stop.store(true);
                t.join();
            }
        } join{stop, drip};
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        long long worst = 0;
        for (int i = 0; i < 5; ++i) worst = std::max(worst, f.timedGetUser());
        const auto started = Clock::now();
        auto health = httpRequest("GET", f.users(), "/health", "", {}, 5000);
        const auto healthMs = msSince(started);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(health.body, 200, health.status);
        std::cerr << "\n  [500 slowloris + 300 never reading] GET /users/1 worst " << worst << " ms, GET /health "
                  << healthMs << " ms\n";
        CPPUNIT_ASSERT_MESSAGE("GET /users/1 took " + std::to_string(worst) + " ms", worst < 1000);
        CPPUNIT_ASSERT_MESSAGE("GET /health took " + std::to_string(healthMs) + " ms", healthMs < 1000);
        int slowOpen = 0;
        for (auto& c : slow) slowOpen += c->stillOpen() ? 1 : 0;
        CPPUNIT_ASSERT_EQUAL(500, slowOpen);  // still within ZT_HTTP_HEADER_TIMEOUT_MS
    }

    void idle_keep_alive_connections_stay_open_and_a_new_client_is_served() {
        Fixture f(Env{{"ZT_HTTP_MAX_CONNECTIONS_PER_IP", "0"}, {"ZT_HTTP_KEEP_ALIVE_TIMEOUT_MS", "60000"}});
        const long before = rssKb(f.host->pid());
        std::vector<std::unique_ptr<RawConnection>> idle;
        for (int i = 0; i < 2000; ++i) {
            idle.push_back(std::make_unique<RawConnection>(f.users()));
            idle.back()->send("GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n");
        }
        for (auto& c : idle) assertContains(c->readAnswer(), "HTTP/1.1 200");
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        const long held = rssKb(f.host->pid());
        long long worst = 0;
        for (int i = 0; i < 5; ++i) worst = std::max(worst, f.timedGetUser());
        CPPUNIT_ASSERT_MESSAGE("GET /users/1 took " + std::to_string(worst) + " ms", worst < 1000);
        std::cerr << "\n  [2,000 idle] GET /users/1 worst " << worst << " ms, host RSS " << before << " kB -> " << held
                  << " kB\n";
        int open = 0;
        for (auto& c : idle) open += c->stillOpen() ? 1 : 0;
        CPPUNIT_ASSERT_EQUAL(2000, open);
        // Each idle connection costs a few hundred bytes of the host's own memory (kernel socket
        // buffers are not in its RSS); 2,000 of them well under 20 MB.
        CPPUNIT_ASSERT_MESSAGE("RSS " + std::to_string(before) + " kB -> " + std::to_string(held) + " kB",
                               held - before < 20 * 1024);
        // ... and they are all still served.
        for (int i = 0; i < 2000; i += 97) {
            CPPUNIT_ASSERT(idle[i]->send("GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n"));
            assertContains(idle[i]->readAnswer(), "HTTP/1.1 200");
        }
    }

    void a_client_address_past_its_limit_gets_503_json() {
        Fixture f(Env{{"ZT_HTTP_MAX_CONNECTIONS_PER_IP", "5"}});
        std::vector<std::unique_ptr<RawConnection>> held;
        for (int i = 0; i < 5; ++i) {
            held.push_back(std::make_unique<RawConnection>(f.users()));
            held.back()->send("GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n");
            assertContains(held.back()->readAnswer(), "HTTP/1.1 200");
        }
        RawConnection over(f.users());
        over.send("GET /users/1 HTTP/1.1\r\nHost: a\r\n" + kKey + "\r\n");
        const std::string answer = over.readAnswer();
        assertContains(answer, "HTTP/1.1 503 Service Unavailable");
        assertContains(answer, "retry-after: 1\r\n");
        assertContains(answer, "connection: close\r\n");
        assertContains(answer, "content-type: application/json");
        assertContains(answer, "traceparent: 00-");
        assertContains(answer, "\"code\":\"too_many_connections\"");
        // The admin port has its own count.
        CPPUNIT_ASSERT_EQUAL(200, httpRequest("GET", f.admin, "/health/live").status);
        held.pop_back();
        bool served = false;
        for (int i = 0; i < 50 && !served; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            served = httpRequest("GET", f.users(), "/health/live").status == 200;
        }
        CPPUNIT_ASSERT(served);
        assertContains(httpRequest("GET", f.admin, "/metrics.json").body, "\"rejectedConnections\":1");
    }

    void memory_comes_back_after_a_burst_of_large_bodies() {
        Fixture f(Env{{"ZT_HTTP_MAX_CONNECTIONS_PER_IP", "0"}});
        for (int i = 0; i < 20; ++i) f.timedGetUser();  // warm: threads, pool, statement caches
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        const long idle = rssKb(f.host->pid());
        const std::string body(1000 * 1000, 'b');
        const std::string request =
            "POST /users HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
            "Content-Length: " +
            std::to_string(body.size()) + "\r\n\r\n" + body;
        std::vector<std::thread> senders;
        std::atomic<int> answered{0};
        for (int i = 0; i < 200; ++i) {
            senders.emplace_back([&] {
                try {
                    RawConnection c(f.users());
                    if (!c.sendAll(request)) return;
                    if (c.readAnswer().rfind("HTTP/1.1 4", 0) == 0) answered.fetch_add(1);
                } catch (const std::exception&) {
                }
            });
        }
        long peak = 0;
        for (auto& t : senders) {
            peak = std::max(peak, rssKb(f.host->pid()));
            t.join();
        }
        CPPUNIT_ASSERT_EQUAL(200, answered.load());  // refused (no credentials), but only after reading
        long now = rssKb(f.host->pid());
        const auto started = Clock::now();
        while (now > 2 * idle && msSince(started) < 10000) {
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
            now = rssKb(f.host->pid());
        }
        std::cerr << "\n  [200 x 1 MB bodies] host RSS idle " << idle << " kB, peak seen " << peak << " kB, " << now
                  << " kB after " << msSince(started) << " ms\n";
        CPPUNIT_ASSERT_MESSAGE("RSS idle " + std::to_string(idle) + " kB, peak " + std::to_string(peak) +
                                   " kB, after 10 s " + std::to_string(now) + " kB",
                               now <= 2 * idle);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ConnectionFloodTest);
