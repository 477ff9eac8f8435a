#pragma once
// This process's own figures for the process_* metrics every Prometheus client exports
// (docs/MONITORING.md), read from /proc/self on each call.
#include <cstdint>

namespace zt::metrics {

struct ProcessStats {
    double cpuSeconds = 0;        ///< user + system time
    double startTimeSeconds = 0;  ///< since the Unix epoch
    std::uint64_t residentBytes = 0;
    std::uint64_t virtualBytes = 0;
    std::int64_t openFds = 0;
    std::int64_t maxFds = 0;  ///< RLIMIT_NOFILE soft limit
    std::int64_t threads = 0;

    /// [any-thread] Fields that could not be read stay 0.
    static ProcessStats read();
};

}  // namespace zt::metrics
