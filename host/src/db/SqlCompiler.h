#pragma once
// QueryBuilder -> SQL for one service schema. The safety rules live here and only here:
//  - values are ALWAYS $n parameters, never spliced into the text;
//  - identifiers must match ^[A-Za-z_][A-Za-z0-9_]{0,62}$ and are double-quoted (so a reserved
//    word works and case is kept); anything else is an InvalidQueryError naming the field;
//  - tables are ALWAYS "schema"."table" with the service's schema: a builder cannot reach another
//    service's tables, whatever it names;
//  - update/delete without where are refused unless allowUnfilteredWrite.
#include <string>

#include "db/CompiledQuery.h"
#include "db/QueryBuilder.h"

namespace zt::db {

class SqlCompiler {
public:
    /// Throws InvalidQueryError when `schema` is not a valid identifier.
    explicit SqlCompiler(std::string schema);

    CompiledQuery compile(const QueryBuilder& query) const;

    static bool isValidIdentifier(const std::string& name);
    /// "name" (double-quoted) or InvalidQueryError("<what>: invalid identifier '<name>' ...").
    static std::string quoteIdentifier(const std::string& name, const std::string& what);

private:
    std::string quotedSchema_;
};

}  // namespace zt::db
