#pragma once
// Shared by the libFuzzer targets of tests/fuzz (see README.md there).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace zt::fuzz {

/// Reports a broken property (with the input's size) and aborts, so libFuzzer records a crash.
[[noreturn]] void fail(const std::string& what);
/// fail() unless `condition` holds.
inline void check(bool condition, const std::string& what) {
    if (!condition) fail(what);
}

/// Aborts with the exception's dynamic type and message: for exceptions the code under test
/// documents it never throws (an escaping exception is a contract violation, not a rejection).
[[noreturn]] void unexpectedException();

/// A private folder made once per process (mkdtemp under $TMPDIR or /tmp), removed at exit.
const std::string& tempDir();
/// Writes `content` to <tempDir()>/<name> and returns the path.
std::string writeTempFile(const std::string& name, std::string_view content);

/// Key pairs generated at start-up with OpenSSL into tempDir() (never committed).
struct Keys {
    std::string rsaPrivate, rsaPublic;  ///< RSA 2048, PEM
    std::string ecPrivate, ecPublic;    ///< EC P-256, PEM
};
const Keys& keys();

/// The fixed HS256 secret the targets use (also in the seed tokens of the corpus).
inline constexpr const char* kHmacSecret = "zt-fuzz-hs256-secret-0123456789abcdef";
/// The fixed API keys of the api-key chain (also in the seed corpus).
inline constexpr const char* kApiKey = "zt-fuzz-api-key-0123456789";
inline constexpr const char* kOtherApiKey = "zt-fuzz-rotated-key-abcdef";

/// Silences Poco logging (root logger -> NullChannel) while keeping every level enabled, so the
/// code that formats log lines still runs. Call before any Logger is created.
void quietLogging();

/// true when `text` is a JSON document Poco's parser accepts.
bool isJson(const std::string& text);

}  // namespace zt::fuzz
