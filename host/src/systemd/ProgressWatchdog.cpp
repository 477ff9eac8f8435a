#include "systemd/ProgressWatchdog.h"

#include "systemd/SystemdNotifier.h"

namespace zt::systemd {

ProgressWatchdog::ProgressWatchdog(std::chrono::microseconds interval, ProgressCheck check, std::function<void()> ping)
    : period_(interval / 2),
      check_(std::move(check)),
      ping_(ping ? std::move(ping) : std::function<void()>(&SystemdNotifier::watchdogPing)),
      logger_(Poco::Logger::get("zt.watchdog")) {}

ProgressWatchdog::~ProgressWatchdog() { stop(); }

void ProgressWatchdog::start() {
    if (thread_.joinable()) return;
    ping_();  // the first ping at once: the interval counts from READY=1
    thread_ = std::thread([this] { run(); });
}

void ProgressWatchdog::stop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void ProgressWatchdog::run() {
    std::unique_lock<std::mutex> lock(mutex_);
    bool stalled = false;
    while (!wake_.wait_for(lock, period_, [this] { return stopping_; })) {
        lock.unlock();
        std::string stuck;
        try {
            stuck = check_();
        } catch (const std::exception& e) {
            stuck = std::string("the progress check failed: ") + e.what();
        }
        if (stuck.empty()) {
            ping_();
            if (stalled) logger_.warning("progress again: watchdog pings resumed");
            stalled = false;
        } else {
            // Said once per stall, not every half interval: systemd acts on the missing pings.
            if (!stalled) logger_.critical("no progress, watchdog pings withheld: %s", stuck);
            stalled = true;
        }
        lock.lock();
    }
}

}  // namespace zt::systemd
