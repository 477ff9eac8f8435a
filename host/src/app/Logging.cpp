#include "app/Logging.h"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Formatter.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/PatternFormatter.h>

#include "json/JsonEscape.h"

namespace zt::app {

namespace {
/// {"ts":"...","level":"error","logger":"zt.bootstrap","message":"...","thread":N}
class JsonLineFormatter : public Poco::Formatter {
public:
    void format(const Poco::Message& msg, std::string& text) override {
        static const char* names[] = {"",       "fatal",       "critical", "error", "warning",
                                      "notice", "information", "debug",    "trace"};
        int p = static_cast<int>(msg.getPriority());
        text = "{\"ts\":\"" +
               Poco::DateTimeFormatter::format(msg.getTime(), Poco::DateTimeFormat::ISO8601_FRAC_FORMAT) +
               "\",\"level\":\"" + (p >= 1 && p <= 8 ? names[p] : "unknown") + "\",\"logger\":\"" +
               json::jsonEscape(msg.getSource()) + "\",\"message\":\"" + json::jsonEscape(msg.getText()) +
               "\",\"thread\":" + std::to_string(msg.getTid()) + "}";
    }
};
}  // namespace

void configureLogging(const std::string& level, const std::string& format) {
    Poco::AutoPtr<Poco::Formatter> formatter;
    if (format == "json") {
        formatter = new JsonLineFormatter;
    } else {
        formatter = new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%iZ %p %s: %t");
    }
    Poco::AutoPtr<Poco::ConsoleChannel> console(new Poco::ConsoleChannel);
    Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(formatter, console));
    int prio = level == "none" ? 0 : Poco::Logger::parseLevel(level);
    // Apply to every logger that already exists (static-init ones) and to future ones.
    Poco::Logger::setChannel("", channel);
    Poco::Logger::setLevel("", prio);
    Poco::Logger::root().setChannel(channel);
    Poco::Logger::root().setLevel(prio);
}

}  // namespace zt::app
