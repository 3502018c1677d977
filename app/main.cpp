// SPDX-License-Identifier: Apache-2.0
// twinlane: the road-graph service (app/graph_service_spec.h) served by the pool, through the
// same public API any other service uses (pool/serve.h).
#include "graph_service_spec.h"
#include "pool/serve.h"

int main(int argc, char** argv) { return twinlane::pool::serve(argc, argv, twinlane::app::graphServiceSpec()); }
