// SPDX-License-Identifier: Apache-2.0
// The default graph's cache: the second load maps what the first wrote, and a damaged, foreign
// or unwritable cache never stops the graph from being served.
#include "default_graph.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "dimacs.h"
#include "mapped_file.h"
#include "snapshot_reader.h"
#include "test_support.h"

namespace twinlane::app {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

DefaultGraphOptions smallGraph(const fs::path& cache, bool with_hierarchy = true) {
  GeneratorOptions generator;
  generator.nodes = 3000;
  return {.generator = generator, .with_hierarchy = with_hierarchy, .cache_directory = cache.string()};
}

ino_t inodeOf(const std::string& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_ino;
}

TEST(DefaultGraph, IsServedFromASealedSnapshotWithItsHierarchy) {
  const LoadedGraph loaded = loadDefaultGraph();
  EXPECT_EQ(loaded.format, "snapshot");
  EXPECT_TRUE(loaded.graph.isMapped());
  EXPECT_TRUE(loaded.nearest.has_value());
  EXPECT_TRUE(loaded.hierarchy.has_value());
  EXPECT_EQ(loaded.graph.nodeCount(), 250'000u);
}

TEST(DefaultGraphCache, TheSecondLoadMapsTheSnapshotTheFirstWrote) {
  TempDir dir;
  const LoadedGraph first = loadDefaultGraph(smallGraph(dir.path()));
  const std::string file = defaultGraphCacheFile(dir.path().string(), first.graph.checksum(), true);
  ASSERT_TRUE(fs::exists(file)) << "no cached snapshot at " << file;
  const ino_t written = inodeOf(file);

  const LoadedGraph second = loadDefaultGraph(smallGraph(dir.path()));
  EXPECT_EQ(inodeOf(file), written) << "the cached snapshot was written again instead of served";
  EXPECT_EQ(second.graph.checksum(), first.graph.checksum());
  EXPECT_EQ(second.graph.source(), first.graph.source()) << "the graph is named by its recipe, not the cache file";
  ASSERT_TRUE(second.hierarchy.has_value());
  EXPECT_EQ(second.hierarchy->arcCount(), first.hierarchy->arcCount());
  EXPECT_TRUE(second.nearest.has_value());
  EXPECT_EQ(second.profile, snapshot::Profile::kGenerated);
}

TEST(DefaultGraphCache, ADamagedSnapshotIsWrittenAnew) {
  TempDir dir;
  const LoadedGraph first = loadDefaultGraph(smallGraph(dir.path()));
  const std::string file = defaultGraphCacheFile(dir.path().string(), first.graph.checksum(), true);
  fs::resize_file(file, fs::file_size(file) / 2);  // as a disk that filled up mid-write would leave it
  EXPECT_THROW(viewSnapshot(MappedFile::sealedCopy(file), file), GraphFormatError) << "the damage went unseen";

  const LoadedGraph second = loadDefaultGraph(smallGraph(dir.path()));
  EXPECT_EQ(second.graph.checksum(), first.graph.checksum());
  EXPECT_NO_THROW(viewSnapshot(MappedFile::sealedCopy(file), file)) << "the damaged snapshot was not replaced";
}

TEST(DefaultGraphCache, AnotherGraphsSnapshotIsRemovedAndThePlainGraphHasItsOwn) {
  TempDir dir;
  const fs::path older = dir.path() / "default-graph-0123456789abcdef-ch.twg";
  std::ofstream(older) << "an older generator's graph";
  const LoadedGraph plain = loadDefaultGraph(smallGraph(dir.path(), /*with_hierarchy=*/false));
  EXPECT_FALSE(plain.hierarchy.has_value());
  EXPECT_TRUE(fs::exists(defaultGraphCacheFile(dir.path().string(), plain.graph.checksum(), false)));
  EXPECT_FALSE(fs::exists(older)) << "the cache keeps files of graphs no longer generated";
}

TEST(DefaultGraphCache, ACacheThatCannotBeWrittenStillServesTheGraph) {
  TempDir dir;
  const LoadedGraph loaded = loadDefaultGraph(smallGraph(dir.path() / "missing"));
  EXPECT_EQ(loaded.format, "snapshot");
  EXPECT_TRUE(loaded.graph.isMapped());
  EXPECT_TRUE(loaded.hierarchy.has_value());
  EXPECT_FALSE(fs::exists(dir.path() / "missing"));
}

}  // namespace
}  // namespace twinlane::app
