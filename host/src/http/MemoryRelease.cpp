#include "http/MemoryRelease.h"

#include <dlfcn.h>
#include <malloc.h>

#include <atomic>
#include <cstdint>
#include <mutex>

namespace zt::http {

namespace {
std::atomic<bool> freedSinceRelease{false};
std::atomic<std::int64_t> lastReleaseNs{0};

using ReleaseFunction = void (*)();

ReleaseFunction tcmallocRelease() {
    static const ReleaseFunction f =
        reinterpret_cast<ReleaseFunction>(::dlsym(RTLD_DEFAULT, "MallocExtension_ReleaseFreeMemory"));
    return f;
}
}  // namespace

void noteLargeBufferFreed() { freedSinceRelease.store(true, std::memory_order_relaxed); }

bool releaseFreeMemoryIfDue(std::chrono::steady_clock::time_point now) {
    if (!freedSinceRelease.load(std::memory_order_relaxed)) return false;
    const std::int64_t nowNs = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
    std::int64_t last = lastReleaseNs.load(std::memory_order_relaxed);
    if (nowNs - last < 1'000'000'000) return false;
    // One loop of the process releases; the others see the new time.
    if (!lastReleaseNs.compare_exchange_strong(last, nowNs)) return false;
    freedSinceRelease.store(false, std::memory_order_relaxed);
    if (ReleaseFunction f = tcmallocRelease()) {
        f();
    } else {
        ::malloc_trim(0);
    }
    return true;
}

}  // namespace zt::http
