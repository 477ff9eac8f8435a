#pragma once
// A handle on an open transaction: every call runs on the one connection the transaction leased,
// so several queries see each other's uncommitted work. Created only by PostgresAdapter::transaction
// and valid only inside its callback. Nested transaction() calls become savepoints.
#include <functional>
#include <string>
#include <vector>

#include "db/Connection.h"
#include "db/QueryBuilder.h"
#include "db/QueryResult.h"

namespace zt::db {

class PostgresAdapter;

class Transaction {
public:
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    QueryResult query(const QueryBuilder& builder);
    QueryResult rawQuery(const std::string& sql, const std::vector<Value>& params = {});
    /// SAVEPOINT; fn; RELEASE. If fn throws: ROLLBACK TO SAVEPOINT (the outer transaction goes on
    /// without fn's work) and the exception propagates.
    void transaction(const std::function<void(Transaction&)>& fn);

    Connection& connection() noexcept { return connection_; }
    int depth() const noexcept { return depth_; }  ///< 0 = outermost
    const PostgresAdapter& adapter() const noexcept { return adapter_; }

private:
    friend class PostgresAdapter;
    Transaction(PostgresAdapter& adapter, Connection& connection, int depth);

    PostgresAdapter& adapter_;
    Connection& connection_;
    int depth_;
};

}  // namespace zt::db
