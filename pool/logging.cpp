// SPDX-License-Identifier: Apache-2.0
// Logging set-up: see logging.h.
#include "pool/logging.h"

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/PatternFormatter.h>
#include <unistd.h>

namespace twinlane::pool {
namespace {

// Poco's ConsoleChannel writes text and newline separately through std::clog, which lets
// lines of concurrent processes interleave; this channel writes each line at once.
class StderrLineChannel : public Poco::Channel {
 public:
  void log(const Poco::Message& message) override {
    std::string line = message.getText();
    line += '\n';
    const char* data = line.data();
    std::size_t left = line.size();
    while (left > 0) {
      const ssize_t n = ::write(STDERR_FILENO, data, left);
      if (n <= 0) return;  // nowhere to report a failure to log
      data += n;
      left -= static_cast<std::size_t>(n);
    }
  }
};

}  // namespace

void setUpLogging(const std::string& level) {
  Poco::AutoPtr<Poco::PatternFormatter> formatter(new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%iZ %p [%P] %s: %t"));
  Poco::AutoPtr<Poco::Channel> out(new StderrLineChannel);
  Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(formatter, out));
  Poco::Logger::root().setChannel(channel);
  Poco::Logger::root().setLevel(level);
  // Loggers made before this call (Poco::Logger::get caches them) take the new settings too.
  Poco::Logger::setChannel("", channel);
  Poco::Logger::setLevel("", Poco::Logger::parseLevel(level));
}

}  // namespace twinlane::pool
