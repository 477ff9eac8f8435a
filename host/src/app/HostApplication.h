#pragma once
// zintrust-host's command line and life cycle (README: Command line):
//   zintrust-host [--env-file FILE] [--check-config] [--list-services] [--version] [--help]
// Exit status: 0 ok, 1 --check-config found problems, 2 bad environment / usage.
#include <Poco/Util/ServerApplication.h>

#include <string>

namespace zt::bootstrap {
class MicroserviceBootstrap;
}

namespace zt::app {

class HostApplication : public Poco::Util::ServerApplication {
public:
    HostApplication();

protected:
    void defineOptions(Poco::Util::OptionSet& options) override;
    void handleOption(const std::string& name, const std::string& value) override;
    int main(const std::vector<std::string>& args) override;

private:
    void printHelp() const;
    /// Serves until SIGINT, SIGTERM or SIGQUIT; SIGHUP reloads. Tells systemd READY=1 when every
    /// service is ready, keeps STATUS= current and runs the watchdog (docs/OPERATIONS.md).
    void serveUntilTerminated(bootstrap::MicroserviceBootstrap& boot);
    enum class Mode { Serve, CheckConfig, ListServices, Version, Help };
    Mode mode_ = Mode::Serve;
    std::string envFile_;
};

/// Turns "--env-file FILE" into "--env-file=FILE" (Poco's parser only takes the latter form).
std::vector<std::string> normalizeArguments(int argc, char** argv);

}  // namespace zt::app
