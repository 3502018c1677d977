// SPDX-License-Identifier: Apache-2.0
// The road-graph service's ServiceSpec: its routes and which lane each goes to, its URL prefix
// and its config keys. twinlane's main() serves it; the config fuzz target reads configs with it.
#pragma once

#include "pool/service_spec.h"

namespace twinlane::app {

pool::ServiceSpec graphServiceSpec();

}  // namespace twinlane::app
