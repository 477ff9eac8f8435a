#include "metrics/ProcessStats.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace zt::metrics {

namespace {
/// Seconds since the epoch at which the machine booted (/proc/stat "btime").
double bootTime() {
    std::ifstream in("/proc/stat");
    std::string key;
    while (in >> key) {
        if (key == "btime") {
            double t = 0;
            in >> t;
            return t;
        }
        in.ignore(1 << 20, '\n');
    }
    return 0;
}

std::int64_t countOpenFds() {
    DIR* dir = ::opendir("/proc/self/fd");
    if (!dir) return 0;
    std::int64_t n = 0;
    while (dirent* e = ::readdir(dir)) {
        if (e->d_name[0] != '.') ++n;
    }
    ::closedir(dir);
    return n - 1;  // the descriptor opendir itself holds
}
}  // namespace

ProcessStats ProcessStats::read() {
    ProcessStats s;
    std::ifstream in("/proc/self/stat");
    std::string line;
    if (std::getline(in, line)) {
        // The command name (field 2) is in parentheses and may contain spaces: fields count from
        // the last ')'. After it: state(3) ... utime(14) stime(15) ... num_threads(20) ...
        // starttime(22) vsize(23) rss(24).
        const auto close = line.rfind(')');
        if (close != std::string::npos) {
            std::istringstream fields(line.substr(close + 2));
            std::string f[22];
            for (auto& field : f) fields >> field;
            try {
                const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
                const long pageSize = ::sysconf(_SC_PAGESIZE);
                s.cpuSeconds = (std::stod(f[11]) + std::stod(f[12])) / ticks;
                s.threads = std::stoll(f[17]);
                s.startTimeSeconds = bootTime() + std::stod(f[19]) / ticks;
                s.virtualBytes = std::stoull(f[20]);
                s.residentBytes = std::stoull(f[21]) * static_cast<std::uint64_t>(pageSize);
            } catch (const std::exception&) {
                // a kernel with another layout: the figures stay 0
            }
        }
    }
    s.openFds = countOpenFds();
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) s.maxFds = static_cast<std::int64_t>(limit.rlim_cur);
    return s;
}

}  // namespace zt::metrics
