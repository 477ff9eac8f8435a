#pragma once
// Gives memory freed after large requests back to the operating system. Allocators keep freed
// pages for reuse: after a burst of 200 concurrent 1 MB bodies the host kept ~700 MB resident
// for good. Connections note when they freed a large buffer; an event loop's periodic sweep
// then asks the allocator to return its free pages, at most once a second (docs/HTTP.md: memory).
//
// The allocator is the process's: tcmalloc's MallocExtension_ReleaseFreeMemory when tcmalloc is
// linked into the executable (found with dlsym, since the host library itself does not link it),
// glibc's malloc_trim otherwise. [any thread]
#include <chrono>
#include <cstddef>

namespace zt::http {

/// Bodies or buffers at least this large are worth returning.
constexpr std::size_t kLargeBufferBytes = 256 * 1024;

/// A buffer of at least kLargeBufferBytes was freed (or is about to be).
void noteLargeBufferFreed();

/// Returns free memory to the OS when a large buffer was freed since the last release and the
/// last release is at least a second old. True when it released.
bool releaseFreeMemoryIfDue(std::chrono::steady_clock::time_point now);

}  // namespace zt::http
