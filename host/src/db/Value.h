#pragma once
// One SQL value: a query parameter going in, or a result cell coming out. Always kept as PostgreSQL's
// own text form (what PQexecParams sends and returns in text mode), so nothing is lost on the way:
// NUMERIC keeps every digit, timestamps keep microseconds, UUID/JSONB arrive as written.
// A plain value type (copyable, no pointers) so it can cross the plugin C ABI as text + kind.
#include <cstdint>
#include <string>

#include "db/PgType.h"

namespace zt::db {

class Value {
public:
    /// What the text means. Derived from the column's type OID for cells, from the factory for params.
    enum class Kind { Null, Bool, Int, Float, Numeric, Text, Json, Timestamp };

    Value();  ///< SQL NULL

    static Value null();
    static Value boolean(bool v);
    static Value integer(std::int64_t v);
    static Value real(double v);  ///< NaN/±inf sent as 'NaN'/'Infinity'
    static Value text(std::string v);
    static Value numeric(std::string decimalText);  ///< exact decimal, e.g. "12345678901234567890.1"
    static Value json(std::string jsonText);        ///< bound as text; the column's json/jsonb parses it
    /// A result cell: the column's type OID, whether it is NULL, and PostgreSQL's text output.
    static Value fromPostgres(Oid typeOid, bool isNull, std::string text);

    Kind kind() const noexcept { return kind_; }
    Oid typeOid() const noexcept { return typeOid_; }  ///< 0 for parameters (the server infers it)
    bool isNull() const noexcept { return kind_ == Kind::Null; }
    /// PostgreSQL text form ("t" for a bool cell, "true" for a bool parameter); empty for NULL.
    const std::string& text() const noexcept { return text_; }

    // Typed accessors. They throw Poco::BadCastException naming the kind when the value is NULL or
    // does not parse as the requested type (never a silent 0).
    std::int64_t asInt64() const;
    double asDouble() const;
    bool asBool() const;
    std::string asString() const;   ///< the text of any non-NULL value
    std::string asNumeric() const;  ///< exact decimal text (int/numeric/float kinds)
    std::string asJson() const;     ///< json/jsonb text as stored
    /// Timestamp/timestamptz as ISO 8601 with exactly six fractional digits: timestamptz with its
    /// offset ("2024-01-02T03:04:05.120000Z"; sessions run in UTC, docs/DATABASE.md), timestamp
    /// without one ("2024-01-02T03:04:05.000000"). Also the text toJson() and asString() give.
    std::string asTimestamp() const;

    /// PostgreSQL's ISO output of a timestamp[tz] in the shape asTimestamp() documents; infinity
    /// and BC dates are returned as PostgreSQL wrote them.
    static std::string isoTimestamp(std::string postgresText);

    /// The JSON type the value renders as (toJson): int kinds as integers, finite floats as numbers
    /// (NaN/Infinity as strings), NUMERIC as a string (a JSON number would be rounded to a double by
    /// most readers), bool, NULL, json/jsonb embedded as JSON, everything else as a string. Also the
    /// cell kind the plugin ABI reports (zt_db_kind), so JSON and cell readers always agree.
    enum class JsonShape { Null, Bool, Integer, Float, String, Json };
    JsonShape jsonShape() const noexcept;

    /// JSON rendering, by jsonShape(): numbers and json/jsonb as their text, strings quoted and
    /// escaped, bool true/false, NULL null.
    std::string toJson() const;
    /// toJson() appended to `out` (no temporary string per cell).
    void appendJson(std::string& out) const;

    bool operator==(const Value& other) const noexcept { return kind_ == other.kind_ && text_ == other.text_; }

private:
    Value(Kind kind, Oid typeOid, std::string text);
    [[noreturn]] void badCast(const char* wanted) const;

    Kind kind_ = Kind::Null;
    Oid typeOid_ = pgtype::Unknown;
    std::string text_;
};

/// The kind's name for messages ("int", "numeric", ...).
const char* kindName(Value::Kind kind) noexcept;

/// `text` as a JSON string literal (quotes included). Shared by Value, Row and QueryResult.
std::string jsonQuote(const std::string& text);
/// jsonQuote(text) appended to `out`.
void appendJsonQuoted(std::string& out, const std::string& text);

}  // namespace zt::db
