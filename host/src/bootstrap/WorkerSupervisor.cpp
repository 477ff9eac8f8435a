#include "bootstrap/WorkerSupervisor.h"

#include <Poco/Logger.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "deadline/RequestDeadline.h"
#include "http/JsonError.h"
#include "json/JsonEscape.h"

namespace zt::bootstrap {

namespace {
using Millis = std::chrono::milliseconds;

long long msBetween(WorkerSupervisor::Clock::time_point from, WorkerSupervisor::Clock::time_point to) {
    return std::chrono::duration_cast<Millis>(to - from).count();
}

/// A loopback port that was free a moment ago: the worker binds it right after its start. A
/// port taken in between makes that worker exit, which the supervisor treats as any failed start.
int freeLoopbackPort(std::string& error) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = std::string("socket: ") + std::strerror(errno);
        return 0;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof addr;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) == 0) {
        port = ntohs(addr.sin_port);
    } else {
        error = std::string("no free loopback port: ") + std::strerror(errno);
    }
    ::close(fd);
    return port;
}

std::string describeExit(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        const char* name = ::sigabbrev_np(sig);
        return "was killed by " + (name ? "SIG" + std::string(name) : "signal " + std::to_string(sig)) +
               (WCOREDUMP(status) ? " (core dumped)" : "");
    }
    return "ended (wait status " + std::to_string(status) + ")";
}

bool allowedInPath(unsigned char c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
    return std::strchr("-._~!$&'()*+,;=:@/%", c) != nullptr && c != '\0';
}
}  // namespace

WorkerSupervisor::WorkerSupervisor(Options options)
    : options_(std::move(options)), maxFd_(::sysconf(_SC_OPEN_MAX)), nextDelay_(options_.firstRestartDelay) {
    if (maxFd_ <= 0) maxFd_ = 1024;
}

WorkerSupervisor::~WorkerSupervisor() { stop(Clock::now()); }

void WorkerSupervisor::start() {
    thread_ = std::thread([this] { run(); });
}

std::string WorkerSupervisor::encodePath(const std::string& path) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    out.reserve(path.size());
    for (unsigned char c : path) {
        if (allowedInPath(c)) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0x0F];
        }
    }
    return out;
}

std::shared_ptr<WorkerSupervisor::Worker> WorkerSupervisor::spawn(const std::vector<std::string>& environment,
                                                                  const std::vector<int>& reservedPorts,
                                                                  std::string& error) const {
    auto w = std::make_shared<Worker>();
    calls::HttpServiceClient::Options clientOptions;
    clientOptions.maxIdlePerTarget = options_.idleConnections;
    clientOptions.maxResponseBytes = std::size_t(1) << 40;  // a shared service's answers have no limit either
    w->client = std::make_unique<calls::HttpServiceClient>(clientOptions);
    try {
        w->notify = std::make_unique<systemd::NotifyListener>();
    } catch (const std::system_error& ex) {
        error = ex.what();
        return nullptr;
    }
    for (int attempt = 0; attempt < 20 && w->port == 0; ++attempt) {
        w->port = freeLoopbackPort(error);
        if (w->port == 0) return nullptr;
        if (std::find(reservedPorts.begin(), reservedPorts.end(), w->port) != reservedPorts.end()) w->port = 0;
    }
    if (w->port == 0) {
        error = "no free loopback port outside the services' own ports";
        return nullptr;
    }
    // Everything the child needs is built before fork(): between fork and exec only
    // async-signal-safe calls are allowed in a process with threads.
    const std::string portVariable = "ZT_WORKER_PORT=" + std::to_string(w->port);
    const std::string notifyVariable = "NOTIFY_SOCKET=" + w->notify->address();
    std::vector<const char*> envp;
    envp.reserve(environment.size() + 3);
    for (const auto& kv : environment) envp.push_back(kv.c_str());
    envp.push_back(portVariable.c_str());
    envp.push_back(notifyVariable.c_str());
    envp.push_back(nullptr);
    const std::string argv0 = "zintrust-host";
    const char* argv[] = {argv0.c_str(), nullptr};
    const char* executable = options_.executable.c_str();
    const pid_t parent = ::getpid();
    const long maxFd = maxFd_;

    const pid_t pid = ::fork();
    if (pid < 0) {
        error = std::string("fork: ") + std::strerror(errno);
        return nullptr;
    }
    if (pid == 0) {
        // The worker must not outlive the host (kill -9 of the host included).
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) ::_exit(127);
        // Its own process group: a Ctrl-C in the host's terminal is the host's to handle (it
        // drains, then stops its workers).
        ::setpgid(0, 0);
        // Listening and client sockets of the host are not all close-on-exec. close_range() may
        // be refused (an older kernel, a seccomp filter): then one by one.
        if (::close_range(3, ~0U, 0) != 0) {
            for (long fd = 3; fd < maxFd; ++fd) ::close(static_cast<int>(fd));
        }
        ::execve(executable, const_cast<char* const*>(argv), const_cast<char* const*>(envp.data()));
        ::_exit(127);
    }
    w->pid = pid;
    w->started = Clock::now();
    Poco::Logger::get("zt.worker")
        .information("service %s: worker pid %d started on 127.0.0.1:%d", options_.service, static_cast<int>(pid),
                     w->port);
    return w;
}

void WorkerSupervisor::terminate(Worker& w, Clock::time_point killAt) {
    if (w.exited) return;
    if (w.killAt == Clock::time_point::max()) ::kill(w.pid, SIGTERM);
    w.killAt = std::min(w.killAt, killAt);
}

void WorkerSupervisor::observe() {
    const auto now = Clock::now();
    auto look = [&](const std::shared_ptr<Worker>& w) {
        if (!w || w->exited) return;
        for (const auto& [key, value] : w->notify->receive(w->pid)) {
            if (key == "READY" && value == "1" && !w->ready) {
                w->ready = true;
                everReady_ = true;
                Poco::Logger::get("zt.worker")
                    .information("service %s: worker pid %d ready after %s ms", options_.service,
                                 static_cast<int>(w->pid), std::to_string(msBetween(w->started, now)));
            }
            if (key == "STATUS" && w == current_) lastStatus_ = value;
            if (key == "X_ZINTRUST_PLUGIN") {
                const auto space = value.rfind(' ');
                w->pluginVersion = value.substr(0, space);
                w->pluginAbi = space == std::string::npos ? "" : value.substr(space + 1);
            }
        }
        int status = 0;
        const pid_t r = ::waitpid(w->pid, &status, WNOHANG);
        if (r == w->pid) {
            w->exited = true;
            w->exit = describeExit(status);
        } else if (r < 0 && errno == ECHILD) {
            w->exited = true;  // reaped elsewhere: nothing left to wait for
            w->exit = "ended (no longer a child of the host)";
        } else if (now >= w->killAt) {
            ::kill(w->pid, SIGKILL);
            Poco::Logger::get("zt.worker")
                .warning("service %s: worker pid %d did not stop in time: killed", options_.service,
                         static_cast<int>(w->pid));
            w->killAt = Clock::time_point::max() - Millis(1);  // once
        }
    };
    look(current_);
    look(candidate_);
    for (const auto& w : retiring_) look(w);
}

void WorkerSupervisor::run() {
    auto& log = Poco::Logger::get("zt.worker");
    std::unique_lock<std::mutex> lock(mutex_);
    // fork() without the lock: forward() and state() must not wait for it.
    auto spawnUnlocked = [&](std::string& error) {
        const auto environment = options_.environment;
        const auto reserved = options_.reservedPorts;
        lock.unlock();
        auto w = spawn(environment, reserved, error);
        lock.lock();
        return w;
    };
    auto finishReplace = [this](const std::string& error) {
        replaceDone_ = true;
        replaceError_ = error;
        changed_.notify_all();
    };
    for (;;) {
        observe();
        const auto now = Clock::now();
        if (stopping_) {
            if (candidate_) retiring_.push_back(std::move(candidate_));
            if (current_) retiring_.push_back(std::move(current_));
            if (replaceWanted_ || !replaceDone_) finishReplace("the host is stopping");
            replaceWanted_ = false;
            for (auto& w : retiring_) terminate(*w, stopDeadline_);
            retiring_.remove_if([](const std::shared_ptr<Worker>& w) { return w->exited; });
            if (retiring_.empty()) break;
        } else {
            if (current_ && current_->exited && restartsHeld_) {
                log.information("service %s: worker pid %d %s while the host shuts down", options_.service,
                                static_cast<int>(current_->pid), current_->exit);
                current_.reset();
                restartAt_ = Clock::time_point::max();
            }
            if (current_ && current_->exited) {
                // Died unasked: not ready from now on; a new worker after the backoff delay.
                if (now - current_->started >= options_.stableUptime) nextDelay_ = options_.firstRestartDelay;
                lastExit_ = current_->exit;
                ++restarts_;
                restartAt_ = now + nextDelay_;
                log.error("service %s: worker pid %d %s after %s ms; a new worker starts in %s ms", options_.service,
                          static_cast<int>(current_->pid), current_->exit,
                          std::to_string(msBetween(current_->started, now)), std::to_string(nextDelay_.count()));
                nextDelay_ = std::min(nextDelay_ * 2, options_.maxRestartDelay);
                current_.reset();
            }
            if (replaceWanted_ && !candidate_) {
                replaceWanted_ = false;
                std::string error;
                candidate_ = spawnUnlocked(error);
                if (candidate_) {
                    candidateDeadline_ = now + options_.startTimeout;
                } else {
                    finishReplace("cannot start a worker: " + error);
                }
            }
            if (candidate_) {
                if (candidate_->exited) {
                    finishReplace("the new worker (pid " + std::to_string(candidate_->pid) + ") " + candidate_->exit +
                                  " before it was ready; its log lines say why");
                    candidate_.reset();
                } else if (candidate_->ready) {
                    if (current_) {
                        terminate(*current_, now + options_.drainTimeout + Millis(2000));
                        retiring_.push_back(std::move(current_));
                    }
                    current_ = std::move(candidate_);
                    nextDelay_ = options_.firstRestartDelay;
                    finishReplace("");
                } else if (now >= candidateDeadline_) {
                    terminate(*candidate_, now);
                    retiring_.push_back(std::move(candidate_));
                    finishReplace("the new worker did not say it was ready within " +
                                  std::to_string(options_.startTimeout.count()) + " ms");
                }
            }
            if (!current_ && !candidate_ && now >= restartAt_) {
                std::string error;
                current_ = spawnUnlocked(error);
                if (!current_) {
                    log.error("service %s: cannot start a worker: %s", options_.service, error);
                    restartAt_ = now + nextDelay_;
                    nextDelay_ = std::min(nextDelay_ * 2, options_.maxRestartDelay);
                }
            }
            retiring_.remove_if([](const std::shared_ptr<Worker>& w) { return w->exited; });
        }
        changed_.notify_all();
        // Wake on a notify message or every 20 ms to reap exits: a crash is seen within that.
        std::vector<pollfd> fds;
        for (const auto* w : {&current_, &candidate_}) {
            if (*w && !(*w)->exited) fds.push_back({(*w)->notify->fd(), POLLIN, 0});
        }
        lock.unlock();
        ::poll(fds.data(), fds.size(), 20);
        lock.lock();
    }
    changed_.notify_all();
}

std::string WorkerSupervisor::replace(std::vector<std::string> environment, std::vector<int> reservedPorts) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (stopping_) return "the host is stopping";
    // One at a time: a second caller waits for the first to finish, then asks again.
    changed_.wait(lock, [this] { return stopping_ || (!replaceWanted_ && !candidate_); });
    if (stopping_) return "the host is stopping";
    options_.environment = std::move(environment);
    options_.reservedPorts = std::move(reservedPorts);
    replaceWanted_ = true;
    replaceDone_ = false;
    changed_.wait(lock, [this] { return replaceDone_; });
    return replaceError_;
}

std::string WorkerSupervisor::waitReady(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    const int restartsBefore = restarts_;
    const bool ready = changed_.wait_for(lock, timeout, [&] {
        return stopping_ || restarts_ != restartsBefore || (current_ && current_->ready && !current_->exited);
    });
    if (stopping_) return "the host is stopping";
    if (restarts_ != restartsBefore) return "its worker " + lastExit_ + " before it was ready; its log lines say why";
    if (!ready) return "its worker did not say it was ready within " + std::to_string(timeout.count()) + " ms";
    return "";
}

void WorkerSupervisor::holdRestarts() {
    std::lock_guard<std::mutex> lock(mutex_);
    restartsHeld_ = true;
}

void WorkerSupervisor::beginStop(Clock::time_point deadline) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!stopping_) {
        stopping_ = true;
        stopDeadline_ = deadline;
    }
}

void WorkerSupervisor::stop(Clock::time_point deadline) {
    beginStop(deadline);
    if (thread_.joinable()) thread_.join();
}

WorkerSupervisor::State WorkerSupervisor::state() const {
    std::lock_guard<std::mutex> lock(mutex_);
    State s;
    if (current_ && !current_->exited) {
        s.pid = current_->pid;
        s.port = current_->port;
        s.ready = current_->ready;
        s.pluginVersion = current_->pluginVersion;
        s.pluginAbi = current_->pluginAbi;
    }
    s.restarts = restarts_;
    s.lastExit = lastExit_;
    s.status = lastStatus_;
    s.everReady = everReady_;
    return s;
}

std::string WorkerSupervisor::describe(const State& s) const {
    if (s.pid != 0) return "its worker is starting";
    if (!s.lastExit.empty()) return "its worker " + s.lastExit + " and is being restarted";
    return "its worker is not running";
}

void WorkerSupervisor::answerLiveness(http::Exchange& ex) const {
    const bool ready = state().ready;
    ex.response.setJson(200, "{\"service\":\"" + json::jsonEscape(options_.service) +
                                 "\",\"status\":\"alive\",\"worker\":" + (ready ? "\"ready\"" : "\"down\"") + "}");
}

void WorkerSupervisor::forward(http::Exchange& ex) const {
    std::shared_ptr<Worker> worker;  // keeps its client alive for this request
    State s;
    long long retryAfterMs = 1000;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (current_ && !current_->exited) {
            worker = current_;
            s.pid = current_->pid;
            s.ready = current_->ready;
        }
        s.lastExit = lastExit_;
        // Down: the next worker starts at restartAt_, and needs about a second to be ready.
        if (const auto now = Clock::now(); !current_ && restartAt_ > now && restartAt_ != Clock::time_point::max())
            retryAfterMs = std::max<long long>(1000, msBetween(now, restartAt_) + 1000);
    }
    auto unavailable = [&](const std::string& why) {
        http::setJsonError(ex.response, 503, "service_unavailable", "service " + options_.service + ": " + why);
        ex.response.headers.set("retry-after", std::to_string(retryAfterMs / 1000));
    };
    if (!s.ready) return unavailable(describe(s));

    const auto now = Clock::now();
    // No deadline at all (ZT_HANDLER_TIMEOUT_MS=0 and none asked for): none is sent on either.
    const bool bounded = ex.deadline != Clock::time_point::max() || options_.requestTimeout.count() > 0;
    const auto deadline = ex.deadline != Clock::time_point::max() ? ex.deadline : now + options_.requestTimeout;
    if (bounded && deadline <= now) {
        http::setJsonError(ex.response, 504, "deadline_exceeded", "the request's deadline has passed");
        return;
    }
    calls::HeaderVector headers;
    headers.reserve(ex.request.headers.size() + 4);
    std::string forwardedFor;
    for (const auto& [name, value] : ex.request.headers.entries()) {
        if (name == "x-forwarded-for") {
            forwardedFor += (forwardedFor.empty() ? "" : ", ") + value;
            continue;
        }
        if (name == "host") headers.emplace_back("x-forwarded-host", value);
        if (calls::HttpServiceClient::isHopByHopHeader(name) || name == "host" || name == "content-length" ||
            name == "x-request-deadline" || name == "x-request-timeout-ms" || name == "x-forwarded-host")
            continue;
        headers.emplace_back(name, value);
    }
    // Who the client is, as a reverse proxy tells its upstream (the worker sees 127.0.0.1).
    const auto& remote = ex.request.remoteAddress;
    const auto colon = remote.rfind(':');
    std::string client = colon == std::string::npos ? remote : remote.substr(0, colon);
    if (client.size() > 2 && client.front() == '[' && client.back() == ']')
        client = client.substr(1, client.size() - 2);
    if (!client.empty()) forwardedFor += (forwardedFor.empty() ? "" : ", ") + client;
    if (!forwardedFor.empty()) headers.emplace_back("x-forwarded-for", forwardedFor);
    // The worker works to the same deadline (its own 504 then arrives first, with its trace).
    if (bounded)
        headers.emplace_back("x-request-deadline",
                             deadline::toHeaderValue(deadline, now, std::chrono::system_clock::now()));
    std::string target = encodePath(ex.request.path);
    if (!ex.request.query.empty()) target += "?" + ex.request.query;
    const auto timeout =
        bounded ? std::chrono::duration_cast<Millis>(deadline - now) + Millis(250) : Millis(24LL * 3600 * 1000);
    // HEAD goes on as GET: the host's connection drops the body and keeps its length, as for a
    // shared service.
    const std::string method = ex.request.method == "HEAD" ? "GET" : ex.request.method;
    auto result = worker->client->send("http://127.0.0.1:" + std::to_string(worker->port), method, target, headers,
                                       ex.request.body, timeout);
    switch (result.transport) {
    case calls::Transport::Timeout:
        http::setJsonError(ex.response, 504, "deadline_exceeded",
                           "service " + options_.service + " did not answer before the request's deadline");
        return;
    case calls::Transport::ConnectionError:
        // The worker died with this request (or just before it): the next one may find a new one.
        return unavailable("its worker did not answer (" + result.error + ")");
    case calls::Transport::Response:
        break;
    }
    ex.response.status = result.status;
    for (auto& [name, value] : result.headers) {
        if (name == kRouteHeader) {
            ex.routePattern = std::move(value);
            continue;
        }
        if (calls::HttpServiceClient::isHopByHopHeader(name) || name == "content-length") continue;
        ex.response.headers.add(name, value);
    }
    ex.response.body = std::move(result.body);
    ex.response.bodySet = true;
}

}  // namespace zt::bootstrap
