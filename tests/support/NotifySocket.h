#pragma once
// The listening end of sd_notify for tests: an AF_UNIX datagram socket in a temp folder, as
// systemd's own NOTIFY_SOCKET is, so the host's READY=1 / RELOADING=1 / WATCHDOG=1 messages can
// be read and checked without systemd as PID 1.
#include <chrono>
#include <string>
#include <vector>

#include "support/TestSupport.h"

namespace zt::test {

class NotifySocket {
public:
    NotifySocket();
    ~NotifySocket();
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    /// The value for NOTIFY_SOCKET.
    const std::string& path() const { return path_; }

    struct Message {
        std::string text;  ///< "READY=1\nSTATUS=3/3 services ready"
        std::chrono::steady_clock::time_point at;
        bool has(const std::string& assignment) const;    ///< one line equals `assignment`
        std::string value(const std::string& key) const;  ///< "" when absent
    };
    /// Every message that arrives within `timeoutMs` (returns early once one contains `until`,
    /// when given).
    std::vector<Message> read(int timeoutMs, const std::string& until = "");

private:
    TempDir dir_;
    std::string path_;
    int fd_ = -1;
};

}  // namespace zt::test
