// SPDX-License-Identifier: Apache-2.0
// ConfigSection: one mapping of the YAML configuration file, read by the pool and by the
// service it serves with the same typed readers, so every mistake in the file is reported the
// same way: "FILE:LINE: dotted.key: problem", like `nginx -t`. Part of the public API.
//
// A section hands out the keys its readers ask for. Once the pool and the service have both
// read the file, every key that nobody asked for, in every section, is an error ("unknown key;
// expected one of: ..."), so a misspelt key never silently leaves a setting at its default.
// Sections are cheap handles: section("limits") twice gives the same mapping, so a service
// may add its own keys to a shared section (limits.max_items, say).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace twinlane::pool {

using Millis = std::chrono::milliseconds;
using Micros = std::chrono::microseconds;

// A configuration the server cannot run with. The message says where and why.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ConfigSection {
 public:
  // Parses `yaml_text`; `source_name` (the file's path) starts every message. Throws
  // ConfigError for a YAML syntax error or a top level that is not a mapping.
  static ConfigSection parseDocument(const std::string& yaml_text, const std::string& source_name);

  // The nested mapping under `key`; an absent key reads as an empty mapping.
  ConfigSection section(const std::string& key);

  // Typed readers. Each returns `fallback` when the key is absent and throws ConfigError when
  // it is present but wrong (a list where a value belongs, a number out of range, ...).
  bool has(const std::string& key);
  std::string string(const std::string& key, std::string fallback = {});
  std::uint64_t integer(const std::string& key, std::uint64_t fallback, std::uint64_t min, std::uint64_t max);
  int signedInteger(const std::string& key, int fallback, int min, int max);
  Millis duration(const std::string& key, Millis fallback, Millis min = Millis(0));  // "250ms", "5s", "2m"
  // A short duration: "100us", "3ms"; within [min, max].
  Micros shortDuration(const std::string& key, Micros fallback, Micros min, Micros max);
  std::uint64_t size(const std::string& key, std::uint64_t fallback, std::uint64_t min = 0,
                     std::uint64_t max = UINT64_MAX);  // "512KiB", "1MiB"
  std::vector<std::string> stringList(const std::string& key, std::vector<std::string> fallback = {});
  // One of `choices`, e.g. log.level.
  std::string choice(const std::string& key, std::string fallback, const std::vector<std::string>& choices);
  // true or false.
  bool boolean(const std::string& key, bool fallback);

  // An error about `key`, at its line when present, else at the section's: for checks across
  // keys (a file that cannot be read, two settings that conflict).
  ConfigError error(const std::string& key, const std::string& problem) const;
  // "lanes.slow.routes" for key "routes" in section lanes.slow.
  std::string keyPath(const std::string& key) const;
  const std::string& sourceName() const;

  // Throws for the first key, in this section or any section made from it, that no reader
  // asked for. The pool calls it on the whole document once the service has read its part.
  void rejectUnknown() const;

  struct State;  // the mapping, its path and what was asked of it; defined in config_section.cpp

 private:
  explicit ConfigSection(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

// "5s", "250ms", "2m" -> milliseconds; "1MiB", "512KiB", "100B" -> bytes. nullopt if malformed.
std::optional<Millis> parseDuration(std::string_view text);
// "100us", "3ms" -> microseconds; nullopt if malformed.
std::optional<Micros> parseShortDuration(std::string_view text);
std::optional<std::uint64_t> parseSize(std::string_view text);

}  // namespace twinlane::pool
