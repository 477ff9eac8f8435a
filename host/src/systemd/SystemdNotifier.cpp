#include "systemd/SystemdNotifier.h"

#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <ctime>

namespace zt::systemd {

namespace {
/// STATUS= is one line: a newline would start a new assignment.
std::string oneLine(std::string text) {
    for (auto& c : text) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return text;
}

void send(const std::string& message) {
    // unset_environment = 0: the variables stay for the next message. A failed send (systemd
    // gone) is not the host's problem to report on every call.
    (void)sd_notify(0, message.c_str());
}

std::uint64_t monotonicMicros() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000u + static_cast<std::uint64_t>(ts.tv_nsec) / 1000u;
}
}  // namespace

bool SystemdNotifier::enabled() {
    const char* socket = std::getenv("NOTIFY_SOCKET");
    return socket != nullptr && *socket != '\0';
}

void SystemdNotifier::ready(const std::string& status) { send("READY=1\nSTATUS=" + oneLine(status)); }

void SystemdNotifier::reloading(const std::string& status) {
    send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonicMicros()) + "\nSTATUS=" + oneLine(status));
}

void SystemdNotifier::stopping(const std::string& status) { send("STOPPING=1\nSTATUS=" + oneLine(status)); }

void SystemdNotifier::status(const std::string& status) { send("STATUS=" + oneLine(status)); }

void SystemdNotifier::pluginInfo(const std::string& version, const std::string& abi) {
    send("X_ZINTRUST_PLUGIN=" + oneLine(version) + " " + oneLine(abi));
}

void SystemdNotifier::watchdogPing() { send("WATCHDOG=1"); }

std::chrono::microseconds SystemdNotifier::watchdogInterval() {
    uint64_t usec = 0;
    // 0 = unset_environment false; > 0 only when WATCHDOG_USEC is set and WATCHDOG_PID is ours.
    if (sd_watchdog_enabled(0, &usec) > 0) return std::chrono::microseconds(usec);
    return std::chrono::microseconds(0);
}

}  // namespace zt::systemd
