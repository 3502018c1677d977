// SPDX-License-Identifier: Apache-2.0
// Loading a generation: see generations.h.
#include "pool/generations.h"

#include <sstream>
#include <stdexcept>

namespace twinlane::pool {
namespace {

std::string toJson(const Poco::JSON::Object::Ptr& object) {
  std::ostringstream out;
  object->stringify(out);
  return out.str();
}

}  // namespace

std::unique_ptr<Generation> loadGeneration(std::uint32_t number, Config config, LaneListeners listeners,
                                           const ServiceFactory& make_service, const Scoreboard& scoreboard,
                                           const std::string& started_at, Poco::Logger& log) {
  auto generation = std::make_unique<Generation>();
  generation->number = number;
  generation->config = std::make_unique<const Config>(std::move(config));
  generation->listeners = std::move(listeners);

  const std::int64_t load_start = monotonicMillis();
  generation->service = make_service(*generation->config);
  if (!generation->service) throw std::runtime_error("the service's load() returned no service");
  PoolView& view = generation->view;
  view.config = generation->config.get();
  view.scoreboard = &scoreboard;
  view.service = generation->service.get();
  view.service_summary = generation->service->summary();
  view.started_at = started_at;
  view.generation = number;
  for (const Lane lane : kLanes) view.listener_inodes[laneIndex(lane)] = generation->listeners[laneIndex(lane)]->inode;
  log.notice("generation %u: loaded %s in %ld ms", number, toJson(view.service_summary),
             static_cast<long>(monotonicMillis() - load_start));
  return generation;
}

}  // namespace twinlane::pool
