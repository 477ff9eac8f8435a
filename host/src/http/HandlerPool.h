#pragma once
// The threads that run request handlers (ZT_HTTP_MAX_THREADS of them at most, started on
// demand). Handlers may block in plugin code and in the database, so they never run on an event
// loop; a handler thread receives a complete request and hands back a complete response, and no
// connection holds one while it sends slowly or reads slowly (docs/HTTP.md: connections).
//
// Tasks run in the order they were submitted (FIFO), so a connection that pipelines many requests
// waits its turn like everyone else.
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
    /// `maxThreads` >= 1.
    explicit HandlerPool(int maxThreads);
    /// stop(). A pool whose threads may be stuck in plugin code forever (a shutdown past its drain
    /// deadline) is leaked instead of destroyed, as the process is about to exit.
    ~HandlerPool();
    HandlerPool(const HandlerPool&) = delete;
    HandlerPool& operator=(const HandlerPool&) = delete;

    /// Queues a task; starts a thread when none is idle and fewer than maxThreads run. [any thread]
    void submit(std::function<void()> task);
    /// Lets the threads finish the queue, then end; joins them.
    void stop();

    /// Tasks taken off the queue so far, and tasks waiting now: a queue that stays non-empty
    /// while the count stands still means every thread is stuck (the systemd watchdog reads
    /// both). [any thread]
    struct Progress {
        std::uint64_t started = 0;
        std::size_t waiting = 0;
    };
    Progress progress();

private:
    /// One thread; woken through its own semaphore, so submit() wakes exactly the thread that
    /// will take the task.
    struct Worker {
        std::binary_semaphore ready{0};
        std::thread thread;
    };
    void work(Worker& self);

    const int maxThreads_;
    std::mutex mutex_;
    std::deque<std::function<void()>> queue_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<Worker*> idle_;  ///< waiting in ready.acquire(), most recently idle last
    std::uint64_t started_ = 0;
    bool stopping_ = false;
};

}  // namespace zt::http
