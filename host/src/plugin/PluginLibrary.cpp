#include "plugin/PluginLibrary.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/File.h>
#include <Poco/Path.h>

#include <cerrno>
#include <utility>

#include <cstring>
#include <typeinfo>

namespace zt::plugin {

POCO_IMPLEMENT_EXCEPTION(PluginLoadError, Poco::RuntimeException, "Plugin refused")

namespace {
/// The private copy of a plugin file: an anonymous memfd with the file's bytes, closed on
/// destruction unless released.
class PrivateCopy {
public:
    explicit PrivateCopy(int fd) : fd_(fd) {}
    ~PrivateCopy() {
        if (fd_ >= 0) ::close(fd_);
    }
    PrivateCopy(PrivateCopy&& other) noexcept : fd_(other.release()) {}
    PrivateCopy(const PrivateCopy&) = delete;
    PrivateCopy& operator=(const PrivateCopy&) = delete;
    int fd() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }
    std::string loadPath() const { return "/proc/self/fd/" + std::to_string(fd_); }

private:
    int fd_;
};

/// Copies `path` into a new memfd; throws PluginLoadError naming the file when it cannot be read.
PrivateCopy copyToMemory(const std::string& path) {
    const int in = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) throw PluginLoadError(path + ": cannot open: " + std::strerror(errno));
    PrivateCopy copy(::memfd_create(Poco::Path(path).getFileName().c_str(), MFD_CLOEXEC));
    if (copy.fd() < 0) {
        const int err = errno;
        ::close(in);
        throw PluginLoadError(path + ": cannot make a private copy (memfd_create): " + std::strerror(err));
    }
    char buffer[64 * 1024];
    for (;;) {
        const ssize_t n = ::read(in, buffer, sizeof buffer);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(in);
            throw PluginLoadError(path + ": cannot read: " + std::strerror(err));
        }
        for (ssize_t done = 0; done < n;) {
            const ssize_t w = ::write(copy.fd(), buffer + done, static_cast<std::size_t>(n - done));
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                const int err = errno;
                ::close(in);
                throw PluginLoadError(path + ": cannot make a private copy: " + std::strerror(err));
            }
            done += w;
        }
    }
    ::close(in);
    return copy;
}

/// dlerror() names the copy (/proc/self/fd/N); the operator knows the file by its own path.
std::string namingTheFile(std::string message, const std::string& loadPath, const std::string& path) {
    for (auto at = message.find(loadPath); at != std::string::npos; at = message.find(loadPath, at + path.size())) {
        message.replace(at, loadPath.size(), path);
    }
    return message;
}

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

    PrivateCopy copy = copyToMemory(path);
    const std::string loadPath = copy.loadPath();
    ::dlerror();
    void* handle = ::dlopen(loadPath.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char* err = ::dlerror();
        refuse(path, "dlopen failed: " + namingTheFile(err ? err : "unknown error", loadPath, path));
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
    return std::shared_ptr<PluginLibrary>(new PluginLibrary(path, handle, d, copy.release()));
}

PluginLibrary::~PluginLibrary() {
    if (handle_ != nullptr) ::dlclose(handle_);
    if (copyFd_ >= 0) ::close(copyFd_);
}

}  // namespace zt::plugin
