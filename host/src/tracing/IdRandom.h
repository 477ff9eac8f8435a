#pragma once
// Random bits for trace/span ids and sampling decisions.
//
// Why not RAND_bytes per id: OpenSSL's DRBG takes a lock and calls getpid() on every call (three
// times per request with tracing on), which showed up in bench/ profiles. Trace and span ids must be
// unique and unpredictable enough not to collide (W3C Trace Context, OpenTelemetry SDKs use a
// non-cryptographic PRNG for them), not secret: nothing authenticates with them.
#include <cstdint>

namespace zt::tracing {

/// 64 random bits from a per-thread xoshiro256** generator, seeded from OpenSSL RAND_bytes the
/// first time a thread asks (and again in a child after fork(), which would otherwise repeat the
/// parent's sequence). Thread-safe without locks.
std::uint64_t idRandom64();

}  // namespace zt::tracing
