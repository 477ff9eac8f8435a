#include "db/Connection.h"

#include <Poco/Data/DataException.h>
#include <Poco/Logger.h>
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/PostgreSQL/SessionImpl.h>
#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <thread>
#include <cstdlib>
#include <mutex>

#include "db/DatabaseErrors.h"
#include "deadline/RequestDeadline.h"

namespace zt::db {

namespace {

/// Server options every session starts with: dates render the same way whatever the server's
/// defaults, as ISO text in UTC, which Value turns into ISO 8601 with 'Z' (docs/DATABASE.md:
/// Values). Connection options rather than SET statements, so RESET ALL keeps them.
constexpr const char* kSessionOptions = "-c TimeZone=UTC -c DateStyle=ISO,YMD";

void registerConnectorOnce() {
    static std::once_flag once;
    std::call_once(once, [] {
        Poco::Data::PostgreSQL::Connector::registerConnector();
        Connection::applySessionDefaults();
    });
}

/// libpq messages do not contain the password, but a message is user-visible: scrub it anyway.
std::string scrub(std::string message, const std::string& password) {
    if (!password.empty())
        for (auto pos = message.find(password); pos != std::string::npos; pos = message.find(password))
            message.replace(pos, password.size(), "***");
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    return message;
}

/// Server NOTICEs ("drop cascades to ...") go to the host's log at debug level instead of libpq's
/// default of printing them on stderr.
void logNotice(void*, const char* message) {
    auto& logger = Poco::Logger::get("zt.db");
    if (logger.debug()) logger.debug(scrub(message, ""));
}

struct ResultGuard {
    PGresult* res;
    ~ResultGuard() {
        if (res) PQclear(res);
    }
};

/// The parameters as libpq wants them: C strings, nullptr for NULL. Small counts stay on the stack.
class ParamTexts {
public:
    explicit ParamTexts(const std::vector<Value>& params) {
        if (params.size() > kInline) heap_.resize(params.size());
        ptrs_ = params.size() > kInline ? heap_.data() : inline_;
        for (std::size_t i = 0; i < params.size(); ++i)
            ptrs_[i] = params[i].isNull() ? nullptr : params[i].text().c_str();
        count_ = static_cast<int>(params.size());
    }
    int count() const noexcept { return count_; }
    const char* const* data() const noexcept { return count_ ? ptrs_ : nullptr; }

private:
    static constexpr std::size_t kInline = 8;
    const char* inline_[kInline] = {};
    std::vector<const char*> heap_;
    const char** ptrs_ = nullptr;
    int count_ = 0;
};

std::string field(const PGresult* res, int code) {
    const char* v = res ? PQresultErrorField(res, code) : nullptr;
    return v ? v : "";
}

/// SQLSTATEs after which the session is gone even if libpq has not noticed yet.
bool isConnectionLevel(const std::string& sqlState) {
    return sqlState.rfind("08", 0) == 0 || sqlState == "57P01" || sqlState == "57P02" || sqlState == "57P03";
}

}  // namespace

void Connection::applySessionDefaults() {
    static std::once_flag once;
    std::call_once(once, [] {
        // Poco's connector accepts only host/port/user/password/dbname/connect_timeout in its
        // connection string, so the options reach libpq through PGOPTIONS, which it reads for
        // every connection. An operator's own PGOPTIONS is kept and comes first (a later -c of
        // the same setting wins).
        const char* own = std::getenv("PGOPTIONS");
        std::string options = own && *own ? std::string(own) + " " + kSessionOptions : kSessionOptions;
        ::setenv("PGOPTIONS", options.c_str(), 1);
    });
}

Connection::Connection(const ConnectionSettings& settings) : settings_(settings) {
    registerConnectorOnce();
    // Poco's SessionHandle::connect leaks the PGconn of a failed PQconnectdb (about 35 KB each,
    // found by LeakSanitizer): during an outage every retry would leak. PQping frees its own
    // connection, so an unreachable server is refused here without ever reaching Poco.
    switch (PQping(settings_.connectionString().c_str())) {
    case PQPING_NO_RESPONSE:
        throw DatabaseUnavailableError("cannot connect to PostgreSQL at " + settings_.endpoint() +
                                       ": server not reachable");
    case PQPING_REJECT:
        throw DatabaseUnavailableError("cannot connect to PostgreSQL at " + settings_.endpoint() +
                                       ": server is not accepting connections (starting up or shutting down)");
    default:
        break;  // PQPING_OK; PQPING_NO_ATTEMPT (bad parameters) is reported by the real connect
    }
    try {
        session_ = std::make_unique<Poco::Data::Session>(Poco::Data::PostgreSQL::Connector::KEY,
                                                         settings_.connectionString(), settings_.connectTimeoutSeconds);
    } catch (const Poco::Exception& e) {
        throw DatabaseUnavailableError("cannot connect to PostgreSQL at " + settings_.endpoint() + " as " +
                                       settings_.user + ": " +
                                       scrub(e.message().empty() ? e.displayText() : e.message(), settings_.password));
    }
    auto* impl = dynamic_cast<Poco::Data::PostgreSQL::SessionImpl*>(session_->impl());
    if (!impl) throw DatabaseUnavailableError("connector 'postgresql' did not create a PostgreSQL session");
    conn_ = static_cast<PGconn*>(impl->handle());
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK)
        throw DatabaseUnavailableError("cannot connect to PostgreSQL at " + settings_.endpoint() +
                                       ": connection not established");
    PQsetNoticeProcessor(conn_, &logNotice, nullptr);
}

Connection::~Connection() = default;  // the Session closes the PGconn (PQfinish)

QueryResult Connection::execute(const std::string& sql, const std::vector<Value>& params) {
    dirty_ = true;
    return run(sql, &params, false);
}

QueryResult Connection::executeStateless(const std::string& sql, const std::vector<Value>& params) {
    return run(sql, &params, false);
}

QueryResult Connection::executeScript(const std::string& sql, bool stateless) {
    if (!stateless) dirty_ = true;
    return run(sql, nullptr, true);
}

namespace {
/// PQcancel opens a connection of its own and waits for the server, which may be what hangs: it
/// runs on a thread of its own, at most kMaxCancels at once (past that the closed connection is
/// the only signal the server gets).
void cancelInBackground(PGconn* conn) {
    static std::atomic<int> running{0};
    constexpr int kMaxCancels = 4;
    PGcancel* cancel = PQgetCancel(conn);
    if (cancel == nullptr) return;
    if (running.fetch_add(1) >= kMaxCancels) {
        running.fetch_sub(1);
        PQfreeCancel(cancel);
        return;
    }
    std::thread([cancel] {
        char error[256];
        PQcancel(cancel, error, sizeof error);
        PQfreeCancel(cancel);
        running.fetch_sub(1);
    }).detach();
}
}  // namespace

void* Connection::awaitResult(deadline::Clock::time_point deadline) {
    PGresult* last = nullptr;
    for (;;) {
        PGresult* result = nullptr;
        try {
            result = static_cast<PGresult*>(nextResult(deadline));
        } catch (...) {
            PQclear(last);
            throw;
        }
        if (result == nullptr) break;
        PQclear(last);  // as PQexec: the last result is the answer (a failed statement ends a script)
        last = result;
        const auto status = PQresultStatus(result);
        if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH ||
            PQstatus(conn_) == CONNECTION_BAD)
            break;
    }
    return last;
}

QueryResult Connection::run(const std::string& sql, const std::vector<Value>* params, bool script) {
    if (broken_) throw ConnectionLostError("connection to PostgreSQL at " + settings_.endpoint() + " is closed");
    PGresult* raw = nullptr;
    const auto deadline = deadline::current();
    if (deadline == deadline::kNone) {
        if (script) {
            raw = PQexec(conn_, sql.c_str());
        } else {
            ParamTexts values(*params);
            raw = PQexecParams(conn_, sql.c_str(), values.count(), nullptr, values.data(), nullptr, nullptr,
                               0 /* text results: full precision */);
        }
    } else {
        // A request's statement: sent, then waited for no longer than the request may take.
        if (deadline::Clock::now() >= deadline)
            throw DeadlineExceededError("the request's deadline passed before the statement was sent");
        int sent;
        if (script) {
            sent = PQsendQuery(conn_, sql.c_str());
        } else {
            ParamTexts values(*params);
            sent = PQsendQueryParams(conn_, sql.c_str(), values.count(), nullptr, values.data(), nullptr, nullptr, 0);
        }
        if (sent) raw = static_cast<PGresult*>(awaitResult(deadline));
    }
    ResultGuard guard{raw};
    return toResult(raw);
}

QueryResult Connection::executeCached(const std::string& sql, const std::vector<Value>& params) {
    if (broken_) throw ConnectionLostError("connection to PostgreSQL at " + settings_.endpoint() + " is closed");
    const auto deadline = deadline::current();
    if (deadline != deadline::kNone && deadline::Clock::now() >= deadline)
        throw DeadlineExceededError("the request's deadline passed before the statement was sent");
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) return run(sql, &params, false);
    const std::string name = preparedName(sql, deadline);
    if (name.empty()) return run(sql, &params, false);  // the cache is full
    ParamTexts values(params);
    ResultGuard guard{
        deadline == deadline::kNone
            ? PQexecPrepared(conn_, name.c_str(), values.count(), values.data(), nullptr, nullptr, 0 /* text results */)
            : (PQsendQueryPrepared(conn_, name.c_str(), values.count(), values.data(), nullptr, nullptr, 0)
                   ? static_cast<PGresult*>(awaitResult(deadline))
                   : nullptr)};
    auto status = guard.res ? PQresultStatus(guard.res) : PGRES_FATAL_ERROR;
    if (status == PGRES_FATAL_ERROR && PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE &&
        forgetIfStale(sql, guard.res)) {
        return run(sql, &params, false);  // prepared again on its next use
    }
    return toResult(guard.res);
}

void* Connection::nextResult(deadline::Clock::time_point deadline) {
    while (PQisBusy(conn_)) {
        const auto now = deadline::Clock::now();
        if (now >= deadline) {
            // The statement may still be running: ask the server to cancel it, and never use
            // this connection again (the pool closes it; an open transaction rolls back).
            broken_ = true;
            cancelInBackground(conn_);
            throw DeadlineExceededError("the request's deadline passed while PostgreSQL at " + settings_.endpoint() +
                                        " ran the statement (cancelled; the connection is closed)");
        }
        // Rounded up: the wait ends after the deadline, never a fraction of a millisecond
        // before it (the request would then be answered 503 instead of its 504).
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
        pollfd p{PQsocket(conn_), POLLIN, 0};
        const int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 60000)));
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) continue;
        if (!PQconsumeInput(conn_)) break;  // the connection failed: PQgetResult reports it
    }
    return PQgetResult(conn_);
}

bool Connection::forgetIfStale(const std::string& sql, const void* pgResult) {
    const auto* res = static_cast<const PGresult*>(pgResult);
    const std::string sqlState = field(res, PG_DIAG_SQLSTATE);
    // 26000: someone ran DEALLOCATE on it (raw SQL). 0A000 "cached plan must not change result
    // type": DDL changed the table under a SELECT * / RETURNING *. Both fail before execution.
    const bool stale =
        sqlState == "26000" ||
        (sqlState == "0A000" && field(res, PG_DIAG_MESSAGE_PRIMARY).find("cached plan") != std::string::npos);
    auto it = prepared_.find(sql);
    if (!stale || it == prepared_.end()) return false;
    const std::string name = it->second;
    prepared_.erase(it);
    if (sqlState != "26000") {
        ResultGuard dealloc{PQexec(conn_, ("DEALLOCATE " + name).c_str())};  // best effort
    }
    return true;
}

std::string Connection::preparedName(const std::string& sql, deadline::Clock::time_point deadline) {
    if (auto it = prepared_.find(sql); it != prepared_.end()) return it->second;
    if (prepared_.size() >= kMaxPreparedStatements) return "";
    std::string name = "zt_" + std::to_string(++statementCounter_);
    ResultGuard prepared{deadline == deadline::kNone
                             ? PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr /* types inferred */)
                             : (PQsendPrepare(conn_, name.c_str(), sql.c_str(), 0, nullptr)
                                    ? static_cast<PGresult*>(awaitResult(deadline))
                                    : nullptr)};
    if (!prepared.res || PQresultStatus(prepared.res) != PGRES_COMMAND_OK) throwFor(prepared.res);
    prepared_.emplace(sql, name);
    return name;
}

QueryResult Connection::executeCachedBeforeDeadline(const std::string& sql, const std::vector<Value>& params) {
    if (broken_) throw ConnectionLostError("connection to PostgreSQL at " + settings_.endpoint() + " is closed");
    const auto deadline = deadline::current();
    if (deadline == deadline::kNone || PQtransactionStatus(conn_) != PQTRANS_IDLE) return executeCached(sql, params);
    if (deadline::Clock::now() >= deadline)
        throw DeadlineExceededError("the request's deadline passed before the statement was sent");
    const std::string name = preparedName(sql, deadline);
    // The server compares its own clock with the deadline as wall-clock Unix milliseconds.
    const auto wallDeadline =
        std::chrono::system_clock::now() +
        std::chrono::duration_cast<std::chrono::system_clock::duration>(deadline - deadline::Clock::now());
    const std::string wallMs =
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(wallDeadline.time_since_epoch()).count());
    // 1/0 only when the deadline has passed (clock_timestamp() is volatile: never folded at plan
    // time): division_by_zero aborts the implicit transaction, the write with it.
    static const char* kCheck =
        "SELECT 1 / (CASE WHEN clock_timestamp() < to_timestamp($1::float8 / 1000) THEN 1 ELSE 0 END)";
    const std::string checkName = preparedName(kCheck, deadline);  // parsed and planned once per connection
    if (PQenterPipelineMode(conn_) != 1) return executeCached(sql, params);
    deadline::CommitInDoubt inDoubt;
    ParamTexts values(params);
    const char* checkValues[] = {wallMs.c_str()};
    const bool sent =
        (name.empty()
             ? PQsendQueryParams(conn_, sql.c_str(), values.count(), nullptr, values.data(), nullptr, nullptr, 0)
             : PQsendQueryPrepared(conn_, name.c_str(), values.count(), values.data(), nullptr, nullptr, 0)) &&
        (checkName.empty() ? PQsendQueryParams(conn_, kCheck, 1, nullptr, checkValues, nullptr, nullptr, 0)
                           : PQsendQueryPrepared(conn_, checkName.c_str(), 1, checkValues, nullptr, nullptr, 0)) &&
        PQpipelineSync(conn_) && PQflush(conn_) == 0;
    auto lost = [&] {
        broken_ = true;
        // Sent (or partly): the server may have run and committed it. No id to look up.
        throw CommitOutcomeUnknownError("lost the connection to PostgreSQL at " + settings_.endpoint() +
                                        " while a write was in flight: it may have been committed (" +
                                        scrub(PQerrorMessage(conn_), settings_.password) + ")");
    };
    if (!sent) lost();
    // Statement result, NULL, check result, NULL, PIPELINE_SYNC.
    ResultGuard statement{static_cast<PGresult*>(nextResult(deadline))};
    if (!statement.res || PQstatus(conn_) == CONNECTION_BAD) lost();
    ResultGuard end1{static_cast<PGresult*>(nextResult(deadline))};
    ResultGuard check{static_cast<PGresult*>(nextResult(deadline))};
    ResultGuard end2{static_cast<PGresult*>(nextResult(deadline))};
    ResultGuard sync{static_cast<PGresult*>(nextResult(deadline))};
    if (!sync.res || PQresultStatus(sync.res) != PGRES_PIPELINE_SYNC || PQstatus(conn_) == CONNECTION_BAD) lost();
    PQexitPipelineMode(conn_);
    inDoubt.resolved();  // the Sync's answer came: committed, or rolled back by an error below
    const auto statementStatus = PQresultStatus(statement.res);
    if (statementStatus != PGRES_COMMAND_OK && statementStatus != PGRES_TUPLES_OK) {
        // Gone or stale after a raw DEALLOCATE or DDL: nothing ran (the pipeline aborted); prepared
        // again, and run with its check again.
        if (!name.empty() && forgetIfStale(sql, statement.res)) return executeCachedBeforeDeadline(sql, params);
        throwFor(statement.res);
    }
    if (!check.res || PQresultStatus(check.res) != PGRES_TUPLES_OK) {
        // The check's statement gone or stale: the write rolled back with it; again.
        if (!checkName.empty() && forgetIfStale(kCheck, check.res)) return executeCachedBeforeDeadline(sql, params);
        if (field(check.res, PG_DIAG_SQLSTATE) == "22012")
            throw DeadlineExceededError("PostgreSQL at " + settings_.endpoint() +
                                        " ran the write only after the request's deadline: rolled back");
        throwFor(check.res);
    }
    return toResult(statement.res);
}

QueryResult Connection::toResult(const void* pgResult) {
    auto* raw = static_cast<PGresult*>(const_cast<void*>(pgResult));
    auto status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) throwFor(raw);

    std::vector<Column> columns;
    const int nf = PQnfields(raw);
    columns.reserve(nf);
    for (int c = 0; c < nf; ++c) columns.push_back({PQfname(raw, c), PQftype(raw, c)});
    std::vector<std::vector<Value>> rows;
    const int nt = PQntuples(raw);
    rows.reserve(nt);
    for (int r = 0; r < nt; ++r) {
        std::vector<Value> row;
        row.reserve(nf);
        for (int c = 0; c < nf; ++c) {
            bool isNull = PQgetisnull(raw, r, c);
            row.push_back(Value::fromPostgres(
                columns[c].typeOid, isNull,
                isNull ? std::string() : std::string(PQgetvalue(raw, r, c), PQgetlength(raw, r, c))));
        }
        rows.push_back(std::move(row));
    }
    // Command tag "INSERT 0 1" -> verb "INSERT"; PQcmdTuples gives the count ("" when none).
    std::string tag = PQcmdStatus(raw);
    while (!tag.empty() && (std::isdigit(static_cast<unsigned char>(tag.back())) || tag.back() == ' ')) tag.pop_back();
    const char* count = PQcmdTuples(raw);
    std::int64_t affected = *count == '\0' ? (status == PGRES_TUPLES_OK ? nt : -1) : std::strtoll(count, nullptr, 10);
    return QueryResult(std::move(columns), std::move(rows), std::move(tag), affected);
}

void Connection::throwFor(const void* pgResult) {
    const auto* res = static_cast<const PGresult*>(pgResult);
    std::string sqlState = field(res, PG_DIAG_SQLSTATE);
    std::string message = field(res, PG_DIAG_MESSAGE_PRIMARY);
    if (message.empty()) message = scrub(PQerrorMessage(conn_), settings_.password);
    if (PQstatus(conn_) != CONNECTION_OK || isConnectionLevel(sqlState)) {
        broken_ = true;
        throw ConnectionLostError("lost the connection to PostgreSQL at " + settings_.endpoint() + ": " + message,
                                  sqlState);
    }
    std::string detail = field(res, PG_DIAG_MESSAGE_DETAIL);
    std::string constraint = field(res, PG_DIAG_CONSTRAINT_NAME);
    std::string text = message + (detail.empty() ? "" : " (" + detail + ")") + " [SQLSTATE " + sqlState + "]";
    if (sqlState == "23505") throw ConflictError(text, sqlState, constraint);
    // 57014 query_canceled: statement_timeout, which a request's transaction sets to its deadline.
    if (sqlState == "57014" && deadline::current() != deadline::kNone)
        throw DeadlineExceededError("the request's deadline passed while PostgreSQL ran the statement: " + text,
                                    sqlState);
    throw QueryError(text, sqlState, constraint);
}

bool Connection::isUsable() const { return !broken_ && conn_ && PQstatus(conn_) == CONNECTION_OK; }

bool Connection::looksAliveWhileIdle() {
    if (!isUsable()) return false;
    pollfd p{PQsocket(conn_), POLLIN, 0};
    if (p.fd < 0) return false;
    int r = ::poll(&p, 1, 0);
    if (r == 0) return true;
    broken_ = true;  // unsolicited input or hang-up on an idle connection: the server is gone
    return false;
}

bool Connection::inTransaction() const {
    auto ts = PQtransactionStatus(conn_);
    return ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR;
}

void Connection::resetSessionState() {
    if (!isUsable()) throw ConnectionLostError("connection to " + settings_.endpoint() + " is closed");
    auto ts = PQtransactionStatus(conn_);
    if (ts == PQTRANS_ACTIVE || ts == PQTRANS_UNKNOWN)
        throw ConnectionLostError("connection to " + settings_.endpoint() + " is in an unknown state");
    if (ts != PQTRANS_IDLE) {
        run("ROLLBACK", nullptr, true);
        dirty_ = true;  // a plain SET inside a committed-then-reopened block could survive; be safe
    }
    if (dirty_) {
        // DISCARD ALL = RESET ALL + DEALLOCATE ALL + CLOSE ALL + UNLISTEN * + pg_advisory_unlock_all()
        // + DISCARD TEMP/PLANS/SEQUENCES + SET SESSION AUTHORIZATION DEFAULT: the complete list of
        // what a borrower can leave behind (pgbouncer's server_reset_query). It also drops our named
        // statements (executeCached): the cache goes with them; they are prepared again on first use.
        prepared_.clear();  // even if DISCARD ALL fails: the pool then closes the connection anyway
        run("DISCARD ALL", nullptr, true);
        dirty_ = false;
    }
}

void Connection::rollbackQuietly() noexcept {
    try {
        if (isUsable() && inTransaction()) run("ROLLBACK", nullptr, true);
    } catch (...) {
    }
}

int Connection::backendPid() const { return PQbackendPID(conn_); }

std::string Connection::quoteLiteral(const std::string& text) {
    char* quoted = PQescapeLiteral(conn_, text.data(), text.size());
    if (quoted == nullptr)
        throw QueryError("cannot quote a literal: " + scrub(PQerrorMessage(conn_), settings_.password));
    std::string out = quoted;
    PQfreemem(quoted);
    return out;
}

std::string Connection::quoteIdentifier(const std::string& name) {
    char* quoted = PQescapeIdentifier(conn_, name.data(), name.size());
    if (quoted == nullptr)
        throw QueryError("cannot quote an identifier: " + scrub(PQerrorMessage(conn_), settings_.password));
    std::string out = quoted;
    PQfreemem(quoted);
    return out;
}

std::string Connection::scramVerifierLiteral(const std::string& password, const std::string& role) {
    char* verifier = PQencryptPasswordConn(conn_, password.c_str(), role.c_str(), "scram-sha-256");
    if (verifier == nullptr)
        throw QueryError("cannot make a SCRAM-SHA-256 password verifier: " + scrub(PQerrorMessage(conn_), password));
    std::string text = verifier;
    PQfreemem(verifier);
    return quoteLiteral(text);
}

}  // namespace zt::db
