#pragma once
// Helpers shared by the suites: temp folders, free ports, a blocking HTTP client, and a real
// zintrust-host child process.
#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace zt::test {

/// A temporary folder removed (recursively) on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    /// Writes `content` to path()/relative, creating folders.
    std::string write(const std::string& relative, const std::string& content) const;

private:
    std::string path_;
};

/// A TCP port that was free on 127.0.0.1 a moment ago.
int freePort();

std::string readFile(const std::string& path);

struct HttpResult {
    int status = 0;  ///< 0 when the connection failed
    std::string body;
    std::map<std::string, std::string> headers;  ///< names lower-cased
    std::string error;
    std::string header(const std::string& name) const;
};

/// One request on a fresh connection; `timeoutMs` bounds connect and read.
HttpResult httpRequest(const std::string& method, int port, const std::string& path, const std::string& body = "",
                       const std::map<std::string, std::string>& headers = {}, int timeoutMs = 5000);

/// Runs a command, returns its exit status, with stdout+stderr in `output`.
int runCommand(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env, std::string& output,
               int timeoutMs = 30000);

/// The private PostgreSQL that scripts/test starts (ZT_TEST_PG_*). Throws, telling to run
/// ./scripts/test, when the variables are missing: database tests fail, they are never skipped.
struct TestPostgres {
    std::string host;
    int port = 0;
    std::string user;
    std::string password;  ///< ZT_TEST_PG_PASSWORD: the clusters use scram-sha-256, never trust
    static TestPostgres fromEnvironment();
    /// Runs one SQL statement on database `db`; throws with the server's message on failure.
    void exec(const std::string& db, const std::string& sql) const;
    /// First column of the first row of `sql` on `db` ("" when no row).
    std::string scalar(const std::string& db, const std::string& sql) const;
    /// A login to `db` as `role` over TCP (scram-sha-256): "" when it works, else libpq's message.
    std::string loginError(const std::string& db, const std::string& role, const std::string& password) const;
};

/// A fresh database on the test server (plus every "<name>_*" database the host creates from it,
/// e.g. isolated services), dropped on destruction.
class TestDatabase {
public:
    TestDatabase();
    ~TestDatabase();
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;
    const std::string& name() const { return name_; }
    std::string url() const;  ///< postgresql://user:password@host:port/name

private:
    TestPostgres pg_;
    std::string name_;
};

/// A service folder tree with the example configs (and migrations) copied, their ports replaced
/// by free ones, and a fresh database for them.
struct ExampleServices {
    TempDir dir;
    TestDatabase database;
    std::map<std::string, int> ports;  ///< service name -> port
    explicit ExampleServices(const std::vector<std::string>& names = {"users", "orders", "payments"});
};

/// The zintrust-host binary running as a child process.
class HostProcess {
public:
    /// Starts the binary with exactly `env` (plus PATH) and waits until the admin port answers
    /// /health (or the process exits). `adminPort` must be part of env as ADMIN_PORT.
    HostProcess(std::map<std::string, std::string> env, int adminPort, int readyTimeoutMs = 15000);
    ~HostProcess();

    bool running();
    /// Sends SIGTERM and waits; returns the exit status (-1 on timeout, then SIGKILL).
    int terminate(int timeoutMs = 15000);
    std::string log() const;  ///< everything the host printed so far
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
    int exitStatus_ = -1;
    bool exited_ = false;
    TempDir logDir_;
    std::string logFile_;
};

/// Any program as a child process (a real peer such as prometheus), its output in a file.
/// SIGTERM, then SIGKILL after 5 s, on destruction.
class ChildProcess {
public:
    /// `argv[0]` is an absolute path; `env` as for runCommand (PATH added when missing).
    ChildProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    bool running();
    std::string log() const;  ///< everything it printed so far

private:
    pid_t pid_ = -1;
    bool exited_ = false;
    TempDir logDir_;
    std::string logFile_;
};

/// A plugin folder with the example plugins and the test plugins (broken, probes), as symlinks.
struct TestPluginFolder {
    TempDir dir;
    TestPluginFolder();
    const std::string& path() const { return dir.path(); }
};

/// Environment for an example-services host: dirs, admin port, test credentials. `pluginDir`
/// replaces the example plugin folder (e.g. a TestPluginFolder).
std::map<std::string, std::string> hostEnv(const ExampleServices& services, int adminPort,
                                           const std::string& pluginDir = "");

/// CppUnit assertion that `haystack` contains `needle` (shows both on failure).
void assertContains(const std::string& haystack, const std::string& needle);

/// The credentials hostEnv() configures, for requests to the example services.
extern const char* const kTestApiKey;
extern const char* const kTestJwtSecret;
/// An HS256 token for kTestJwtSecret with sub=`subject`, exp in one hour.
std::string testJwt(const std::string& subject);

}  // namespace zt::test
