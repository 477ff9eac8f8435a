#include "systemd/NotifyListener.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>
#include <system_error>

namespace zt::systemd {

namespace {
std::string uniqueName() {
    // Unique per process and call; the random part keeps another process from guessing it early.
    static std::atomic<unsigned> counter{0};
    std::random_device random;
    return "zintrust-notify-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1)) + "-" +
           std::to_string(random());
}
}  // namespace

NotifyListener::NotifyListener() {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "notify socket");
    const int on = 1;
    if (::setsockopt(fd_, SOL_SOCKET, SO_PASSCRED, &on, sizeof on) != 0) {
        const int err = errno;
        ::close(fd_);
        throw std::system_error(err, std::generic_category(), "notify socket: SO_PASSCRED");
    }
    const std::string name = uniqueName();
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    // Abstract namespace: sun_path starts with a NUL byte; the length says where the name ends.
    std::memcpy(addr.sun_path + 1, name.data(), name.size());
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), length) != 0) {
        const int err = errno;
        ::close(fd_);
        throw std::system_error(err, std::generic_category(), "notify socket: bind");
    }
    address_ = "@" + name;  // how sd_notify spells an abstract address
}

NotifyListener::~NotifyListener() {
    if (fd_ >= 0) ::close(fd_);
}

std::vector<NotifyListener::Assignment> NotifyListener::receive(pid_t sender) {
    std::vector<Assignment> out;
    for (;;) {
        char data[4096];
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
        iovec iov{data, sizeof data};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        const ssize_t n = ::recvmsg(fd_, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n < 0) {
            if (errno == EINTR) continue;
            return out;  // EAGAIN: nothing more waits
        }
        bool fromSender = false;
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
                ucred cred{};
                std::memcpy(&cred, CMSG_DATA(c), sizeof cred);
                fromSender = cred.pid == sender;
            }
        }
        if (!fromSender || (msg.msg_flags & MSG_TRUNC)) continue;
        std::string text(data, static_cast<std::size_t>(n));
        std::size_t start = 0;
        while (start < text.size()) {
            std::size_t end = text.find('\n', start);
            if (end == std::string::npos) end = text.size();
            const std::string line = text.substr(start, end - start);
            if (auto eq = line.find('='); eq != std::string::npos && eq > 0) {
                out.emplace_back(line.substr(0, eq), line.substr(eq + 1));
            }
            start = end + 1;
        }
    }
}

}  // namespace zt::systemd
