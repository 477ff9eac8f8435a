#include "http/HandlerPool.h"

#include <Poco/Logger.h>

namespace zt::http {

HandlerPool::HandlerPool(int maxThreads) : maxThreads_(maxThreads < 1 ? 1 : maxThreads) {}

HandlerPool::~HandlerPool() { stop(); }

void HandlerPool::submit(std::function<void()> task) {
    Worker* wake = nullptr;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        queue_.push_back(std::move(task));
        if (!idle_.empty()) {
            wake = idle_.back();  // the most recently idle: its stack and caches are warm
            idle_.pop_back();
        } else if (static_cast<int>(workers_.size()) < maxThreads_) {
            try {
                auto worker = std::make_unique<Worker>();
                Worker* w = worker.get();
                w->thread = std::thread([this, w] { work(*w); });
                workers_.push_back(std::move(worker));
            } catch (const std::system_error& e) {
                // Out of threads: the queued task waits for a running one.
                Poco::Logger::get("zt.http").error("cannot start a handler thread: %s", std::string(e.what()));
            }
        }
    }
    // Outside the lock, and only the one thread that takes the task: a condition variable's
    // notify_one blocked the event loop inside glibc (waiting for earlier-woken waiters to
    // run) whenever the machine was saturated.
    if (wake) wake->ready.release();
}

void HandlerPool::work(Worker& self) {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        if (!queue_.empty()) {
            auto task = std::move(queue_.front());
            queue_.pop_front();
            ++started_;
            lock.unlock();
            task();  // the tasks catch what their handler throws
            lock.lock();
            continue;
        }
        if (stopping_) return;
        idle_.push_back(&self);
        lock.unlock();
        self.ready.acquire();
        lock.lock();
    }
}

HandlerPool::Progress HandlerPool::progress() {
    std::lock_guard<std::mutex> lock(mutex_);
    return {started_, queue_.size()};
}

void HandlerPool::stop() {
    std::vector<std::unique_ptr<Worker>> workers;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
        workers.swap(workers_);
        idle_.clear();
    }
    // Every worker is released once: an idle one wakes and sees stopping_; a busy one finds a
    // count in its semaphore later and does the same.
    for (auto& w : workers) w->ready.release();
    for (auto& w : workers) {
        if (w->thread.joinable()) w->thread.join();
    }
}

}  // namespace zt::http
