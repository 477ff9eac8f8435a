#pragma once
// The JSON form of a QueryBuilder, as plugins send it through the C ABI:
//   {"op":"select"|"first"|"count"|"insert"|"update"|"delete",     (default "select")
//    "table":"users",
//    "columns":["id","email"],                                      (select list / RETURNING; default *)
//    "where":[["id","=",1], ["email","in",["a@x","b@x"]], ["deleted_at","is-null"]],
//    "orderBy":[["created_at","desc"], ["id"]],                     (direction asc|desc, default asc)
//    "limit":10, "offset":20,
//    "values":{"email":"a@x","age":3},                              (insert/update, key order kept)
//    "allowUnfilteredWrite":false}
// Operators: = != <> < <= > >= like ilike in not-in is-null not-null. JSON values map to Values:
// null, true/false, integers -> int, other numbers -> float, strings -> text, objects/arrays ->
// json text (for json/jsonb columns). Send exact decimals (NUMERIC) as strings.
// Unknown keys and wrong types are InvalidQueryError naming the field ("where[1][1]: ...").
#include <string>

#include "db/QueryBuilder.h"

namespace zt::db {

class QueryBuilderJson {
public:
    static QueryBuilder parse(const std::string& jsonText);
};

}  // namespace zt::db
