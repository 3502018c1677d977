// SPDX-License-Identifier: Apache-2.0
// The default graph: generate, then map the cached snapshot of it or write one.
#include "default_graph.h"

#include <Poco/Logger.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <system_error>

#include "ch_builder.h"
#include "dimacs.h"
#include "fcgi/unique_fd.h"
#include "mapped_file.h"
#include "nearest.h"
#include "snapshot_reader.h"
#include "snapshot_writer.h"

namespace twinlane::app {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCachePrefix = "default-graph-";

Poco::Logger& log() { return Poco::Logger::get("twinlane.graph"); }

std::string secondsSince(std::chrono::steady_clock::time_point start) {
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f", took.count());
  return text;
}

// The cached snapshot of `generated`, or nothing (logged) when there is none fit to serve.
std::optional<LoadedGraph> fromCache(const std::string& file, const Graph& generated, bool with_hierarchy) {
  std::error_code error;
  if (!fs::exists(file, error)) return std::nullopt;
  try {
    LoadedGraph cached = loadedFromSnapshot(viewSnapshot(MappedFile::sealedCopy(file), generated.source()));
    std::string unfit;
    if (cached.graph.checksum() != generated.checksum()) {
      unfit = "it holds another graph (checksum " + cached.graph.checksum() + ")";
    } else if (cached.profile != snapshot::Profile::kGenerated) {
      unfit = "it is not a generated graph";
    } else if (with_hierarchy && !cached.hierarchy) {
      unfit = "it has no contraction hierarchy";
    }
    if (unfit.empty()) {
      if (!with_hierarchy) cached.hierarchy.reset();
      return cached;
    }
    log().warning("graph: the cached default graph %s is not this one: %s; writing it anew", file, unfit);
  } catch (const std::exception& damaged) {
    log().warning("graph: the cached default graph %s cannot be served (%s); writing it anew", file,
                  std::string(damaged.what()));
  }
  return std::nullopt;
}

// Removes the cache's files of other graphs (an older generator's), keeping `current`.
void removeOtherCacheFiles(const std::string& cache_directory, const std::string& checksum_part) {
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(cache_directory, error)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(kCachePrefix) && name.find(checksum_part) == std::string::npos) {
      fs::remove(entry.path(), error);
    }
  }
}

}  // namespace

std::string defaultGraphCacheFile(const std::string& cache_directory, const std::string& checksum,
                                  bool with_hierarchy) {
  std::string name(kCachePrefix);
  name.append(checksum.substr(0, 16)).append(with_hierarchy ? "-ch.twg" : "-plain.twg");
  return (fs::path(cache_directory) / name).string();
}

LoadedGraph loadDefaultGraph(const DefaultGraphOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const Graph generated = generateRoadGraph(options.generator);
  const std::string name = generated.source();
  std::string file;
  if (!options.cache_directory.empty()) {
    file = defaultGraphCacheFile(options.cache_directory, generated.checksum(), options.with_hierarchy);
    if (std::optional<LoadedGraph> cached = fromCache(file, generated, options.with_hierarchy)) {
      log().information("graph: %s served from its cached snapshot %s (%s s)", name, file, secondsSince(start));
      return std::move(*cached);
    }
  }

  const NearestIndex nearest(generated);
  std::optional<ContractionHierarchy> hierarchy;
  if (options.with_hierarchy) hierarchy.emplace(buildContractionHierarchy(generated));
  const SnapshotOrigin origin{snapshot::Profile::kGenerated, name};
  if (!file.empty()) {
    try {
      writeSnapshotFile(generated, &nearest, hierarchy ? &*hierarchy : nullptr, origin, file);
      removeOtherCacheFiles(options.cache_directory, generated.checksum().substr(0, 16));
      LoadedGraph written = loadedFromSnapshot(viewSnapshot(MappedFile::sealedCopy(file), name));
      log().information("graph: %s generated in %s s and cached as %s for the next start", name,
                        secondsSince(start), file);
      return written;
    } catch (const std::exception& unwritable) {
      log().warning("graph: cannot cache the default graph in %s (%s); serving it from memory, so the next start "
                    "generates it again",
                    options.cache_directory, std::string(unwritable.what()));
    }
  }
  UniqueFd memfd(MappedFile::createSealableMemfd(name));
  writeSnapshot(generated, &nearest, hierarchy ? &*hierarchy : nullptr, origin, memfd.get(), name);
  return loadedFromSnapshot(viewSnapshot(MappedFile::sealMemfd(memfd.release(), name), name));
}

}  // namespace twinlane::app
