#include <Poco/Util/OptionException.h>

#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "app/HostApplication.h"
#include "app/TokenCommand.h"

int main(int argc, char** argv) {
    // Block the termination and reload signals before any thread exists, so every server thread
    // inherits the mask and only HostApplication's sigtimedwait() loop receives them.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGQUIT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    if (argc > 1 && std::string(argv[1]) == "token") {
        // A command of its own (its options are not the server's): prints a JWT and exits.
        return zt::app::runTokenCommand(std::vector<std::string>(argv + 2, argv + argc), std::cout, std::cerr);
    }
    auto args = zt::app::normalizeArguments(argc, argv);
    try {
        zt::app::HostApplication app;
        // Poco's Application constructor installs Poco::SignalHandler for SIGILL, SIGBUS, SIGSEGV
        // and SIGSYS, which calls abort() outside a poco_throw_on_signal block: a plugin's segfault
        // would be reported as SIGABRT. The default action keeps the real signal for the
        // supervisor's log, the exit status and the core dump (docs/OPERATIONS.md: crash containment).
        for (int sig : {SIGILL, SIGBUS, SIGSEGV, SIGSYS}) std::signal(sig, SIG_DFL);
        // init() ourselves: ServerApplication::run(args) would swallow option errors as exit 78.
        app.init(args);
        Poco::Util::Application& base = app;  // run() is public on Application
        return base.run();
    } catch (const Poco::Util::OptionException& e) {
        std::cerr << "zintrust-host: " << e.displayText() << " (see --help)\n";
        return 2;
    } catch (const Poco::Exception& e) {
        std::cerr << "zintrust-host: " << e.displayText() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "zintrust-host: " << e.what() << "\n";
        return 2;
    }
}
