#pragma once
// The systemd watchdog's pinger (WatchdogSec=, docs/OPERATIONS.md: systemd). A thread that asks
// `check` every half interval whether the process made progress since it last asked, and sends
// WATCHDOG=1 only when it did: a host whose event loops or handler pools are stuck stops pinging,
// and systemd restarts it after WatchdogSec. A timer that pinged unconditionally would only prove
// that one thread still runs.
//
// Lifetime: the thread runs from start() to stop() (or the destructor); `check` is called on it
// only, and must stay callable until stop() returns.
#include <Poco/Logger.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace zt::systemd {

class ProgressWatchdog {
public:
    /// Returns "" when everything made progress since the previous call, else what is stuck
    /// ("service users: handler pool took no task in 15 s, 12 waiting").
    using ProgressCheck = std::function<std::string()>;
    /// `ping` sends one ping (SystemdNotifier::watchdogPing outside tests).
    ProgressWatchdog(std::chrono::microseconds interval, ProgressCheck check, std::function<void()> ping = {});
    ~ProgressWatchdog();
    ProgressWatchdog(const ProgressWatchdog&) = delete;
    ProgressWatchdog& operator=(const ProgressWatchdog&) = delete;

    void start();
    void stop();

private:
    void run();

    const std::chrono::microseconds period_;  ///< half the interval, as sd_watchdog_enabled(3) advises
    ProgressCheck check_;
    std::function<void()> ping_;
    Poco::Logger& logger_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace zt::systemd
