#pragma once
// The database layer's exception family (one header on purpose: the types only make sense together,
// and callers catch them by the most specific type they can map). Each type stands for one HTTP
// answer the host gives, so the lead's mapping is a catch ladder, not string matching:
//   PoolTimeoutError        -> 503 + Retry-After (pool exhausted for connectionTimeoutMillis)
//   DeadlineExceededError   -> 504 deadline_exceeded: the request's deadline passed while waiting
//                              for a connection or for a statement (docs/DEADLINES.md)
//   DatabaseUnavailableError-> 503 (cannot connect; message has host:port/database, never a password)
//   ConnectionLostError     -> 503 (an established connection died mid-query; subclass of the above)
//   InvalidQueryError       -> 400 (bad builder/JSON/identifier; never reached the server)
//   RawQueryDisabledError   -> 403 (rawQuery while USE_RAW_QRY is not `true`)
//   ConflictError           -> 409 (unique violation; constraint() names it)
//   QueryError              -> 500 or 400 by sqlState() (the server rejected the statement)
//   CommitOutcomeUnknownError -> 503 commit_outcome_unknown: the connection died during COMMIT
//                              and the transaction's fate could not be looked up: it may have
//                              committed (never reported as "not written")
//   MigrationError          -> start-up failure (names the file and the PostgreSQL message)
//   ProvisioningError       -> start-up failure: the service's role, schema or database cannot be
//                              set up with the provisioning credentials (names the missing
//                              privilege and the SQL that grants it)
#include <Poco/Exception.h>

#include <string>

namespace zt::db {

/// Base of every error this layer throws. sqlState() is the PostgreSQL SQLSTATE when the server
/// reported one ("23505"), empty otherwise; constraint() is the constraint name when there is one.
class DatabaseError : public Poco::Exception {
public:
    explicit DatabaseError(const std::string& message, std::string sqlState = {}, std::string constraint = {});
    const std::string& sqlState() const noexcept { return sqlState_; }
    const std::string& constraint() const noexcept { return constraint_; }

    const char* name() const noexcept override;
    const char* className() const noexcept override;
    Poco::Exception* clone() const override;
    void rethrow() const override;

private:
    std::string sqlState_;
    std::string constraint_;
};

// Subclasses only differ by type; the macro keeps their Poco boilerplate (name/clone/rethrow,
// needed so Poco::Exception::rethrow keeps the dynamic type) identical.
#define ZT_DB_DECLARE_ERROR(Name, Base)                  \
    class Name : public Base {                           \
    public:                                              \
        using Base::Base;                                \
        const char* name() const noexcept override;      \
        const char* className() const noexcept override; \
        Poco::Exception* clone() const override;         \
        void rethrow() const override;                   \
    };

ZT_DB_DECLARE_ERROR(DatabaseUnavailableError, DatabaseError)
ZT_DB_DECLARE_ERROR(ConnectionLostError, DatabaseUnavailableError)
ZT_DB_DECLARE_ERROR(PoolTimeoutError, DatabaseError)
ZT_DB_DECLARE_ERROR(DeadlineExceededError, DatabaseError)
ZT_DB_DECLARE_ERROR(InvalidQueryError, DatabaseError)
ZT_DB_DECLARE_ERROR(RawQueryDisabledError, DatabaseError)
ZT_DB_DECLARE_ERROR(QueryError, DatabaseError)
ZT_DB_DECLARE_ERROR(ConflictError, QueryError)
ZT_DB_DECLARE_ERROR(MigrationError, DatabaseError)
ZT_DB_DECLARE_ERROR(CommitOutcomeUnknownError, DatabaseError)
ZT_DB_DECLARE_ERROR(ProvisioningError, DatabaseError)

#undef ZT_DB_DECLARE_ERROR

}  // namespace zt::db
