#pragma once
// Our own pool of Connections with node-postgres semantics (SPEC §8). Not Poco::Data::SessionPool:
// it throws at once when exhausted, opens connections under its mutex, hands out sessions without
// resetting them and cannot tell a dead idle session from a live one (POCO-NOTES).
//  - at most `max` connections; callers beyond that wait FIFO up to connectionTimeoutMs, then get
//    PoolTimeoutError; a connection coming back goes straight to the oldest waiter;
//  - connections are opened and closed outside the mutex (a slow or unreachable server never blocks
//    other callers' checkouts);
//  - an idle connection is checked (no round trip, one poll) before it is handed out; a dead one is
//    replaced, so a PostgreSQL restart needs no host restart. Like HikariCP's aliveBypassWindowMs,
//    a connection returned less than kAliveBypassWindow ago is handed out unchecked: under load
//    that is every checkout, and the check was one of the request's six syscalls. A connection the
//    server dropped within that window fails its query with ConnectionLostError (reads are retried
//    once on a fresh connection by PostgresAdapter);
//  - a returned connection is reset (Connection::resetSessionState) or, if that fails, closed;
//  - a reaper thread closes connections idle for idleTimeoutMs; the destructor stops it.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "db/ConnectionLease.h"
#include "db/PoolOptions.h"
#include "db/PoolStats.h"

namespace zt::db {

class ConnectionPool {
public:
    explicit ConnectionPool(PoolOptions options);
    /// Stops the reaper and closes idle connections. Every lease must be gone by then.
    ~ConnectionPool();
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    /// A connection, waiting for one if `max` are leased. Throws PoolTimeoutError after
    /// connectionTimeoutMs, DatabaseUnavailableError when a new connection cannot be opened.
    ConnectionLease acquire();

    PoolStats stats() const;
    const PoolOptions& options() const noexcept { return options_; }

    /// See the header comment: idle for less than this, a connection is handed out unchecked.
    static constexpr std::chrono::milliseconds kAliveBypassWindow{100};

    /// Called by ConnectionLease; never throws.
    void giveBack(std::unique_ptr<Connection> connection) noexcept;

private:
    struct Waiter {
        std::condition_variable cv;
        std::unique_ptr<Connection> handed;  ///< a connection given directly by giveBack
        bool mayOpen = false;                ///< a freed slot: the waiter opens its own connection
    };

    ConnectionLease openInSlot();                          // slot already counted in total_
    ConnectionLease checkOut(std::unique_ptr<Connection>);  // validates an idle connection
    void releaseSlotLocked();                               // total_--, or pass the slot to a waiter
    void reaperLoop();

    const PoolOptions options_;
    mutable std::mutex mutex_;
    std::deque<std::unique_ptr<Connection>> idle_;  ///< front = idle longest
    std::deque<Waiter*> waiters_;                    ///< FIFO
    int total_ = 0;
    bool stopping_ = false;
    std::uint64_t opened_ = 0;        ///< guarded by mutex_, like the two below
    std::uint64_t waitTimeouts_ = 0;
    std::int64_t longestWaitMs_ = 0;
    std::condition_variable reaperCv_;
    std::thread reaper_;
};

}  // namespace zt::db
