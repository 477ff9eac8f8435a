#include "http/ConnectionLimits.h"

namespace zt::http {

ConnectionLimits::Admission ConnectionLimits::admit(const std::string& address) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (max_ > 0 && open_.load(std::memory_order_relaxed) >= max_) return Admission::PortFull;
    if (maxPerAddress_ > 0) {
        int& n = perAddress_[address];
        if (n >= maxPerAddress_) return Admission::AddressFull;
        ++n;
    }
    open_.fetch_add(1, std::memory_order_relaxed);
    return Admission::Admitted;
}

void ConnectionLimits::release(const std::string& address) {
    std::lock_guard<std::mutex> lock(mutex_);
    open_.fetch_sub(1, std::memory_order_relaxed);
    if (maxPerAddress_ > 0) {
        auto it = perAddress_.find(address);
        if (it != perAddress_.end() && --it->second <= 0) perAddress_.erase(it);
    }
}

}  // namespace zt::http
