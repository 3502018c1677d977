// SPDX-License-Identifier: Apache-2.0
// Serving a graph snapshot through nginx: an imported OSM graph answers with OSM ids and both
// metrics; the served copy shrugs off its file being truncated and overwritten under load, a
// reload with the damaged file keeps the running generation, and a good file renamed into
// place is served after HUP; every worker shares the graph's pages rather than owning them.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "child_process.h"
#include "integration_stack.h"
#include "load_generator.h"
#include "osm_fixture.h"
#include "pool_status.h"
#include "wait_for.h"

namespace twinlane::test {
namespace {

using namespace std::chrono_literals;

std::vector<pid_t> allWorkerPids(const PoolStatus& pool) {
  auto pids = pool.lane("fast").pids();
  const auto slow = pool.lane("slow").pids();
  pids.insert(pids.end(), slow.begin(), slow.end());
  return pids;
}

std::filesystem::path makeSnapshot(const TempDir& dir, const std::vector<std::string>& arguments) {
  std::vector<std::string> argv = {TWINLANE_GRAPH_BIN};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  const auto run = runToCompletion(argv, dir.path(), "twinlane-graph", 300s);
  if (!run.status.success()) throw std::runtime_error("twinlane-graph failed: " + run.out + run.err);
  return dir.file(arguments.back());
}

std::filesystem::path generatedSnapshot(const TempDir& dir, const std::string& name, int seed) {
  makeSnapshot(dir, {"generate", "--nodes", "20000", "--seed", std::to_string(seed), "--format", "snapshot",
                     dir.file(name).string()});
  return dir.file(name + ".twg");
}

TEST(SnapshotServing, AnImportedOsmGraphAnswersWithOsmIdsAndBothMetrics) {
  TempDir data("twinlane-osm");
  data.write("square.osm", kSquareOsm);
  auto options = integrationOptions();
  options.slow_processes = 1;
  options.graph = makeSnapshot(data, {"import", "--profile", "car", data.file("square.osm").string(),
                                      data.file("square.twg").string()});
  TwinlaneStack stack(options);

  const auto graph = stack.get("/api/v1/graph").json();
  EXPECT_EQ(graph->getValue<std::string>("format"), "snapshot");
  EXPECT_EQ(graph->getValue<std::string>("profile"), "car");
  EXPECT_EQ(graph->getValue<std::string>("metric"), "duration_ds");
  EXPECT_EQ(graph->getValue<long>("nodes"), 4);

  const auto node = stack.get("/api/v1/nodes/1").json();
  EXPECT_EQ(node->getValue<long>("osm_id"), 10) << "node 1 is the lowest OSM id";
  const auto arcs = node->getArray("arcs");
  ASSERT_EQ(arcs->size(), 2u);
  for (std::size_t i = 0; i < arcs->size(); ++i) {
    const auto arc = arcs->getObject(static_cast<unsigned>(i));
    // 0.001 degrees is 72 m east-west and 111 m north-south at this latitude; 30 km/h is 8.33 m/s.
    const long metres = arc->getValue<long>("distance_m");
    EXPECT_TRUE(metres == 73 || metres == 112) << metres;
    EXPECT_NEAR(arc->getValue<double>("duration_s"), static_cast<double>(metres) / (30 / 3.6), 0.2);
    EXPECT_EQ(arc->getValue<long>("weight"), std::lround(arc->getValue<double>("duration_s") * 10));
  }
  // Node 3 is the opposite corner: one short and one long side either way round.
  const auto route = stack.get("/api/v1/route?from=1&to=3").json();
  EXPECT_EQ(route->getValue<long>("distance_m"), 73 + 112);
  EXPECT_NEAR(route->getValue<double>("duration_s"), route->getValue<double>("distance") / 10, 1e-9)
      << "a car graph's distance is its travel time in deciseconds";
  EXPECT_NEAR(route->getValue<double>("duration_s"), 185 / (30 / 3.6), 0.3);
}

// The graph mapping's lines in /proc/PID/smaps: Private_* and Rss in kB, summed.
struct GraphPages {
  long rss_kb = 0;
  long private_kb = 0;
  bool found = false;
};

GraphPages graphPages(pid_t pid) {
  std::ifstream smaps("/proc/" + std::to_string(pid) + "/smaps");
  GraphPages pages;
  bool in_graph = false;
  for (std::string line; std::getline(smaps, line);) {
    const bool header = line.find('-') < line.find(' ') && line.find(' ') != std::string::npos &&
                        std::isxdigit(static_cast<unsigned char>(line[0]));
    if (header) {
      in_graph = line.find("memfd:twinlane:") != std::string::npos;
      pages.found |= in_graph;
      continue;
    }
    if (!in_graph) continue;
    std::istringstream fields(line);
    std::string key;
    long kb = 0;
    fields >> key >> kb;
    if (key == "Rss:") pages.rss_kb += kb;
    if (key == "Private_Clean:" || key == "Private_Dirty:") pages.private_kb += kb;
  }
  return pages;
}

// The inode of the in-memory graph copy `pid` maps (the fifth field of its smaps header line).
std::string graphCopyInode(pid_t pid) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  for (std::string line; std::getline(maps, line);) {
    if (line.find("memfd:twinlane:") == std::string::npos) continue;
    std::istringstream fields(line);
    std::string range, permissions, offset, device, inode;
    fields >> range >> permissions >> offset >> device >> inode;
    return device + ":" + inode;
  }
  return "";
}

TEST(SnapshotServing, AReloadOfUnchangedDataSharesTheRunningCopy) {
  auto options = integrationOptions();
  options.slow_processes = 1;
  TempDir data("twinlane-snap");
  options.graph = generatedSnapshot(data, "served", 3);
  TwinlaneStack stack(options);
  const pid_t before = stack.workerPids("slow").at(0);
  const std::string copy = graphCopyInode(before);
  ASSERT_NE(copy, "") << "the slow worker maps no graph copy";
  ASSERT_TRUE(stack.master().signal(SIGHUP));
  ASSERT_TRUE(waitFor([&] { return stack.status()->getValue<long>("generation") == 2 && stack.poolStatus().ready(); }, 60s));
  const pid_t after = stack.workerPids("slow").at(0);
  ASSERT_NE(after, before);
  EXPECT_EQ(graphCopyInode(after), copy) << "the new generation copied the unchanged file again";
}

TEST(SnapshotServing, TheServedCopySurvivesItsFileBeingDamagedAndAGoodFileIsTakenOnHup) {
  auto options = integrationOptions();
  options.slow_processes = 2;
  options.expected_log_errors = {"reload failed"};
  TempDir data("twinlane-snap");
  const auto served = generatedSnapshot(data, "served", 1);
  options.graph = served;
  TwinlaneStack stack(options);
  const std::string checksum = stack.get("/api/v1/graph").json()->getValue<std::string>("checksum");
  const long nodes = graphNodeCount(stack);
  const auto workers = allWorkerPids(stack.poolStatus());

  LoadGenerator load({.port = stack.port(), .clients = 20, .duration = 30s, .max_requests = 4000,
                      .path = [nodes](int i) {
                        const long a = 1 + (i * 7919L) % nodes;
                        const long b = 1 + (i * 104729L) % nodes;
                        return i % 2 == 0 ? "/api/v1/route?from=" + std::to_string(a) + "&to=" + std::to_string(b)
                                          : "/api/v1/nodes/" + std::to_string(a);
                      }});
  ASSERT_TRUE(waitFor([&] { return load.completed() >= 100; }, 20s)) << "the load did not get going";
  ASSERT_EQ(::truncate(served.c_str(), 100), 0);  // a mapping of the file would now raise SIGBUS
  const int at_truncate = load.completed();
  ASSERT_TRUE(waitFor([&] { return load.completed() >= at_truncate + 300; }, 30s));
  writeFile(served, std::string(4 << 20, '\x01'));  // overwritten in place
  const int at_overwrite = load.completed();
  ASSERT_TRUE(waitFor([&] { return load.completed() >= at_overwrite + 300; }, 30s));
  load.stopEarly();
  const auto report = load.finish();
  std::cout << "[snapshot] " << report.total() << " requests while the file was truncated and overwritten\n";
  EXPECT_EQ(report.count(200), report.total()) << report.describeOther(200);
  EXPECT_TRUE(report.failures.empty()) << report.describeOther(200);
  EXPECT_EQ(allWorkerPids(stack.poolStatus()), workers) << "no worker may have died";

  for (const pid_t pid : stack.workerPids("slow")) {
    const GraphPages pages = graphPages(pid);
    ASSERT_TRUE(pages.found) << "worker " << pid << " has no graph mapping";
    EXPECT_GT(pages.rss_kb, 0) << "worker " << pid;
    EXPECT_EQ(pages.private_kb, 0) << "worker " << pid << " owns graph pages instead of sharing them";
  }

  ASSERT_TRUE(stack.master().signal(SIGHUP));  // the file is now 4 MiB of 0x01 bytes
  ASSERT_TRUE(waitFor([&] { return stack.masterLog().find("reload failed") != std::string::npos; }, 30s));
  const std::string log = stack.masterLog();
  const std::string line = log.substr(log.find("reload failed"), log.find('\n', log.find("reload failed")) - log.find("reload failed"));
  EXPECT_NE(line.find(served.string()), std::string::npos) << line;
  EXPECT_NE(line.find("neither a twinlane snapshot nor a DIMACS"), std::string::npos) << line;
  EXPECT_EQ(stack.status()->getValue<long>("generation"), 1);
  EXPECT_EQ(stack.get("/api/v1/graph").json()->getValue<std::string>("checksum"), checksum);

  // Replaced the way twinlane-graph does it: written beside and renamed over.
  const auto next = generatedSnapshot(data, "next", 2);
  std::filesystem::rename(next, served);
  ASSERT_TRUE(stack.master().signal(SIGHUP));
  ASSERT_TRUE(waitFor([&] { return stack.status()->getValue<long>("generation") == 2 && stack.poolStatus().ready(); }, 60s));
  const std::string new_checksum = stack.get("/api/v1/graph").json()->getValue<std::string>("checksum");
  EXPECT_NE(new_checksum, checksum);
  EXPECT_TRUE(isJsonOk(stack.get("/api/v1/route?from=1&to=" + std::to_string(graphNodeCount(stack)))));
}

}  // namespace
}  // namespace twinlane::test
