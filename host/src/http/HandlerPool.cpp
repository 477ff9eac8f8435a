#include "http/HandlerPool.h"

#include <Poco/Logger.h>

#include <algorithm>

namespace zt::http {

HandlerPool::HandlerPool(int maxThreads, int gateLimit, std::chrono::milliseconds gateWait)
    : maxThreads_(maxThreads < 1 ? 1 : maxThreads),
      gateLimit_(gateLimit < 0 ? 0 : gateLimit),
      gateWait_(gateWait.count() > 0 ? Clock::duration(gateWait) : Clock::duration::max()) {}

HandlerPool::~HandlerPool() { stop(); }

HandlerPool::Worker* HandlerPool::wakeOrStartLocked() {
    if (!idle_.empty()) {
        Worker* w = idle_.back();  // the most recently idle: its stack and caches are warm
        idle_.pop_back();
        w->woken = true;
        ++wakesInFlight_;
        return w;
    }
    if (stopping_ || static_cast<int>(workers_.size()) >= maxThreads_) return nullptr;
    try {
        auto worker = std::make_unique<Worker>();
        Worker* w = worker.get();
        ++wakesInFlight_;  // a new thread looks at the queues first thing (Worker::woken)
        w->thread = std::thread([this, w] { work(*w); });
        workers_.push_back(std::move(worker));
    } catch (const std::system_error& e) {
        --wakesInFlight_;
        // Out of threads: the queued task waits for a running one.
        Poco::Logger::get("zt.http").error("cannot start a handler thread: %s", std::string(e.what()));
    }
    return nullptr;
}

bool HandlerPool::gatedRunnableLocked(Clock::time_point now) const {
    if (activeGated_ < gateLimit_) return true;
    return gateWait_ != Clock::duration::max() && now - gated_.front().submitted >= gateWait_;
}

bool HandlerPool::needsAnotherThreadLocked() const {
    std::size_t takeable = free_.size();
    if (!gated_.empty() && activeGated_ < gateLimit_)
        takeable += std::min(gated_.size(), static_cast<std::size_t>(gateLimit_ - activeGated_));
    return takeable > static_cast<std::size_t>(wakesInFlight_);
}

bool HandlerPool::needsClockWatchLocked() const {
    return !gated_.empty() && !timerArmed_ && activeGated_ >= gateLimit_ && gateWait_ != Clock::duration::max();
}

void HandlerPool::submit(Task task, bool gated) {
    Worker* wake = nullptr;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (gated && gateLimit_ > 0) gated_.push_back({std::move(task), Clock::now()});
        else free_.push_back({std::move(task), Clock::now()});
        // Behind a full gate the thread that finishes a gated task takes the next one, no
        // wake-up; one thread must still watch the clock in case none finishes within gateWait.
        if (needsAnotherThreadLocked() || needsClockWatchLocked()) wake = wakeOrStartLocked();
    }
    // Outside the lock, and only the one thread that takes the task: a condition variable's
    // notify_one blocked the event loop inside glibc (waiting for earlier-woken waiters to
    // run) whenever the machine was saturated.
    if (wake) wake->ready.release();
}

void HandlerPool::work(Worker& self) {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        if (self.woken) {
            self.woken = false;
            --wakesInFlight_;
        }
        Queued next;
        bool gated = false;
        if (!free_.empty()) {
            next = std::move(free_.front());
            free_.pop_front();
        } else if (!gated_.empty() && gatedRunnableLocked(Clock::now())) {
            next = std::move(gated_.front());
            gated_.pop_front();
            gated = true;
            ++activeGated_;
        }
        if (next.task) {
            ++started_;
            // What this thread leaves behind: tasks another thread could take now, or tasks
            // behind a full gate whose clock nobody watches.
            Worker* wake = nullptr;
            if (needsAnotherThreadLocked() || needsClockWatchLocked()) wake = wakeOrStartLocked();
            lock.unlock();
            if (wake) wake->ready.release();
            next.task(next.submitted);  // the tasks catch what their handler throws
            next = Queued{};            // the closure is destroyed outside the lock
            lock.lock();
            if (gated) --activeGated_;
            continue;
        }
        if (stopping_) {
            if (gated_.empty()) return;
            // Tasks still wait at the gate: they start as the running ones finish (or their wait
            // is up). Nobody wakes a thread once stopping, so this one looks again shortly.
            lock.unlock();
            (void)self.ready.try_acquire_for(std::chrono::milliseconds(10));
            lock.lock();
            continue;
        }
        if (needsClockWatchLocked()) {
            // Idle, but a task waits at the full gate: wake when its wait is up (or for new work).
            // Queued first among the idle, so wakers take the others before the clock watcher.
            idle_.insert(idle_.begin(), &self);
            timerArmed_ = true;
            const auto until = gated_.front().submitted + gateWait_;
            lock.unlock();
            const bool woken = self.ready.try_acquire_until(until);
            lock.lock();
            timerArmed_ = false;
            if (!woken) {
                auto it = std::find(idle_.begin(), idle_.end(), &self);
                if (it != idle_.end()) {
                    idle_.erase(it);
                } else {
                    // Taken off idle_ by a waker whose release is on its way: consume it, so a
                    // later release cannot find the semaphore already full.
                    lock.unlock();
                    self.ready.acquire();
                    lock.lock();
                }
            }
            continue;
        }
        idle_.push_back(&self);
        lock.unlock();
        self.ready.acquire();
        lock.lock();
    }
}

HandlerPool::Progress HandlerPool::progress() {
    std::lock_guard<std::mutex> lock(mutex_);
    return {started_, free_.size() + (activeGated_ < gateLimit_ ? gated_.size() : 0), workers_.size()};
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
