#include "db/PostgresAdapter.h"

#include <vector>

#include "db/ActiveTransactions.h"
#include "db/DatabaseErrors.h"
#include "db/MigrationRunner.h"
#include "db/QueryBuilderJson.h"

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
    // One round trip: the simple query protocol runs both statements.
    return "BEGIN; SET LOCAL search_path TO " + SqlCompiler::quoteIdentifier(config_.schema, "schema");
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
        lease->executeScript("COMMIT", true);
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
    lease->executeScript("COMMIT", true);  // a failing COMMIT throws QueryError; the server rolled back
}

}  // namespace zt::db
