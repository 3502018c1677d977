// SPDX-License-Identifier: Apache-2.0
// serve(): the whole command line of a server built on twinlane, for any service. Part of the
// public API. A program's main() is one call:
//   int main(int argc, char** argv) { return twinlane::pool::serve(argc, argv, mySpec()); }
// which gives it:
//   PROGRAM --config FILE          run the master in the foreground (systemd, or a terminal)
//   PROGRAM --check-config FILE    read FILE and let the service check its part; exit 0 or 1
//   PROGRAM nginx-config --config FILE [--listen ADDR] [--server-name NAME]
//                                  print the nginx upstreams and server block for FILE
//   PROGRAM --help | --version
#pragma once

#include "pool/service_spec.h"

namespace twinlane::pool {

// Returns the process exit code (see pool/exit_codes.h).
int serve(int argc, char** argv, ServiceSpec spec);

}  // namespace twinlane::pool
