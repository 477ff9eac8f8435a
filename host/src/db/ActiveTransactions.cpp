#include "db/ActiveTransactions.h"

#include <vector>

#include "db/Transaction.h"

namespace zt::db {

namespace {
thread_local std::vector<Transaction*> stack;
}

Transaction* ActiveTransactions::innermostFor(const PostgresAdapter* adapter) noexcept {
    for (auto it = stack.rbegin(); it != stack.rend(); ++it)
        if (&(*it)->adapter() == adapter) return *it;
    return nullptr;
}

ActiveTransactions::Scope::Scope(Transaction* tx) { stack.push_back(tx); }
ActiveTransactions::Scope::~Scope() { stack.pop_back(); }

}  // namespace zt::db
