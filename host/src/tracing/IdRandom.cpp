#include "tracing/IdRandom.h"

#include <openssl/rand.h>
#include <unistd.h>

#include <Poco/Exception.h>

#include <atomic>

namespace zt::tracing {

namespace {
// Bumped in the child after fork() so every thread reseeds there (pthread_atfork, registered once).
std::atomic<std::uint64_t> forkGeneration{0};
void onFork() { forkGeneration.fetch_add(1, std::memory_order_relaxed); }
const bool atforkRegistered = [] { return pthread_atfork(nullptr, nullptr, onFork) == 0; }();

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

struct Xoshiro256 {
    std::uint64_t s[4] = {0, 0, 0, 0};
    std::uint64_t generation = ~std::uint64_t{0};

    void seed() {
        if (RAND_bytes(reinterpret_cast<unsigned char*>(s), sizeof s) != 1) {
            throw Poco::RuntimeException("RAND_bytes failed while seeding the trace id generator");
        }
        if ((s[0] | s[1] | s[2] | s[3]) == 0) s[0] = 0x9E3779B97F4A7C15ull;  // all-zero state is a fixed point
        generation = forkGeneration.load(std::memory_order_relaxed);
    }
    std::uint64_t next() {
        if (generation != forkGeneration.load(std::memory_order_relaxed)) seed();
        const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
        const std::uint64_t t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = rotl(s[3], 45);
        return result;
    }
};
}  // namespace

std::uint64_t idRandom64() {
    (void)atforkRegistered;
    thread_local Xoshiro256 generator;
    return generator.next();
}

}  // namespace zt::tracing
