// SPDX-License-Identifier: Apache-2.0
// bench-snapshot-load: what the master's defence against a changing data file costs, step by
// step, on one snapshot, in one process. The server copies the file into a sealed memfd with
// sendfile(2) and maps that populated (MappedFile::sealedCopy), then validates all of it
// (viewSnapshot); the cheapest alternative maps the file itself. Timed here, each the median of
// --reps runs:
//   sealed_copy   MappedFile::sealedCopy, the whole of what the master does before validating
//   copy          its first step alone: memfd_create, ftruncate and sendfile(2) into the memfd,
//                 as sealedCopy does it (the kernel fills the memfd's pages; no page faults)
//   populate      its last step alone: MappedFile::sealMemfd on that filled memfd, which seals it
//                 and maps it with MAP_POPULATE
//   plain_map     MappedFile::mapInPlace (lazy), and plain_map_touch: the same plus reading one
//                 byte a page, so that both sides end with every page mapped
//   validate      viewSnapshot on the sealed copy: checksums and structure checks
//   revalidate    viewSnapshot again on the same mapping: validate less the first read of each
//                 page, which on a virtual machine with shadow page tables still faults after
//                 MAP_POPULATE (it filled only the guest's page tables)
//   checksum      XXH3 over the whole file, the checksums' share of revalidate
// sealedCopy returns the live copy of an unchanged file instead of copying it again: each
// repetition releases its copy before the next sealedCopy, so every one of them copies. The file
// is read from the page cache (the benchmark has just written it): this is the cost of the copy,
// not of the disk. A measuring tool, not a test: it exits 0 unless the file is unusable.
//
// usage: bench-snapshot-load SNAPSHOT [--reps 3]     (prints one JSON object)
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mapped_file.h"
#include "snapshot_reader.h"
#include "xxh3.h"

namespace {

using namespace twinlane::app;
using Clock = std::chrono::steady_clock;

// Where reads that are done only for their cost end, so that the compiler keeps them.
volatile std::uint64_t g_sink;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench-snapshot-load: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

double secondsOf(const std::function<void()>& step) {
  const auto start = Clock::now();
  step();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A memfd holding a copy of `path` made as MappedFile::sealedCopy makes it, by sendfile(2), so
// that its two steps can be timed apart: this copy, then MappedFile::sealMemfd on the result.
// The returned fd is for sealMemfd, which takes ownership.
int copyBySendfile(const std::string& path) {
  const int file = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (file < 0) die("cannot open " + path);
  struct stat status {};
  if (::fstat(file, &status) != 0) die("cannot stat " + path);
  const int memfd = MappedFile::createSealableMemfd(path);
  if (::ftruncate(memfd, status.st_size) != 0) die("ftruncate");
  for (off_t offset = 0; offset < status.st_size;) {
    if (::sendfile(memfd, file, &offset, static_cast<std::size_t>(status.st_size - offset)) <= 0) {
      die("sendfile " + path);
    }
  }
  ::close(file);
  return memfd;
}

double timePlainMapTouchingEveryPage(const std::string& path) {
  return secondsOf([&] {
    const auto mapped = MappedFile::mapInPlace(path);
    const auto bytes = mapped->bytes();
    const long page = ::sysconf(_SC_PAGESIZE);
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < bytes.size(); i += static_cast<std::size_t>(page)) sum += std::to_integer<std::uint64_t>(bytes[i]);
    g_sink = sum;
  });
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && !(argc == 4 && std::strcmp(argv[2], "--reps") == 0)) {
    std::fprintf(stderr, "usage: bench-snapshot-load SNAPSHOT [--reps N]\n");
    return 64;
  }
  const std::string path = argv[1];
  const int reps = argc == 4 ? std::max(1, std::atoi(argv[3])) : 3;
  std::map<std::string, std::vector<double>> times;
  std::size_t size = 0;
  try {
    // Steps interleaved within a repetition, so that the machine's load falls on all alike.
    for (int rep = 0; rep < reps; ++rep) {
      std::shared_ptr<const MappedFile> sealed;
      times["sealed_copy_s"].push_back(secondsOf([&] { sealed = MappedFile::sealedCopy(path); }));
      size = sealed->bytes().size();
      times["validate_s"].push_back(secondsOf([&] { viewSnapshot(sealed, path); }));
      times["revalidate_s"].push_back(secondsOf([&] { viewSnapshot(sealed, path); }));
      times["checksum_s"].push_back(secondsOf([&] { g_sink = xxh3(sealed->bytes()); }));
      // Released before the next copy: the repetition after this one must not get this copy back
      // from sealedCopy, and two copies at once would double the memory measured against.
      sealed.reset();
      int memfd = -1;
      times["copy_s"].push_back(secondsOf([&] { memfd = copyBySendfile(path); }));
      times["populate_s"].push_back(secondsOf([&] { sealed = MappedFile::sealMemfd(memfd, path); }));
      sealed.reset();
      times["plain_map_s"].push_back(secondsOf([&] { MappedFile::mapInPlace(path); }));
      times["plain_map_touch_s"].push_back(timePlainMapTouchingEveryPage(path));
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench-snapshot-load: %s\n", error.what());
    return 1;
  }
  std::printf("{\"file_bytes\":%zu,\"reps\":%d", size, reps);
  for (const auto& [name, values] : times) std::printf(",\"%s\":%.6f", name.c_str(), median(values));
  std::printf("}\n");
  return 0;
}
