// SPDX-License-Identifier: Apache-2.0
// LoadGenerator: client threads bounded by time and count; see load_generator.h.
#include "load_generator.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace twinlane::test {

int LoadReport::count(int status) const {
  return static_cast<int>(std::count_if(answers.begin(), answers.end(), [status](const HttpResult& r) { return r.status == status; }));
}

std::map<int, int> LoadReport::byStatus() const {
  std::map<int, int> counts;
  for (const auto& answer : answers) ++counts[answer.status];
  return counts;
}

std::string LoadReport::describeOther(int status, std::size_t limit) const {
  std::ostringstream out;
  out << answers.size() << " answers (";
  for (const auto& [code, n] : byStatus()) out << code << ": " << n << " ";
  out << "), " << failures.size() << " failed exchanges";
  std::size_t shown = 0;
  for (const auto& answer : answers) {
    if (answer.status == status || shown >= limit) continue;
    out << "\n  " << answer.describe();
    ++shown;
  }
  for (const auto& failure : failures) {
    if (shown >= limit) break;
    out << "\n  " << failure.target << ": " << failure.what;
    ++shown;
  }
  return out.str();
}

std::chrono::microseconds LoadReport::latencyQuantile(double q) const {
  if (answers.empty()) return std::chrono::microseconds{0};
  std::vector<std::chrono::microseconds> times;
  for (const auto& answer : answers) {
    times.push_back(std::chrono::duration_cast<std::chrono::microseconds>(answer.received - answer.sent));
  }
  std::sort(times.begin(), times.end());
  const auto index = static_cast<std::size_t>(std::clamp(q, 0.0, 1.0) * static_cast<double>(times.size() - 1) + 0.5);
  return times[std::min(index, times.size() - 1)];
}

LoadGenerator::LoadGenerator(LoadOptions options) : options_(std::move(options)), client_(options_.request_timeout) {
  if (!options_.path) throw std::invalid_argument("LoadOptions.path is required");
  start_ = std::chrono::steady_clock::now();
  for (int i = 0; i < options_.clients; ++i) threads_.emplace_back([this] { runClient(); });
}

LoadGenerator::~LoadGenerator() {
  if (!finished_) {
    stop_.store(true);
    (void)finish();
  }
}

void LoadGenerator::runClient() {
  const auto end = start_ + options_.duration;
  while (!stop_.load() && std::chrono::steady_clock::now() < end) {
    const int index = started_.fetch_add(1);
    if (index >= options_.max_requests) break;
    const std::string path = options_.path(index);
    try {
      HttpResult result = client_.get(options_.port, path);
      const std::lock_guard lock(mutex_);
      report_.answers.push_back(std::move(result));
    } catch (const std::exception& error) {
      const std::lock_guard lock(mutex_);
      report_.failures.push_back({path, error.what()});
    }
    completed_.fetch_add(1);
  }
}

LoadReport LoadGenerator::finish() {
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  finished_ = true;
  report_.wall = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_);
  return std::move(report_);
}

}  // namespace twinlane::test
