// SPDX-License-Identifier: Apache-2.0
// A one-line progress display for long tool phases (`reading 43% 12.1 MB/s`).
//
// ProgressLine owns the drawing: one line per phase, rewritten in place with `\r` at most every
// 200 ms and ended with a newline when the phase ends. It draws only when its stream is a
// terminal (stderr by default), so logs and pipes never see carriage returns. It knows nothing
// of what is being read or written; tools (twinlane-graph) and the OSM importer feed it counts.
// Not thread-safe; it runs in the tool's single thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

namespace twinlane::app {

// 1234567 -> "1,234,567", for summary lines.
std::string withThousands(std::uint64_t value);

enum class ProgressUnit {
  kBytes,  // shows a rate in MB/s
  kSteps,  // shows the percentage only
};

class ProgressLine {
 public:
  using Clock = std::chrono::steady_clock;

  // Draws on stderr when stderr is a terminal (isatty(2)); otherwise stays silent.
  ProgressLine();
  // Draws on `out` when `enabled`, reading the time from `now` (tests pass a fake clock).
  ProgressLine(std::ostream& out, bool enabled,
               std::function<Clock::time_point()> now = &Clock::now);

  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // Starts a phase of `total` units (0 when unknown: no percentage). Ends an open phase first.
  void begin(std::string_view phase, std::uint64_t total, ProgressUnit unit);
  // Reports `done` units so far; redraws only if 200 ms have passed since the last drawing.
  void update(std::uint64_t done);
  // Draws the last state once more and ends the line. Does nothing when no phase is open.
  void end();

 private:
  void draw();

  std::ostream* out_;
  bool enabled_;
  std::function<Clock::time_point()> now_;
  std::string phase_;
  bool open_ = false;
  ProgressUnit unit_ = ProgressUnit::kSteps;
  std::uint64_t total_ = 0;
  std::uint64_t done_ = 0;
  Clock::time_point started_;
  Clock::time_point drawn_;
  std::size_t drawn_length_ = 0;
};

// A phase of a ProgressLine that may be absent (nullptr draws nothing). The destructor ends
// the phase, so a phase interrupted by an exception still ends its line before the error is
// printed.
class ProgressPhase {
 public:
  ProgressPhase(ProgressLine* line, std::string_view phase, std::uint64_t total,
                ProgressUnit unit);
  ~ProgressPhase();
  ProgressPhase(const ProgressPhase&) = delete;
  ProgressPhase& operator=(const ProgressPhase&) = delete;

  void update(std::uint64_t done) {
    if (line_ != nullptr) line_->update(done);
  }

 private:
  ProgressLine* line_;
};

}  // namespace twinlane::app
