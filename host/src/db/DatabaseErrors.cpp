#include "db/DatabaseErrors.h"

#include <typeinfo>

namespace zt::db {

DatabaseError::DatabaseError(const std::string& message, std::string sqlState, std::string constraint)
    : Poco::Exception(message), sqlState_(std::move(sqlState)), constraint_(std::move(constraint)) {}

const char* DatabaseError::name() const noexcept { return "Database error"; }
const char* DatabaseError::className() const noexcept { return typeid(*this).name(); }
Poco::Exception* DatabaseError::clone() const { return new DatabaseError(*this); }
void DatabaseError::rethrow() const { throw *this; }

#define ZT_DB_DEFINE_ERROR(Name, Text)                                            \
    const char* Name::name() const noexcept { return Text; }                      \
    const char* Name::className() const noexcept { return typeid(*this).name(); } \
    Poco::Exception* Name::clone() const { return new Name(*this); }              \
    void Name::rethrow() const { throw *this; }

ZT_DB_DEFINE_ERROR(DatabaseUnavailableError, "Database unavailable")
ZT_DB_DEFINE_ERROR(ConnectionLostError, "Database connection lost")
ZT_DB_DEFINE_ERROR(PoolTimeoutError, "Database pool timeout")
ZT_DB_DEFINE_ERROR(DeadlineExceededError, "Request deadline exceeded")
ZT_DB_DEFINE_ERROR(InvalidQueryError, "Invalid query")
ZT_DB_DEFINE_ERROR(RawQueryDisabledError, "Raw query disabled")
ZT_DB_DEFINE_ERROR(QueryError, "Query error")
ZT_DB_DEFINE_ERROR(ConflictError, "Conflict")
ZT_DB_DEFINE_ERROR(MigrationError, "Migration error")
ZT_DB_DEFINE_ERROR(CommitOutcomeUnknownError, "Commit outcome unknown")
ZT_DB_DEFINE_ERROR(ProvisioningError, "Provisioning error")

#undef ZT_DB_DEFINE_ERROR

}  // namespace zt::db
