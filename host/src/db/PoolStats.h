#pragma once
// A snapshot of one pool (docs/DATABASE.md; getPoolStats, admin GET /db/pool).
#include <cstdint>

#include "metrics/DurationHistogram.h"

namespace zt::db {

struct PoolStats {
    int totalConnections = 0;  ///< open + being opened
    int idleConnections = 0;   ///< open and not leased
    int waitingRequests = 0;   ///< callers blocked in acquire()
    // Since the pool was made: how often a connection was opened (a number that keeps growing
    // under steady load means connections are being reaped and reopened), how many callers gave up
    // after connectionTimeoutMs, and the longest wait that did get a connection.
    std::uint64_t connectionsOpened = 0;
    std::uint64_t waitTimeouts = 0;
    std::int64_t longestWaitMs = 0;
    int maxConnections = 0;               ///< DB_POOL_MAX
    metrics::HistogramSnapshot waitTime;  ///< waits that got a connection (0 when one was idle)
};

}  // namespace zt::db
