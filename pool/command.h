// SPDX-License-Identifier: Apache-2.0
// runCommand: the whole command line of a server built on the pool: run the master, check a
// config, or render the nginx site. A program supplies its service (routes and how to load
// it); the twinlane binary passes the road-graph service, the tests a test service.
#pragma once

#include <string>
#include <vector>

#include "fcgi/router.h"
#include "pool/master.h"

namespace twinlane::pool {

struct ServiceDescription {
  std::string program;                  // for --help and --version
  std::vector<fcgi::RouteSpec> routes;  // the service's own routes (the pool adds status, metrics)
  ServiceFactory make_service;          // called in the master, before forking
};

int runCommand(int argc, char** argv, ServiceDescription service);

}  // namespace twinlane::pool
