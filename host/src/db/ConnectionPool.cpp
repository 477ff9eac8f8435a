#include "db/ConnectionPool.h"

#include "deadline/RequestDeadline.h"

#include <algorithm>
#include <vector>

#include "db/DatabaseErrors.h"

namespace zt::db {

using Clock = std::chrono::steady_clock;

ConnectionPool::ConnectionPool(PoolOptions options) : options_(std::move(options)) {
    if (options_.max < 1) throw InvalidQueryError("pool max must be >= 1 (DB_POOL_MAX)");
    opener_ = std::thread([this] { openerLoop(); });
    if (options_.idleTimeoutMs > 0) reaper_ = std::thread([this] { reaperLoop(); });
}

ConnectionPool::~ConnectionPool() {
    std::deque<std::unique_ptr<Connection>> closing;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    reaperCv_.notify_all();
    openerCv_.notify_all();
    if (reaper_.joinable()) reaper_.join();
    if (opener_.joinable()) opener_.join();  // after a connect in progress (bounded by connect_timeout)
    {
        std::lock_guard lock(mutex_);
        closing.swap(idle_);
        total_ -= static_cast<int>(closing.size());
    }
    closing.clear();  // PQfinish outside the lock
}

ConnectionLease ConnectionPool::acquire() {
    // Time the request already spent at the handler gate counts as waiting for a connection.
    const auto atGate = deadline::takeGateWait().value_or(Clock::duration::zero());
    std::unique_lock lock(mutex_);
    if (stopping_)
        throw DatabaseUnavailableError("connection pool for " + options_.connection.endpoint() + " is closed");
    // Someone already queued goes first (FIFO): only take an idle connection when nobody waits.
    if (waiters_.empty() && !idle_.empty()) {
        auto conn = std::move(idle_.back());  // most recently used: the oldest ones age out
        idle_.pop_back();
        lock.unlock();
        waitTimes_.observe(atGate);
        return checkOut(std::move(conn));
    }
    if (total_ < options_.max) requestOpenLocked();  // for us, or for whoever is first when it is ready
    Waiter me;
    waiters_.push_back(&me);
    const auto waitStarted = Clock::now() - atGate;
    // The sooner of the pool's own bound and the request's deadline (docs/DEADLINES.md).
    const auto poolDeadline = options_.connectionTimeoutMs <= 0
                                  ? Clock::time_point::max()
                                  : waitStarted + std::chrono::milliseconds(options_.connectionTimeoutMs);
    const auto requestDeadline = deadline::current();
    const auto deadline = std::min(poolDeadline, requestDeadline);
    while (!me.handed && !me.error) {
        if (deadline == Clock::time_point::max()) {
            me.cv.wait(lock);
        } else if (me.cv.wait_until(lock, deadline) == std::cv_status::timeout && !me.handed && !me.error) {
            waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &me));
            ++waitTimeouts_;
            const auto waited =
                std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - waitStarted).count();
            if (requestDeadline < poolDeadline)
                throw DeadlineExceededError("the request's deadline passed after " + std::to_string(waited) +
                                            " ms waiting for a database connection (" + options_.connection.endpoint() +
                                            ", pool max " + std::to_string(options_.max) + ")");
            throw PoolTimeoutError("timed out after " + std::to_string(options_.connectionTimeoutMs) +
                                   " ms waiting for a database connection (" + options_.connection.endpoint() +
                                   ", pool max " + std::to_string(options_.max) + " in use)");
        }
    }
    // giveBack / the opener removed us from waiters_ when they served us.
    if (me.error) std::rethrow_exception(me.error);
    const auto waited = Clock::now() - waitStarted;
    longestWaitMs_ =
        std::max<std::int64_t>(longestWaitMs_, std::chrono::duration_cast<std::chrono::milliseconds>(waited).count());
    lock.unlock();
    waitTimes_.observe(waited);
    return checkOut(std::move(me.handed));
}

ConnectionLease ConnectionPool::openInSlot() {
    try {
        auto conn = std::make_unique<Connection>(options_.connection);
        {
            std::lock_guard lock(mutex_);
            ++opened_;
        }
        return ConnectionLease(this, std::move(conn));
    } catch (...) {
        std::lock_guard lock(mutex_);
        releaseSlotLocked();
        throw;
    }
}

void ConnectionPool::requestOpenLocked() {
    ++total_;
    ++opening_;
    openerCv_.notify_one();
}

void ConnectionPool::handOrIdleLocked(std::unique_ptr<Connection> conn) {
    conn->idleSince = Clock::now();
    if (!waiters_.empty()) {
        Waiter* w = waiters_.front();
        waiters_.pop_front();
        w->handed = std::move(conn);
        w->cv.notify_one();
    } else {
        idle_.push_back(std::move(conn));
    }
}

void ConnectionPool::openerLoop() {
    std::unique_lock lock(mutex_);
    for (;;) {
        openerCv_.wait(lock, [this] { return stopping_ || opening_ > 0; });
        if (stopping_) break;
        lock.unlock();
        std::unique_ptr<Connection> conn;
        std::exception_ptr error;
        try {
            conn = std::make_unique<Connection>(options_.connection);
        } catch (...) {
            error = std::current_exception();
        }
        lock.lock();
        --opening_;
        if (conn) {
            ++opened_;
            handOrIdleLocked(std::move(conn));  // when stopping, the destructor closes it with the idle ones
            continue;
        }
        --total_;
        // Open connections will come back to the waiters; with none (the server is down or
        // unreachable) the oldest waiter learns why now, and the next one gets its own attempt.
        if (!waiters_.empty() && total_ - opening_ == 0 && !stopping_) {
            Waiter* w = waiters_.front();
            waiters_.pop_front();
            w->error = error;
            w->cv.notify_one();
            if (!waiters_.empty() && total_ < options_.max) requestOpenLocked();
        }
    }
}

ConnectionLease ConnectionPool::checkOut(std::unique_ptr<Connection> conn) {
    if (Clock::now() - conn->idleSince < kAliveBypassWindow || conn->looksAliveWhileIdle())
        return ConnectionLease(this, std::move(conn));
    conn.reset();  // dead (server restarted): close it and open a fresh one in the same slot
    return openInSlot();
}

void ConnectionPool::releaseSlotLocked() {
    --total_;
    if (!waiters_.empty() && !stopping_) requestOpenLocked();  // the freed slot serves the waiters
}

void ConnectionPool::giveBack(std::unique_ptr<Connection> conn) noexcept {
    bool reusable = conn && conn->isUsable();
    if (reusable) {
        try {
            // The reset is the pool's, not the request's: a request past its deadline must not
            // cost a healthy connection; a hung server still cannot hold it for long.
            deadline::Override bound(Clock::now() + kResetBound);
            conn->resetSessionState();
        } catch (...) {
            reusable = false;
        }
    }
    if (!reusable) {
        conn.reset();  // close outside the lock
        std::lock_guard lock(mutex_);
        releaseSlotLocked();
        return;
    }
    std::lock_guard lock(mutex_);
    handOrIdleLocked(std::move(conn));
}

PoolStats ConnectionPool::stats() const {
    std::lock_guard lock(mutex_);
    PoolStats s;
    s.totalConnections = total_;
    s.idleConnections = static_cast<int>(idle_.size());
    s.waitingRequests = static_cast<int>(waiters_.size());
    s.connectionsOpened = opened_;
    s.waitTimeouts = waitTimeouts_;
    s.longestWaitMs = longestWaitMs_;
    s.maxConnections = options_.max;
    s.waitTime = waitTimes_.snapshot();
    return s;
}

void ConnectionPool::reaperLoop() {
    const auto idleTimeout = std::chrono::milliseconds(options_.idleTimeoutMs);
    // Check a few times per timeout so a connection lives at most ~1.25x idleTimeoutMs.
    const auto period = std::clamp(idleTimeout / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        reaperCv_.wait_for(lock, period, [this] { return stopping_; });
        if (stopping_) break;
        std::vector<std::unique_ptr<Connection>> expired;
        const auto now = Clock::now();
        while (!idle_.empty() && now - idle_.front()->idleSince >= idleTimeout) {
            expired.push_back(std::move(idle_.front()));
            idle_.pop_front();
            --total_;
        }
        if (expired.empty()) continue;
        lock.unlock();
        expired.clear();  // PQfinish outside the lock
        lock.lock();
    }
}

}  // namespace zt::db
