#include "bootstrap/ServiceFingerprint.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

namespace zt::bootstrap {

namespace {
/// Adds `path`'s name and bytes (or why it cannot be read), framed so that no two different
/// sets of files give the same input.
void addFile(Poco::SHA2Engine& engine, const std::string& path) {
    const std::string head = "file:" + path + "\n";
    engine.update(head.data(), static_cast<unsigned>(head.size()));
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        engine.update("unreadable\n", 11);
        return;
    }
    char buffer[64 * 1024];
    unsigned long long total = 0;
    while (in) {
        in.read(buffer, sizeof buffer);
        const auto n = in.gcount();
        if (n > 0) {
            engine.update(buffer, static_cast<unsigned>(n));
            total += static_cast<unsigned long long>(n);
        }
    }
    const std::string tail = "\nbytes:" + std::to_string(total) + "\n";
    engine.update(tail.data(), static_cast<unsigned>(tail.size()));
}
}  // namespace

std::string serviceFingerprint(const config::ServiceConfig& config, const std::string& pluginPath) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    addFile(engine, pluginPath);
    addFile(engine, config.configFile);
    if (config.database.enabled && config.database.migrations) {
        std::vector<std::string> files;
        std::error_code ec;
        for (const auto& item : std::filesystem::directory_iterator(config.directory + "/migrations", ec)) {
            if (item.is_regular_file(ec)) files.push_back(item.path().string());
        }
        std::sort(files.begin(), files.end());
        for (const auto& f : files) addFile(engine, f);
    }
    return Poco::DigestEngine::digestToHex(engine.digest());
}

}  // namespace zt::bootstrap
