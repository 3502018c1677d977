// SPDX-License-Identifier: Apache-2.0
// Drawing and throttling of the progress line.
#include "progress_line.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace twinlane::app {
namespace {

// Often enough to look alive, rarely enough that drawing never costs measurable time.
constexpr auto kRedrawInterval = std::chrono::milliseconds(200);

}  // namespace

ProgressLine::ProgressLine() : ProgressLine(std::cerr, ::isatty(STDERR_FILENO) == 1) {}

ProgressLine::ProgressLine(std::ostream& out, bool enabled,
                           std::function<Clock::time_point()> now)
    : out_(&out), enabled_(enabled), now_(std::move(now)) {}

void ProgressLine::begin(std::string_view phase, std::uint64_t total, ProgressUnit unit) {
  end();
  phase_ = phase;
  open_ = true;
  unit_ = unit;
  total_ = total;
  done_ = 0;
  started_ = now_();
  drawn_length_ = 0;
  draw();
}

void ProgressLine::update(std::uint64_t done) {
  if (!open_) return;
  done_ = done;
  if (now_() - drawn_ >= kRedrawInterval) draw();
}

void ProgressLine::end() {
  if (!open_) return;
  draw();
  if (enabled_) *out_ << '\n' << std::flush;
  open_ = false;
}

void ProgressLine::draw() {
  drawn_ = now_();
  if (!enabled_) return;
  std::string text = phase_;
  char buffer[64];
  if (total_ > 0) {
    const std::uint64_t percent = std::min<std::uint64_t>(100, done_ * 100 / total_);
    std::snprintf(buffer, sizeof buffer, " %llu%%", static_cast<unsigned long long>(percent));
    text += buffer;
  }
  const double seconds = std::chrono::duration<double>(drawn_ - started_).count();
  if (unit_ == ProgressUnit::kBytes && seconds > 0) {
    std::snprintf(buffer, sizeof buffer, " %.1f MB/s", static_cast<double>(done_) / 1e6 / seconds);
    text += buffer;
  }
  // Blank out the rest of a longer previous drawing.
  const std::size_t length = text.size();
  if (length < drawn_length_) text.append(drawn_length_ - length, ' ');
  drawn_length_ = length;
  *out_ << '\r' << text << std::flush;
}

ProgressPhase::ProgressPhase(ProgressLine* line, std::string_view phase, std::uint64_t total,
                             ProgressUnit unit)
    : line_(line) {
  if (line_ != nullptr) line_->begin(phase, total, unit);
}

ProgressPhase::~ProgressPhase() {
  if (line_ != nullptr) line_->end();
}

// Built by append, not insert, which trips a GCC 12 -Wrestrict false positive at -O3.
std::string withThousands(std::uint64_t value) {
  const std::string digits = std::to_string(value);
  std::string grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped.append(1, ',');
    grouped.append(1, digits[i]);
  }
  return grouped;
}

}  // namespace twinlane::app
