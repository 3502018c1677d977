// SPDX-License-Identifier: Apache-2.0
// A process the test started: fork+exec with argv, extra environment and output captured in files.
// Owns the pid until it is reaped: signals go only to that pid and only from the process that
// started it, and the destructor always reaps (TERM, up to 10 s, then KILL), so no test leaves a
// zombie or a stray behind. It does not own grandchildren (nginx or twinlane workers): their
// own masters do.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace twinlane::test {

// How a process ended, decoded from waitpid's status.
struct ExitStatus {
  bool exited = false;  // true: ended by exit(code); false: killed by `signal`
  int code = 0;
  int signal = 0;

  bool success() const { return exited && code == 0; }
  std::string describe() const;  // "exit 0", "killed by SIGKILL"
};

class ChildProcess {
 public:
  struct Options {
    std::vector<std::string> argv;             // argv[0] is the executable's path (no PATH search)
    std::map<std::string, std::string> env;    // added to (or replacing in) the test's environment
    std::filesystem::path stdout_path;         // required: the file stdout goes to (truncated)
    std::filesystem::path stderr_path;         // empty: stderr goes to stdout_path too
    // Non-empty: a cgroup v2 directory the child joins before exec, as systemd places a service
    // in the cgroup of its unit.
    std::filesystem::path cgroup = {};
  };

  // Starts the process; throws with argv[0] and errno text if fork or exec fails.
  // The child gets PR_SET_PDEATHSIG(SIGTERM), so it is told to stop even if the test process is
  // killed; note that this signal follows the *thread* that started it, so start children from
  // the test's main thread.
  explicit ChildProcess(Options options);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& name() const { return options_.argv.front(); }

  // Sends `signo` to the child unless it was already reaped; false if it was.
  bool signal(int signo);
  // Waits up to `deadline` for the child to end and reaps it; nullopt if it is still running.
  // Once reaped, returns the same status again at once.
  std::optional<ExitStatus> waitExit(std::chrono::milliseconds deadline);
  // Non-blocking: true while the child has not ended (reaps it if it has).
  bool running();

  std::string readStdout() const;
  std::string readStderr() const;  // "" if stderr shares stdout's file
  // Everything it wrote: stdout's file, then stderr's if separate.
  std::string readLog() const;

 private:
  bool reapNoHang();

  Options options_;
  pid_t pid_ = -1;
  pid_t owner_pid_ = -1;
  std::optional<ExitStatus> status_;
};

struct CompletedProcess {
  ExitStatus status;
  std::string out;
  std::string err;
};

// Runs a command to completion, capturing output in `dir`/<tag>.out and .err; throws with the
// command line and whatever it wrote if it does not end within `deadline`.
CompletedProcess runToCompletion(const std::vector<std::string>& argv, const std::filesystem::path& dir,
                                 const std::string& tag, std::chrono::milliseconds deadline);

std::string joinCommandLine(const std::vector<std::string>& argv);

}  // namespace twinlane::test
