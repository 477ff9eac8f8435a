#pragma once
// One service's view of PostgreSQL (docs/DATABASE.md): builder queries confined to the service's schema,
// raw SQL behind USE_RAW_QRY with search_path set to that schema, transactions with savepoints,
// PostgreSQL errors mapped to DatabaseErrors.h types. Thread-safe: any number of request threads may
// call it at once (each call leases its own connection, except inside transaction()).
//
// Inside transaction(fn), calls made on the SAME thread through the adapter itself (query, rawQuery,
// transaction) join the open transaction: a plugin callback that only knows the adapter (C ABI) still
// runs on the transaction's connection.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "db/AdapterConfig.h"
#include "db/ConnectionPool.h"
#include "db/QueryBuilder.h"
#include "db/QueryResult.h"
#include "db/SqlCompiler.h"
#include "db/Transaction.h"

namespace zt::db {

class PostgresAdapter {
public:
    PostgresAdapter(std::shared_ptr<ConnectionPool> pool, AdapterConfig config);

    /// Checks that a connection can be opened and used (SELECT 1). DatabaseUnavailableError if not.
    void connect();
    /// CREATE SCHEMA IF NOT EXISTS "name" (safe when two hosts race). InvalidQueryError for a bad name.
    void createServiceSchema(const std::string& name);
    /// The service's own schema.
    void createServiceSchema() { createServiceSchema(config_.schema); }
    /// Applies <service>/migrations/NNN_*.sql (MigrationRunner). Returns the applied file names.
    std::vector<std::string> runMigrations();

    PoolStats getPoolStats() const { return pool_->stats(); }

    /// Builder query on "schema"."table". select/first/count are retried once on a fresh connection
    /// when the connection turns out dead (server restart); writes are not (they may have run).
    QueryResult query(const QueryBuilder& builder);
    /// QueryBuilderJson::parse + query: what the C ABI calls with the plugin's JSON.
    QueryResult queryJson(const std::string& builderJson);
    /// One statement with $1..$n parameters, search_path = the service schema only.
    /// RawQueryDisabledError (naming USE_RAW_QRY) unless USE_RAW_QRY=true.
    QueryResult rawQuery(const std::string& sql, const std::vector<Value>& params = {});
    /// BEGIN (search_path = service schema); fn; COMMIT. Any exception: ROLLBACK and rethrow.
    void transaction(const std::function<void(Transaction&)>& fn);

    const AdapterConfig& config() const noexcept { return config_; }
    const std::string& schema() const noexcept { return config_.schema; }
    ConnectionPool& pool() noexcept { return *pool_; }

private:
    friend class Transaction;
    QueryResult runCompiled(Connection& conn, const QueryBuilder& builder) const;
    QueryResult runRaw(Connection& conn, const std::string& sql, const std::vector<Value>& params) const;
    void requireRawAllowed() const;
    std::string beginSql() const;
    /// A connection with BEGIN (search_path, the request's statement_timeout) done.
    ConnectionLease leaseWithBegin();
    /// Reads the transaction's id (if it wrote), then COMMIT. When the connection dies before
    /// COMMIT's answer, the outcome is looked up (pg_xact_status on a connection of its own):
    /// committed returns normally, aborted rethrows the ConnectionLostError, anything else throws
    /// CommitOutcomeUnknownError (docs/DEADLINES.md).
    void commit(Connection& conn);
    /// COMMIT of a transaction whose id is known already ("" = wrote nothing), as commit().
    void commitKnown(Connection& conn, const std::string& xid);
    Transaction* activeTransaction() const;

    std::shared_ptr<ConnectionPool> pool_;
    AdapterConfig config_;
    SqlCompiler compiler_;
};

}  // namespace zt::db
