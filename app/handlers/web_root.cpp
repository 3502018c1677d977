// SPDX-License-Identifier: Apache-2.0
// The map page's web root: see web_root.h.
#include "handlers/web_root.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace twinlane::app {
namespace {

bool holdsIndex(const std::string& path) { return ::access((path + "/index.html").c_str(), R_OK) == 0; }

}  // namespace

std::string defaultWebRoot() {
#ifdef TWINLANE_SOURCE_WEB_ROOT
  if (!holdsIndex(TWINLANE_INSTALLED_WEB_ROOT) && holdsIndex(TWINLANE_SOURCE_WEB_ROOT)) return TWINLANE_SOURCE_WEB_ROOT;
#endif
  return TWINLANE_INSTALLED_WEB_ROOT;
}

std::string whyNotWebRoot(const std::string& path) {
  if (path.empty() || path.front() != '/') return "'" + path + "' is not an absolute path";
  for (const char c : path) {
    // nginx would read '$' as a variable; quotes and backslashes would end or escape the
    // quoted path in the rendered site.
    if (c == '"' || c == '\'' || c == '\\' || c == '$' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return "'" + path + "' holds a character nginx's config cannot take as written (quote, backslash, '$' or control)";
    }
  }
  std::error_code error;
  if (!std::filesystem::is_directory(path, error)) {
    return path + " is not a directory" + (error ? ": " + error.message() : std::string());
  }
  if (!holdsIndex(path)) {
    const std::string reason = std::strerror(errno);
    return "cannot read " + path + "/index.html: " + reason;
  }
  return {};
}

}  // namespace twinlane::app
