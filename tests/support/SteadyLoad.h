#pragma once
// Steady keep-alive load for the e2e suites that must lose no request (reload, crash containment).
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace zt::test {

/// Clients that request `path` on `port` in a loop, each on its own keep-alive connection, and
/// count every answer that is not `expected` and every connection broken mid-request (reset,
/// closed without an answer, timed out).
class SteadyLoad {
public:
    struct Target {
        int port;
        std::string path;
        std::map<std::string, std::string> headers;
        int expected = 200;
    };
    SteadyLoad(std::vector<Target> targets, int clientsPerTarget);
    ~SteadyLoad();
    SteadyLoad(const SteadyLoad&) = delete;
    SteadyLoad& operator=(const SteadyLoad&) = delete;
    void stop();
    long ok() const { return ok_; }
    long failed() const { return failed_; }
    std::string firstErrors();

private:
    void note(const std::string& what);
    void run(const Target& t);
    std::atomic<bool> stopping_{false};
    std::atomic<long> ok_{0};
    std::atomic<long> failed_{0};
    std::mutex mutex_;
    std::string errors_;
    std::vector<std::thread> threads_;
};

}  // namespace zt::test
