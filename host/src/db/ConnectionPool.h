#pragma once
// Our own pool of Connections with node-postgres semantics (docs/DATABASE.md). Not Poco::Data::SessionPool:
// it throws at once when exhausted, opens connections under its mutex, hands out sessions without
// resetting them and cannot tell a dead idle session from a live one (POCO-NOTES).
//  - at most `max` connections; a caller finding no idle one waits FIFO up to connectionTimeoutMs
//    (then PoolTimeoutError) for whichever comes first: a connection coming back (it goes straight
//    to the oldest waiter) or one the opener thread opened because of it (while fewer than `max`
//    exist). As HikariCP does, a request never waits for a connect it started when another
//    connection is returned sooner: under load a connect takes 20-1000 ms (a backend fork competing
//    for the CPUs; bench/README) while connections come back every few microseconds;
//  - the opener opens one connection at a time, outside the mutex (a slow or unreachable server
//    never blocks other callers' checkouts, and a burst of reopens does not fork a burst of
//    backends). When an open fails while no connection is open at all (server down), the oldest
//    waiter gets its DatabaseUnavailableError at once instead of waiting for the timeout;
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
#include <exception>
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
    /// How long resetting a returned connection (ROLLBACK, DISCARD ALL) may take before it is
    /// closed instead.
    static constexpr std::chrono::milliseconds kResetBound{1000};

    /// Called by ConnectionLease; never throws.
    void giveBack(std::unique_ptr<Connection> connection) noexcept;

private:
    struct Waiter {
        std::condition_variable cv;
        std::unique_ptr<Connection> handed;  ///< given directly by giveBack or the opener
        std::exception_ptr error;            ///< the opener could not connect and nothing is open
    };

    ConnectionLease openInSlot();                           // slot already counted in total_
    ConnectionLease checkOut(std::unique_ptr<Connection>);  // validates an idle connection
    void requestOpenLocked();                               // a slot for the opener: total_++
    void releaseSlotLocked();                               // total_--; reopen if callers wait
    /// Gives `conn` to the oldest waiter, or makes it idle. mutex_ held.
    void handOrIdleLocked(std::unique_ptr<Connection> conn);
    void openerLoop();
    void reaperLoop();

    const PoolOptions options_;
    mutable std::mutex mutex_;
    std::deque<std::unique_ptr<Connection>> idle_;  ///< front = idle longest
    std::deque<Waiter*> waiters_;                   ///< FIFO
    int total_ = 0;                                 ///< open, leased, or counted for the opener (at most options_.max)
    int opening_ = 0;                               ///< of total_: slots the opener has still to fill
    bool stopping_ = false;
    std::uint64_t opened_ = 0;  ///< guarded by mutex_, like the two below
    std::uint64_t waitTimeouts_ = 0;
    std::int64_t longestWaitMs_ = 0;
    metrics::DurationHistogram waitTimes_{metrics::kPoolWaitBounds};  ///< lock-free, outside mutex_
    std::condition_variable reaperCv_;
    std::condition_variable openerCv_;
    std::thread reaper_;
    std::thread opener_;
};

}  // namespace zt::db
