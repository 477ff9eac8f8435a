#include "FuzzSupport.h"

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/NullChannel.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <stdexcept>
#include <typeinfo>
#include <vector>

namespace zt::fuzz {

void fail(const std::string& what) {
    std::fprintf(stderr, "\n*** zt fuzz property violated: %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

void unexpectedException() {
    try {
        throw;
    } catch (const Poco::Exception& e) {
        fail(std::string("unexpected exception ") + typeid(e).name() + ": " + e.displayText());
    } catch (const std::exception& e) {
        fail(std::string("unexpected exception ") + typeid(e).name() + ": " + e.what());
    } catch (...) {
        fail("unexpected exception of unknown type");
    }
}

namespace {
void removeTempDir();

std::string makeTempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/zt-fuzz.XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data())) fail("mkdtemp failed for " + pattern);
    std::atexit(removeTempDir);
    return buf.data();
}

void removeTempDir() {
    try {
        Poco::File(tempDir()).remove(true);
    } catch (...) {
    }
}

void writePem(const std::string& path, EVP_PKEY* key, bool isPrivate) {
    FILE* f = std::fopen(path.c_str(), "w");
    if (!f) fail("cannot write " + path);
    int ok = isPrivate ? PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) : PEM_write_PUBKEY(f, key);
    std::fclose(f);
    if (ok != 1) fail("PEM write failed for " + path);
}

Keys generateKeys() {
    Keys k;
    const std::string dir = tempDir();
    EVP_PKEY* rsa = EVP_RSA_gen(2048);
    EVP_PKEY* ec = EVP_EC_gen("P-256");
    if (!rsa || !ec) fail("OpenSSL key generation failed");
    k.rsaPrivate = dir + "/rsa-private.pem";
    k.rsaPublic = dir + "/rsa-public.pem";
    k.ecPrivate = dir + "/ec-private.pem";
    k.ecPublic = dir + "/ec-public.pem";
    writePem(k.rsaPrivate, rsa, true);
    writePem(k.rsaPublic, rsa, false);
    writePem(k.ecPrivate, ec, true);
    writePem(k.ecPublic, ec, false);
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ec);
    return k;
}
}  // namespace

const std::string& tempDir() {
    // Never destroyed: removeTempDir runs from atexit, after function-local statics may be gone.
    static const std::string* dir = new std::string(makeTempDir());
    return *dir;
}

std::string writeTempFile(const std::string& name, std::string_view content) {
    std::string path = tempDir() + "/" + name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) fail("cannot write " + path);
    return path;
}

const Keys& keys() {
    static const Keys k = generateKeys();
    return k;
}

void quietLogging() {
    Poco::Logger::root().setChannel(Poco::AutoPtr<Poco::Channel>(new Poco::NullChannel));
    Poco::Logger::root().setLevel(Poco::Message::PRIO_TRACE);
}

bool isJson(const std::string& text) {
    try {
        Poco::JSON::Parser parser;
        parser.parse(text);
        return true;
    } catch (const Poco::Exception&) {
        return false;
    }
}

}  // namespace zt::fuzz
