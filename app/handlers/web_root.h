// SPDX-License-Identifier: Apache-2.0
// The map page's files (web/: index.html, map.js, map.css): where they are, for the config key
// web.root. nginx serves them itself (twinlane nginx-config renders the locations); the service
// only says where they lie and checks that they are there.
#pragma once

#include <string>

namespace twinlane::app {

// Where web.root points when the config does not say: the installed page
// (/usr/share/twinlane/web under the usual prefix) when it is there; otherwise, in a build
// configured with TWINLANE_WEB_SOURCE_FALLBACK (the default; the Debian package turns it off),
// the web/ folder of the source tree this binary was built from, when that one is there; else
// the installed path anyway, so a site rendered before the package is installed points at it.
std::string defaultWebRoot();

// Why `path` cannot be served as the page's files, or empty when it can: it must be an absolute
// path nginx can take as written (no quotes, backslashes, '$' or control characters), naming a
// directory that holds a readable index.html.
std::string whyNotWebRoot(const std::string& path);

}  // namespace twinlane::app
