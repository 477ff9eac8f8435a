#include "support/FilterTestSupport.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cppunit/extensions/HelperMacros.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sys/wait.h>
#include <unistd.h>

namespace zt::test::filters {

http::Exchange makeExchange(const std::string& method, const std::string& path,
                            const std::vector<std::pair<std::string, std::string>>& headers) {
    http::Exchange ex;
    ex.serviceName = "users";
    ex.request.method = method;
    ex.request.path = path;
    ex.request.remoteAddress = "127.0.0.1:50000";
    for (const auto& [name, value] : headers) ex.request.headers.add(name, value);
    return ex;
}

std::string shellQuote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

CommandResult run(const std::string& command) {
    CommandResult result;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return result;
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) result.output.append(buf, n);
    int rc = ::pclose(pipe);
    result.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return result;
}

const std::string& systemPython() {
    static const std::string python = [] {
        // pyenv shims may come first in PATH; Debian's python3-jwt lives with /usr/bin/python3.
        for (const char* candidate : {"/usr/bin/python3", "python3"}) {
            if (run(std::string(candidate) + " -c 'import jwt, cryptography' 2>/dev/null").status == 0) {
                return std::string(candidate);
            }
        }
        return std::string("/usr/bin/python3");
    }();
    return python;
}

const TestKeys& keys() {
    static TempDir dir;
    static const TestKeys k = [] {
        TestKeys t;
        auto file = [](const std::string& name) { return dir.path() + "/" + name; };
        auto gen = [](const std::string& cmd) {
            CommandResult r = run(cmd + " 2>&1");
            if (r.status != 0) throw std::runtime_error("openssl failed: " + cmd + "\n" + r.output);
        };
        t.rsaPrivate = file("rsa.key");
        t.rsaPublic = file("rsa.pub.pem");
        t.otherRsaPrivate = file("rsa2.key");
        t.otherRsaPublic = file("rsa2.pub.pem");
        t.ecPrivate = file("ec.key");
        t.ecPublic = file("ec.pub.pem");
        t.ec384Public = file("ec384.pub.pem");
        t.rsa1024Public = file("rsa1024.pub.pem");
        gen("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " + t.rsaPrivate);
        gen("openssl pkey -in " + t.rsaPrivate + " -pubout -out " + t.rsaPublic);
        gen("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " + t.otherRsaPrivate);
        gen("openssl pkey -in " + t.otherRsaPrivate + " -pubout -out " + t.otherRsaPublic);
        gen("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + t.ecPrivate);
        gen("openssl pkey -in " + t.ecPrivate + " -pubout -out " + t.ecPublic);
        gen("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out " + file("ec384.key"));
        gen("openssl pkey -in " + file("ec384.key") + " -pubout -out " + t.ec384Public);
        gen("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out " + file("rsa1024.key"));
        gen("openssl pkey -in " + file("rsa1024.key") + " -pubout -out " + t.rsa1024Public);
        t.notAKey = dir.write("not-a-key.pem", "hello, this is not a PEM file\n");
        return t;
    }();
    return k;
}

std::string pyJwtEncode(const std::string& payloadJson, const std::string& keyFile, const std::string& alg,
                        const std::string& extraHeadersJson) {
    const std::string script =
        "import jwt, json, sys\n"
        "key = open(sys.argv[2], 'rb').read()\n"
        "if sys.argv[3] == 'HS256': key = key.decode()\n"
        "t = jwt.encode(json.loads(sys.argv[1]), key, algorithm=sys.argv[3], headers=json.loads(sys.argv[4]))\n"
        "print(t if isinstance(t, str) else t.decode())\n";
    CommandResult r = run(systemPython() + " -c " + shellQuote(script) + " " + shellQuote(payloadJson) + " " +
                          shellQuote(keyFile) + " " + alg + " " + shellQuote(extraHeadersJson) + " 2>&1");
    CPPUNIT_ASSERT_EQUAL_MESSAGE("python3-jwt encode failed: " + r.output, 0, r.status);
    while (!r.output.empty() && (r.output.back() == '\n' || r.output.back() == '\r')) r.output.pop_back();
    return r.output;
}

std::string pyJwtDecode(const std::string& token, const std::string& keyFile, const std::string& alg,
                        const std::string& audience, const std::string& issuer) {
    const std::string script =
        "import jwt, json, sys\n"
        "key = open(sys.argv[2], 'rb').read()\n"
        "if sys.argv[3] == 'HS256': key = key.decode()\n"
        "kw = {}\n"
        "if sys.argv[4]: kw['audience'] = sys.argv[4]\n"
        "if sys.argv[5]: kw['issuer'] = sys.argv[5]\n"
        "try:\n"
        "    c = jwt.decode(sys.argv[1], key, algorithms=[sys.argv[3]], **kw)\n"
        "    print('OK ' + json.dumps(c, sort_keys=True))\n"
        "except Exception as e:\n"
        "    print('ERR %s: %s' % (type(e).__name__, e))\n";
    CommandResult r =
        run(systemPython() + " -c " + shellQuote(script) + " " + shellQuote(token) + " " + shellQuote(keyFile) + " " +
            alg + " " + shellQuote(audience) + " " + shellQuote(issuer) + " 2>&1");
    CPPUNIT_ASSERT_EQUAL_MESSAGE("python3 failed: " + r.output, 0, r.status);
    while (!r.output.empty() && (r.output.back() == '\n' || r.output.back() == '\r')) r.output.pop_back();
    return r.output;
}

std::string errorCode(const http::Exchange& exchange) {
    try {
        Poco::JSON::Parser parser;
        auto root = parser.parse(exchange.response.body).extract<Poco::JSON::Object::Ptr>();
        auto error = root->getObject("error");
        if (!error || !error->has("message")) return "";
        return error->getValue<std::string>("code");
    } catch (...) {
        return "";
    }
}

}  // namespace zt::test::filters
