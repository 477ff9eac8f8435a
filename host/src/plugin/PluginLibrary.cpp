#include "plugin/PluginLibrary.h"

#include <dlfcn.h>

#include <Poco/File.h>

#include <cstring>
#include <typeinfo>

namespace zt::plugin {

POCO_IMPLEMENT_EXCEPTION(PluginLoadError, Poco::RuntimeException, "Plugin refused")

namespace {
[[noreturn]] void refuse(const std::string& path, const std::string& reason, void* handle = nullptr) {
    if (handle != nullptr) dlclose(handle);
    throw PluginLoadError(path + ": " + reason);
}

bool validCString(const char* s, std::size_t max) { return s != nullptr && ::strnlen(s, max) < max; }
}  // namespace

std::shared_ptr<PluginLibrary> PluginLibrary::open(const std::string& path) {
    Poco::File f(path);
    if (!f.exists()) refuse(path, "file not found");
    if (!f.isFile()) refuse(path, "not a regular file");

    ::dlerror();
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char* err = ::dlerror();
        refuse(path, std::string("dlopen failed: ") + (err ? err : "unknown error"));
    }
    ::dlerror();
    void* sym = ::dlsym(handle, ZT_PLUGIN_ENTRY_SYMBOL);
    if (sym == nullptr) {
        refuse(path, "missing entry symbol '" ZT_PLUGIN_ENTRY_SYMBOL "' (not a zintrust plugin?)", handle);
    }
    auto entry = reinterpret_cast<zt_plugin_entry_fn>(sym);
    const zt_plugin_descriptor* d = nullptr;
    try {
        d = entry();
    } catch (...) {
        refuse(path, ZT_PLUGIN_ENTRY_SYMBOL "() threw an exception", handle);
    }
    if (d == nullptr) refuse(path, ZT_PLUGIN_ENTRY_SYMBOL "() returned NULL", handle);
    // Read the size and version first: they are the only fields guaranteed to exist.
    if (d->struct_size < ZT_PLUGIN_DESCRIPTOR_MIN_SIZE) {
        refuse(path,
               "descriptor too small: struct_size " + std::to_string(d->struct_size) +
                   " bytes, the host needs at least " + std::to_string(ZT_PLUGIN_DESCRIPTOR_MIN_SIZE),
               handle);
    }
    if (d->abi_major != ZT_PLUGIN_ABI_MAJOR) {
        refuse(path,
               "ABI major version " + std::to_string(d->abi_major) +
                   " is not supported (host "
                   "speaks " +
                   std::to_string(ZT_PLUGIN_ABI_MAJOR) + "." + std::to_string(ZT_PLUGIN_ABI_MINOR) +
                   "); rebuild the plugin against this "
                   "host's plugin.h",
               handle);
    }
    if (!validCString(d->name, 256) || d->name[0] == '\0') refuse(path, "descriptor has no name", handle);
    if (!validCString(d->version, 256) || d->version[0] == '\0') refuse(path, "descriptor has no version", handle);
    if (d->description != nullptr && !validCString(d->description, 64 * 1024))
        refuse(path, "descriptor description is not a terminated string", handle);
    if (d->init == nullptr) refuse(path, "descriptor has no init function", handle);
    if (d->shutdown == nullptr) refuse(path, "descriptor has no shutdown function", handle);
    return std::shared_ptr<PluginLibrary>(new PluginLibrary(path, handle, d));
}

PluginLibrary::~PluginLibrary() {
    if (handle_ != nullptr) ::dlclose(handle_);
}

}  // namespace zt::plugin
