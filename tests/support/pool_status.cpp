// SPDX-License-Identifier: Apache-2.0
// parsePoolStatus: /status JSON -> PoolStatus; processGone via kill(0) and /proc.
#include "pool_status.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace twinlane::test {
namespace {

std::string stringify(const Poco::JSON::Object::Ptr& object) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(object, out);
  return out.str();
}

Poco::JSON::Object::Ptr requireObject(const Poco::JSON::Object::Ptr& parent, const std::string& key) {
  auto child = parent->getObject(key);
  if (!child) throw std::runtime_error("/status: no object \"" + key + "\" in " + stringify(parent));
  return child;
}

template <typename T>
T requireValue(const Poco::JSON::Object::Ptr& parent, const std::string& key) {
  if (!parent->has(key)) throw std::runtime_error("/status: no \"" + key + "\" in " + stringify(parent));
  try {
    return parent->getValue<T>(key);
  } catch (const Poco::Exception& error) {
    throw std::runtime_error("/status: \"" + key + "\" has the wrong type (" + error.displayText() + ") in " +
                             stringify(parent));
  }
}

LaneStatus parseLane(const Poco::JSON::Object::Ptr& lane) {
  LaneStatus result;
  result.processes = requireValue<int>(lane, "processes");
  result.idle = requireValue<int>(lane, "idle");
  result.busy = requireValue<int>(lane, "busy");
  if (const auto queue = lane->getObject("queue"); queue && queue->has("length") && !queue->isNull("length")) {
    result.queue_length = queue->getValue<long>("length");
  }
  const auto workers = lane->getArray("workers");
  if (!workers) throw std::runtime_error("/status: no array \"workers\" in " + stringify(lane));
  for (std::size_t i = 0; i < workers->size(); ++i) {
    const auto worker = workers->getObject(static_cast<unsigned>(i));
    if (!worker) throw std::runtime_error("/status: workers[" + std::to_string(i) + "] is not an object");
    WorkerStatus entry;
    entry.pid = static_cast<pid_t>(requireValue<long>(worker, "pid"));
    entry.state = requireValue<std::string>(worker, "state");
    if (worker->has("requests")) entry.requests = worker->getValue<long>("requests");
    if (worker->has("busy_ms") && !worker->isNull("busy_ms")) entry.busy_ms = worker->getValue<long>("busy_ms");
    if (worker->has("uri") && !worker->isNull("uri")) entry.uri = worker->getValue<std::string>("uri");
    if (worker->has("generation") && !worker->isNull("generation")) entry.generation = worker->getValue<long>("generation");
    result.workers.push_back(entry);
  }
  return result;
}

}  // namespace

std::vector<pid_t> LaneStatus::pids() const {
  std::vector<pid_t> result;
  for (const auto& worker : workers) result.push_back(worker.pid);
  return result;
}

std::vector<WorkerStatus> LaneStatus::inState(const std::string& state) const {
  std::vector<WorkerStatus> result;
  std::copy_if(workers.begin(), workers.end(), std::back_inserter(result),
               [&](const WorkerStatus& worker) { return worker.state == state; });
  return result;
}

bool LaneStatus::ready() const {
  const bool all_serving = std::all_of(workers.begin(), workers.end(), [](const WorkerStatus& worker) {
    return worker.state == "idle" || worker.state == "busy";
  });
  return idle + busy == processes && static_cast<int>(workers.size()) == processes && all_serving;
}

const LaneStatus& PoolStatus::lane(const std::string& name) const {
  const auto found = lanes.find(name);
  if (found == lanes.end()) throw std::runtime_error("/status reports no lane \"" + name + "\"");
  return found->second;
}

bool PoolStatus::ready() const {
  return lanes.count("fast") == 1 && lanes.count("slow") == 1 &&
         std::all_of(lanes.begin(), lanes.end(), [](const auto& entry) { return entry.second.ready(); });
}

PoolStatus parsePoolStatus(const Poco::JSON::Object::Ptr& status) {
  PoolStatus result;
  const auto lanes = requireObject(status, "lanes");
  for (const auto& name : {"fast", "slow"}) {
    if (lanes->has(name)) result.lanes[name] = parseLane(requireObject(lanes, name));
  }
  return result;
}

bool processGone(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

bool processEnded(pid_t pid) {
  if (processGone(pid)) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  // Format: "pid (comm) state ..."; comm may hold spaces or parentheses, so search from the last ')'.
  const auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && (line[close + 2] == 'Z' || line[close + 2] == 'X');
}

}  // namespace twinlane::test
