#pragma once
// One dlopen()ed plugin file and its checked descriptor.
// dlopen(RTLD_NOW | RTLD_LOCAL): unresolved symbols fail at load time (not mid-request) and two
// plugins never see each other's symbols (POCO-NOTES: not Poco::SharedLibrary, which is LAZY|GLOBAL).
#include <Poco/Exception.h>

#include <memory>
#include <string>

#include "zintrust/plugin.h"

namespace zt::plugin {

/// A plugin file was refused. message() is "<file>: <reason>".
POCO_DECLARE_EXCEPTION(, PluginLoadError, Poco::RuntimeException)

class PluginLibrary {
public:
    /// Loads and validates; throws PluginLoadError naming the file and the reason.
    static std::shared_ptr<PluginLibrary> open(const std::string& path);

    ~PluginLibrary();
    PluginLibrary(const PluginLibrary&) = delete;
    PluginLibrary& operator=(const PluginLibrary&) = delete;

    const std::string& path() const { return path_; }
    /// OWNERSHIP: static data inside the library; valid while this object lives.
    const zt_plugin_descriptor& descriptor() const { return *descriptor_; }
    std::string name() const { return descriptor_->name; }
    std::string version() const { return descriptor_->version; }

private:
    PluginLibrary(std::string path, void* handle, const zt_plugin_descriptor* d)
        : path_(std::move(path)), handle_(handle), descriptor_(d) {}
    std::string path_;
    void* handle_;
    const zt_plugin_descriptor* descriptor_;
};

}  // namespace zt::plugin
