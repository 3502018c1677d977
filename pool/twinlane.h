// SPDX-License-Identifier: Apache-2.0
// twinlane.h: the public API in one include (installed as <twinlane/twinlane.h> by twinlane-dev).
//
// A service is C++ code that loads read-only data once, in the master, and answers requests in
// the workers, which share that data's pages. It is written in four parts:
//
//   1. A twinlane::Service holding the loaded data (read-only after construction), which makes
//      one ServiceThread per serving thread (newThread: the thread's private scratch) and says
//      what /status shows of it (summary) and what it adds to /metrics (metrics).
//   2. A twinlane::ServiceThread whose handle(match, request, response) answers one request:
//      match.route->name says which route, match.rest what followed a prefix route's path;
//      request.queryString(), request.readBody(), QueryParameters for strict parameter
//      parsing; response.setJson(...). Throw HttpError for a 4xx/5xx answer in the API's JSON
//      shape; any other exception becomes 500 "internal". Long computations call
//      request.checkpoint() now and then: past the lane's request_timeout it throws HttpError
//      (504 "timeout"), and when the client has gone it throws ClientGone; let both pass (a
//      catch-all that swallows them would keep computing for nobody).
//   3. A twinlane::ServiceConfig: what the service read from the config file. check() tests
//      what reading could not (files readable), load() builds the Service.
//   4. A twinlane::ServiceSpec: the program's name, the URL prefix of its routes, the routes
//      with their default lanes (cheap ones fast, expensive ones slow), and configure(top),
//      which reads the service's own keys with ConfigSection's typed readers.
//
// main() is then `return twinlane::serve(argc, argv, spec);`, which gives the program the
// master (--config), --check-config, nginx-config and the rest of the pool: lanes, queueing,
// deadlines, recycling, reload on HUP, /status, /metrics, logs, privileges and systemd.
// examples/wordfreq (installed in /usr/share/doc/twinlane-dev/examples/) is a complete service
// in one file.
#pragma once

#include "fcgi/http_error.h"
#include "fcgi/query.h"
#include "fcgi/request.h"
#include "fcgi/response.h"
#include "fcgi/router.h"
#include "fcgi/service.h"
#include "pool/config_section.h"
#include "pool/lane.h"
#include "pool/serve.h"
#include "pool/service_spec.h"
#include "twinlane/version.h"

namespace twinlane {

using fcgi::ClientGone;
using fcgi::HttpError;
using fcgi::orderedObject;
using fcgi::QueryParameters;
using fcgi::Request;
using fcgi::Response;
using fcgi::RouteMatch;
using fcgi::RouteSpec;
using fcgi::Service;
using fcgi::ServiceThread;
using pool::ConfigError;
using pool::ConfigSection;
using pool::Lane;
using pool::serve;
using pool::ServiceConfig;
using pool::ServiceRoute;
using pool::ServiceSpec;

}  // namespace twinlane
