// SPDX-License-Identifier: Apache-2.0
// writeDimacs: formats with to_chars into a large buffer and writes it through zlib, which
// writes either gzip or, in transparent mode, plain text.
#include "dimacs_writer.h"

#include <zlib.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace twinlane::app {
namespace {

class DimacsFileWriter {
 public:
  explicit DimacsFileWriter(std::string path) : path_(std::move(path)) {
    const bool gzip = path_.size() > 3 && path_.compare(path_.size() - 3, 3, ".gz") == 0;
    errno = 0;
    file_ = gzopen(path_.c_str(), gzip ? "wbe" : "wbTe");
    if (file_ == nullptr) fail("cannot open for writing");
    buffer_.reserve(kFlushBytes + 256);
  }
  ~DimacsFileWriter() {
    if (file_ != nullptr) gzclose(file_);
  }
  DimacsFileWriter(const DimacsFileWriter&) = delete;
  DimacsFileWriter& operator=(const DimacsFileWriter&) = delete;

  void text(std::string_view piece) {
    buffer_.insert(buffer_.end(), piece.begin(), piece.end());
  }
  template <typename Integer>
  void number(Integer value) {
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, value);
    buffer_.insert(buffer_.end(), digits, result.ptr);
  }
  void endLine() {
    buffer_.push_back('\n');
    if (buffer_.size() >= kFlushBytes) flush();
  }

  // Flushes and closes, reporting errors that a destructor would have to swallow.
  void close() {
    flush();
    gzFile file = file_;
    file_ = nullptr;
    if (gzclose(file) != Z_OK) fail("cannot close");
  }

 private:
  static constexpr std::size_t kFlushBytes = std::size_t{1} << 20;

  void flush() {
    if (buffer_.empty()) return;
    errno = 0;
    if (gzwrite(file_, buffer_.data(), static_cast<unsigned>(buffer_.size())) == 0) {
      fail("cannot write");
    }
    buffer_.clear();
  }
  [[noreturn]] void fail(const char* what) const {
    const int error = errno;
    throw std::runtime_error(path_ + ": " + what + ": " +
                             (error != 0 ? std::strerror(error) : "zlib error"));
  }

  std::string path_;
  gzFile file_ = nullptr;
  std::vector<char> buffer_;
};

}  // namespace

void writeDimacs(const Graph& graph, const std::string& gr_path, const std::string& co_path) {
  if (!co_path.empty() && !graph.hasCoordinates()) {
    throw std::invalid_argument("cannot write coordinates to '" + co_path + "': graph '" +
                                graph.source() + "' has none");
  }
  {
    DimacsFileWriter gr(gr_path);
    gr.text("c written by twinlane-graph from ");
    gr.text(graph.source());
    gr.endLine();
    gr.text("p sp ");
    gr.number(graph.nodeCount());
    gr.text(" ");
    gr.number(graph.arcCount());
    gr.endLine();
    for (NodeId tail = 0; tail < graph.nodeCount(); ++tail) {
      for (ArcId arc = graph.firstOut(tail); arc < graph.endOut(tail); ++arc) {
        gr.text("a ");
        gr.number(tail + 1);
        gr.text(" ");
        gr.number(graph.head(arc) + 1);
        gr.text(" ");
        gr.number(graph.weight(arc));
        gr.endLine();
      }
    }
    gr.close();
  }
  if (co_path.empty()) return;
  DimacsFileWriter co(co_path);
  co.text("c written by twinlane-graph from ");
  co.text(graph.source());
  co.endLine();
  co.text("p aux sp co ");
  co.number(graph.nodeCount());
  co.endLine();
  for (NodeId node = 0; node < graph.nodeCount(); ++node) {
    const Coordinate position = graph.coordinate(node);
    co.text("v ");
    co.number(node + 1);
    co.text(" ");
    co.number(position.lon_e6);
    co.text(" ");
    co.number(position.lat_e6);
    co.endLine();
  }
  co.close();
}

}  // namespace twinlane::app
