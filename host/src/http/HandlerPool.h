#pragma once
// The threads that run request handlers (ZT_HTTP_MAX_THREADS of them at most, started on
// demand). Handlers may block in plugin code and in the database, so they never run on an event
// loop; a handler thread receives a complete request and hands back a complete response, and no
// connection holds one while it sends slowly or reads slowly (docs/HTTP.md: connections).
//
// Tasks run in the order they were submitted (FIFO), so a connection that pipelines many requests
// waits its turn like everyone else.
//
// The gate (docs/HTTP.md: handler threads and the database pool): a database-backed service runs
// at most `gateLimit` gated tasks at once (its pool size). Handlers beyond the pool would only
// wait for a connection inside a thread, and every hand-over of a connection to a waiting thread
// is a wake-up: with the gate, the thread that finishes a request takes the next one itself, its
// connection still idle. A gated task waits at the gate at most `gateWait` (the pool's own
// connection timeout); then it runs anyway, and the pool, which counts the time at the gate as
// time waiting for a connection (deadline::GateWait), answers it at once. Ungated tasks (health
// probes) never wait at the gate.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <semaphore>
#include <thread>
#include <vector>

namespace zt::http {

class HandlerPool {
public:
    using Clock = std::chrono::steady_clock;
    /// What a task is given when it runs: when it was submitted.
    using Task = std::function<void(Clock::time_point submitted)>;

    /// `maxThreads` >= 1; `gateLimit` 0 = no gate.
    explicit HandlerPool(int maxThreads, int gateLimit = 0,
                         std::chrono::milliseconds gateWait = std::chrono::milliseconds(0));
    /// stop(). A pool whose threads may be stuck in plugin code forever (a shutdown past its drain
    /// deadline) is leaked instead of destroyed, as the process is about to exit.
    ~HandlerPool();
    HandlerPool(const HandlerPool&) = delete;
    HandlerPool& operator=(const HandlerPool&) = delete;

    /// Queues a task; starts a thread when none is idle and fewer than maxThreads run. A gated
    /// task waits while gateLimit gated tasks run (at most gateWait). [any thread]
    void submit(Task task, bool gated = false);
    /// Lets the threads finish the queue, then end; joins them.
    void stop();

    /// Tasks taken off the queue so far, and tasks waiting now for a thread: a queue that stays
    /// non-empty while the count stands still means every thread is stuck (the systemd watchdog
    /// reads both). Tasks behind a full gate wait for the database, not for a thread, and are
    /// not counted. [any thread]
    struct Progress {
        std::uint64_t started = 0;
        std::size_t waiting = 0;
        std::size_t threads = 0;  ///< started so far (they stay until stop())
    };
    Progress progress();

    int gateLimit() const noexcept { return gateLimit_; }

private:
    /// One thread; woken through its own semaphore, so submit() wakes exactly the thread that
    /// will take the task.
    struct Worker {
        std::binary_semaphore ready{0};
        std::thread thread;
        bool woken = true;  ///< counted in wakesInFlight_ until it looks at the queues. mutex_ held
    };
    struct Queued {
        Task task;
        Clock::time_point submitted;
    };
    void work(Worker& self);
    /// Wakes the most recently idle thread, or starts one while fewer than maxThreads run.
    /// Returns the thread to release outside the lock (null when a new one was started or none
    /// could be). mutex_ held.
    Worker* wakeOrStartLocked();
    /// The front gated task may run: a slot is free or it waited gateWait. mutex_ held.
    bool gatedRunnableLocked(Clock::time_point now) const;
    /// Tasks a thread could take now (free ones, and gated ones up to the free slots), beyond
    /// those a woken thread is already on its way to take. mutex_ held.
    bool needsAnotherThreadLocked() const;
    /// Tasks wait behind a full gate and no thread watches their clock. mutex_ held.
    bool needsClockWatchLocked() const;

    const int maxThreads_;
    const int gateLimit_;
    const Clock::duration gateWait_;
    std::mutex mutex_;
    std::deque<Queued> free_;   ///< ungated tasks
    std::deque<Queued> gated_;  ///< gated tasks, FIFO among themselves
    int activeGated_ = 0;       ///< gated tasks running (above gateLimit_ only for ones that waited gateWait)
    bool timerArmed_ = false;   ///< a thread waits for the front gated task's gateWait to pass
    /// Threads released (or started) that have not yet looked at the queues: a burst of submits
    /// wakes as many threads as there are tasks they can take, not one per submit.
    int wakesInFlight_ = 0;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<Worker*> idle_;  ///< waiting in ready.acquire(), most recently idle last
    std::uint64_t started_ = 0;
    bool stopping_ = false;
};

}  // namespace zt::http
