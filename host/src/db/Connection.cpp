#include "db/Connection.h"

#include <Poco/Data/DataException.h>
#include <Poco/Logger.h>
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/PostgreSQL/SessionImpl.h>
#include <libpq-fe.h>
#include <poll.h>

#include <cctype>
#include <mutex>

#include "db/DatabaseErrors.h"

namespace zt::db {

namespace {

void registerConnectorOnce() {
    static std::once_flag once;
    std::call_once(once, [] { Poco::Data::PostgreSQL::Connector::registerConnector(); });
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
    ~ResultGuard() { if (res) PQclear(res); }
};

std::string field(const PGresult* res, int code) {
    const char* v = res ? PQresultErrorField(res, code) : nullptr;
    return v ? v : "";
}

/// SQLSTATEs after which the session is gone even if libpq has not noticed yet.
bool isConnectionLevel(const std::string& sqlState) {
    return sqlState.rfind("08", 0) == 0 || sqlState == "57P01" || sqlState == "57P02" ||
           sqlState == "57P03";
}

}  // namespace

Connection::Connection(const ConnectionSettings& settings) : settings_(settings) {
    registerConnectorOnce();
    try {
        session_ = std::make_unique<Poco::Data::Session>(Poco::Data::PostgreSQL::Connector::KEY,
                                                         settings_.connectionString(),
                                                         settings_.connectTimeoutSeconds);
    } catch (const Poco::Exception& e) {
        throw DatabaseUnavailableError("cannot connect to PostgreSQL at " + settings_.endpoint() +
                                       " as " + settings_.user + ": " +
                                       scrub(e.message().empty() ? e.displayText() : e.message(),
                                             settings_.password));
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

QueryResult Connection::run(const std::string& sql, const std::vector<Value>* params, bool script) {
    if (broken_) throw ConnectionLostError("connection to PostgreSQL at " + settings_.endpoint() + " is closed");
    PGresult* raw = nullptr;
    if (script) {
        raw = PQexec(conn_, sql.c_str());
    } else {
        std::vector<const char*> values;
        values.reserve(params->size());
        for (const auto& p : *params) values.push_back(p.isNull() ? nullptr : p.text().c_str());
        raw = PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                           nullptr, nullptr, 0 /* text results: full precision */);
    }
    ResultGuard guard{raw};
    auto status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY)
        throwFor(raw);

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
            row.push_back(Value::fromPostgres(columns[c].typeOid, isNull,
                                              isNull ? std::string() : std::string(PQgetvalue(raw, r, c),
                                                                                   PQgetlength(raw, r, c))));
        }
        rows.push_back(std::move(row));
    }
    // Command tag "INSERT 0 1" -> verb "INSERT"; PQcmdTuples gives the count ("" when none).
    std::string tag = PQcmdStatus(raw);
    while (!tag.empty() && (std::isdigit(static_cast<unsigned char>(tag.back())) || tag.back() == ' '))
        tag.pop_back();
    std::string count = PQcmdTuples(raw);
    std::int64_t affected = count.empty() ? (status == PGRES_TUPLES_OK ? nt : -1) : std::stoll(count);
    return QueryResult(std::move(columns), std::move(rows), std::move(tag), affected);
}

void Connection::throwFor(const void* pgResult) {
    const auto* res = static_cast<const PGresult*>(pgResult);
    std::string sqlState = field(res, PG_DIAG_SQLSTATE);
    std::string message = field(res, PG_DIAG_MESSAGE_PRIMARY);
    if (message.empty()) message = scrub(PQerrorMessage(conn_), settings_.password);
    if (PQstatus(conn_) != CONNECTION_OK || isConnectionLevel(sqlState)) {
        broken_ = true;
        throw ConnectionLostError("lost the connection to PostgreSQL at " + settings_.endpoint() + ": " +
                                      message, sqlState);
    }
    std::string detail = field(res, PG_DIAG_MESSAGE_DETAIL);
    std::string constraint = field(res, PG_DIAG_CONSTRAINT_NAME);
    std::string text = message + (detail.empty() ? "" : " (" + detail + ")") + " [SQLSTATE " + sqlState + "]";
    if (sqlState == "23505") throw ConflictError(text, sqlState, constraint);
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
        // what a borrower can leave behind (pgbouncer's server_reset_query). We hold no server-side
        // prepared statements (PQexecParams uses the unnamed one), so nothing of ours is lost.
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

}  // namespace zt::db
