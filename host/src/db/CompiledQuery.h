#pragma once
// SQL text plus its $1..$n parameters, ready for Connection::execute*.
#include <string>
#include <vector>

#include "db/Value.h"

namespace zt::db {

struct CompiledQuery {
    std::string sql;
    std::vector<Value> params;
    bool readOnly = false;  ///< select/first/count: safe to retry once on a fresh connection
};

}  // namespace zt::db
