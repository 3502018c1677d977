// SPDX-License-Identifier: Apache-2.0
// ChildProcess: fork+exec with a CLOEXEC error pipe, output files, reaping with deadlines.
#include "child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <stdexcept>

#include "temp_dir.h"
#include "wait_for.h"

extern char** environ;

namespace twinlane::test {
namespace {

constexpr std::chrono::milliseconds kTermGrace{10'000};

ExitStatus decode(int wstatus) {
  ExitStatus status;
  if (WIFEXITED(wstatus)) {
    status.exited = true;
    status.code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    status.signal = WTERMSIG(wstatus);
  }
  return status;
}

// RAII for the few fds the parent opens before fork.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

}  // namespace

std::string ExitStatus::describe() const {
  if (exited) return "exit " + std::to_string(code);
  const char* name = ::sigabbrev_np(signal);
  return std::string("killed by SIG") + (name != nullptr ? name : std::to_string(signal).c_str());
}

std::string joinCommandLine(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& arg : argv) {
    if (!line.empty()) line += ' ';
    line += arg;
  }
  return line;
}

ChildProcess::ChildProcess(Options options) : options_(std::move(options)) {
  if (options_.argv.empty()) throw std::invalid_argument("ChildProcess: empty argv");
  if (options_.stdout_path.empty()) throw std::invalid_argument("ChildProcess: no stdout_path for " + name());

  // Everything the child needs is built before fork: after fork only async-signal-safe calls.
  std::vector<char*> argv;
  for (auto& arg : options_.argv) argv.push_back(arg.data());
  argv.push_back(nullptr);

  std::map<std::string, std::string> merged;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string item(*entry);
    const auto eq = item.find('=');
    if (eq != std::string::npos) merged[item.substr(0, eq)] = item.substr(eq + 1);
  }
  for (const auto& [key, value] : options_.env) merged[key] = value;
  std::vector<std::string> env_strings;
  for (const auto& [key, value] : merged) env_strings.push_back(key + "=" + value);
  std::vector<char*> envp;
  for (auto& item : env_strings) envp.push_back(item.data());
  envp.push_back(nullptr);

  const auto open_output = [this](const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error("cannot open " + path.string() + " for " + name() + ": " + std::strerror(errno));
    return fd;
  };
  Fd out(open_output(options_.stdout_path));
  Fd err(options_.stderr_path.empty() ? -1 : open_output(options_.stderr_path));
  Fd null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (null_in.get() < 0) throw std::runtime_error(std::string("cannot open /dev/null: ") + std::strerror(errno));
  const auto cgroup_procs_path = options_.cgroup / "cgroup.procs";
  Fd cgroup_procs(options_.cgroup.empty() ? -1 : ::open(cgroup_procs_path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!options_.cgroup.empty() && cgroup_procs.get() < 0) {
    throw std::runtime_error("cannot open " + cgroup_procs_path.string() + ": " + std::strerror(errno));
  }
  int exec_pipe[2];
  if (::pipe2(exec_pipe, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  Fd exec_read(exec_pipe[0]);
  Fd exec_write(exec_pipe[1]);

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork for " + name() + ": " + std::strerror(errno));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    // Tests may block or ignore signals; the child starts with default dispositions.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int signo = 1; signo < NSIG; ++signo) ::signal(signo, SIG_DFL);
    const int err_fd = err.get() >= 0 ? err.get() : out.get();
    if (::dup2(null_in.get(), STDIN_FILENO) < 0 || ::dup2(out.get(), STDOUT_FILENO) < 0 ||
        ::dup2(err_fd, STDERR_FILENO) < 0 || (cgroup_procs.get() >= 0 && ::write(cgroup_procs.get(), "0", 1) != 1)) {
      const int code = errno;
      (void)!::write(exec_write.get(), &code, sizeof code);
      ::_exit(127);
    }
    ::execve(argv[0], argv.data(), envp.data());
    const int code = errno;
    (void)!::write(exec_write.get(), &code, sizeof code);
    ::_exit(127);
  }
  pid_ = pid;
  owner_pid_ = parent;
  exec_write.reset();
  int child_errno = 0;
  ssize_t got;
  do {
    got = ::read(exec_read.get(), &child_errno, sizeof child_errno);
  } while (got < 0 && errno == EINTR);
  if (got == static_cast<ssize_t>(sizeof child_errno)) {
    int wstatus = 0;
    ::waitpid(pid_, &wstatus, 0);
    status_ = decode(wstatus);
    throw std::runtime_error("cannot exec " + joinCommandLine(options_.argv) + ": " + std::strerror(child_errno));
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ <= 0 || status_ || ::getpid() != owner_pid_) return;
  if (reapNoHang()) return;
  ::kill(pid_, SIGTERM);
  if (waitExit(kTermGrace)) return;
  std::cerr << "[twinlane-test] " << name() << " (pid " << pid_ << ") ignored SIGTERM for "
            << kTermGrace.count() << " ms; sending SIGKILL\n";
  ::kill(pid_, SIGKILL);
  int wstatus = 0;
  while (::waitpid(pid_, &wstatus, 0) < 0 && errno == EINTR) {
  }
  status_ = decode(wstatus);
}

bool ChildProcess::reapNoHang() {
  if (status_) return true;
  int wstatus = 0;
  pid_t got;
  do {
    got = ::waitpid(pid_, &wstatus, WNOHANG);
  } while (got < 0 && errno == EINTR);
  if (got == pid_) {
    status_ = decode(wstatus);
    return true;
  }
  if (got < 0) throw std::runtime_error("waitpid(" + std::to_string(pid_) + ", " + name() + "): " + std::strerror(errno));
  return false;
}

bool ChildProcess::signal(int signo) {
  if (::getpid() != owner_pid_ || reapNoHang()) return false;
  if (::kill(pid_, signo) != 0) {
    throw std::runtime_error("kill(" + std::to_string(pid_) + ", " + std::to_string(signo) + ") for " + name() +
                             ": " + std::strerror(errno));
  }
  return true;
}

std::optional<ExitStatus> ChildProcess::waitExit(std::chrono::milliseconds deadline) {
  waitFor([this] { return reapNoHang(); }, deadline, std::chrono::milliseconds{5});
  return status_;
}

bool ChildProcess::running() { return !reapNoHang(); }

std::string ChildProcess::readStdout() const { return readFile(options_.stdout_path); }

std::string ChildProcess::readStderr() const {
  return options_.stderr_path.empty() ? std::string() : readFile(options_.stderr_path);
}

std::string ChildProcess::readLog() const { return readStdout() + readStderr(); }

CompletedProcess runToCompletion(const std::vector<std::string>& argv, const std::filesystem::path& dir,
                                 const std::string& tag, std::chrono::milliseconds deadline) {
  ChildProcess child({argv, {}, dir / (tag + ".out"), dir / (tag + ".err")});
  const auto status = child.waitExit(deadline);
  if (!status) {
    throw std::runtime_error(joinCommandLine(argv) + " did not finish within " + std::to_string(deadline.count()) +
                             " ms; it wrote:\n" + child.readLog());
  }
  return {*status, child.readStdout(), child.readStderr()};
}

}  // namespace twinlane::test
