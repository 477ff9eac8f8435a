#pragma once
// `zintrust-host token`: prints a JWT that the host's own jwt strategy accepts, signed with the
// key the host is configured with, so an operator can call a jwt service (README: Tokens) without
// a JWT library of their own.
//
//   zintrust-host token --sub NAME [--ttl 1h] [--aud AUD] [--iss ISS] [--key FILE] [--env-file FILE]
//
// HS256 with SERVICE_JWT_SECRET by default; `--key` signs RS256 or ES256 with a PEM private key
// (the host itself holds only the public key, SERVICE_JWT_PUBLIC_KEY_FILE). `iss`/`aud` default to
// SERVICE_JWT_ISSUER/SERVICE_JWT_AUDIENCE, the values the host requires when they are set.
#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "config/EnvConfig.h"

namespace zt::app {

struct TokenRequest {
    std::string subject;                  ///< --sub (required)
    std::chrono::seconds ttl{3600};       ///< --ttl, default 1h
    std::optional<std::string> audience;  ///< --aud; unset: SERVICE_JWT_AUDIENCE
    std::optional<std::string> issuer;    ///< --iss; unset: SERVICE_JWT_ISSUER
    std::string privateKeyFile;           ///< --key: RS256/ES256 instead of HS256
    std::string envFile;                  ///< --env-file
    bool help = false;                    ///< --help
};

/// Parses the arguments after `token`. Throws config::ConfigError naming the option on bad input.
TokenRequest parseTokenArguments(const std::vector<std::string>& args);

/// "90", "90s", "15m", "1h", "7d" -> seconds (1 s .. 366 d). Throws config::ConfigError naming
/// --ttl otherwise.
std::chrono::seconds parseTokenTtl(const std::string& text);

/// Signs the token for `request` with the key `env` configures (or request.privateKeyFile).
/// Throws config::ConfigError naming the variable or option when no usable key is there.
std::string issueToken(const TokenRequest& request, const config::EnvLookup& env);

/// The whole command: argv after `token`; prints the token (or the help) on `out`, errors on
/// `err`. Returns the exit status: 0, or 2 for bad usage or configuration.
int runTokenCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace zt::app
