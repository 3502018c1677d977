// SPDX-License-Identifier: Apache-2.0
// DimacsLineReader: chunked reads through zlib, split into lines in place.
#include "dimacs_line_reader.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "dimacs.h"

namespace twinlane::app {
namespace {

constexpr std::size_t kChunkBytes = std::size_t{1} << 20;

gzFile handle(void* file) { return static_cast<gzFile>(file); }

}  // namespace

DimacsLineReader::DimacsLineReader(std::string path) : path_(std::move(path)) {
  // "e" opens with O_CLOEXEC, so a worker forked later does not inherit the descriptor.
  errno = 0;
  gzFile file = gzopen(path_.c_str(), "rbe");
  if (file == nullptr) {
    const int error = errno;
    throw GraphFormatError(path_ + ": cannot open: " +
                           (error != 0 ? std::strerror(error) : "out of memory"));
  }
  file_ = file;
  gzbuffer(file, static_cast<unsigned>(kChunkBytes));
  buffer_.resize(kChunkBytes);
}

DimacsLineReader::~DimacsLineReader() {
  if (file_ != nullptr) gzclose(handle(file_));
}

void DimacsLineReader::fail(const std::string& problem) const {
  throw GraphFormatError(path_ + ":" + std::to_string(line_number_) + ": " + problem);
}

bool DimacsLineReader::refill() {
  if (eof_) return false;
  // Keep the unfinished line, move it to the front, and grow when one line fills the buffer.
  const std::size_t kept = end_ - begin_;
  if (begin_ > 0 && kept > 0) std::memmove(buffer_.data(), buffer_.data() + begin_, kept);
  begin_ = 0;
  end_ = kept;
  if (buffer_.size() - end_ < kChunkBytes / 2) buffer_.resize(buffer_.size() * 2);
  const unsigned want = static_cast<unsigned>(buffer_.size() - end_);
  errno = 0;
  const int got = gzread(handle(file_), buffer_.data() + end_, want);
  int zlib_error = Z_OK;
  const char* message = gzerror(handle(file_), &zlib_error);
  // A truncated gzip stream is not a failed gzread: zlib returns what it could decompress and
  // records Z_BUF_ERROR ("unexpected end of file"), so ask gzerror every time.
  if (got < 0 || zlib_error != Z_OK) {
    const std::string text = zlib_error == Z_ERRNO ? std::strerror(errno) : message;
    throw GraphFormatError(path_ + ":" + std::to_string(line_number_ + 1) +
                           ": read error: " + text);
  }
  if (got == 0) {
    eof_ = true;
    return false;
  }
  end_ += static_cast<std::size_t>(got);
  return true;
}

bool DimacsLineReader::next(std::string_view& line) {
  for (;;) {
    const char* start = buffer_.data() + begin_;
    const auto* newline =
        static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
    if (newline != nullptr) {
      std::size_t length = static_cast<std::size_t>(newline - start);
      begin_ += length + 1;
      if (length > 0 && start[length - 1] == '\r') --length;
      line = std::string_view(start, length);
      ++line_number_;
      return true;
    }
    if (!refill()) {
      if (begin_ == end_) return false;
      // The last line has no line end.
      std::size_t length = end_ - begin_;
      const char* last = buffer_.data() + begin_;
      begin_ = end_;
      if (length > 0 && last[length - 1] == '\r') --length;
      line = std::string_view(last, length);
      ++line_number_;
      return true;
    }
  }
}

}  // namespace twinlane::app
