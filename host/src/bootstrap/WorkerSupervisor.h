#pragma once
// One "isolated" service run in a worker process of its own (docs/OPERATIONS.md: crash
// containment). The worker is the host binary itself with ZT_WORKER_SERVICE naming the service:
// it loads that one plugin, migrates, and listens on a private loopback port. The host keeps the
// service's public port and forwards each request to the worker, so a crash (SIGSEGV, abort) of
// that plugin kills only the worker: the port keeps answering, with 503 JSON and Retry-After
// while the worker is down, and the supervisor starts a new one with capped backoff (100 ms,
// doubling to 10 s; back to 100 ms after 30 s of uptime).
//
// A worker counts as ready when it says READY=1 over the sd_notify protocol (the host sends it
// once its service is migrated), read from a NotifyListener the supervisor gives it. replace()
// starts a new worker from the current files (a reload), switches requests to it once it is
// ready, then stops the old one with SIGTERM, which drains its requests in flight.
//
// Threads: one supervision thread forks every worker (PR_SET_PDEATHSIG is tied to the thread that
// forked: a worker whose host dies gets SIGTERM) and watches them; forward() and state() on any
// thread; replace() blocks its caller until the new worker is ready or has failed.
// Lifetime: start() to stop() (or the destructor); stop() ends every worker.
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "calls/HttpServiceClient.h"
#include "http/Exchange.h"
#include "systemd/NotifyListener.h"

namespace zt::bootstrap {

class WorkerSupervisor {
public:
    using Clock = std::chrono::steady_clock;

    struct Options {
        std::string service;     ///< the service the worker serves (ZT_WORKER_SERVICE)
        std::string executable;  ///< the host binary ("/proc/self/exe")
        /// KEY=VALUE pairs of every worker's environment; ZT_WORKER_PORT and NOTIFY_SOCKET are
        /// added per worker.
        std::vector<std::string> environment;
        /// How long a SIGTERM-ed worker may drain before it is killed.
        std::chrono::milliseconds drainTimeout{10000};
        /// How long a replacement may take to become ready before the reload counts as failed.
        std::chrono::milliseconds startTimeout{60000};
        /// A forwarded request's limit when it carries no deadline (0 = none, as
        /// ZT_HANDLER_TIMEOUT_MS=0).
        std::chrono::milliseconds requestTimeout{0};
        /// Idle keep-alive connections kept to a worker (at least the requests in flight at once).
        std::size_t idleConnections = 64;
        std::chrono::milliseconds firstRestartDelay{100};
        std::chrono::milliseconds maxRestartDelay{10000};
        std::chrono::milliseconds stableUptime{30000};  ///< resets the backoff
        /// Ports a worker must not take: the services' configured ports (one may not be bound yet).
        std::vector<int> reservedPorts;
    };

    struct State {
        bool ready = false;         ///< a worker serves and said READY=1
        bool everReady = false;     ///< some worker of this service was ready once
        pid_t pid = 0;              ///< of the worker requests go to; 0 while none runs
        int port = 0;               ///< its loopback port
        int restarts = 0;           ///< workers restarted after they died
        std::string lastExit;       ///< "killed by SIGABRT" of the last worker that died unasked
        std::string status;         ///< the worker's last STATUS= line
        std::string pluginVersion;  ///< of the plugin the ready worker serves ("" until known)
        std::string pluginAbi;      ///< "1.3": the ABI that plugin was built for
    };

    /// The response header a worker names the matched route template in (the port's metrics and
    /// access log use it); the supervisor removes it before the answer leaves the host.
    static constexpr const char* kRouteHeader = "x-zintrust-route";

    explicit WorkerSupervisor(Options options);
    ~WorkerSupervisor();
    WorkerSupervisor(const WorkerSupervisor&) = delete;
    WorkerSupervisor& operator=(const WorkerSupervisor&) = delete;

    /// Starts the supervision thread, which starts the first worker at once. [main thread]
    void start();
    /// Starts a new worker, switches to it once it is ready and retires the old one. Returns ""
    /// on success, else why the new worker did not become ready (the old one keeps serving).
    /// `environment` and `reservedPorts` replace the options' for this and every later worker
    /// (a reload may have moved the other services). [any thread; blocks]
    std::string replace(std::vector<std::string> environment, std::vector<int> reservedPorts);
    /// From now on a worker that exits is not restarted: the host is shutting down and its
    /// workers may get the service manager's signal before the host sends its own. [any thread]
    void holdRestarts();
    /// Waits until the first worker is ready: "" then, else why not (it died first, or
    /// `timeout` passed; the supervisor goes on restarting it). [any thread; blocks]
    std::string waitReady(std::chrono::milliseconds timeout);
    /// SIGTERM to every worker (once); they drain until `deadline`, then get SIGKILL. Returns at
    /// once: stop() waits. [any thread]
    void beginStop(Clock::time_point deadline);
    /// beginStop(), then waits until every worker has exited. Idempotent. [any thread but the
    /// supervision thread]
    void stop(Clock::time_point deadline);

    /// Answers `ex` by the current worker: its answer, or 503 service_unavailable + Retry-After
    /// while none is ready or the connection to it broke (the worker died mid-request), or 504
    /// when it took longer than the request's deadline. [any thread]
    void forward(http::Exchange& ex) const;
    /// GET /health/live on the service's port: 200, the host is alive, whatever the worker does
    /// (a liveness probe must not restart the host for a worker it restarts itself). Never waits.
    void answerLiveness(http::Exchange& ex) const;
    State state() const;

    /// The request's path as it goes on the wire again: bytes outside the characters a path may
    /// hold unencoded (RFC 3986 pchar and '/') become %XX. The host's decoded path keeps '%' only
    /// as part of %2F and %25, so '%' is kept as it is.
    static std::string encodePath(const std::string& path);

private:
    struct Worker {
        pid_t pid = 0;
        int port = 0;
        std::unique_ptr<systemd::NotifyListener> notify;
        Clock::time_point started;
        bool ready = false;
        bool exited = false;
        std::string pluginVersion;
        std::string pluginAbi;
        /// Connections to this worker only: they close with it, whatever port the next one gets.
        std::unique_ptr<calls::HttpServiceClient> client;
        std::string exit;                                     ///< how it ended, once exited
        Clock::time_point killAt = Clock::time_point::max();  ///< SIGKILL if still running then
    };

    void run();
    /// fork + exec of a new worker; nullptr (reason in `error`) when it could not be started.
    /// Called without mutex_ held: fork() copies the page tables of a large process.
    std::shared_ptr<Worker> spawn(const std::vector<std::string>& environment, const std::vector<int>& reservedPorts,
                                  std::string& error) const;
    /// Reads notify messages and reaps exits of every worker. [supervision thread, mutex_ held]
    void observe();
    void terminate(Worker& w, Clock::time_point killAt);
    std::string describe(const State& s) const;

    Options options_;
    long maxFd_ = 1024;  ///< highest descriptor a child closes when close_range() is refused

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::shared_ptr<Worker> current_;    ///< requests go here once it is ready
    std::shared_ptr<Worker> candidate_;  ///< a replace() in progress
    std::list<std::shared_ptr<Worker>> retiring_;
    Clock::time_point restartAt_ = Clock::time_point::min();
    std::chrono::milliseconds nextDelay_;
    int restarts_ = 0;
    std::string lastExit_;
    std::string lastStatus_;
    bool replaceWanted_ = false;
    bool replaceDone_ = false;
    std::string replaceError_;
    Clock::time_point candidateDeadline_;
    bool stopping_ = false;
    bool restartsHeld_ = false;
    bool everReady_ = false;
    Clock::time_point stopDeadline_;
    std::thread thread_;
};

}  // namespace zt::bootstrap
