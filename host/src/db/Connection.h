#pragma once
// One PostgreSQL connection: a Poco::Data::Session (connector "postgresql") whose libpq handle we
// drive directly with PQexecParams in text mode. Poco opens and closes the connection; libpq runs the
// queries, because Poco's extraction loses data (POCO-NOTES: DateTime fractions, NUMERIC->double,
// empty UUIDs) and its Statement costs four round trips. Not thread-safe: one lease, one thread.
#include <Poco/Data/Session.h>

#include <chrono>
#include <memory>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "db/ConnectionSettings.h"
#include "db/QueryResult.h"
#include "db/Value.h"

struct pg_conn;

namespace zt::db {

class Connection {
public:
    /// Opens the connection. Throws DatabaseUnavailableError("... host:port/db: <libpq message>"),
    /// never showing the password.
    explicit Connection(const ConnectionSettings& settings);
    ~Connection();

    /// Makes every connection of this process start with TimeZone=UTC and DateStyle=ISO,YMD
    /// (docs/DATABASE.md: Values) by adding them to PGOPTIONS. setenv is not safe while other
    /// threads read the environment: HostApplication calls it before it starts any; the first
    /// connection calls it too (a no-op then), for processes that do not (the tests).
    static void applySessionDefaults();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// One statement, parameters bound as $1..$n (text format, types inferred by the server).
    /// Marks the session "dirty" (reset with DISCARD ALL on return) because the caller's SQL may
    /// change session state (SET, temp tables, LISTEN, prepared statements, advisory locks).
    QueryResult execute(const std::string& sql, const std::vector<Value>& params = {});
    /// Same, for statements the layer generated itself and knows leave no session state behind
    /// (compiled builder queries, BEGIN/COMMIT/SAVEPOINT): no reset round trip on return.
    QueryResult executeStateless(const std::string& sql, const std::vector<Value>& params = {});
    /// executeStateless for SQL that repeats (compiled builder queries): outside a transaction block
    /// the statement is prepared once per connection as a named statement ("zt_<n>", cached by SQL
    /// text, at most kMaxPreparedStatements) and afterwards only executed, so the server skips
    /// parse/analyse/plan; still one round trip (the first use of a text costs one more: PQprepare).
    /// Inside a transaction block (and once the cache is full) it is exactly executeStateless: a
    /// failed EXECUTE there would abort the caller's transaction, where outside it the recoverable
    /// failures (statement gone after a raw DEALLOCATE, "cached plan must not change result type"
    /// after DDL) happen before anything ran, so they are answered by re-running it unnamed.
    /// DISCARD ALL (resetSessionState) deallocates everything server-side and empties the cache; a
    /// reconnect is a new Connection with an empty cache.
    QueryResult executeCached(const std::string& sql, const std::vector<Value>& params = {});
    static constexpr std::size_t kMaxPreparedStatements = 128;
    /// executeCached for a write outside a transaction block while the thread serves a request
    /// with a deadline, still one round trip: the statement and a check that the deadline (wall
    /// clock) has not passed on the server are sent as one pipeline with one Sync, so they form one
    /// implicit transaction. A server that stalls and runs them only after the deadline fails the
    /// check and rolls the write back (docs/DEADLINES.md). While the answer is awaited the
    /// request's COMMIT is in doubt (deadline::CommitInDoubt); a connection lost then throws
    /// CommitOutcomeUnknownError, the check failing DeadlineExceededError. Without a deadline, or
    /// inside a transaction block, it is executeCached.
    QueryResult executeCachedBeforeDeadline(const std::string& sql, const std::vector<Value>& params = {});
    /// How many named statements this connection holds (tests).
    std::size_t preparedStatementCount() const noexcept { return prepared_.size(); }
    /// Several ;-separated statements without parameters (simple query protocol: migrations and
    /// "BEGIN; SET LOCAL ..." in one round trip). Marks dirty unless `stateless`.
    QueryResult executeScript(const std::string& sql, bool stateless = false);

    /// False once the connection is known dead (failed I/O, PQstatus bad).
    bool isUsable() const;
    /// Cheap liveness check for an idle connection, no round trip: an idle PostgreSQL connection
    /// never has anything to read, so readable input means the server sent its termination notice or
    /// closed the socket (restart, pg_terminate_backend, idle timeout on the server side).
    bool looksAliveWhileIdle();
    /// True while a transaction block is open (including a failed one).
    bool inTransaction() const;
    /// Brings the session back to a fresh state for the next borrower: ROLLBACK if a transaction
    /// is open, then DISCARD ALL if anything may have changed session state. Throws on failure (the
    /// pool then closes the connection instead of reusing it).
    void resetSessionState();
    bool isDirty() const noexcept { return dirty_; }
    /// ROLLBACK if a transaction is open; swallows failures (used while another error propagates;
    /// a dead connection was rolled back by the server and is closed by the pool).
    void rollbackQuietly() noexcept;

    /// `password` as a SCRAM-SHA-256 verifier for `role`, made on the client (libpq's
    /// PQencryptPasswordConn, as psql's \password does) and returned as a quoted SQL literal for
    /// CREATE/ALTER ROLE ... PASSWORD: the plain text never reaches the server or its log.
    std::string scramVerifierLiteral(const std::string& password, const std::string& role);
    /// `text` as a quoted SQL string literal (PQescapeLiteral), for utility statements that take no
    /// bind parameters.
    std::string quoteLiteral(const std::string& text);
    /// `name` as a quoted SQL identifier (PQescapeIdentifier): for names read from the server's
    /// catalogs, which need not be the plain identifiers a configuration may use.
    std::string quoteIdentifier(const std::string& name);

    const ConnectionSettings& settings() const noexcept { return settings_; }
    /// The server process id (pg_backend_pid()), handy to prove two leases share a connection.
    int backendPid() const;

    /// When it was last returned to the pool (idle reaping).
    std::chrono::steady_clock::time_point idleSince;

private:
    QueryResult run(const std::string& sql, const std::vector<Value>* params, bool script);
    /// After a PQsend*: the last result (a PGresult*, owned by the caller), waiting no later than
    /// `deadline`; past it the statement is cancelled, the connection marked broken and
    /// DeadlineExceededError thrown (docs/DEADLINES.md).
    void* awaitResult(std::chrono::steady_clock::time_point deadline);
    /// The next result of a pipeline (PQgetResult once input allows), waiting until `deadline`.
    void* nextResult(std::chrono::steady_clock::time_point deadline);
    /// After a failed EXECUTE of `sql`'s statement: when it is gone or stale (nothing ran), drops it
    /// from the cache (and the server) and says true; the caller runs `sql` again.
    bool forgetIfStale(const std::string& sql, const void* pgResult);
    /// The name of `sql`'s prepared statement, prepared now on first use; "" when the cache is full.
    std::string preparedName(const std::string& sql, std::chrono::steady_clock::time_point deadline);
    /// Checks the status and copies the result out (the caller still owns and clears `pgResult`).
    QueryResult toResult(const void* pgResult);
    [[noreturn]] void throwFor(const void* pgResult);

    ConnectionSettings settings_;
    std::unique_ptr<Poco::Data::Session> session_;
    pg_conn* conn_ = nullptr;
    bool dirty_ = false;
    bool broken_ = false;
    std::unordered_map<std::string, std::string> prepared_;  ///< SQL text -> statement name
    std::uint64_t statementCounter_ = 0;
};

}  // namespace zt::db
