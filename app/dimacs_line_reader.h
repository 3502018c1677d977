// SPDX-License-Identifier: Apache-2.0
// Line-by-line access to a text file that may be gzip-compressed, without iostreams.
//
// DimacsLineReader owns the zlib handle (gzopen reads plain files transparently) and one large
// buffer; it hands out each line as a string_view into that buffer, without the line end
// ("\n" or "\r\n"), and counts lines for error messages. It knows nothing of the DIMACS syntax.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace twinlane::app {

class DimacsLineReader {
 public:
  // Opens `path`; throws GraphFormatError "path: cannot open: <errno text>".
  explicit DimacsLineReader(std::string path);
  ~DimacsLineReader();
  DimacsLineReader(const DimacsLineReader&) = delete;
  DimacsLineReader& operator=(const DimacsLineReader&) = delete;

  // The next line, valid until the next call; false at end of file. Throws GraphFormatError
  // on a read or decompression error.
  bool next(std::string_view& line);

  const std::string& path() const { return path_; }
  // The 1-based number of the line last returned (0 before the first).
  std::size_t lineNumber() const { return line_number_; }

  // Throws GraphFormatError "path:line: problem" for the line last returned.
  [[noreturn]] void fail(const std::string& problem) const;

 private:
  // Reads more bytes after the unconsumed tail; false at end of file.
  bool refill();

  std::string path_;
  void* file_ = nullptr;  // gzFile, kept opaque so zlib.h stays out of this header
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  // first unconsumed byte
  std::size_t end_ = 0;    // one past the last valid byte
  std::size_t line_number_ = 0;
  bool eof_ = false;
};

}  // namespace twinlane::app
