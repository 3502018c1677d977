// SPDX-License-Identifier: Apache-2.0
// Readers of /proc/PID/{stat,status,smaps_rollup}; see proc_info.h.
#include "proc_info.h"

#include <fstream>
#include <sstream>
#include <vector>

namespace twinlane::test {
namespace {

// The fields of /proc/PID/stat after "(comm)", so that field N (1-based, as in proc(5)) is
// fields[N - 3]; comm may hold spaces or parentheses, hence the last ')'.
std::optional<std::vector<std::string>> statFields(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  const auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string field; rest >> field;) fields.push_back(field);
  return fields;
}

std::optional<long> statField(pid_t pid, std::size_t number) {
  const auto fields = statFields(pid);
  if (!fields || fields->size() < number - 2) return std::nullopt;
  try {
    return std::stol((*fields)[number - 3]);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::uint64_t kibField(const std::string& text, const std::string& key) {
  const auto at = text.find("\n" + key);
  if (at == std::string::npos) return 0;
  std::istringstream in(text.substr(at + key.size() + 1));
  std::uint64_t kib = 0;
  in >> kib;
  return kib * 1024;
}

}  // namespace

std::optional<int> processNice(pid_t pid) {
  const auto value = statField(pid, 19);
  return value ? std::optional<int>(static_cast<int>(*value)) : std::nullopt;
}

std::optional<pid_t> processParent(pid_t pid) {
  const auto value = statField(pid, 4);
  return value ? std::optional<pid_t>(static_cast<pid_t>(*value)) : std::nullopt;
}

std::optional<ProcessIds> processIds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  ProcessIds ids;
  bool uid = false;
  bool gid = false;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string key;
    fields >> key;
    if (key == "Uid:") uid = static_cast<bool>(fields >> ids.real_uid >> ids.effective_uid);
    if (key == "Gid:") gid = static_cast<bool>(fields >> ids.real_gid >> ids.effective_gid);
  }
  if (!uid || !gid) return std::nullopt;
  return ids;
}

std::optional<std::uint64_t> processPrivateBytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << "\n" << in.rdbuf();
  const std::string content = text.str();
  if (content.find("\nRss:") == std::string::npos) return std::nullopt;
  return kibField(content, "Private_Clean:") + kibField(content, "Private_Dirty:");
}

}  // namespace twinlane::test
