#include "support/TestSupport.h"

#include <cppunit/extensions/HelperMacros.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Poco/Base64Encoder.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <Poco/File.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>
#include <Poco/TemporaryFile.h>

#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <mutex>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace zt::test {

const char* const kTestApiKey = "test-api-key-0123456789abcdef";
const char* const kTestJwtSecret = "test-jwt-secret-that-is-at-least-32-bytes-long";

TempDir::TempDir() {
    char tmpl[] = "/tmp/zt-test.XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& relative, const std::string& content) const {
    std::filesystem::path p = std::filesystem::path(path_) / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    out << content;
    return p.string();
}

int freePort() {
    // The kernel may hand the same free port out twice in a row once the probe socket closed;
    // a test that asked for two ports must get two, so no port is returned twice per process.
    static std::mutex mutex;
    static std::set<int> given;
    std::lock_guard<std::mutex> lock(mutex);
    for (;;) {
        Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
        const int port = s.address().port();
        if (given.insert(port).second) return port;
    }
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string HttpResult::header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
}

HttpResult httpRequest(const std::string& method, int port, const std::string& path, const std::string& body,
                       const std::map<std::string, std::string>& headers, int timeoutMs) {
    HttpResult r;
    try {
        Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
        session.setTimeout(Poco::Timespan(static_cast<long>(timeoutMs) * 1000));
        Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
        for (const auto& [n, v] : headers) req.set(n, v);
        if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
            req.setContentLength(static_cast<std::streamsize>(body.size()));
            if (!req.has("Content-Type")) req.setContentType("application/json");
        }
        session.sendRequest(req) << body;
        Poco::Net::HTTPResponse resp;
        std::istream& in = session.receiveResponse(resp);
        r.status = resp.getStatus();
        for (const auto& [n, v] : resp) {
            std::string lower = n;
            for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            r.headers[lower] = v;
        }
        Poco::StreamCopier::copyToString(in, r.body);
    } catch (const Poco::Exception& e) {
        r.status = 0;
        r.error = e.displayText();
    }
    return r;
}

namespace {
char** makeEnv(const std::map<std::string, std::string>& env, std::vector<std::string>& storage,
               std::vector<char*>& ptrs) {
    storage.clear();
    for (const auto& [k, v] : env) storage.push_back(k + "=" + v);
    if (!env.count("PATH"))
        storage.push_back(std::string("PATH=") + (getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin"));
    ptrs.clear();
    for (auto& s : storage) ptrs.push_back(s.data());
    ptrs.push_back(nullptr);
    return ptrs.data();
}

pid_t spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
            const std::string& outputFile) {
    std::vector<std::string> envStorage;
    std::vector<char*> envPtrs;
    char** envp = makeEnv(env, envStorage, envPtrs);
    std::vector<char*> args;
    std::vector<std::string> argStorage(argv);
    for (auto& a : argStorage) args.push_back(a.data());
    args.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        int fd = ::open(outputFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            ::close(fd);
        }
        // The test runner may have signals blocked; the child must start with a clean mask.
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execve(args[0], args.data(), envp);
        ::_exit(127);
    }
    return pid;
}

bool waitFor(pid_t pid, int timeoutMs, int& status) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    while (true) {
        int st = 0;
        pid_t r = ::waitpid(pid, &st, WNOHANG);
        if (r == pid) {
            status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            return true;
        }
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}
}  // namespace

int runCommand(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env, std::string& output,
               int timeoutMs) {
    TempDir dir;
    std::string out = dir.path() + "/output";
    pid_t pid = spawn(argv, env, out);
    int status = -1;
    if (!waitFor(pid, timeoutMs, status)) {
        ::kill(pid, SIGKILL);
        waitFor(pid, 5000, status);
        status = -1;
    }
    output = readFile(out);
    return status;
}

ExampleServices::ExampleServices(const std::vector<std::string>& names) {
    for (const auto& name : names) {
        std::string src = std::string(ZT_TEST_SERVICES_DIR) + "/ecommerce/" + name + "/service.config.json";
        std::string json = readFile(src);
        if (json.empty()) throw std::runtime_error("cannot read " + src);
        int port = freePort();
        ports[name] = port;
        json = std::regex_replace(json, std::regex("\"port\"\\s*:\\s*[0-9]+"), "\"port\": " + std::to_string(port));
        dir.write("ecommerce/" + name + "/service.config.json", json);
        std::filesystem::path migrations =
            std::filesystem::path(ZT_TEST_SERVICES_DIR) / "ecommerce" / name / "migrations";
        if (std::filesystem::exists(migrations)) {
            std::filesystem::copy(migrations, std::filesystem::path(dir.path()) / "ecommerce" / name / "migrations",
                                  std::filesystem::copy_options::recursive);
        }
    }
}

HostProcess::HostProcess(std::map<std::string, std::string> env, int adminPort, int readyTimeoutMs) {
    logFile_ = logDir_.path() + "/host.log";
    pid_ = spawn({ZT_TEST_HOST_BINARY}, env, logFile_);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(readyTimeoutMs);
    while (std::chrono::steady_clock::now() < deadline) {
        if (!running()) return;
        if (httpRequest("GET", adminPort, "/health", "", {}, 500).status == 200) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

HostProcess::~HostProcess() {
    if (!exited_) terminate(5000);
}

bool HostProcess::running() {
    if (exited_) return false;
    int status = 0;
    if (waitFor(pid_, 0, status)) {
        exited_ = true;
        exitStatus_ = status;
        return false;
    }
    return true;
}

int HostProcess::terminate(int timeoutMs) {
    if (exited_) return exitStatus_;
    ::kill(pid_, SIGTERM);
    int status = -1;
    if (!waitFor(pid_, timeoutMs, status)) {
        ::kill(pid_, SIGKILL);
        waitFor(pid_, 5000, status);
        status = -1;
    }
    exited_ = true;
    exitStatus_ = status;
    return status;
}

std::string HostProcess::log() const { return readFile(logFile_); }

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env)
    : logFile_(logDir_.path() + "/output") {
    pid_ = spawn(argv, env, logFile_);
}

ChildProcess::~ChildProcess() {
    if (exited_) return;
    ::kill(pid_, SIGTERM);
    int status = -1;
    if (!waitFor(pid_, 5000, status)) {
        ::kill(pid_, SIGKILL);
        waitFor(pid_, 5000, status);
    }
}

bool ChildProcess::running() {
    if (exited_) return false;
    int status = 0;
    if (waitFor(pid_, 0, status)) exited_ = true;
    return !exited_;
}

std::string ChildProcess::log() const { return readFile(logFile_); }

TestPostgres TestPostgres::fromEnvironment() {
    const char* host = std::getenv("ZT_TEST_PG_HOST");
    const char* port = std::getenv("ZT_TEST_PG_PORT");
    const char* user = std::getenv("ZT_TEST_PG_USER");
    const char* password = std::getenv("ZT_TEST_PG_PASSWORD");
    if (!host || !port || !user || !password) {
        throw std::runtime_error(
            "ZT_TEST_PG_HOST/PORT/USER/PASSWORD are not set: run the suites through ./scripts/test, "
            "which starts a private PostgreSQL");
    }
    return TestPostgres{host, std::atoi(port), user, password};
}

namespace {
PGconn* connectTo(const TestPostgres& pg, const std::string& db) {
    std::string conninfo = "host=" + pg.host + " port=" + std::to_string(pg.port) + " user=" + pg.user +
                           " password=" + pg.password + " dbname=" + db + " connect_timeout=5";
    PGconn* conn = PQconnectdb(conninfo.c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
        std::string err = PQerrorMessage(conn);
        PQfinish(conn);
        throw std::runtime_error("cannot connect to test PostgreSQL: " + err);
    }
    return conn;
}
}  // namespace

void TestPostgres::exec(const std::string& db, const std::string& sql) const {
    PGconn* conn = connectTo(*this, db);
    PGresult* r = PQexec(conn, sql.c_str());
    auto status = PQresultStatus(r);
    std::string err = PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(conn);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) throw std::runtime_error(sql + ": " + err);
}

std::string TestPostgres::scalar(const std::string& db, const std::string& sql) const {
    PGconn* conn = connectTo(*this, db);
    PGresult* r = PQexec(conn, sql.c_str());
    auto status = PQresultStatus(r);
    std::string value = status == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
    std::string err = PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(conn);
    if (status != PGRES_TUPLES_OK) throw std::runtime_error(sql + ": " + err);
    return value;
}

std::string TestPostgres::loginError(const std::string& db, const std::string& role,
                                     const std::string& password) const {
    std::string conninfo = "host=" + host + " port=" + std::to_string(port) + " dbname=" + db + " user=" + role +
                           " password=" + password + " connect_timeout=5";
    PGconn* conn = PQconnectdb(conninfo.c_str());
    const bool ok = PQstatus(conn) == CONNECTION_OK;
    std::string err = ok ? "" : PQerrorMessage(conn);
    PQfinish(conn);
    return ok ? "" : (err.empty() ? "failed" : err);
}

TestDatabase::TestDatabase() : pg_(TestPostgres::fromEnvironment()) {
    static std::atomic<int> counter{0};
    name_ = "zt_e2e_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    pg_.exec("postgres", "CREATE DATABASE " + name_);
}

TestDatabase::~TestDatabase() {
    try {
        std::string list = pg_.scalar("postgres", "SELECT string_agg(datname, ',') FROM pg_database WHERE datname = '" +
                                                      name_ + "' OR datname LIKE '" + name_ + "\\_%'");
        std::stringstream ss(list);
        std::string db;
        while (std::getline(ss, db, ',')) {
            if (!db.empty()) pg_.exec("postgres", "DROP DATABASE IF EXISTS \"" + db + "\" WITH (FORCE)");
        }
    } catch (...) {
        // the server may already be gone at the end of a failed run
    }
}

std::string TestDatabase::url() const {
    return "postgresql://" + pg_.user + ":" + pg_.password + "@" + pg_.host + ":" + std::to_string(pg_.port) + "/" +
           name_;
}

TestPluginFolder::TestPluginFolder() {
    for (const auto* folder : {ZT_TEST_PLUGIN_DIR, ZT_TEST_BROKEN_PLUGIN_DIR}) {
        for (const auto& entry : std::filesystem::directory_iterator(folder)) {
            std::filesystem::create_symlink(entry.path(), std::filesystem::path(dir.path()) / entry.path().filename());
        }
    }
}

void assertContains(const std::string& haystack, const std::string& needle) {
    CPPUNIT_ASSERT_MESSAGE("expected '" + needle + "' in: " + haystack, haystack.find(needle) != std::string::npos);
}

std::map<std::string, std::string> hostEnv(const ExampleServices& services, int adminPort,
                                           const std::string& pluginDir) {
    return {
        {"DATABASE_URL", services.database.url()},
        {"ZT_SERVICES_DIR", services.dir.path()},
        {"ZT_PLUGIN_DIR", pluginDir.empty() ? std::string(ZT_TEST_PLUGIN_DIR) : pluginDir},
        {"ADMIN_PORT", std::to_string(adminPort)},
        {"ZT_BIND_ADDRESS", "127.0.0.1"},
        {"SERVICE_API_KEY", kTestApiKey},
        {"SERVICE_JWT_SECRET", kTestJwtSecret},
        {"LOG_LEVEL", "information"},
    };
}

namespace {
std::string base64url(const std::string& in) {
    std::ostringstream os;
    Poco::Base64Encoder enc(os, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
    enc.rdbuf()->setLineLength(0);
    enc << in;
    enc.close();
    return os.str();
}
}  // namespace

std::string testJwt(const std::string& subject) {
    long long now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::string header = base64url(R"({"alg":"HS256","typ":"JWT"})");
    std::string payload =
        base64url("{\"sub\":\"" + subject + "\",\"serviceName\":\"tests\",\"iat\":" + std::to_string(now) +
                  ",\"exp\":" + std::to_string(now + 3600) + "}");
    std::string signingInput = header + "." + payload;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int macLen = 0;
    HMAC(EVP_sha256(), kTestJwtSecret, static_cast<int>(std::strlen(kTestJwtSecret)),
         reinterpret_cast<const unsigned char*>(signingInput.data()), signingInput.size(), mac, &macLen);
    return signingInput + "." + base64url(std::string(reinterpret_cast<char*>(mac), macLen));
}

}  // namespace zt::test
