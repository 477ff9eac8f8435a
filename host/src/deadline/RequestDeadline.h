#pragma once
// The deadline of the request a thread is serving (docs/DEADLINES.md). It starts at the edge
// (ZT_HANDLER_TIMEOUT_MS, shortened by X-Request-Deadline or X-Request-Timeout-Ms), is set for the
// thread that runs the filters and the handler (Scope), and every wait made on its behalf reads it:
// the database pool, each statement, each inter-service call, which sends the remaining time on.
// A thread-local, because plugin code calls the host through the C ABI without a request handle.
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace zt::deadline {

using Clock = std::chrono::steady_clock;
constexpr Clock::time_point kNone = Clock::time_point::max();

/// The calling thread's request deadline, kNone when it serves no request (start-up, monitors).
Clock::time_point current() noexcept;
/// Time left until current(), at least 0; nullopt when there is none.
std::optional<std::chrono::milliseconds> remaining() noexcept;

/// Sets the thread's deadline for its lifetime (the sooner of `deadline` and an enclosing one:
/// an in-process call never outlives its caller), then restores the previous one.
class Scope {
public:
    explicit Scope(Clock::time_point deadline) noexcept;
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

private:
    Clock::time_point previous_;
};

/// Sets the thread's deadline to exactly `deadline` for its lifetime, also a later one: for
/// clean-up the host owes every connection whatever the request's time (a pool connection's reset
/// after a request that ran out of time), bounded on its own.
class Override {
public:
    explicit Override(Clock::time_point deadline) noexcept;
    ~Override();
    Override(const Override&) = delete;
    Override& operator=(const Override&) = delete;

private:
    Clock::time_point previous_;
};

/// Where the request a thread serves records that a COMMIT of it is in doubt: sent, and no answer
/// read (docs/DEADLINES.md). The connection's 504 at the deadline then says the outcome is
/// unknown instead of claiming a plain failure. Installed by the thread that runs the handler
/// (restoring the previous one on destruction); OWNERSHIP: `flag` is the caller's and outlives
/// the scope.
class CommitWatch {
public:
    explicit CommitWatch(std::atomic<bool>* flag) noexcept;
    ~CommitWatch();
    CommitWatch(const CommitWatch&) = delete;
    CommitWatch& operator=(const CommitWatch&) = delete;

private:
    std::atomic<bool>* previous_;
};

/// Marks the calling thread's request's COMMIT in doubt from construction until resolved() (its
/// answer arrived, or its outcome was looked up). Not resolved, the mark stays: the request's
/// answer must say the outcome is unknown. Does nothing on a thread without a CommitWatch.
class CommitInDoubt {
public:
    CommitInDoubt() noexcept;
    CommitInDoubt(const CommitInDoubt&) = delete;
    CommitInDoubt& operator=(const CommitInDoubt&) = delete;
    void resolved() noexcept;

private:
    std::atomic<bool>* flag_;
};

/// How long the calling thread's request waited at the handler gate before the thread took it: the
/// gate admits no more handlers than the pool has connections (docs/HTTP.md: handler threads and
/// the database pool), so that wait is part of the wait for a connection. The request's first pool
/// checkout takes it (takeGateWait), so the gate and the pool together wait at most
/// DB_POOL_CONNECTION_TIMEOUT_MS; later checkouts wait on their own. An in-process call hides the
/// caller's (GateWait of zero): it is not the callee's pool the caller waited for.
class GateWait {
public:
    explicit GateWait(Clock::duration waited) noexcept;
    ~GateWait();
    GateWait(const GateWait&) = delete;
    GateWait& operator=(const GateWait&) = delete;

private:
    std::optional<Clock::duration> previous_;
};

/// The calling thread's GateWait, cleared; nullopt when there is none (or it was taken).
std::optional<Clock::duration> takeGateWait() noexcept;

/// The deadline a request asks for: X-Request-Deadline (RFC 3339, e.g. "2026-12-01T10:00:00.250Z",
/// or Unix milliseconds) and X-Request-Timeout-Ms (relative, a non-negative integer), whichever is
/// sooner; nullopt when neither is present. Throws std::invalid_argument naming the header for a
/// value that is neither.
std::optional<Clock::time_point> fromHeaders(std::optional<std::string_view> absolute,
                                             std::optional<std::string_view> relativeMs, Clock::time_point now,
                                             std::chrono::system_clock::time_point wallNow);

/// X-Request-Deadline for an outgoing call: `deadline` as Unix milliseconds.
std::string toHeaderValue(Clock::time_point deadline, Clock::time_point now,
                          std::chrono::system_clock::time_point wallNow);

}  // namespace zt::deadline
