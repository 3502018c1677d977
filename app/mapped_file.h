// SPDX-License-Identifier: Apache-2.0
// MappedFile: sole owner of one read-only memory mapping of a whole file.
//
// A server must not map the data file itself: a file truncated while mapped raises SIGBUS on
// the next access, and one overwritten in place changes the arrays under a running search.
// sealedCopy() reads the file once into an anonymous memory file (memfd) and seals it against
// any change before mapping it, so what was validated is what is served, whatever happens to the
// file on disk afterwards. The mapping is MAP_SHARED and populated by the process that makes it
// (the master, before fork): every worker shares its pages, and a page never counts as one
// worker's private memory. Loading a file again while an earlier copy of the same version (same
// inode, size and times) is still in use returns that copy, so a reload that did not change the
// data shares the running generation's pages; a changed file gets a copy of its own.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>

namespace twinlane::app {

class MappedFile {
 public:
  // Copies `path` into a sealed memfd and maps that, or returns the live copy of the same version
  // of the file. Throws std::runtime_error naming the file.
  static std::shared_ptr<const MappedFile> sealedCopy(const std::string& path);
  // Seals the memfd `fd` (already written, for example the generated default graph) and maps it.
  // Takes ownership of `fd`. `name` appears in errors.
  static std::shared_ptr<const MappedFile> sealMemfd(int fd, const std::string& name);
  // Maps `path` itself, for short-lived tools that read a file nobody is replacing.
  static std::shared_ptr<const MappedFile> mapInPlace(const std::string& path);
  // A new memfd that can be sealed, for writers that then call sealMemfd. Throws.
  static int createSealableMemfd(const std::string& name);

  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::span<const std::byte> bytes() const { return {static_cast<const std::byte*>(address_), size_}; }
  // True when the bytes are a sealed copy that nobody can change.
  bool sealed() const { return sealed_; }

 private:
  MappedFile(const void* address, std::size_t size, bool sealed)
      : address_(address), size_(size), sealed_(sealed) {}
  static std::shared_ptr<const MappedFile> mapReadOnly(int fd, std::size_t size, bool sealed,
                                                       const std::string& name);

  const void* address_;
  std::size_t size_;
  bool sealed_;
};

}  // namespace twinlane::app
