#pragma once
// One dlopen()ed plugin file and its checked descriptor.
// dlopen(RTLD_NOW | RTLD_LOCAL): unresolved symbols fail at load time (not mid-request) and two
// plugins never see each other's symbols (Poco::SharedLibrary would load LAZY|GLOBAL).
//
// The file is loaded from a private copy (an anonymous memfd, dlopen()ed as /proc/self/fd/N), so
// an operator may overwrite or delete the plugin file while it is loaded: the running code is the
// copy, and a reload loads the new file as a different object even at the same path (glibc would
// otherwise hand back the library already loaded under that name). docs/OPERATIONS.md: reload.
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

    /// The file it was loaded from (the copy's name never appears in messages).
    const std::string& path() const { return path_; }
    /// OWNERSHIP: static data inside the library; valid while this object lives.
    const zt_plugin_descriptor& descriptor() const { return *descriptor_; }
    std::string name() const { return descriptor_->name; }
    std::string version() const { return descriptor_->version; }
    /// "1.3": the ABI the plugin was built for (its descriptor's abi_major.abi_minor).
    std::string abiVersion() const {
        return std::to_string(descriptor_->abi_major) + "." + std::to_string(descriptor_->abi_minor);
    }

private:
    PluginLibrary(std::string path, void* handle, const zt_plugin_descriptor* d, int copyFd)
        : path_(std::move(path)), handle_(handle), descriptor_(d), copyFd_(copyFd) {}
    std::string path_;
    void* handle_;
    const zt_plugin_descriptor* descriptor_;
    int copyFd_;  ///< the memfd holding the private copy, closed after dlclose (-1: none)
};

}  // namespace zt::plugin
