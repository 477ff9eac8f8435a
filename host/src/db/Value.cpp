#include "db/Value.h"

#include <Poco/Exception.h>
#include <Poco/UTF8String.h>

#include <charconv>
#include <cmath>

namespace zt::db {

namespace {

Value::Kind kindForOid(Oid oid) {
    switch (oid) {
    case pgtype::Bool:
        return Value::Kind::Bool;
    case pgtype::Int2:
    case pgtype::Int4:
    case pgtype::Int8:
    case pgtype::ObjectId:
        return Value::Kind::Int;
    case pgtype::Float4:
    case pgtype::Float8:
        return Value::Kind::Float;
    case pgtype::Numeric:
        return Value::Kind::Numeric;
    case pgtype::Json:
    case pgtype::Jsonb:
        return Value::Kind::Json;
    case pgtype::Timestamp:
    case pgtype::TimestampTz:
        return Value::Kind::Timestamp;
    default:
        return Value::Kind::Text;
    }
}

bool isSpecialFloat(const std::string& t) { return t == "NaN" || t == "Infinity" || t == "-Infinity"; }

}  // namespace

const char* kindName(Value::Kind kind) noexcept {
    switch (kind) {
    case Value::Kind::Null:
        return "null";
    case Value::Kind::Bool:
        return "bool";
    case Value::Kind::Int:
        return "int";
    case Value::Kind::Float:
        return "float";
    case Value::Kind::Numeric:
        return "numeric";
    case Value::Kind::Text:
        return "text";
    case Value::Kind::Json:
        return "json";
    case Value::Kind::Timestamp:
        return "timestamp";
    }
    return "?";
}

void appendJsonQuoted(std::string& out, const std::string& text) {
    // Most cells (names, e-mails, timestamps) are printable ASCII with nothing to escape: copy
    // them; anything else goes through Poco's escaper (strictJSON: \a and \v become \u0007/\u000B,
    // which JSON requires).
    bool plain = true;
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\' || c == '/') {
            plain = false;
            break;
        }
    }
    out += '"';
    if (plain) out += text;
    else out += Poco::UTF8::escape(text, true);
    out += '"';
}

std::string jsonQuote(const std::string& text) {
    std::string out;
    out.reserve(text.size() + 2);
    appendJsonQuoted(out, text);
    return out;
}

Value::Value() = default;

Value::Value(Kind kind, Oid typeOid, std::string text) : kind_(kind), typeOid_(typeOid), text_(std::move(text)) {}

Value Value::null() { return Value(); }
Value Value::boolean(bool v) { return Value(Kind::Bool, pgtype::Unknown, v ? "true" : "false"); }
Value Value::integer(std::int64_t v) { return Value(Kind::Int, pgtype::Unknown, std::to_string(v)); }

Value Value::real(double v) {
    if (std::isnan(v)) return Value(Kind::Float, pgtype::Unknown, "NaN");
    if (std::isinf(v)) return Value(Kind::Float, pgtype::Unknown, v > 0 ? "Infinity" : "-Infinity");
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v);  // shortest text that round-trips
    return Value(Kind::Float, pgtype::Unknown, std::string(buf, res.ptr));
}

Value Value::text(std::string v) { return Value(Kind::Text, pgtype::Unknown, std::move(v)); }
Value Value::numeric(std::string t) { return Value(Kind::Numeric, pgtype::Unknown, std::move(t)); }
Value Value::json(std::string t) { return Value(Kind::Json, pgtype::Unknown, std::move(t)); }

Value Value::fromPostgres(Oid typeOid, bool isNull, std::string text) {
    if (isNull) {
        Value v;
        v.typeOid_ = typeOid;  // keep the column type even for NULL cells
        return v;
    }
    const Kind kind = kindForOid(typeOid);
    if (kind == Kind::Timestamp) return Value(kind, typeOid, isoTimestamp(std::move(text)));
    return Value(kind, typeOid, std::move(text));
}

std::string Value::isoTimestamp(std::string text) {
    // PostgreSQL's ISO DateStyle: "YYYY-MM-DD HH:MM:SS[.ffffff][+HH[:MM[:SS]]]" and, before year 1,
    // a " BC" suffix. The seconds end at the first '+' or '-' after the time starts.
    const auto timeStart = text.find(' ');
    if (timeStart == std::string::npos || text == "infinity" || text == "-infinity") return text;
    if (text.size() >= 3 && text.compare(text.size() - 3, 3, " BC") == 0) return text;  // no ISO form kept
    std::size_t tz = text.find_first_of("+-", timeStart);
    if (tz == std::string::npos) tz = text.size();
    std::string out = text.substr(0, tz);
    out[timeStart] = 'T';
    const std::size_t dot = out.find('.', timeStart);
    const std::size_t digits = dot == std::string::npos ? 0 : out.size() - dot - 1;
    if (dot == std::string::npos) out += '.';
    if (digits < 6) out.append(6 - digits, '0');
    const std::string offset = text.substr(tz);
    if (offset.empty()) return out;  // timestamp without time zone: no offset to write
    if (offset == "+00") return out + 'Z';
    return offset.size() == 3 ? out + offset + ":00" : out + offset;
}

void Value::badCast(const char* wanted) const {
    throw Poco::BadCastException(std::string("database value of kind ") + kindName(kind_) + " ('" +
                                 text_.substr(0, 40) + "') cannot be read as " + wanted);
}

std::int64_t Value::asInt64() const {
    if (kind_ == Kind::Bool) return asBool() ? 1 : 0;
    if (kind_ != Kind::Int && kind_ != Kind::Numeric && kind_ != Kind::Text) badCast("int64");
    std::int64_t out = 0;
    auto res = std::from_chars(text_.data(), text_.data() + text_.size(), out);
    if (res.ec != std::errc() || res.ptr != text_.data() + text_.size()) badCast("int64");
    return out;
}

double Value::asDouble() const {
    if (kind_ != Kind::Int && kind_ != Kind::Float && kind_ != Kind::Numeric && kind_ != Kind::Text) badCast("double");
    if (text_ == "NaN") return std::nan("");
    if (text_ == "Infinity") return HUGE_VAL;
    if (text_ == "-Infinity") return -HUGE_VAL;
    double out = 0;
    auto res = std::from_chars(text_.data(), text_.data() + text_.size(), out);
    if (res.ec != std::errc() || res.ptr != text_.data() + text_.size()) badCast("double");
    return out;
}

bool Value::asBool() const {
    if (kind_ == Kind::Bool || kind_ == Kind::Text) {
        if (text_ == "t" || text_ == "true") return true;
        if (text_ == "f" || text_ == "false") return false;
    }
    if (kind_ == Kind::Int) return asInt64() != 0;
    badCast("bool");
}

std::string Value::asString() const {
    if (kind_ == Kind::Null) badCast("string");
    return text_;
}

std::string Value::asNumeric() const {
    if (kind_ != Kind::Numeric && kind_ != Kind::Int && kind_ != Kind::Float) badCast("numeric");
    return text_;
}

std::string Value::asJson() const {
    if (kind_ != Kind::Json) badCast("json");
    return text_;
}

std::string Value::asTimestamp() const {
    if (kind_ != Kind::Timestamp) badCast("timestamp");
    return text_;
}

std::string Value::toJson() const {
    std::string out;
    appendJson(out);
    return out;
}

Value::JsonShape Value::jsonShape() const noexcept {
    switch (kind_) {
    case Kind::Null:
        return JsonShape::Null;
    case Kind::Bool:
        return JsonShape::Bool;
    case Kind::Int:
        return JsonShape::Integer;
    case Kind::Float:
        return isSpecialFloat(text_) ? JsonShape::String : JsonShape::Float;
    case Kind::Json:
        return JsonShape::Json;
    case Kind::Numeric:
    case Kind::Text:
    case Kind::Timestamp:
        return JsonShape::String;
    }
    return JsonShape::Null;
}

void Value::appendJson(std::string& out) const {
    switch (jsonShape()) {
    case JsonShape::Null:
        out += "null";
        return;
    case JsonShape::Bool:
        out += asBool() ? "true" : "false";
        return;
    case JsonShape::Integer:
    case JsonShape::Float:
    case JsonShape::Json:
        out += text_;
        return;
    case JsonShape::String:
        appendJsonQuoted(out, text_);
        return;
    }
}

}  // namespace zt::db
