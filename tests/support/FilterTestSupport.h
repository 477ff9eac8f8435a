#pragma once
// Helpers shared by the filter suites: exchanges, temp dirs, keys made by the openssl CLI at test
// time (never committed) and PyJWT (Debian's python3-jwt) as an independent JWT implementation.
#include <map>
#include <string>
#include <vector>

#include <cppunit/extensions/HelperMacros.h>

#include "config/ConfigError.h"
#include "support/TestSupport.h"
#include "http/Exchange.h"

namespace zt::test::filters {

/// A request as the HTTP layer would build it (header names lower-cased by HeaderList).
http::Exchange makeExchange(const std::string& method, const std::string& path,
                            const std::vector<std::pair<std::string, std::string>>& headers = {});

/// Temp folders come from the shared test support (removed with their content).
using zt::test::TempDir;

struct CommandResult {
    int status = -1;
    std::string output;  ///< stdout (stderr is merged when the command says 2>&1)
};
/// Runs a shell command with popen.
CommandResult run(const std::string& command);
/// Single-quotes a string for /bin/sh.
std::string shellQuote(const std::string& s);

/// Keys generated once per test process with the openssl CLI, in a temp dir.
struct TestKeys {
    std::string rsaPrivate, rsaPublic;  ///< RSA 2048
    std::string otherRsaPrivate, otherRsaPublic;
    std::string ecPrivate, ecPublic;  ///< P-256
    std::string ec384Public;          ///< P-384 (not usable for ES256)
    std::string rsa1024Public;        ///< too small for RS256
    std::string notAKey;              ///< a text file
};
const TestKeys& keys();

/// The interpreter that has Debian's python3-jwt (not a pyenv shim without it).
const std::string& systemPython();

/// PyJWT: jwt.encode(json.loads(payloadJson), <content of keyFile>, algorithm=alg, headers=extraHeadersJson).
/// Throws CppUnit failures when python fails.
std::string pyJwtEncode(const std::string& payloadJson, const std::string& keyFile, const std::string& alg,
                        const std::string& extraHeadersJson = "{}");

/// PyJWT: jwt.decode(token, <content of keyFile>, algorithms=[alg], audience/issuer when set).
/// Returns "OK " + json.dumps(claims, sort_keys=True) or "ERR <exception class>: <message>".
std::string pyJwtDecode(const std::string& token, const std::string& keyFile, const std::string& alg,
                        const std::string& audience = "", const std::string& issuer = "");

/// Runs `build` and asserts it throws config::ConfigError whose message contains `mustMention`.
template <typename F>
void expectConfigError(const std::string& mustMention, F&& build) {
    try {
        build();
    } catch (const config::ConfigError& e) {
        CPPUNIT_ASSERT_MESSAGE(e.message(), e.message().find(mustMention) != std::string::npos);
        return;
    }
    CPPUNIT_FAIL("expected ConfigError mentioning " + mustMention);
}

/// The JSON error code in a JSON error body (docs/HTTP.md) ("" when the body is not one).
std::string errorCode(const http::Exchange& exchange);

}  // namespace zt::test::filters
