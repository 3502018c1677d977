// SPDX-License-Identifier: Apache-2.0
// Reading the YAML configuration with errors that say where: see config_section.h.
#include "pool/config_section.h"

#include <Poco/String.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "fcgi/query.h"

namespace twinlane::pool {

struct ConfigSection::State {
  YAML::Node node;  // undefined or null for an absent section
  std::string path;
  std::shared_ptr<const std::string> source;
  struct Entry {
    std::string key;
    YAML::Node key_node;  // where the key is, for messages
    YAML::Node value;
  };
  std::vector<Entry> entries;      // in file order; a mapping of a config file is a few keys
  std::vector<std::string> asked;  // every key a reader asked for, in order
  std::map<std::string, std::shared_ptr<State>> children;

  ConfigError errorAt(const YAML::Node& at, const std::string& key, const std::string& problem) const {
    // Appended piece by piece: GCC 12 at -O3 warns (-Wrestrict, a false positive) about
    // "literal" + std::to_string(...).
    std::string message = *source;
    if (at.IsDefined()) {
      message += ':';
      message += std::to_string(at.Mark().line + 1);
    }
    message += ": ";
    message += key;
    message += ": ";
    message += problem;
    return ConfigError(message);
  }

  std::string keyPath(const std::string& key) const { return path.empty() ? key : path + "." + key; }

  const Entry* find(const std::string& key) const {
    const auto found = std::find_if(entries.begin(), entries.end(), [&key](const Entry& e) { return e.key == key; });
    return found == entries.end() ? nullptr : &*found;
  }

  // The value of `key` (undefined when absent), remembering that someone asked for it.
  YAML::Node take(const std::string& key) {
    if (std::find(asked.begin(), asked.end(), key) == asked.end()) asked.push_back(key);
    const Entry* entry = find(key);
    return entry ? entry->value : YAML::Node(YAML::NodeType::Undefined);
  }

  std::string scalar(const YAML::Node& value, const std::string& key) const {
    if (!value.IsScalar()) throw errorAt(value, keyPath(key), "must be a single value");
    return value.Scalar();
  }
};

namespace {

std::shared_ptr<ConfigSection::State> makeState(const YAML::Node& node, std::string path,
                                                std::shared_ptr<const std::string> source) {
  auto state = std::make_shared<ConfigSection::State>();
  state->node = node;
  state->path = std::move(path);
  state->source = std::move(source);
  if (!node.IsDefined() || node.IsNull()) return state;
  if (!node.IsMap()) throw state->errorAt(node, state->path.empty() ? "top level" : state->path, "must be a mapping of keys to values");
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    if (state->find(key)) throw state->errorAt(entry.first, state->keyPath(key), "appears twice");
    state->entries.push_back({key, entry.first, entry.second});
  }
  return state;
}

std::string joined(const std::vector<std::string>& items) { return Poco::cat(std::string(", "), items.begin(), items.end()); }

std::string wholeNumberProblem(const std::string& text, std::string_view min, std::string_view max) {
  std::string problem = "'" + text;
  problem += "' is not a whole number from ";
  problem += min;
  problem += " to ";
  problem += max;
  return problem;
}

}  // namespace

ConfigSection ConfigSection::parseDocument(const std::string& yaml_text, const std::string& source_name) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(source_name + ":" + std::to_string(e.mark.line + 1) + ": YAML syntax error: " + e.msg);
  }
  return ConfigSection(makeState(root, "", std::make_shared<const std::string>(source_name)));
}

ConfigSection ConfigSection::section(const std::string& key) {
  auto found = state_->children.find(key);
  if (found == state_->children.end()) {
    // Made before it is recorded: a value that is not a mapping throws and records nothing.
    auto child = makeState(state_->take(key), state_->keyPath(key), state_->source);
    found = state_->children.emplace(key, std::move(child)).first;
  }
  return ConfigSection(found->second);
}

bool ConfigSection::has(const std::string& key) { return state_->take(key).IsDefined(); }

std::string ConfigSection::string(const std::string& key, std::string fallback) {
  const YAML::Node value = state_->take(key);
  return value.IsDefined() ? state_->scalar(value, key) : fallback;
}

std::uint64_t ConfigSection::integer(const std::string& key, std::uint64_t fallback, std::uint64_t min, std::uint64_t max) {
  const YAML::Node value = state_->take(key);
  if (!value.IsDefined()) return fallback;
  const std::string text = state_->scalar(value, key);
  const auto number = fcgi::parseDecimal(text, min, max);
  if (!number) throw state_->errorAt(value, keyPath(key), wholeNumberProblem(text, std::to_string(min), std::to_string(max)));
  return *number;
}

int ConfigSection::signedInteger(const std::string& key, int fallback, int min, int max) {
  const YAML::Node value = state_->take(key);
  if (!value.IsDefined()) return fallback;
  const std::string text = state_->scalar(value, key);
  int number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc{} || end != text.data() + text.size() || number < min || number > max) {
    throw state_->errorAt(value, keyPath(key), wholeNumberProblem(text, std::to_string(min), std::to_string(max)));
  }
  return number;
}

Millis ConfigSection::duration(const std::string& key, Millis fallback, Millis min) {
  const YAML::Node value = state_->take(key);
  if (!value.IsDefined()) return fallback;
  const std::string text = state_->scalar(value, key);
  const auto parsed = parseDuration(text);
  if (!parsed) throw state_->errorAt(value, keyPath(key), "'" + text + "' is not a duration like 250ms, 5s or 2m");
  if (*parsed < min) throw state_->errorAt(value, keyPath(key), "must be at least " + std::to_string(min.count()) + "ms");
  return *parsed;
}

Micros ConfigSection::shortDuration(const std::string& key, Micros fallback, Micros min, Micros max) {
  const YAML::Node value = state_->take(key);
  if (!value.IsDefined()) return fallback;
  const std::string text = state_->scalar(value, key);
  const auto parsed = parseShortDuration(text);
  if (!parsed) throw state_->errorAt(value, keyPath(key), "'" + text + "' is not a duration like 100us or 3ms");
  if (*parsed < min || *parsed > max) {
    throw state_->errorAt(value, keyPath(key), "must be from " + std::to_string(min.count()) + "us to " +
                                                   std::to_string(max.count()) + "us");
  }
  return *parsed;
}

std::uint64_t ConfigSection::size(const std::string& key, std::uint64_t fallback, std::uint64_t min, std::uint64_t max) {
  const YAML::Node value = state_->take(key);
  if (!value.IsDefined()) return fallback;
  const std::string text = state_->scalar(value, key);
  const auto parsed = parseSize(text);
  if (!parsed) throw state_->errorAt(value, keyPath(key), "'" + text + "' is not a size like 512KiB or 1MiB");
  if (*parsed < min) throw state_->errorAt(value, keyPath(key), "must be at least " + std::to_string(min) + " bytes");
  if (*parsed > max) throw state_->errorAt(value, keyPath(key), "must be at most " + std::to_string(max) + " bytes");
  return *parsed;
}

std::vector<std::string> ConfigSection::stringList(const std::string& key, std::vector<std::string> fallback) {
  const YAML::Node value = state_->take(key);
  if (!value.IsDefined()) return fallback;
  if (!value.IsSequence()) throw state_->errorAt(value, keyPath(key), "must be a list like [a, b]");
  std::vector<std::string> items;
  for (const auto& item : value) {
    std::string text = state_->scalar(item, key);
    if (std::find(items.begin(), items.end(), text) != items.end()) {
      throw state_->errorAt(item, keyPath(key), "'" + text + "' is listed twice");
    }
    items.push_back(std::move(text));
  }
  return items;
}

std::string ConfigSection::choice(const std::string& key, std::string fallback, const std::vector<std::string>& choices) {
  const YAML::Node value = state_->take(key);
  if (!value.IsDefined()) return fallback;
  std::string text = state_->scalar(value, key);
  if (std::find(choices.begin(), choices.end(), text) == choices.end()) {
    throw state_->errorAt(value, keyPath(key), "'" + text + "' is not one of " + joined(choices));
  }
  return text;
}

bool ConfigSection::boolean(const std::string& key, bool fallback) {
  return choice(key, fallback ? "true" : "false", {"true", "false"}) == "true";
}

ConfigError ConfigSection::error(const std::string& key, const std::string& problem) const {
  const State::Entry* entry = state_->find(key);
  const YAML::Node& at = entry ? entry->key_node : state_->node;
  return state_->errorAt(at, keyPath(key), problem);
}

std::string ConfigSection::keyPath(const std::string& key) const { return state_->keyPath(key); }

const std::string& ConfigSection::sourceName() const { return *state_->source; }

void ConfigSection::rejectUnknown() const {
  for (const auto& [key, key_node, value] : state_->entries) {
    if (std::find(state_->asked.begin(), state_->asked.end(), key) != state_->asked.end()) continue;
    throw state_->errorAt(key_node, keyPath(key), "unknown key; expected one of: " + joined(state_->asked));
  }
  for (const auto& [key, child] : state_->children) ConfigSection(child).rejectUnknown();
}

namespace {

// A duration's "250" and "ms"; zero needs no unit ("0", nullopt unit). nullopt if malformed.
struct NumberAndUnit {
  std::uint64_t number;
  std::string_view unit;
};
std::optional<NumberAndUnit> splitDuration(std::string_view text) {
  if (text == "0") return NumberAndUnit{0, "0"};
  const auto unit_at = text.find_first_not_of("0123456789");
  if (unit_at == 0 || unit_at == std::string_view::npos) return std::nullopt;
  const auto number = fcgi::parseDecimal(text.substr(0, unit_at), 0, 1'000'000'000);
  if (!number) return std::nullopt;
  return NumberAndUnit{*number, text.substr(unit_at)};
}

}  // namespace

std::optional<Micros> parseShortDuration(std::string_view text) {
  const auto split = splitDuration(text);
  if (!split) return std::nullopt;
  if (split->unit == "0") return Micros(0);
  if (split->unit == "us") return Micros(split->number);
  if (split->unit == "ms") return Micros(split->number * 1000);
  return std::nullopt;
}

std::optional<Millis> parseDuration(std::string_view text) {
  const auto split = splitDuration(text);
  if (!split) return std::nullopt;
  if (split->unit == "0") return Millis(0);
  if (split->unit == "ms") return Millis(split->number);
  if (split->unit == "s") return Millis(split->number * 1000);
  if (split->unit == "m") return Millis(split->number * 60'000);
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

}  // namespace twinlane::pool
