// SPDX-License-Identifier: Apache-2.0
// A private directory under /tmp for one test: sockets, configs, logs, nginx's prefix.
// Under /tmp on purpose: unix socket paths must stay below 108 bytes.
// Owns the directory tree; removes it on destruction unless TWINLANE_KEEP_TMP is set.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace twinlane::test {

class TempDir {
 public:
  // Creates /tmp/<prefix>-XXXXXX (mode 0700 as mkdtemp makes it); throws with errno text.
  explicit TempDir(std::string_view prefix = "twinlane-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // path() / name, without creating anything.
  std::filesystem::path file(std::string_view name) const { return path_ / name; }
  // Writes `content` to path()/name (truncating) and returns the path; throws on failure.
  std::filesystem::path write(std::string_view name, std::string_view content) const;

 private:
  std::filesystem::path path_;
};

// Writes `content` to `path` (truncating); throws naming the path on failure.
void writeFile(const std::filesystem::path& path, std::string_view content);

// The whole content of a file, or "" if it does not exist; throws on other read errors.
std::string readFile(const std::filesystem::path& path);

}  // namespace twinlane::test
