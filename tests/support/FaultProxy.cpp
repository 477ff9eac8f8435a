#include "support/FaultProxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>

namespace zt::test {

struct FaultProxy::Link {
    int client = -1;
    int server = -1;
    std::atomic<bool> closed{false};
    std::atomic<bool> muted{false};  ///< the server's answers are dropped from now on
    bool stalled = false;            ///< StallThenDeliver: client bytes wait in `held` (relay thread only)
    std::string held;
    void close() {
        if (closed.exchange(true)) return;
        ::shutdown(client, SHUT_RDWR);
        if (server >= 0) ::shutdown(server, SHUT_RDWR);
    }
    ~Link() {
        ::close(client);
        if (server >= 0) ::close(server);
    }
};

namespace {
int connectTo(const std::string& host, int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, host.c_str(), &a.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool sendAll(int fd, const char* data, std::size_t n) {
    while (n > 0) {
        ssize_t w = ::send(fd, data, n, MSG_NOSIGNAL);
        if (w <= 0) return false;
        data += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}
}  // namespace

FaultProxy::FaultProxy(std::string targetHost, int targetPort)
    : targetHost_(std::move(targetHost)), targetPort_(targetPort) {
    listenFd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listenFd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = 0;
    ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (::bind(listenFd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listenFd_, 128) != 0)
        throw std::runtime_error("FaultProxy: cannot listen");
    socklen_t len = sizeof a;
    ::getsockname(listenFd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { acceptLoop(); });
}

FaultProxy::~FaultProxy() {
    stopping_ = true;
    ::shutdown(listenFd_, SHUT_RDWR);
    acceptor_.join();
    ::close(listenFd_);
    dropAll();
    for (auto& t : threads_) t.join();
}

void FaultProxy::setMode(Mode mode, int delayMs, std::string trigger) {
    delayMs_ = delayMs;
    {
        std::lock_guard lock(mutex_);
        trigger_ = std::move(trigger);
    }
    mode_ = mode;
}

void FaultProxy::dropAll() {
    std::lock_guard lock(mutex_);
    for (auto& l : links_) l->close();
}

void FaultProxy::acceptLoop() {
    while (!stopping_) {
        pollfd p{listenFd_, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        int client = ::accept(listenFd_, nullptr, nullptr);
        if (client < 0) continue;
        ++accepted_;
        auto link = std::make_shared<Link>();
        link->client = client;
        const Mode m = mode_.load();
        if (m == Mode::Refuse || stalling_) {
            link->close();
            continue;
        }
        if (m != Mode::AcceptButNeverRead) {
            link->server = connectTo(targetHost_, targetPort_);
            if (link->server < 0) {
                link->close();
                continue;
            }
        }
        std::lock_guard lock(mutex_);
        links_.push_back(link);
        if (link->server >= 0) {
            threads_.emplace_back([this, link] { relay(link, true); });
            threads_.emplace_back([this, link] { relay(link, false); });
        }
    }
}

void FaultProxy::relay(std::shared_ptr<Link> link, bool clientToServer) {
    const int from = clientToServer ? link->client : link->server;
    const int to = clientToServer ? link->server : link->client;
    char buf[16384];
    while (!link->closed && !stopping_) {
        pollfd p{from, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        const ssize_t n = ::recv(from, buf, sizeof buf, 0);
        if (n <= 0) {
            if (clientToServer && link->stalled) {
                // The client gave up; the server wakes up and reads what it was sent meanwhile.
                sendAll(to, link->held.data(), link->held.size());
                std::this_thread::sleep_for(std::chrono::milliseconds(300));
                stalling_ = false;
            }
            break;
        }
        const Mode m = mode_.load();
        auto triggered = [&] {
            std::lock_guard lock(mutex_);
            return trigger_.empty() ||
                   std::string_view(buf, static_cast<std::size_t>(n)).find(trigger_) != std::string_view::npos;
        };
        if (clientToServer && (link->stalled || (m == Mode::StallThenDeliver && triggered()))) {
            if (!link->stalled) {
                link->stalled = true;
                stalling_ = true;
                mode_ = Mode::Pass;
            }
            link->held.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (clientToServer && m == Mode::HoldAnswers && triggered()) {
            mode_ = Mode::Pass;
            link->muted = true;  // relayed below; the answer is dropped
        }
        if (clientToServer && m == Mode::HoldAnswerAfterCommit &&
            std::string_view(buf, static_cast<std::size_t>(n)).find("COMMIT") != std::string_view::npos) {
            mode_ = Mode::Pass;
            link->muted = true;  // relayed below; the answer is dropped
        }
        if (m == Mode::ReadButNeverAnswer || (!clientToServer && link->muted)) continue;  // the "server" never answers
        if (clientToServer && m == Mode::CloseMidQuery) {
            mode_ = Mode::Pass;
            break;
        }
        if (m == Mode::Delay) std::this_thread::sleep_for(std::chrono::milliseconds(delayMs_.load()));
        if (clientToServer && m == Mode::CloseAfterCommit &&
            std::string_view(buf, static_cast<std::size_t>(n)).find("COMMIT") != std::string_view::npos) {
            mode_ = Mode::Pass;
            link->muted = true;
            sendAll(to, buf, static_cast<std::size_t>(n));
            std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the server commits
            break;                                                        // ...and its answer never arrives
        }
        if (!sendAll(to, buf, static_cast<std::size_t>(n))) break;
    }
    link->close();
}

}  // namespace zt::test
