// SPDX-License-Identifier: Apache-2.0
// ProgressLine with a fake clock: silent when not a terminal, one rewritten line per phase,
// redrawn at most every 200 ms, ended with a newline.
#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>

#include "progress_line.h"

namespace twinlane::app {
namespace {

using namespace std::chrono_literals;

class ProgressLineTest : public ::testing::Test {
 protected:
  std::ostringstream shown_;
  ProgressLine::Clock::time_point now_{};
};

TEST_F(ProgressLineTest, DrawsNothingWhenNotATerminal) {
  ProgressLine progress(shown_, false, [this] { return now_; });
  progress.begin("reading", 100, ProgressUnit::kBytes);
  now_ += 1s;
  progress.update(50);
  progress.end();
  EXPECT_EQ(shown_.str(), "");
}

TEST_F(ProgressLineTest, RewritesOneLinePerPhaseAndEndsIt) {
  ProgressLine progress(shown_, true, [this] { return now_; });
  progress.begin("reading", 10'000'000, ProgressUnit::kBytes);
  now_ += 1s;
  progress.update(4'300'000);
  now_ += 1s;
  progress.update(10'000'000);
  progress.end();
  progress.begin("building", 3, ProgressUnit::kSteps);
  progress.end();
  EXPECT_EQ(shown_.str(),
            "\rreading 0%"
            "\rreading 43% 4.3 MB/s"
            "\rreading 100% 5.0 MB/s"
            "\rreading 100% 5.0 MB/s\n"
            "\rbuilding 0%"
            "\rbuilding 0%\n");
}

TEST_F(ProgressLineTest, RedrawsAtMostEvery200Milliseconds) {
  ProgressLine progress(shown_, true, [this] { return now_; });
  progress.begin("writing", 1000, ProgressUnit::kSteps);
  for (int i = 1; i <= 10; ++i) {
    now_ += 50ms;
    progress.update(static_cast<std::uint64_t>(i) * 10);
  }
  // Drawn at 0 ms, then at 200 ms and 400 ms.
  EXPECT_EQ(shown_.str(), "\rwriting 0%\rwriting 4%\rwriting 8%");
}

TEST_F(ProgressLineTest, BlanksTheRestOfALongerLine) {
  ProgressLine progress(shown_, true, [this] { return now_; });
  progress.begin("reading", 0, ProgressUnit::kBytes);
  now_ += 1s;
  progress.update(123'000'000);
  now_ += 99s;
  progress.update(123'000'000);
  EXPECT_EQ(shown_.str(), "\rreading\rreading 123.0 MB/s\rreading 1.2 MB/s  ");
}

TEST_F(ProgressLineTest, APhaseEndsItsLineWhenLeftByAnException) {
  ProgressLine progress(shown_, true, [this] { return now_; });
  try {
    ProgressPhase phase(&progress, "reading", 100, ProgressUnit::kSteps);
    phase.update(10);
    throw std::runtime_error("broken file");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(shown_.str(), "\rreading 0%\rreading 10%\n");
  ProgressPhase silent(nullptr, "reading", 100, ProgressUnit::kSteps);
  silent.update(5);
}

}  // namespace
}  // namespace twinlane::app
