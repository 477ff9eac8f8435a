#include "db/PostgresAdapter.h"

#include <algorithm>
#include <vector>

#include "db/ActiveTransactions.h"
#include "db/DatabaseErrors.h"
#include "db/MigrationRunner.h"
#include "db/QueryBuilderJson.h"
#include "deadline/RequestDeadline.h"

namespace zt::db {

PostgresAdapter::PostgresAdapter(std::shared_ptr<ConnectionPool> pool, AdapterConfig config)
    : pool_(std::move(pool)), config_(std::move(config)), compiler_(config_.schema) {}

Transaction* PostgresAdapter::activeTransaction() const { return ActiveTransactions::innermostFor(this); }

void PostgresAdapter::connect() {
    auto lease = pool_->acquire();
    lease->executeStateless("SELECT 1");
}

void PostgresAdapter::createServiceSchema(const std::string& name) {
    const std::string quoted = SqlCompiler::quoteIdentifier(name, "schema");
    auto lease = pool_->acquire();
    try {
        lease->executeStateless("CREATE SCHEMA IF NOT EXISTS " + quoted);
    } catch (const QueryError& e) {
        // Two hosts creating it at the same instant: IF NOT EXISTS can still hit the catalog's unique
        // index (23505) or report 42P06. Either way the schema exists now.
        if (e.sqlState() != "23505" && e.sqlState() != "42P06") throw;
    }
}

std::vector<std::string> PostgresAdapter::runMigrations() {
    MigrationRunner runner(*pool_, config_.schema, config_.migrationsDirectory);
    return runner.run().applied;
}

QueryResult PostgresAdapter::runCompiled(Connection& conn, const QueryBuilder& builder) const {
    auto compiled = compiler_.compile(builder);
    return conn.executeCached(compiled.sql, compiled.params);
}

QueryResult PostgresAdapter::query(const QueryBuilder& builder) {
    if (auto* tx = activeTransaction()) return tx->query(builder);
    auto compiled = compiler_.compile(builder);  // invalid queries fail before a connection is leased
    if (!compiled.readOnly) {
        // One round trip that the server itself refuses to commit past the request's deadline
        // (Connection::executeCachedBeforeDeadline): never retried, it may have run.
        auto lease = pool_->acquire();
        return lease->executeCachedBeforeDeadline(compiled.sql, compiled.params);
    }
    for (int attempt = 0;; ++attempt) {
        auto lease = pool_->acquire();
        try {
            return lease->executeCached(compiled.sql, compiled.params);  // prepared once per connection
        } catch (const ConnectionLostError&) {
            if (attempt > 0 || !compiled.readOnly) throw;
            // The lease returns the dead connection, the pool closes it; the next acquire opens anew.
        }
    }
}

QueryResult PostgresAdapter::queryJson(const std::string& builderJson) {
    return query(QueryBuilderJson::parse(builderJson));
}

void PostgresAdapter::requireRawAllowed() const {
    if (!config_.allowRawQuery)
        throw RawQueryDisabledError("raw SQL is disabled for service '" + config_.serviceName +
                                    "': set USE_RAW_QRY=true to allow rawQuery");
}

std::string PostgresAdapter::beginSql() const {
    // SET LOCAL ends with the transaction, so the pooled connection keeps its default search_path.
    // One round trip: the simple query protocol runs every statement. A request's transaction also
    // gets its deadline as statement_timeout, so the server itself cancels a statement that would
    // outlive it and the transaction rolls back (docs/DEADLINES.md).
    std::string sql = "BEGIN; SET LOCAL search_path TO " + SqlCompiler::quoteIdentifier(config_.schema, "schema");
    if (auto left = deadline::remaining())  // PostgreSQL takes at most INT_MAX ms
        sql += "; SET LOCAL statement_timeout = " + std::to_string(std::clamp<long long>(left->count(), 1, 2147483647));
    return sql;
}

void PostgresAdapter::commit(Connection& conn) {
    // The transaction's id, if it wrote anything (a read-only one has none and needs no lookup):
    // read before COMMIT so that a COMMIT whose answer is lost can be looked up.
    auto id = conn.executeStateless("SELECT pg_current_xact_id_if_assigned()::text");
    const std::string xid = id.empty() || id.front()[0].isNull() ? std::string() : id.front()[0].asString();
    commitKnown(conn, xid);
}

void PostgresAdapter::commitKnown(Connection& conn, const std::string& xid) {
    // Until COMMIT's answer (or the lookup) says what happened, the request's answer must not
    // claim a plain failure: its 504 at the deadline says commit_outcome_unknown.
    deadline::CommitInDoubt inDoubt;
    if (xid.empty()) inDoubt.resolved();  // nothing was written: no write can be hidden
    try {
        conn.executeScript("COMMIT", true);  // a failing COMMIT throws QueryError; the server rolled back
        inDoubt.resolved();
    } catch (const QueryError&) {
        inDoubt.resolved();
        throw;
    } catch (const DeadlineExceededError& late) {
        if (xid.empty()) throw;
        // A hung server: a lookup would hang as well, and the deadline has passed. The transaction
        // is decided when the server resumes; say so.
        throw CommitOutcomeUnknownError("the request's deadline passed while COMMIT of transaction " + xid +
                                        " was in flight at PostgreSQL " + pool_->options().connection.endpoint() +
                                        ": it may have committed (" + late.message() + ")");
    } catch (const ConnectionLostError& lost) {
        if (xid.empty()) throw;  // nothing was written: the failure is the whole truth
        // The connection died between sending COMMIT and its answer: the transaction may have
        // committed. Ask on a connection of its own (not the pool's: it may be full, and this
        // lease holds one of its slots) rather than answer a failure that hides a write.
        std::string status;
        try {
            Connection lookup(pool_->options().connection);
            auto r = lookup.executeStateless("SELECT pg_xact_status($1::xid8)::text", {Value::text(xid)});
            if (!r.empty() && !r.front()[0].isNull()) status = r.front()[0].asString();
        } catch (const DatabaseError& e) {
            throw CommitOutcomeUnknownError("the connection to PostgreSQL at " +
                                            pool_->options().connection.endpoint() +
                                            " was lost during COMMIT and the outcome could not be looked up (" +
                                            e.message() + "); transaction " + xid + " may have committed");
        }
        if (status == "committed" || status == "aborted") inDoubt.resolved();
        if (status == "committed") return;  // it did: the caller's answer is the success it is
        if (status == "aborted") throw;     // it did not: the failure is the truth
        throw CommitOutcomeUnknownError("the connection to PostgreSQL at " + pool_->options().connection.endpoint() +
                                        " was lost during COMMIT; transaction " + xid + " is " +
                                        (status.empty() ? std::string("unknown") : status) + " (" + lost.message() +
                                        ")");
    }
}

QueryResult PostgresAdapter::runRaw(Connection& conn, const std::string& sql, const std::vector<Value>& params) const {
    return conn.execute(sql, params);  // marks the session dirty: reset with DISCARD ALL on return
}

ConnectionLease PostgresAdapter::leaseWithBegin() {
    for (int attempt = 0;; ++attempt) {
        auto lease = pool_->acquire();
        try {
            lease->executeScript(beginSql(), true);
            return lease;
        } catch (const ConnectionLostError&) {
            if (attempt > 0) throw;  // BEGIN did nothing yet: safe to retry once on a fresh connection
        }
    }
}

QueryResult PostgresAdapter::rawQuery(const std::string& sql, const std::vector<Value>& params) {
    requireRawAllowed();
    if (auto* tx = activeTransaction()) return tx->rawQuery(sql, params);
    auto lease = leaseWithBegin();
    try {
        auto result = runRaw(*lease, sql, params);
        commit(*lease);
        return result;
    } catch (...) {
        lease->rollbackQuietly();
        throw;
    }
}

void PostgresAdapter::transaction(const std::function<void(Transaction&)>& fn) {
    if (auto* tx = activeTransaction()) return tx->transaction(fn);
    auto lease = leaseWithBegin();
    Transaction tx(*this, *lease, 0);
    try {
        ActiveTransactions::Scope scope(&tx);
        fn(tx);
    } catch (...) {
        lease->rollbackQuietly();
        throw;
    }
    commit(*lease);
}

}  // namespace zt::db
