#include "http/HandlerPool.h"

#include <Poco/Logger.h>

namespace zt::http {

HandlerPool::HandlerPool(int maxThreads) : maxThreads_(maxThreads < 1 ? 1 : maxThreads) {}

HandlerPool::~HandlerPool() { stop(); }

void HandlerPool::submit(std::function<void()> task) {
    bool spawn = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        queue_.push_back(std::move(task));
        // Tasks already queued are waiting for the idle threads too.
        spawn = static_cast<std::size_t>(idle_) < queue_.size() && static_cast<int>(threads_.size()) < maxThreads_;
        if (spawn) {
            try {
                threads_.emplace_back([this] { work(); });
            } catch (const std::system_error& e) {
                // Out of threads: the queued task waits for a running one.
                Poco::Logger::get("zt.http").error("cannot start a handler thread: %s", std::string(e.what()));
                spawn = false;
            }
        }
    }
    if (!spawn) ready_.notify_one();
}

void HandlerPool::work() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        while (queue_.empty() && !stopping_) {
            ++idle_;
            ready_.wait(lock);
            --idle_;
        }
        if (queue_.empty()) return;  // stopping, nothing left
        auto task = std::move(queue_.front());
        queue_.pop_front();
        lock.unlock();
        task();  // the tasks catch what their handler throws
        lock.lock();
    }
}

void HandlerPool::stop() {
    std::vector<std::thread> threads;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
        threads.swap(threads_);
    }
    ready_.notify_all();
    for (auto& t : threads) {
        if (t.joinable()) t.join();
    }
}

int HandlerPool::threads() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return static_cast<int>(threads_.size());
}

std::size_t HandlerPool::queued() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return queue_.size();
}

}  // namespace zt::http
