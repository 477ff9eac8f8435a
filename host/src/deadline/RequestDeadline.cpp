#include "deadline/RequestDeadline.h"

#include <Poco/DateTime.h>

#include <algorithm>
#include <charconv>
#include <regex>
#include <stdexcept>

namespace zt::deadline {

namespace {
thread_local Clock::time_point t_deadline = kNone;
thread_local std::atomic<bool>* t_commitFlag = nullptr;
thread_local std::optional<Clock::duration> t_gateWait;

std::optional<long long> parseInteger(std::string_view s) {
    long long v = 0;
    if (s.empty() || s.size() > 15) return std::nullopt;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
    return v;
}

/// A wall-clock instant (Unix µs) on the steady clock. The distance is kept within a day either
/// way, so that no value a client sends can overflow the clock's arithmetic.
Clock::time_point fromWallMicros(long long epochMicros, Clock::time_point now,
                                 std::chrono::system_clock::time_point wallNow) {
    constexpr long long kDayMicros = 86400LL * 1000 * 1000;
    const long long nowMicros =
        std::chrono::duration_cast<std::chrono::microseconds>(wallNow.time_since_epoch()).count();
    const long long distance = std::clamp(epochMicros - nowMicros, -kDayMicros, kDayMicros);
    return now + std::chrono::microseconds(distance);
}
constexpr long long kMaxRelativeMs = 86400LL * 1000;  ///< longer asks are a day: no overflow
}  // namespace

Clock::time_point current() noexcept { return t_deadline; }

std::optional<std::chrono::milliseconds> remaining() noexcept {
    if (t_deadline == kNone) return std::nullopt;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(t_deadline - Clock::now());
    return std::max(left, std::chrono::milliseconds(0));
}

Scope::Scope(Clock::time_point deadline) noexcept : previous_(t_deadline) {
    t_deadline = std::min(deadline, previous_);
}

Scope::~Scope() { t_deadline = previous_; }

Override::Override(Clock::time_point deadline) noexcept : previous_(t_deadline) { t_deadline = deadline; }

Override::~Override() { t_deadline = previous_; }

std::optional<Clock::time_point> fromHeaders(std::optional<std::string_view> absolute,
                                             std::optional<std::string_view> relativeMs, Clock::time_point now,
                                             std::chrono::system_clock::time_point wallNow) {
    std::optional<Clock::time_point> out;
    if (absolute) {
        if (auto ms = parseInteger(*absolute)) {
            out = fromWallMicros(std::min(*ms, 9'000'000'000'000LL) * 1000, now, wallNow);
        } else {
            // RFC 3339 exactly (Poco's DateTimeParser accepts almost any text).
            static const std::regex rfc3339(
                R"(^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.(\d{1,9}))?([Zz]|([+-])(\d{2}):(\d{2}))$)");
            const std::string text(*absolute);
            std::smatch m;
            auto number = [&m](int i) { return std::stoi(m[i].str()); };
            if (!std::regex_match(text, m, rfc3339) ||
                !Poco::DateTime::isValid(number(1), number(2), number(3), number(4), number(5), number(6)))
                throw std::invalid_argument("X-Request-Deadline: expected an RFC 3339 time or Unix milliseconds");
            std::string fraction = m[8].matched ? m[8].str() : "";
            fraction.resize(6, '0');  // microseconds; finer digits are cut
            Poco::DateTime utc(number(1), number(2), number(3), number(4), number(5), number(6));
            long long micros = utc.timestamp().epochMicroseconds() + std::stoll(fraction);
            if (m[10].matched) {
                const long long offset = (number(11) * 60LL + number(12)) * 60LL * 1000000LL;
                micros += m[10].str() == "+" ? -offset : offset;
            }
            out = fromWallMicros(micros, now, wallNow);
        }
    }
    if (relativeMs) {
        auto ms = parseInteger(*relativeMs);
        if (!ms) throw std::invalid_argument("X-Request-Timeout-Ms: expected a non-negative integer of milliseconds");
        const auto relative = now + std::chrono::milliseconds(std::min(*ms, kMaxRelativeMs));
        out = out ? std::min(*out, relative) : relative;
    }
    return out;
}

std::string toHeaderValue(Clock::time_point deadline, Clock::time_point now,
                          std::chrono::system_clock::time_point wallNow) {
    const auto when = wallNow + std::chrono::duration_cast<std::chrono::system_clock::duration>(deadline - now);
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count());
}

CommitWatch::CommitWatch(std::atomic<bool>* flag) noexcept : previous_(t_commitFlag) { t_commitFlag = flag; }

CommitWatch::~CommitWatch() { t_commitFlag = previous_; }

CommitInDoubt::CommitInDoubt() noexcept : flag_(t_commitFlag) {
    if (flag_) flag_->store(true, std::memory_order_release);
}

void CommitInDoubt::resolved() noexcept {
    if (flag_) flag_->store(false, std::memory_order_release);
}

GateWait::GateWait(Clock::duration waited) noexcept : previous_(t_gateWait) { t_gateWait = waited; }

GateWait::~GateWait() { t_gateWait = previous_; }

std::optional<Clock::duration> takeGateWait() noexcept {
    auto waited = t_gateWait;
    t_gateWait.reset();
    return waited;
}

}  // namespace zt::deadline
