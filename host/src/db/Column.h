#pragma once
// One result column: its name and PostgreSQL type OID (see PgType.h).
#include <string>

#include "db/PgType.h"

namespace zt::db {

struct Column {
    std::string name;
    Oid typeOid = pgtype::Unknown;
};

}  // namespace zt::db
