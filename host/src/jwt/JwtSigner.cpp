#include "jwt/JwtSigner.h"

#include <Poco/Exception.h>

#include <ctime>
#include <sstream>

#include "config/ConfigError.h"
#include "jwt/Base64Url.h"

namespace zt::jwt {

namespace {
std::string stringify(const Poco::JSON::Object& object) {
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}
}  // namespace

JwtSigner::JwtSigner(std::string algorithm, std::string secret, PKeyPtr key)
    : algorithm_(std::move(algorithm)), secret_(std::move(secret)), key_(std::move(key)) {}

JwtSigner JwtSigner::hs256(std::string secret) {
    if (secret.size() < 32) {
        throw config::ConfigError("SERVICE_JWT_SECRET: must be at least 32 bytes for HS256, got " +
                                  std::to_string(secret.size()));
    }
    return JwtSigner("HS256", std::move(secret), nullptr);
}

JwtSigner JwtSigner::fromPrivateKeyFile(const std::string& path, const std::string& variable) {
    std::string error;
    PKeyPtr key = loadPrivateKeyPem(path, error);
    if (!key) throw config::ConfigError(variable + ": " + error);
    std::string alg = jwsAlgorithmForKey(key.get(), error);
    if (alg.empty()) throw config::ConfigError(variable + ": '" + path + "': " + error);
    return JwtSigner(std::move(alg), {}, std::move(key));
}

std::string JwtSigner::sign(const Poco::JSON::Object& claims) const {
    Poco::JSON::Object header;
    header.set("alg", algorithm_);
    header.set("typ", "JWT");
    if (!keyId_.empty()) header.set("kid", keyId_);
    std::string input = base64UrlEncode(stringify(header)) + "." + base64UrlEncode(stringify(claims));
    auto signature = jwsSign(algorithm_, secret_, key_.get(), input);
    if (!signature) throw Poco::RuntimeException("JwtSigner: OpenSSL could not sign with " + algorithm_);
    return input + "." + base64UrlEncode(*signature);
}

Poco::JSON::Object JwtSigner::claimsFor(const std::string& subject, std::chrono::seconds ttl, const std::string& issuer,
                                        const std::string& audience) {
    const auto now = static_cast<Poco::Int64>(std::time(nullptr));
    Poco::JSON::Object claims;
    claims.set("sub", subject);
    claims.set("iat", now);
    claims.set("exp", now + static_cast<Poco::Int64>(ttl.count()));
    if (!issuer.empty()) claims.set("iss", issuer);
    if (!audience.empty()) claims.set("aud", audience);
    return claims;
}

std::string JwtSigner::issueToken(const std::string& subject, std::chrono::seconds ttl, const std::string& issuer,
                                  const std::string& audience) const {
    return sign(claimsFor(subject, ttl, issuer, audience));
}

std::string JwtSigner::issueServiceToken(const std::string& serviceName, std::chrono::seconds ttl,
                                         const std::string& issuer, const std::string& audience) const {
    Poco::JSON::Object claims = claimsFor(serviceName, ttl, issuer, audience);
    claims.set("serviceName", serviceName);
    return sign(claims);
}

}  // namespace zt::jwt
