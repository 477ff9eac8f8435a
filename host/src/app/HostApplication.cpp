#include "app/HostApplication.h"

#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionSet.h>

#include <sys/resource.h>

#include <csignal>
#include <ctime>

#include <iostream>
#include <set>

#include "app/Logging.h"
#include "bootstrap/MicroserviceBootstrap.h"
#include "config/ConfigError.h"
#include "config/EnvConfig.h"
#include "db/Connection.h"
#include "registry/RemoteServices.h"
#include "systemd/ProgressWatchdog.h"
#include "systemd/SystemdNotifier.h"

namespace zt::app {

namespace {
constexpr int kExitCheckFailed = 1;     // --check-config found problems
constexpr int kExitBadEnvironment = 2;  // a bad variable exits with status 2 (README: Command line)
constexpr int kExitNothingStarted = 1;  // no service port and no admin port: systemd restarts it

/// Every connection is a file descriptor and the default soft limit (1024) is far below
/// ZT_HTTP_MAX_CONNECTIONS: raise the soft limit to the hard one, as nginx's
/// worker_rlimit_nofile or Go's runtime do. Returns the limit now in force.
rlim_t raiseOpenFileLimit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
    if (limit.rlim_cur < limit.rlim_max) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) return raised.rlim_cur;
    }
    return limit.rlim_cur;
}

/// Installed binaries (in /usr/bin) default to the packaged folders; a build-tree binary to the
/// build's plugin folder and the source tree's services/.
std::pair<std::string, std::string> defaultFolders(const std::string& exePath) {
    std::string dir = Poco::Path(exePath).parent().toString();
    if (!dir.empty() && dir.back() == '/') dir.pop_back();
    if (dir == ZT_INSTALL_BINDIR) return {ZT_INSTALLED_PLUGIN_DIR, ZT_INSTALLED_SERVICES_DIR};
    return {ZT_DEV_PLUGIN_DIR, ZT_DEV_SERVICES_DIR};
}
}  // namespace

HostApplication::HostApplication() { setUnixOptions(true); }

void HostApplication::defineOptions(Poco::Util::OptionSet& options) {
    // Not calling ServerApplication::defineOptions: --daemon/--pidfile are systemd's job here.
    options.addOption(Poco::Util::Option("env-file", "", "load KEY=VALUE lines from FILE (the real environment wins)")
                          .required(false)
                          .repeatable(false)
                          .argument("FILE"));
    options.addOption(
        Poco::Util::Option("check-config", "", "validate env, service configs and plugins, then exit 0 or 1")
            .required(false)
            .repeatable(false));
    options.addOption(
        Poco::Util::Option("list-services", "", "list discovered services and exit").required(false).repeatable(false));
    options.addOption(
        Poco::Util::Option("version", "", "print the version and exit").required(false).repeatable(false));
    options.addOption(Poco::Util::Option("help", "h", "print this help and exit").required(false).repeatable(false));
}

void HostApplication::handleOption(const std::string& name, const std::string& value) {
    Poco::Util::ServerApplication::handleOption(name, value);
    if (name == "env-file") envFile_ = value;
    else if (name == "check-config") mode_ = Mode::CheckConfig;
    else if (name == "list-services") mode_ = Mode::ListServices;
    else if (name == "version") mode_ = Mode::Version;
    else if (name == "help") mode_ = Mode::Help;
}

void HostApplication::printHelp() const {
    // Written out rather than Poco's HelpFormatter: it wraps the usage line and cannot show the
    // token command. Every line fits 80 columns (HostProcessTest checks).
    std::cout << "usage: zintrust-host [--env-file FILE] [--check-config | --list-services]\n"
                 "       zintrust-host token --sub NAME [--ttl 1h] [--aud AUD] [--key FILE]\n"
                 "       zintrust-host --version | --help\n"
                 "\n"
                 "Loads every service found in ZT_SERVICES_DIR (only those SERVICES names, when\n"
                 "set) with its plugin from ZT_PLUGIN_DIR and serves each service on its own\n"
                 "port, with an admin port (ADMIN_PORT, default 9000) that listens on\n"
                 "ADMIN_BIND_ADDRESS (default 127.0.0.1).\n"
                 "\n"
                 "  --env-file FILE   load KEY=VALUE lines from FILE (the environment wins)\n"
                 "  --check-config    validate the environment, service configs, plugins and\n"
                 "                    database rights; print a report; exit 0 (ok) or 1\n"
                 "  --list-services   print the folders and the services found, and exit\n"
                 "  --version         print the version and exit\n"
                 "  -h, --help        print this help and exit\n"
                 "  token --help      how to print a JWT for the jwt services\n"
                 "\n"
                 "Variables (SERVICES, DATABASE_URL, SERVICE_JWT_SECRET, ...): man zintrust-host\n"
                 "and /etc/zintrust/zintrust.env, which lists every one with its default.\n"
                 "Exit status: 0 ok, 1 --check-config found problems, 2 bad environment or usage.\n";
}

int HostApplication::main(const std::vector<std::string>& args) {
    if (mode_ == Mode::Help) {
        printHelp();
        return EXIT_OK;
    }
    if (mode_ == Mode::Version) {
        std::cout << "zintrust-host " << ZT_VERSION << " (plugin ABI " << ZT_PLUGIN_ABI_MAJOR << "."
                  << ZT_PLUGIN_ABI_MINOR << ")\n";
        return EXIT_OK;
    }
    if (!args.empty()) {
        std::cerr << "zintrust-host: unexpected argument '" << args.front() << "' (see --help)\n";
        return kExitBadEnvironment;
    }
    config::EnvConfig env;
    std::vector<registry::RemoteService> remotes;
    try {
        if (!envFile_.empty()) config::loadEnvFile(envFile_);
        // Changes the environment (PGOPTIONS): here, after the env file and before any thread.
        db::Connection::applySessionDefaults();
        auto [plugins, services] = defaultFolders(config().getString("application.path", ""));
        env = config::EnvConfig::load(config::processEnvironment(), plugins, services);
        remotes = registry::RemoteServices::loadFromProcess();
    } catch (const config::ConfigError& e) {
        std::cerr << "zintrust-host: configuration error: " << e.message() << "\n";
        return kExitBadEnvironment;
    }
    // --check-config and --list-services print a report that lists every problem; the log would
    // say each a second time.
    const bool reportOnly = mode_ == Mode::CheckConfig || mode_ == Mode::ListServices;
    configureLogging(reportOnly ? "none" : env.logLevel, env.logFormat);
    auto& log = Poco::Logger::get("zt.host");

    registry::MicroserviceManager manager;
    bootstrap::MicroserviceBootstrap boot(env, manager, registry::RemoteServices(std::move(remotes)));
    boot.discoverServices();

    if (mode_ == Mode::ListServices) {
        std::cout << "services folder: " << env.servicesDir << "\nplugin folder:   " << env.pluginDir << "\n";
        for (const auto& s : boot.discovered()) {
            std::cout << "  " << s.name << "  domain=" << s.domain << " version=" << s.version << " port=" << s.port
                      << " plugin=" << s.plugin << " auth=" << s.auth.strategy << "  (" << s.configFile << ")\n";
        }
        for (const auto& p : boot.problems()) std::cout << "  ERROR " << p.message << "\n";
        return EXIT_OK;
    }
    if (mode_ == Mode::CheckConfig) {
        boot.registerServices(/*checkOnly*/ true);
        auto databaseReport = boot.checkDatabases();
        std::cout << "zintrust-host " << ZT_VERSION << " configuration check\n"
                  << "  environment: ok\n  services folder: " << env.servicesDir
                  << "\n  plugin folder: " << env.pluginDir << "\n";
        for (const auto& line : databaseReport) std::cout << "  " << line << "\n";
        std::set<std::string> bad;
        for (const auto& p : boot.problems()) bad.insert(p.service);
        for (const auto& s : boot.discovered()) {
            std::cout << "  service " << s.name << ": " << (bad.count(s.name) ? "ERROR" : "ok") << "\n";
        }
        for (const auto& w : boot.warnings()) std::cout << "  warning: " << w << "\n";
        for (const auto& p : boot.problems()) std::cout << "  error: " << p.message << "\n";
        std::cout << (boot.problems().empty() ? "result: ok\n" : "result: FAILED\n");
        return boot.problems().empty() ? EXIT_OK : kExitCheckFailed;
    }

    if (!boot.unknownServices().empty()) {
        // A name the operator typed that matches nothing: a bad environment, like a bad value.
        std::string names;
        for (const auto& n : boot.unknownServices()) names += (names.empty() ? "'" : ", '") + n + "'";
        std::cerr << "zintrust-host: configuration error: SERVICES: " << names << " not found in " << env.servicesDir
                  << "\n";
        return kExitBadEnvironment;
    }
    const rlim_t openFiles = raiseOpenFileLimit();
    const auto wanted = static_cast<rlim_t>(env.httpMaxConnections) * (boot.discovered().size() + 1) + 256;
    if (env.httpMaxConnections > 0 && openFiles != RLIM_INFINITY && openFiles < wanted) {
        log.warning(
            "open file limit %s is below what ZT_HTTP_MAX_CONNECTIONS=%d on %z port(s) needs (%s): "
            "raise LimitNOFILE / ulimit -n, or new connections wait in the backlog once it is reached",
            std::to_string(openFiles), env.httpMaxConnections, boot.discovered().size() + 1, std::to_string(wanted));
    }
    boot.registerServices();
    boot.initialize();
    auto running = boot.running();
    if (running.empty() && boot.adminPort() == 0) {
        // Nothing to serve and nothing to ask: exit so that the service manager sees the failure.
        log.fatal("zintrust-host %s: no service and no admin port could be started (%z problem(s)); exiting",
                  std::string(ZT_VERSION), boot.problems().size());
        boot.shutdown();
        return kExitNothingStarted;
    }
    if (boot.problems().empty()) {
        log.information("zintrust-host %s ready: %z service(s) running, 0 problems", std::string(ZT_VERSION),
                        running.size());
    } else {
        std::string list;
        for (const auto& p : boot.problems()) list += (list.empty() ? "" : "; ") + p.message;
        log.warning("zintrust-host %s ready: %z service(s) running, %z problem(s): %s", std::string(ZT_VERSION),
                    running.size(), boot.problems().size(), list);
    }
    serveUntilTerminated(boot);
    log.information("termination requested: draining (up to %d ms)", env.shutdownDrainTimeoutMs);
    systemd::SystemdNotifier::stopping("draining (up to " + std::to_string(env.shutdownDrainTimeoutMs) + " ms)");
    boot.shutdown();
    log.information("stopped");
    return EXIT_OK;
}

void HostApplication::serveUntilTerminated(bootstrap::MicroserviceBootstrap& boot) {
    auto& log = Poco::Logger::get("zt.host");
    // WatchdogSec= in the unit: pings only while every server's threads make progress.
    std::unique_ptr<systemd::ProgressWatchdog> watchdog;
    if (const auto interval = systemd::SystemdNotifier::watchdogInterval(); interval.count() > 0) {
        watchdog = std::make_unique<systemd::ProgressWatchdog>(interval, [&boot] { return boot.stalledServers(); });
        watchdog->start();
        log.information("systemd watchdog: a ping every %s ms while the servers make progress",
                        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(interval).count() / 2));
    }
    // main() blocked these signals before any thread existed, so they arrive here only.
    sigset_t signals;
    sigemptyset(&signals);
    for (int sig : {SIGINT, SIGTERM, SIGQUIT, SIGHUP}) sigaddset(&signals, sig);
    bool announced = false;
    std::string lastStatus;
    for (;;) {
        // READY=1 once every serving service is migrated (a database that is down is retried in
        // the background; until it is up, STATUS says who waits).
        const auto readiness = boot.readiness();
        const auto status = readiness.summary();
        if (!announced && readiness.waiting.empty()) {
            systemd::SystemdNotifier::ready(status);
            announced = true;
        } else if (status != lastStatus) {
            systemd::SystemdNotifier::status(status);
        }
        lastStatus = status;

        timespec wait{0, 200 * 1000 * 1000};
        const int sig = ::sigtimedwait(&signals, nullptr, &wait);
        if (sig == SIGHUP) {
            log.information("SIGHUP: reloading");
            const auto report = boot.reload();
            lastStatus = boot.readiness().summary();  // reload() announced READY=1 with it
            announced = true;
            if (report.failed()) log.warning("reload: %s", report.toJson());
        } else if (sig > 0) {
            break;
        }
    }
    if (watchdog) watchdog->stop();
}

std::vector<std::string> normalizeArguments(int argc, char** argv) {
    std::vector<std::string> out;
    for (int i = 0; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--env-file" && i + 1 < argc) {
            out.push_back(a + "=" + argv[++i]);
        } else {
            out.push_back(a);
        }
    }
    return out;
}

}  // namespace zt::app
