#pragma once
// Strict base64url (RFC 4648 §5, no padding) as JWS compact serialization requires (RFC 7515 §2).
//
// Why not Poco::Base64Decoder: it skips characters it does not know and accepts padding, so two
// different strings could decode to the same bytes. A verifier must see exactly one encoding per
// value: we refuse '=', '+', '/', whitespace, an impossible length and non-zero trailing bits.
#include <optional>
#include <string>
#include <string_view>

namespace zt::jwt {

/// Encodes bytes as base64url without padding.
std::string base64UrlEncode(std::string_view bytes);

/// Decodes canonical unpadded base64url; nullopt for anything else.
std::optional<std::string> base64UrlDecode(std::string_view text);

}  // namespace zt::jwt
