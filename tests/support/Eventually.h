#pragma once
// Polls a condition until it holds or a time limit passes: for tests that wait on other threads.
#include <chrono>
#include <thread>

namespace zt::test {

/// Polls `cond` every 2 ms up to `limit`; true once it holds.
template <class F>
bool eventually(F cond, std::chrono::milliseconds limit = std::chrono::milliseconds(3000)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (cond()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return cond();
}

}  // namespace zt::test
