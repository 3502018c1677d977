// SPDX-License-Identifier: Apache-2.0
// InputGuard: checks one FastCGI request's input, record by record, before libfcgi parses any
// of it. libfcgi trusts the lengths a peer declares: a PARAMS pair that declares a 1.6 GB name
// makes it allocate that much (and abort when it cannot), a GET_VALUES record that names many
// variables overflows a 64-byte buffer, and a record shorter than declared blocks its reader
// for ever. The guard takes the whole request (BEGIN_REQUEST, the PARAMS stream up to its empty
// record, the STDIN stream up to its empty record) within limits, and accepts only what a web
// server such as nginx sends: one request at a time on a connection, role RESPONDER, no
// management records, every name-value pair inside the stream that declares it.
//
// It is pure logic over bytes (no I/O): the acceptor feeds it what it reads from the
// connection, hands libfcgi `headerRecords()` to parse, and keeps the body. Bytes past the end
// of one request stay for the next request on a kept connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace twinlane::fcgi {

struct InputLimits {
  std::size_t max_params = 128 * 1024;  // content of the PARAMS stream, in bytes (limits.max_params)
  std::size_t max_body = 1 << 20;      // content of the STDIN stream, in bytes
};

class InputGuard {
 public:
  enum class Progress { kNeedMore, kComplete, kRejected };

  explicit InputGuard(InputLimits limits);

  // Takes bytes read from the connection, in order, and checks every record they complete.
  Progress feed(std::string_view bytes);
  Progress progress() const { return progress_; }
  // Why the input was refused (kRejected): one line naming the record and the rule.
  const std::string& rejection() const { return rejection_; }

  // Starts the next request on the same connection; bytes already fed past the end of the
  // previous request are checked first.
  Progress startNextRequest();
  // True once any byte of the current request has arrived.
  bool started() const { return received_ > 0; }
  std::uint64_t bytesReceived() const { return received_; }

  // When complete: the BEGIN_REQUEST record and the PARAMS stream, re-encoded as plain records
  // without padding (at most max_params + 64 bytes), for libfcgi to parse.
  std::string headerRecords() const;
  // When complete: the STDIN content, up to max_body.
  std::string takeBody() { return std::move(body_); }
  // STDIN went past max_body: the rest was not read, so the connection cannot be kept.
  bool bodyOverLimit() const { return body_over_limit_; }
  // The web server asked to keep the connection for further requests (FCGI_KEEP_CONN).
  bool keepConnection() const;

 private:
  enum class Phase { kBegin, kParams, kStdin, kDone };
  struct Header {
    std::uint8_t version;
    std::uint8_t type;
    std::uint16_t request_id;
    std::uint16_t content_length;
    std::uint8_t padding_length;
  };

  Progress parse();
  // Checks a record as soon as its header is in; false when it is refused.
  bool checkHeader(const Header& header);
  void takeRecord(const Header& header, std::string_view content);
  bool checkPairs();
  Progress reject(std::string why);

  InputLimits limits_;
  std::string pending_;  // received, not yet taken: at most one record plus one read
  std::uint64_t received_ = 0;
  Phase phase_ = Phase::kBegin;
  Progress progress_ = Progress::kNeedMore;
  std::string rejection_;
  std::uint16_t request_id_ = 0;
  std::uint8_t begin_flags_ = 0;  // of BEGIN_REQUEST: FCGI_KEEP_CONN
  std::string params_;
  std::string body_;
  bool body_over_limit_ = false;
};

}  // namespace twinlane::fcgi
