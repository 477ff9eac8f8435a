#pragma once
// Helpers shared by the config suites: "this call throws ConfigError mentioning X" and a scratch
// folder removed at scope exit.
#include <cppunit/Asserter.h>
#include <cppunit/SourceLine.h>
#include <cppunit/extensions/HelperMacros.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <random>
#include <string>

#include "config/ConfigError.h"

namespace zt::config::test {

/// Runs `f`, requires a ConfigError whose message contains every needle; returns the message.
inline std::string expectConfigError(const std::function<void()>& f, std::initializer_list<std::string> needles,
                                     const CppUnit::SourceLine& where) {
    std::string message;
    try {
        f();
    } catch (const zt::config::ConfigError& e) {
        message = e.message();
    } catch (const std::exception& e) {
        CppUnit::Asserter::fail("expected ConfigError, got std::exception: " + std::string(e.what()), where);
    } catch (...) {
        CppUnit::Asserter::fail("expected ConfigError, got another exception", where);
    }
    if (message.empty()) CppUnit::Asserter::fail("expected ConfigError, nothing was thrown", where);
    for (const auto& n : needles) {
        if (message.find(n) == std::string::npos) {
            CppUnit::Asserter::fail("ConfigError message '" + message + "' does not mention '" + n + "'", where);
        }
    }
    return message;
}

/// A fresh folder under the system temp folder, removed (recursively) at scope exit.
class TempDir {
public:
    TempDir() {
        std::random_device rd;
        for (int attempt = 0; attempt < 100; ++attempt) {
            auto candidate = std::filesystem::temp_directory_path() /
                             ("zt-config-test-" + std::to_string(rd()) + std::to_string(attempt));
            if (std::filesystem::create_directory(candidate)) {
                path_ = candidate;
                return;
            }
        }
        throw std::runtime_error("cannot create a temporary folder");
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::string str() const { return path_.string(); }

    /// Writes `text` to `relative` (creating folders); returns the absolute path.
    std::string write(const std::string& relative, const std::string& text) const {
        auto p = path_ / relative;
        std::filesystem::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << text;
        return p.string();
    }

private:
    std::filesystem::path path_;
};

}  // namespace zt::config::test

/// ZT_ASSERT_CONFIG_ERROR(expression, {"NEEDLE", ...}): expression throws ConfigError naming them.
#define ZT_ASSERT_CONFIG_ERROR(expression, ...) \
    ::zt::config::test::expectConfigError([&] { (void)(expression); }, __VA_ARGS__, CPPUNIT_SOURCELINE())
