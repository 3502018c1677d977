// SPDX-License-Identifier: Apache-2.0
// How a fuzz target reports what it found, and tells a reader's documented refusal of bad input
// from any other failure.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

namespace twinlane::fuzz {

// A line on stderr, then abort: libFuzzer keeps the input that got here.
[[noreturn]] inline void finding(const std::string& what) {
  std::fprintf(stderr, "FINDING: %s\n", what.c_str());
  std::abort();
}

// Runs `read`. nullopt: it accepted the input. Its documented refusal (an exception of type
// Refusal) comes back as the message; any other exception is a finding, described by `what`.
template <typename Refusal, typename Read>
std::optional<std::string> refusalOf(std::string_view what, Read&& read) {
  try {
    read();
  } catch (const Refusal& error) {
    return std::string(error.what());
  } catch (const std::exception& error) {
    finding(std::string(what) + " refused with another error than the documented one: " + error.what());
  }
  return std::nullopt;
}

}  // namespace twinlane::fuzz
