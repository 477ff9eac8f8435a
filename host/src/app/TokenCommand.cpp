#include "app/TokenCommand.h"

#include <Poco/Exception.h>

#include <ostream>

#include "config/ConfigError.h"
#include "jwt/JwtSigner.h"

namespace zt::app {

namespace {
constexpr int kExitUsage = 2;
constexpr long long kMaxTtlSeconds = 366LL * 24 * 3600;

const char* const kUsage =
    "usage: zintrust-host token --sub NAME [--ttl 1h] [--aud AUD] [--iss ISS]\n"
    "                           [--key FILE] [--env-file FILE]\n"
    "\n"
    "Prints a JWT for the host's jwt services: HS256 with SERVICE_JWT_SECRET, or\n"
    "RS256/ES256 with the PEM private key FILE. --ttl takes 90, 90s, 15m, 1h or 7d\n"
    "(default 1h); --aud and --iss default to SERVICE_JWT_AUDIENCE and\n"
    "SERVICE_JWT_ISSUER. See zintrust-host(1).\n";

std::string value(const std::vector<std::string>& args, std::size_t& i, const std::string& option) {
    // "--opt=value" and "--opt value" both work, as for the host's own --env-file.
    const std::string& a = args[i];
    if (a.size() > option.size() && a.compare(0, option.size() + 1, option + "=") == 0) {
        return a.substr(option.size() + 1);
    }
    if (i + 1 >= args.size()) throw config::ConfigError(option + ": needs a value");
    return args[++i];
}

bool is(const std::string& arg, const std::string& option) { return arg == option || arg.rfind(option + "=", 0) == 0; }
}  // namespace

std::chrono::seconds parseTokenTtl(const std::string& text) {
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    const std::string unit = text.substr(digits);
    long long scale = 0;
    if (unit.empty() || unit == "s") scale = 1;
    else if (unit == "m") scale = 60;
    else if (unit == "h") scale = 3600;
    else if (unit == "d") scale = 86400;
    if (digits == 0 || scale == 0) {
        throw config::ConfigError("--ttl: '" + text + "' is not a duration (90, 90s, 15m, 1h, 7d)");
    }
    if (digits > 9) throw config::ConfigError("--ttl: '" + text + "' is outside 1s..366d");
    const long long seconds = std::stoll(text.substr(0, digits)) * scale;
    if (seconds < 1 || seconds > kMaxTtlSeconds) {
        throw config::ConfigError("--ttl: '" + text + "' is outside 1s..366d");
    }
    return std::chrono::seconds(seconds);
}

TokenRequest parseTokenArguments(const std::vector<std::string>& args) {
    TokenRequest r;
    bool haveSubject = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            r.help = true;
        } else if (is(a, "--sub")) {
            r.subject = value(args, i, "--sub");
            haveSubject = true;
        } else if (is(a, "--ttl")) {
            r.ttl = parseTokenTtl(value(args, i, "--ttl"));
        } else if (is(a, "--aud")) {
            r.audience = value(args, i, "--aud");
        } else if (is(a, "--iss")) {
            r.issuer = value(args, i, "--iss");
        } else if (is(a, "--key")) {
            r.privateKeyFile = value(args, i, "--key");
        } else if (is(a, "--env-file")) {
            r.envFile = value(args, i, "--env-file");
        } else {
            throw config::ConfigError("token: unknown argument '" + a + "'");
        }
    }
    if (!r.help && (!haveSubject || r.subject.empty())) {
        throw config::ConfigError("--sub: required (the token's subject, e.g. --sub alice)");
    }
    return r;
}

std::string issueToken(const TokenRequest& request, const config::EnvLookup& env) {
    auto lookup = [&env](const char* name) { return env(name).value_or(""); };
    std::optional<jwt::JwtSigner> signer;
    if (!request.privateKeyFile.empty()) {
        signer.emplace(jwt::JwtSigner::fromPrivateKeyFile(request.privateKeyFile, "--key"));
    } else if (const std::string secret = lookup("SERVICE_JWT_SECRET"); !secret.empty()) {
        signer.emplace(jwt::JwtSigner::hs256(secret));
    } else if (!lookup("SERVICE_JWT_PUBLIC_KEY_FILE").empty()) {
        throw config::ConfigError(
            "--key: SERVICE_JWT_PUBLIC_KEY_FILE is a public key and cannot sign; pass the matching private "
            "key with --key FILE");
    } else {
        throw config::ConfigError("SERVICE_JWT_SECRET: not set (or pass a PEM private key with --key FILE)");
    }
    return signer->issueToken(request.subject, request.ttl, request.issuer.value_or(lookup("SERVICE_JWT_ISSUER")),
                              request.audience.value_or(lookup("SERVICE_JWT_AUDIENCE")));
}

int runTokenCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    try {
        const TokenRequest request = parseTokenArguments(args);
        if (request.help) {
            out << kUsage;
            return 0;
        }
        if (!request.envFile.empty()) config::loadEnvFile(request.envFile);
        out << issueToken(request, config::processEnvironment()) << "\n";
        return 0;
    } catch (const config::ConfigError& e) {
        err << "zintrust-host token: " << e.message() << "\n" << (args.empty() ? kUsage : "");
        return kExitUsage;
    } catch (const Poco::Exception& e) {
        err << "zintrust-host token: " << e.displayText() << "\n";
        return kExitUsage;
    }
}

}  // namespace zt::app
