// SPDX-License-Identifier: Apache-2.0
// A cgroup v2 child per lane, below the cgroup the master was started in, where that cgroup is
// delegated to it (systemd's Delegate=yes). In their own cgroups the lanes share the CPU as two
// groups, by cpu.weight, however many threads each one runs, and the slow lane can be capped
// by cpu.max; nice and the scheduling policy only order threads against each other, one by one.
//
// Layout, below the delegated cgroup D (cgroup v2 allows processes only in leaves once a
// controller is enabled, so the master leaves D for a leaf of its own):
//   D/master   the master
//   D/fast     the fast lane's workers
//   D/slow     the slow lane's workers
// Where D is not delegated, cgroup v2 is absent or the cpu controller is not offered to D, the
// master says so once and goes on: the lanes then share the master's cgroup.
//
// Mechanics only, as the rest of pool/'s process handling: the master sets the cgroups up
// (setUp), writes the weights at start and on every reload (apply), and moves each worker it
// forks into its lane's cgroup (moveWorker) before the worker appears in the scoreboard.
#pragma once

#include <Poco/Logger.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "fcgi/unique_fd.h"
#include "pool/config.h"
#include "pool/lane.h"

namespace twinlane::pool {

class LaneCgroups {
 public:
  // Inactive: the lanes share the master's cgroup.
  LaneCgroups() = default;

  // Finds the master's cgroup v2 and, when it is delegated, creates the layout above and moves
  // the master into D/master. Never throws: whatever is missing is logged once, and the result
  // is inactive (or active without the cpu controller, when only that is missing).
  static LaneCgroups setUp(const Config& config, Poco::Logger& log);

  // Writes each lane's cpu.weight and cpu.max (the kernel's defaults where the config sets
  // none, so that a reload can take a setting back). Logs what it wrote or why it could not.
  void apply(const Config& config, Poco::Logger& log) const;

  bool active() const { return !root_.empty(); }
  // Moves the worker `pid` into `lane`'s cgroup; "" on success (or when inactive), else why not.
  // Through the lane's cgroup.procs, opened before privileges were dropped: cgroup v2 checks
  // the opener's credentials, not the writer's.
  std::string moveWorker(Lane lane, pid_t pid) const;
  // The lane's cgroup.procs; -1 when inactive (a forked worker closes it).
  int procsFd(Lane lane) const { return procs_[laneIndex(lane)].get(); }
  std::string laneDirectory(Lane lane) const;

 private:
  std::string root_;  // D, as a path in this process's mount namespace
  bool cpu_controlled_ = false;
  std::array<UniqueFd, kLaneCount> procs_;
};

// Pure parts, tested on their own.
// The cgroup v2 path in /proc/self/cgroup's text (the "0::PATH" line); nullopt without one.
std::optional<std::string> unifiedCgroupPath(std::string_view proc_cgroup);
// Where `cgroup_path` is in this mount namespace, from /proc/self/mountinfo's text: the first
// cgroup2 mount whose root contains it; nullopt when none does.
std::optional<std::string> cgroupDirectory(std::string_view mountinfo, std::string_view cgroup_path);
// cpu.max for `cpus` CPUs (0: no cap), with the kernel's default period of 100 ms:
// "150000 100000" for 1.5, "max 100000" for 0.
std::string cpuMaxValue(double cpus);
// Whether a cgroup.controllers text (space-separated) offers `controller`.
bool offersController(std::string_view controllers, std::string_view controller);

}  // namespace twinlane::pool
