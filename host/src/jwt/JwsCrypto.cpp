#include "jwt/JwsCrypto.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>
#include <vector>

namespace zt::jwt {

namespace {
constexpr std::size_t kEs256PartBytes = 32;  // P-256: r and s are 32 bytes each

struct BioFree {
    void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct SigFree {
    void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};
struct X509Free {
    void operator()(X509* x) const { X509_free(x); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using SigPtr = std::unique_ptr<ECDSA_SIG, SigFree>;

PKeyPtr wrap(EVP_PKEY* key) {
    return PKeyPtr(key, [](EVP_PKEY* k) { EVP_PKEY_free(k); });
}

std::string lastOpenSslError() {
    unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e == 0) return "no key found";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

BioPtr openFile(const std::string& path, std::string& error) {
    BioPtr bio(BIO_new_file(path.c_str(), "r"));
    if (!bio) error = "cannot read '" + path + "'";
    return bio;
}

// JOSE r||s (fixed 64 bytes) -> DER ECDSA-Sig-Value for OpenSSL.
std::optional<std::string> joseToDer(std::string_view raw) {
    if (raw.size() != 2 * kEs256PartBytes) return std::nullopt;
    const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
    SigPtr sig(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(p, kEs256PartBytes, nullptr);
    BIGNUM* s = BN_bin2bn(p + kEs256PartBytes, kEs256PartBytes, nullptr);
    if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        return std::nullopt;
    }
    int len = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (len <= 0) return std::nullopt;
    std::string der(static_cast<std::size_t>(len), '\0');
    auto* out = reinterpret_cast<unsigned char*>(der.data());
    i2d_ECDSA_SIG(sig.get(), &out);
    return der;
}

// DER -> JOSE r||s, each left-padded to 32 bytes.
std::optional<std::string> derToJose(std::string_view der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    SigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
    if (!sig) return std::nullopt;
    const BIGNUM* r = nullptr;
    const BIGNUM* s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    std::string out(2 * kEs256PartBytes, '\0');
    auto* o = reinterpret_cast<unsigned char*>(out.data());
    if (BN_bn2binpad(r, o, kEs256PartBytes) != static_cast<int>(kEs256PartBytes) ||
        BN_bn2binpad(s, o + kEs256PartBytes, kEs256PartBytes) != static_cast<int>(kEs256PartBytes)) {
        return std::nullopt;
    }
    return out;
}

std::optional<std::string> hmacSha256(std::string_view secret, std::string_view input) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
             reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len) == nullptr) {
        return std::nullopt;
    }
    return std::string(reinterpret_cast<char*>(mac), len);
}

bool keyMatches(std::string_view alg, EVP_PKEY* key) {
    if (key == nullptr) return false;
    std::string ignored;
    return jwsAlgorithmForKey(key, ignored) == alg;
}
}  // namespace

PKeyPtr loadPublicKeyPem(const std::string& path, std::string& error) {
    BioPtr bio = openFile(path, error);
    if (!bio) return nullptr;
    if (EVP_PKEY* key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr)) return wrap(key);
    ERR_clear_error();
    // A certificate is a common way to ship a public key: use the key inside it.
    BIO_reset(bio.get());
    std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (cert) {
        if (EVP_PKEY* key = X509_get_pubkey(cert.get())) return wrap(key);
    }
    error = "'" + path + "' holds no PEM public key or certificate (" + lastOpenSslError() + ")";
    return nullptr;
}

PKeyPtr loadPrivateKeyPem(const std::string& path, std::string& error) {
    BioPtr bio = openFile(path, error);
    if (!bio) return nullptr;
    // An empty passphrase callback result makes encrypted keys fail instead of prompting on a tty.
    auto noPassphrase = [](char*, int, int, void*) -> int { return 0; };
    if (EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr)) return wrap(key);
    error = "'" + path + "' holds no unencrypted PEM private key (" + lastOpenSslError() + ")";
    return nullptr;
}

std::string jwsAlgorithmForKey(EVP_PKEY* key, std::string& error) {
    if (key == nullptr) {
        error = "no key";
        return {};
    }
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
        // RFC 7518 §3.3: RS256 keys must be at least 2048 bits.
        if (EVP_PKEY_get_bits(key) < 2048) {
            error = "RSA key has " + std::to_string(EVP_PKEY_get_bits(key)) + " bits; RS256 needs at least 2048";
            return {};
        }
        return "RS256";
    case EVP_PKEY_EC: {
        char curve[64] = {0};
        std::size_t len = 0;
        if (EVP_PKEY_get_group_name(key, curve, sizeof curve, &len) != 1 || std::strcmp(curve, "prime256v1") != 0) {
            error = std::string("EC key on curve '") + curve + "'; ES256 needs P-256 (prime256v1)";
            return {};
        }
        return "ES256";
    }
    default:
        error = "unsupported key type (only RSA and EC P-256 keys are supported)";
        return {};
    }
}

std::optional<std::string> jwsSign(std::string_view alg, std::string_view secret, EVP_PKEY* key,
                                   std::string_view signingInput) {
    if (alg == "HS256") {
        if (secret.empty()) return std::nullopt;
        return hmacSha256(secret, signingInput);
    }
    if ((alg != "RS256" && alg != "ES256") || !keyMatches(alg, key)) return std::nullopt;
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1) {
        ERR_clear_error();
        return std::nullopt;
    }
    std::size_t len = 0;
    const auto* in = reinterpret_cast<const unsigned char*>(signingInput.data());
    if (EVP_DigestSign(ctx.get(), nullptr, &len, in, signingInput.size()) != 1) {
        ERR_clear_error();
        return std::nullopt;
    }
    std::string sig(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in, signingInput.size()) != 1) {
        ERR_clear_error();
        return std::nullopt;
    }
    sig.resize(len);
    if (alg == "ES256") return derToJose(sig);
    return sig;
}

bool jwsVerify(std::string_view alg, std::string_view secret, EVP_PKEY* key, std::string_view signingInput,
               std::string_view signature) {
    if (alg == "HS256") {
        if (secret.empty()) return false;
        auto expected = hmacSha256(secret, signingInput);
        // The length of an HMAC-SHA256 is public (32); only the bytes are compared in constant time.
        return expected && expected->size() == signature.size() &&
               CRYPTO_memcmp(expected->data(), signature.data(), signature.size()) == 0;
    }
    if ((alg != "RS256" && alg != "ES256") || !keyMatches(alg, key)) return false;
    std::string der;
    std::string_view toCheck = signature;
    if (alg == "ES256") {
        auto converted = joseToDer(signature);
        if (!converted) return false;
        der = std::move(*converted);
        toCheck = der;
    }
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1) {
        ERR_clear_error();
        return false;
    }
    int rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(toCheck.data()), toCheck.size(),
                              reinterpret_cast<const unsigned char*>(signingInput.data()), signingInput.size());
    ERR_clear_error();
    return rc == 1;
}

}  // namespace zt::jwt
