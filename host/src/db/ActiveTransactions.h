#pragma once
// The transactions open on the calling thread, innermost last. Lets PostgresAdapter::query/rawQuery/
// transaction called inside a transaction callback join that transaction (a plugin going through the
// C ABI only holds the adapter, not the Transaction handle).
namespace zt::db {

class PostgresAdapter;
class Transaction;

class ActiveTransactions {
public:
    /// Innermost transaction of `adapter` open on this thread, or nullptr.
    static Transaction* innermostFor(const PostgresAdapter* adapter) noexcept;

    /// RAII: marks `tx` active on this thread for the scope's lifetime.
    class Scope {
    public:
        explicit Scope(Transaction* tx);
        ~Scope();
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;
    };
};

}  // namespace zt::db
