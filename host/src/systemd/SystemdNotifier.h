#pragma once
// The host's messages to its service manager (sd_notify, libsystemd; docs/OPERATIONS.md: systemd).
// With Type=notify in the unit, systemd counts the host as started only at READY=1 and as
// reloaded only at the READY=1 that follows RELOADING=1; STATUS= is what `systemctl status`
// shows. Outside systemd (no NOTIFY_SOCKET in the environment) every call does nothing, so the
// same binary runs under any supervisor or a shell.
//
// Every function may be called from any thread: sd_notify opens, sends and closes a datagram
// socket per call and keeps no state.
#include <chrono>
#include <string>

namespace zt::systemd {

class SystemdNotifier {
public:
    /// True when the process was started with NOTIFY_SOCKET (systemd or a test listening on it).
    static bool enabled();
    /// READY=1 with STATUS=`status`: every service is listening, migrated and registered.
    static void ready(const std::string& status);
    /// RELOADING=1 with MONOTONIC_USEC= (systemd 253 wants the time the reload began).
    static void reloading(const std::string& status);
    /// STOPPING=1: the drain has begun.
    static void stopping(const std::string& status);
    /// STATUS= only.
    static void status(const std::string& status);
    /// X_ZINTRUST_PLUGIN=<version> <abi>: a worker process tells its host which plugin build it
    /// serves (docs/OPERATIONS.md: crash containment). systemd ignores variables it does not know.
    static void pluginInfo(const std::string& version, const std::string& abi);
    /// WATCHDOG=1: the process is making progress.
    static void watchdogPing();
    /// The interval systemd expects pings within (WatchdogSec= of the unit, handed over in
    /// WATCHDOG_USEC for this very process); zero when no watchdog is asked for.
    static std::chrono::microseconds watchdogInterval();
};

}  // namespace zt::systemd
