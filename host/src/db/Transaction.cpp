#include "db/Transaction.h"

#include "db/ActiveTransactions.h"
#include "db/PostgresAdapter.h"

namespace zt::db {

Transaction::Transaction(PostgresAdapter& adapter, Connection& connection, int depth)
    : adapter_(adapter), connection_(connection), depth_(depth) {}

QueryResult Transaction::query(const QueryBuilder& builder) { return adapter_.runCompiled(connection_, builder); }

QueryResult Transaction::rawQuery(const std::string& sql, const std::vector<Value>& params) {
    adapter_.requireRawAllowed();
    return adapter_.runRaw(connection_, sql, params);
}

void Transaction::transaction(const std::function<void(Transaction&)>& fn) {
    const std::string savepoint = "zt_sp_" + std::to_string(depth_ + 1);
    connection_.executeScript("SAVEPOINT " + savepoint, true);
    Transaction nested(adapter_, connection_, depth_ + 1);
    try {
        ActiveTransactions::Scope scope(&nested);
        fn(nested);
    } catch (...) {
        try {
            connection_.executeScript("ROLLBACK TO SAVEPOINT " + savepoint + "; RELEASE SAVEPOINT " + savepoint, true);
        } catch (...) {
            // Connection gone: the outer transaction fails on its next statement or COMMIT.
        }
        throw;
    }
    connection_.executeScript("RELEASE SAVEPOINT " + savepoint, true);
}

}  // namespace zt::db
