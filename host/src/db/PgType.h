#pragma once
// PostgreSQL built-in type OIDs (pg_type.oid, fixed since 8.x). libpq's server header catalog/pg_type_d.h
// is not part of libpq-dev's client headers, so the few the layer interprets are listed here.
namespace zt::db {

using Oid = unsigned int;

namespace pgtype {
constexpr Oid Unknown = 0;
constexpr Oid Bool = 16;
constexpr Oid Int8 = 20;
constexpr Oid Int2 = 21;
constexpr Oid Int4 = 23;
constexpr Oid Text = 25;
constexpr Oid ObjectId = 26;
constexpr Oid Json = 114;
constexpr Oid Float4 = 700;
constexpr Oid Float8 = 701;
constexpr Oid Bpchar = 1042;
constexpr Oid Varchar = 1043;
constexpr Oid Date = 1082;
constexpr Oid Time = 1083;
constexpr Oid Timestamp = 1114;
constexpr Oid TimestampTz = 1184;
constexpr Oid Numeric = 1700;
constexpr Oid Uuid = 2950;
constexpr Oid Jsonb = 3802;
}  // namespace pgtype

}  // namespace zt::db
