#pragma once
// The cryptography of JWS HS256 / RS256 / ES256 (RFC 7518 §3), shared by JwtVerifier and
// JwtSigner so both sides use exactly the same encoding (ES256 signatures are the raw 64-byte
// r||s JOSE form, not OpenSSL's DER).
//
// Plain OpenSSL 3 EVP calls: EVP_PKEY objects are read-only after loading and safe to share
// between threads; every call makes its own EVP_MD_CTX.
#include <openssl/evp.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace zt::jwt {

using PKeyPtr = std::shared_ptr<EVP_PKEY>;

/// Reads a PEM public key ("BEGIN PUBLIC KEY", SubjectPublicKeyInfo) or the key of a PEM certificate.
/// Returns null and sets `error` when the file is unreadable or holds no public key.
PKeyPtr loadPublicKeyPem(const std::string& path, std::string& error);

/// Reads an unencrypted PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC).
PKeyPtr loadPrivateKeyPem(const std::string& path, std::string& error);

/// The JWS algorithm a key can serve: "RS256" for RSA >= 2048 bits, "ES256" for EC P-256;
/// empty and `error` set for anything else.
std::string jwsAlgorithmForKey(EVP_PKEY* key, std::string& error);

/// Signs `signingInput` ("<b64 header>.<b64 payload>"); returns the raw signature bytes, or
/// nullopt when the algorithm/key pair is unusable. HS256 uses `secret`, the others `key`.
std::optional<std::string> jwsSign(std::string_view alg, std::string_view secret, EVP_PKEY* key,
                                   std::string_view signingInput);

/// Checks a raw signature. HMAC is compared in constant time (CRYPTO_memcmp).
bool jwsVerify(std::string_view alg, std::string_view secret, EVP_PKEY* key, std::string_view signingInput,
               std::string_view signature);

}  // namespace zt::jwt
