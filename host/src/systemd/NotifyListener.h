#pragma once
// The receiving end of the sd_notify protocol, for the host's own worker processes
// (docs/OPERATIONS.md: crash containment). A worker is the same binary as the host, so it already
// tells its service manager READY=1, STATUS=... and STOPPING=1 through NOTIFY_SOCKET; the
// supervisor points NOTIFY_SOCKET at one of these, as systemd does for the host.
//
// The socket is an AF_UNIX datagram socket in the abstract namespace (nothing on disk to clean
// up after a crash). Any local process may send to an abstract socket, so the kernel's sender
// credentials (SO_PASSCRED) are checked: only datagrams from the expected process id count, as
// systemd's NotifyAccess=main does.
//
// Lifetime: owns its socket from construction to destruction. Not thread-safe: one owner thread
// reads it.
#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

namespace zt::systemd {

class NotifyListener {
public:
    using Assignment = std::pair<std::string, std::string>;  ///< "READY", "1"

    /// Binds a fresh abstract address. Throws std::system_error when the socket cannot be made.
    NotifyListener();
    ~NotifyListener();
    NotifyListener(const NotifyListener&) = delete;
    NotifyListener& operator=(const NotifyListener&) = delete;

    /// The value for the sender's NOTIFY_SOCKET ("@zintrust-notify-...").
    const std::string& address() const { return address_; }
    /// The socket, for poll(); readable when a datagram waits.
    int fd() const { return fd_; }
    /// Every datagram waiting now (never blocks), split into KEY=VALUE lines in the order sent.
    /// Datagrams whose sender is not process `sender` are read and dropped.
    std::vector<Assignment> receive(pid_t sender);

private:
    int fd_ = -1;
    std::string address_;
};

}  // namespace zt::systemd
