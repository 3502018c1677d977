// SPDX-License-Identifier: Apache-2.0
// Parsing and validating the YAML configuration: see config.h.
#include "pool/config.h"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "fcgi/query.h"
#include "pool/scoreboard.h"

namespace twinlane::pool {
namespace {

// One YAML mapping being read: hands out known keys and, at the end, rejects the rest, so a
// misspelt key is an error instead of a silently ignored setting.
class Section {
 public:
  Section(const YAML::Node& node, std::string path, const std::string& source)
      : node_(node), path_(std::move(path)), source_(source) {
    if (!node_ || node_.IsNull()) return;
    if (!node_.IsMap()) throw error(node_, path_.empty() ? "top level" : path_, "must be a mapping of keys to values");
    for (const auto& entry : node_) {
      const std::string key = entry.first.Scalar();
      if (!entries_.emplace(key, entry.second).second) throw error(entry.first, keyPath(key), "appears twice");
      key_nodes_.emplace(key, entry.first);
    }
  }

  // The value of `key`, or an undefined node when absent.
  YAML::Node take(const std::string& key) {
    taken_.insert(key);
    const auto found = entries_.find(key);
    return found == entries_.end() ? YAML::Node(YAML::NodeType::Undefined) : found->second;
  }

  Section section(const std::string& key) { return Section(take(key), keyPath(key), source_); }

  std::string keyPath(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  void rejectUnknown(const std::vector<std::string>& known) const {
    for (const auto& [key, value] : entries_) {
      if (taken_.count(key)) continue;
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      throw error(key_nodes_.at(key), keyPath(key), "unknown key; expected one of: " + list);
    }
  }

  ConfigError error(const YAML::Node& at, const std::string& key, const std::string& problem) const {
    return ConfigError(source_ + ":" + std::to_string(at.Mark().line + 1) + ": " + key + ": " + problem);
  }

 private:
  YAML::Node node_;
  std::string path_;
  const std::string& source_;
  std::map<std::string, YAML::Node> entries_;
  std::map<std::string, YAML::Node> key_nodes_;
  std::set<std::string> taken_;
};

// Typed readers. Each leaves `out` unchanged when the key is absent.
struct Reader {
  Section& section;

  std::string scalar(const YAML::Node& node, const std::string& key) {
    if (!node.IsScalar()) throw section.error(node, section.keyPath(key), "must be a single value");
    return node.Scalar();
  }

  void string(const std::string& key, std::string& out) {
    if (const YAML::Node node = section.take(key); node.IsDefined()) out = scalar(node, key);
  }

  template <typename Int>
  void integer(const std::string& key, Int& out, std::uint64_t min, std::uint64_t max) {
    const YAML::Node node = section.take(key);
    if (!node.IsDefined()) return;
    const std::string text = scalar(node, key);
    const auto value = fcgi::parseDecimal(text, min, max);
    if (!value) {
      throw section.error(node, section.keyPath(key),
                          "'" + text + "' is not a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    }
    out = static_cast<Int>(*value);
  }

  void signedInteger(const std::string& key, int& out, int min, int max) {
    const YAML::Node node = section.take(key);
    if (!node.IsDefined()) return;
    const std::string text = scalar(node, key);
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max) {
      throw section.error(node, section.keyPath(key),
                          "'" + text + "' is not a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    }
    out = value;
  }

  void duration(const std::string& key, Millis& out, Millis min) {
    const YAML::Node node = section.take(key);
    if (!node.IsDefined()) return;
    const std::string text = scalar(node, key);
    const auto value = parseDuration(text);
    if (!value) throw section.error(node, section.keyPath(key), "'" + text + "' is not a duration like 250ms, 5s or 2m");
    if (*value < min) {
      throw section.error(node, section.keyPath(key), "must be at least " + std::to_string(min.count()) + "ms");
    }
    out = *value;
  }

  void size(const std::string& key, std::uint64_t& out, std::uint64_t min, std::uint64_t max = UINT64_MAX) {
    const YAML::Node node = section.take(key);
    if (!node.IsDefined()) return;
    const std::string text = scalar(node, key);
    const auto value = parseSize(text);
    if (!value) throw section.error(node, section.keyPath(key), "'" + text + "' is not a size like 512KiB or 1MiB");
    if (*value < min) throw section.error(node, section.keyPath(key), "must be at least " + std::to_string(min) + " bytes");
    if (*value > max) throw section.error(node, section.keyPath(key), "must be at most " + std::to_string(max) + " bytes");
    out = *value;
  }

  void stringList(const std::string& key, std::vector<std::string>& out) {
    const YAML::Node node = section.take(key);
    if (!node.IsDefined()) return;
    if (!node.IsSequence()) throw section.error(node, section.keyPath(key), "must be a list like [health, graph]");
    out.clear();
    for (const auto& item : node) {
      const std::string value = scalar(item, key);
      if (std::find(out.begin(), out.end(), value) != out.end()) {
        throw section.error(item, section.keyPath(key), "'" + value + "' is listed twice");
      }
      out.push_back(value);
    }
  }
};

unsigned cpuCount() {
  const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<unsigned>(n) : 1;
}

LaneConfig readLane(Section lane, LaneConfig defaults) {
  LaneConfig config = std::move(defaults);
  Reader read{lane};

  if (const YAML::Node node = lane.take("listen"); node.IsDefined()) {
    const std::string text = read.scalar(node, "listen");
    try {
      config.listen = fcgi::ListenAddress::parse(text);
    } catch (const std::invalid_argument& e) {
      throw lane.error(node, lane.keyPath("listen"), e.what());
    }
  }

  Section socket = lane.section("socket");
  Reader read_socket{socket};
  read_socket.string("owner", config.socket.owner);
  read_socket.string("group", config.socket.group);
  if (const YAML::Node node = socket.take("mode"); node.IsDefined()) {
    const std::string text = read_socket.scalar(node, "mode");
    unsigned mode = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), mode, 8);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || mode > 0777) {
      throw socket.error(node, socket.keyPath("mode"), "'" + text + "' is not an octal mode like \"0660\"");
    }
    config.socket.mode = static_cast<mode_t>(mode);
  }
  socket.rejectUnknown({"owner", "group", "mode"});

  if (const YAML::Node node = lane.take("processes"); node.IsDefined()) {
    const std::string text = read.scalar(node, "processes");
    const auto count = text == "auto" ? std::optional<std::uint64_t>(cpuCount()) : fcgi::parseDecimal(text, 1, 256);
    if (!count) throw lane.error(node, lane.keyPath("processes"), "'" + text + "' is not 'auto' or a number from 1 to 256");
    config.processes = static_cast<unsigned>(*count);
  }
  read.integer("threads", config.threads, 1, kMaxThreads);
  read.stringList("routes", config.routes);

  Section queue = lane.section("queue");
  Reader read_queue{queue};
  read_queue.integer("capacity", config.queue_capacity, 1, 65535);
  read_queue.duration("timeout", config.queue_timeout, Millis(1));
  queue.rejectUnknown({"capacity", "timeout"});

  read.duration("request_timeout", config.request_timeout, Millis(1));
  read.integer("max_requests", config.max_requests, 0, UINT32_MAX);
  read.integer("max_requests_jitter", config.max_requests_jitter, 0, UINT32_MAX);
  read.size("max_private_memory", config.max_private_memory, 0);
  read.signedInteger("nice", config.nice, -20, 19);
  if (const YAML::Node node = lane.take("scheduler"); node.IsDefined()) {
    const std::string text = read.scalar(node, "scheduler");
    if (text == "other") {
      config.scheduler = LaneConfig::Scheduler::kOther;
    } else if (text == "batch") {
      config.scheduler = LaneConfig::Scheduler::kBatch;
    } else if (text == "idle") {
      config.scheduler = LaneConfig::Scheduler::kIdle;
    } else {
      throw lane.error(node, lane.keyPath("scheduler"), "'" + text + "' is not one of other, batch, idle");
    }
  }
  lane.rejectUnknown({"listen", "socket", "processes", "threads", "routes", "queue", "request_timeout", "max_requests",
                      "max_requests_jitter", "max_private_memory", "nice", "scheduler"});
  return config;
}

LaneConfig defaultFastLane() {
  LaneConfig lane;
  lane.name = "fast";
  lane.listen = fcgi::ListenAddress::parse("/run/twinlane/fast.sock");
  lane.processes = 1;
  lane.threads = 8;
  lane.routes = {"health", "graph", "node", "nearest", "status", "metrics"};
  return lane;
}

LaneConfig defaultSlowLane() {
  LaneConfig lane;
  lane.name = "slow";
  lane.listen = fcgi::ListenAddress::parse("/run/twinlane/slow.sock");
  lane.processes = cpuCount();
  lane.threads = 1;
  lane.routes = {"route", "matrix"};
  lane.nice = 10;
  return lane;
}

}  // namespace

std::optional<Millis> parseDuration(std::string_view text) {
  if (text == "0") return Millis(0);  // zero needs no unit
  const auto unit_at = text.find_first_not_of("0123456789");
  if (unit_at == 0 || unit_at == std::string_view::npos) return std::nullopt;
  const auto number = fcgi::parseDecimal(text.substr(0, unit_at), 0, 1'000'000'000);
  if (!number) return std::nullopt;
  const std::string_view unit = text.substr(unit_at);
  if (unit == "ms") return Millis(*number);
  if (unit == "s") return Millis(*number * 1000);
  if (unit == "m") return Millis(*number * 60'000);
  return std::nullopt;
}

std::optional<std::uint64_t> parseSize(std::string_view text) {
  const auto unit_at = text.find_first_not_of("0123456789");
  if (unit_at == 0 || unit_at == std::string_view::npos) return std::nullopt;
  const auto number = fcgi::parseDecimal(text.substr(0, unit_at), 0, 1ull << 40);
  if (!number) return std::nullopt;
  const std::string_view unit = text.substr(unit_at);
  if (unit == "B") return *number;
  if (unit == "KiB") return *number << 10;
  if (unit == "MiB") return *number << 20;
  if (unit == "GiB") return *number << 30;
  return std::nullopt;
}

Config parseConfig(const std::string& yaml_text, const std::string& source_name) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(source_name + ":" + std::to_string(e.mark.line + 1) + ": YAML syntax error: " + e.msg);
  }

  Config config;
  config.source = source_name;
  Section top(root, "", source_name);

  Section data = top.section("data");
  Reader{data}.string("graph", config.data.graph);
  Reader{data}.string("coordinates", config.data.coordinates);
  data.rejectUnknown({"graph", "coordinates"});

  Section lanes = top.section("lanes");
  config.fast = readLane(lanes.section("fast"), defaultFastLane());
  config.slow = readLane(lanes.section("slow"), defaultSlowLane());
  lanes.rejectUnknown({"fast", "slow"});

  Section limits = top.section("limits");
  Reader{limits}.size("max_body", config.limits.max_body, 1);
  // A worker thread keeps a pipe this large for libfcgi (pipe-max-size is 1 MiB by default).
  Reader{limits}.size("max_params", config.limits.max_params, 1024, 512 << 10);
  Reader{limits}.integer("matrix_max_cells", config.limits.matrix_max_cells, 1, 100'000'000);
  limits.rejectUnknown({"max_body", "max_params", "matrix_max_cells"});

  Section shutdown = top.section("shutdown");
  Reader{shutdown}.duration("graceful_timeout", config.graceful_timeout, Millis(0));
  shutdown.rejectUnknown({"graceful_timeout"});

  Section log = top.section("log");
  if (const YAML::Node node = log.take("level"); node.IsDefined()) {
    static const std::vector<std::string> kLevels = {"fatal",  "critical",    "error", "warning",
                                                     "notice", "information", "debug", "trace"};
    config.log_level = Reader{log}.scalar(node, "level");
    if (std::find(kLevels.begin(), kLevels.end(), config.log_level) == kLevels.end()) {
      throw log.error(node, "log.level", "'" + config.log_level + "' is not one of fatal, critical, error, warning, notice, information, debug, trace");
    }
  }
  Reader{log}.duration("slow_request", config.slow_request, Millis(0));
  log.rejectUnknown({"level", "slow_request"});

  Reader{top}.string("user", config.user);
  Reader{top}.string("group", config.group);
  top.rejectUnknown({"data", "lanes", "limits", "shutdown", "log", "user", "group"});

  if (config.data.graph.empty() && !config.data.coordinates.empty()) {
    throw ConfigError(source_name + ": data.coordinates: given without data.graph");
  }
  if (config.fast.listen.toString() == config.slow.listen.toString()) {
    throw ConfigError(source_name + ": lanes.slow.listen: the same address as lanes.fast.listen");
  }
  for (const auto& route : config.fast.routes) {
    if (std::find(config.slow.routes.begin(), config.slow.routes.end(), route) != config.slow.routes.end()) {
      throw ConfigError(source_name + ": lanes: route '" + route + "' is assigned to both lanes");
    }
  }
  return config;
}

Config loadConfig(const std::string& path) {
  std::ifstream in(path);
  // errno from the failed open tells "no such file" from "permission denied".
  if (!in) throw ConfigError(path + ": cannot read the config file: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return parseConfig(text.str(), path);
}

void validateRoutes(const Config& config, const std::vector<std::string>& known) {
  for (const LaneConfig* lane : {&config.fast, &config.slow}) {
    for (const auto& route : lane->routes) {
      if (std::find(known.begin(), known.end(), route) != known.end()) continue;
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      throw ConfigError(config.source + ": lanes." + lane->name + ".routes: unknown route '" + route +
                        "'; known routes: " + list);
    }
  }
}

}  // namespace twinlane::pool
