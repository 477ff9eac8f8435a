#pragma once
// A small TCP relay the suites put between the host and PostgreSQL to make the network and the
// server misbehave on cue. Listens on a free 127.0.0.1 port; every accepted connection gets its
// own connection to the target and two relay directions. Thread-safe; the destructor closes
// everything.
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace zt::test {

class FaultProxy {
public:
    enum class Mode {
        Pass,                ///< relay both ways
        Delay,               ///< relay, each chunk held `delayMs` first
        AcceptButNeverRead,  ///< new connections are accepted and then ignored (no upstream)
        ReadButNeverAnswer,  ///< client bytes are read and dropped; nothing comes back (a hung server)
        CloseMidQuery,       ///< the next client bytes close both sides instead of being relayed
        CloseAfterCommit,    ///< a client chunk holding "COMMIT" is relayed, then both sides close
                             ///< before the answer (once; then Pass)
        Refuse,              ///< new connections are closed at once
        /// A server that stalls and wakes up once its client gave up (kill -STOP, then -CONT):
        /// the next client bytes and all that follow on that connection are held, and relayed
        /// only after the client closed; 300 ms later the server side closes (once; then Pass).
        /// Meanwhile new connections are refused, as a stopped server takes none (a cancel
        /// request cannot reach it).
        StallThenDeliver,
        /// A client chunk holding "COMMIT" is relayed, and every answer of the server on that
        /// connection is dropped from then on: COMMIT happens, its answer never comes (once; then Pass).
        HoldAnswerAfterCommit,
        /// The next client chunk is relayed and every answer of the server on that connection is
        /// dropped from then on: the statement runs, its answer never comes (once; then Pass).
        HoldAnswers,
    };

    FaultProxy(std::string targetHost, int targetPort);
    ~FaultProxy();
    FaultProxy(const FaultProxy&) = delete;
    FaultProxy& operator=(const FaultProxy&) = delete;

    int port() const { return port_; }
    /// `trigger`: for StallThenDeliver and HoldAnswers, only a client chunk that contains it
    /// starts the fault ("" = any chunk), so a test picks the statement it hits.
    void setMode(Mode mode, int delayMs = 0, std::string trigger = "");
    Mode mode() const { return mode_.load(); }
    /// Closes every connection relayed so far (new ones follow the mode).
    void dropAll();
    /// Connections accepted so far.
    int accepted() const { return accepted_.load(); }

private:
    struct Link;
    void acceptLoop();
    void relay(std::shared_ptr<Link> link, bool clientToServer);

    std::string targetHost_;
    int targetPort_;
    int listenFd_ = -1;
    int port_ = 0;
    std::atomic<Mode> mode_{Mode::Pass};
    std::atomic<int> delayMs_{0};
    std::string trigger_;  ///< guarded by mutex_
    std::atomic<bool> stalling_{false};
    std::atomic<int> accepted_{0};
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::vector<std::shared_ptr<Link>> links_;
    std::vector<std::thread> threads_;
    std::thread acceptor_;
};

}  // namespace zt::test
