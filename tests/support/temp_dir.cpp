// SPDX-License-Identifier: Apache-2.0
// TempDir: mkdtemp under /tmp and recursive removal; readFile helper.
#include "temp_dir.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace twinlane::test {

TempDir::TempDir(std::string_view prefix) {
  std::string templ = "/tmp/" + std::string(prefix) + "-XXXXXX";
  std::vector<char> buffer(templ.begin(), templ.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) {
    throw std::runtime_error("mkdtemp(" + templ + "): " + std::strerror(errno));
  }
  path_ = buffer.data();
}

TempDir::~TempDir() {
  if (std::getenv("TWINLANE_KEEP_TMP") != nullptr) {
    std::cerr << "[twinlane-test] keeping " << path_ << " (TWINLANE_KEEP_TMP is set)\n";
    return;
  }
  std::error_code error;
  std::filesystem::remove_all(path_, error);
  if (error) std::cerr << "[twinlane-test] cannot remove " << path_ << ": " << error.message() << "\n";
}

std::filesystem::path TempDir::write(std::string_view name, std::string_view content) const {
  const auto target = file(name);
  writeFile(target, content);
  return target;
}

void writeFile(const std::filesystem::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(path)) return {};
    throw std::runtime_error("cannot open " + path.string() + " for reading");
  }
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace twinlane::test
