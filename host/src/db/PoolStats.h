#pragma once
// A snapshot of one pool (SPEC §8 getPoolStats, admin GET /db/pool).
namespace zt::db {

struct PoolStats {
    int totalConnections = 0;  ///< open + being opened
    int idleConnections = 0;   ///< open and not leased
    int waitingRequests = 0;   ///< callers blocked in acquire()
};

}  // namespace zt::db
