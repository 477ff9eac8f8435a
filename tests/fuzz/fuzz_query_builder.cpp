// QueryBuilderJson::parse + SqlCompiler::compile on arbitrary plugin JSON (docs/DATABASE.md; safety rules).
// Rejections must be InvalidQueryError. For every compiled query:
//  - the SQL text outside double-quoted identifiers holds only SQL keywords of the compiler's
//    grammar, punctuation, operators and $n placeholders: no literal, so no value text at all;
//  - every quoted identifier is ^[A-Za-z_][A-Za-z0-9_]{0,62}$ (nothing to escape);
//  - the table is always "fuzz_schema"."<table>";
//  - $1..$n each appear exactly once, in reading order, and n == number of parameters;
//  - the parameters are exactly the builder's values (+ limit/offset), none dropped or invented.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "FuzzSupport.h"
#include "db/DatabaseErrors.h"
#include "db/QueryBuilderJson.h"
#include "db/SqlCompiler.h"

using namespace zt::db;
using zt::fuzz::check;

namespace {
const std::set<std::string>& keywords() {
    static const std::set<std::string> k = {
        "SELECT", "FROM", "WHERE",  "AND",     "ORDER",     "BY",     "ASC",   "DESC",   "LIMIT", "OFFSET",
        "INSERT", "INTO", "VALUES", "DEFAULT", "RETURNING", "UPDATE", "SET",   "DELETE", "IN",    "NOT",
        "IS",     "NULL", "LIKE",   "ILIKE",   "TRUE",      "FALSE",  "count", "AS",     "1"};
    return k;
}

bool identChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/// Checks the SQL's shape; returns the $n numbers in reading order.
std::vector<std::size_t> scan(const std::string& sql) {
    std::vector<std::size_t> placeholders;
    std::size_t i = 0;
    while (i < sql.size()) {
        const char c = sql[i];
        if (c == '"') {
            auto end = sql.find('"', i + 1);
            check(end != std::string::npos, "unterminated quoted identifier in: " + sql);
            const std::string id = sql.substr(i + 1, end - i - 1);
            check(SqlCompiler::isValidIdentifier(id), "quoted identifier '" + id + "' is not valid in: " + sql);
            i = end + 1;
        } else if (c == '$') {
            std::size_t j = i + 1;
            while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') ++j;
            check(j > i + 1 && sql[i + 1] != '0', "bad placeholder in: " + sql);
            placeholders.push_back(std::stoul(sql.substr(i + 1, j - i - 1)));
            i = j;
        } else if (identChar(c)) {
            std::size_t j = i;
            while (j < sql.size() && identChar(sql[j])) ++j;
            const std::string word = sql.substr(i, j - i);
            check(keywords().count(word) == 1,
                  "unexpected word '" + word + "' (a value or identifier outside quotes?) in: " + sql);
            i = j;
        } else {
            check(std::string(" (),.*=<>").find(c) != std::string::npos,
                  std::string("unexpected character '") + c + "' in: " + sql);
            ++i;
        }
    }
    return placeholders;
}

/// The values the builder carries that must become parameters, in no particular order.
std::vector<std::string> expectedParams(const QueryBuilder& q) {
    std::vector<std::string> out;
    auto add = [&](const Value& v) { out.push_back(std::string(kindName(v.kind())) + ":" + v.text()); };
    const bool usesWhere = q.operation != QueryOperation::Insert;
    if (usesWhere)
        for (const auto& w : q.where)
            for (const auto& v : w.values) add(v);
    if (q.operation == QueryOperation::Insert || q.operation == QueryOperation::Update)
        for (const auto& [col, v] : q.values) add(v);
    if (q.operation == QueryOperation::Select) {
        if (q.limit) add(Value::integer(*q.limit));
        if (q.offset) add(Value::integer(*q.offset));
    }
    if (q.operation == QueryOperation::First && q.offset) add(Value::integer(*q.offset));
    return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    static const SqlCompiler compiler("fuzz_schema");
    QueryBuilder q;
    CompiledQuery out;
    try {
        q = QueryBuilderJson::parse(text);
        out = compiler.compile(q);
    } catch (const InvalidQueryError&) {
        return 0;
    } catch (...) {
        zt::fuzz::unexpectedException();  // documented: InvalidQueryError naming the field
    }

    check(out.sql.find('\'') == std::string::npos, "string literal in: " + out.sql);
    check(out.sql.find(" \"fuzz_schema\".\"" + q.table + "\"") != std::string::npos,
          "table not qualified with the service schema in: " + out.sql);
    const auto placeholders = scan(out.sql);
    for (std::size_t k = 0; k < placeholders.size(); ++k)
        check(placeholders[k] == k + 1, "placeholders not $1..$n in reading order in: " + out.sql);
    check(placeholders.size() == out.params.size(), std::to_string(out.params.size()) + " parameters for " +
                                                        std::to_string(placeholders.size()) +
                                                        " placeholders in: " + out.sql);

    auto expected = expectedParams(q);
    std::vector<std::string> actual;
    for (const auto& v : out.params) actual.push_back(std::string(kindName(v.kind())) + ":" + v.text());
    std::sort(expected.begin(), expected.end());
    std::sort(actual.begin(), actual.end());
    check(expected == actual, "parameters differ from the builder's values for: " + out.sql);
    return 0;
}
