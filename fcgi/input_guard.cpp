// SPDX-License-Identifier: Apache-2.0
// Checking one FastCGI request's input: see input_guard.h.
#include "fcgi/input_guard.h"

#include <fastcgi.h>

#include <algorithm>

namespace twinlane::fcgi {
namespace {

std::string typeName(std::uint8_t type) {
  static constexpr const char* kNames[] = {"0",          "BEGIN_REQUEST", "ABORT_REQUEST", "END_REQUEST",
                                           "PARAMS",     "STDIN",         "STDOUT",        "STDERR",
                                           "DATA",       "GET_VALUES",    "GET_VALUES_RESULT", "UNKNOWN_TYPE"};
  if (type < std::size(kNames)) return kNames[type];
  return "type " + std::to_string(type);
}

std::uint8_t byteAt(std::string_view bytes, std::size_t at) { return static_cast<std::uint8_t>(bytes[at]); }

// A FastCGI name or value length: one byte below 0x80, else four bytes with the top bit cleared.
// False when the stream ends inside the length itself.
bool readLength(std::string_view stream, std::size_t& at, std::uint64_t& length) {
  if (at >= stream.size()) return false;
  const std::uint8_t first = byteAt(stream, at);
  if ((first & 0x80) == 0) {
    length = first;
    at += 1;
    return true;
  }
  if (stream.size() - at < 4) return false;
  length = (std::uint64_t{first & 0x7fu} << 24) | (std::uint64_t{byteAt(stream, at + 1)} << 16) |
           (std::uint64_t{byteAt(stream, at + 2)} << 8) | byteAt(stream, at + 3);
  at += 4;
  return true;
}

void appendRecord(std::string& out, std::uint8_t type, std::uint16_t request_id, std::string_view content) {
  const auto length = static_cast<std::uint16_t>(content.size());
  const char header[FCGI_HEADER_LEN] = {
      FCGI_VERSION_1,
      static_cast<char>(type),
      static_cast<char>(request_id >> 8),
      static_cast<char>(request_id & 0xff),
      static_cast<char>(length >> 8),
      static_cast<char>(length & 0xff),
      0,
      0};
  out.append(header, sizeof header);
  out.append(content);
}

}  // namespace

InputGuard::InputGuard(InputLimits limits) : limits_(limits) {}

InputGuard::Progress InputGuard::feed(std::string_view bytes) {
  received_ += bytes.size();
  pending_.append(bytes);
  return parse();
}

InputGuard::Progress InputGuard::startNextRequest() {
  received_ = pending_.size();
  phase_ = Phase::kBegin;
  progress_ = Progress::kNeedMore;
  rejection_.clear();
  request_id_ = 0;
  begin_flags_ = 0;
  params_.clear();
  body_.clear();
  body_over_limit_ = false;
  return parse();
}

InputGuard::Progress InputGuard::parse() {
  std::size_t at = 0;
  while (progress_ == Progress::kNeedMore && pending_.size() - at >= FCGI_HEADER_LEN) {
    const std::string_view rest = std::string_view(pending_).substr(at);
    const Header header{byteAt(rest, 0), byteAt(rest, 1),
                        static_cast<std::uint16_t>(byteAt(rest, 2) << 8 | byteAt(rest, 3)),
                        static_cast<std::uint16_t>(byteAt(rest, 4) << 8 | byteAt(rest, 5)), byteAt(rest, 6)};
    if (!checkHeader(header)) break;
    if (phase_ == Phase::kDone) {  // STDIN went over the limit: stop reading here
      progress_ = Progress::kComplete;
      break;
    }
    const std::size_t record_size = FCGI_HEADER_LEN + header.content_length + header.padding_length;
    if (rest.size() < record_size) break;
    takeRecord(header, rest.substr(FCGI_HEADER_LEN, header.content_length));
    at += record_size;
  }
  pending_.erase(0, at);
  return progress_;
}

bool InputGuard::checkHeader(const Header& header) {
  if (header.version != FCGI_VERSION_1) {
    reject("record of FastCGI version " + std::to_string(header.version) + ", not 1");
    return false;
  }
  if (phase_ == Phase::kBegin) {
    if (header.type != FCGI_BEGIN_REQUEST) {
      reject("the first record is " + typeName(header.type) + ", not BEGIN_REQUEST");
      return false;
    }
    if (header.request_id == FCGI_NULL_REQUEST_ID) {
      reject("BEGIN_REQUEST with request id 0");
      return false;
    }
    if (header.content_length != sizeof(FCGI_BeginRequestBody)) {
      reject("BEGIN_REQUEST of " + std::to_string(header.content_length) + " bytes, not 8");
      return false;
    }
    return true;
  }
  if (header.request_id == FCGI_NULL_REQUEST_ID) {
    reject("management record " + typeName(header.type) + " inside a request; management records are not served");
    return false;
  }
  if (header.request_id != request_id_) {
    reject("record for request " + std::to_string(header.request_id) + " inside request " +
           std::to_string(request_id_) + "; one connection carries one request at a time");
    return false;
  }
  const std::uint8_t expected = phase_ == Phase::kParams ? FCGI_PARAMS : FCGI_STDIN;
  if (header.type != expected) {
    reject(typeName(header.type) + " record where " + typeName(expected) + " was expected");
    return false;
  }
  if (phase_ == Phase::kParams && params_.size() + header.content_length > limits_.max_params) {
    reject("parameters exceed the limit of " + std::to_string(limits_.max_params) + " bytes");
    return false;
  }
  if (phase_ == Phase::kStdin && body_.size() + header.content_length > limits_.max_body) {
    // The request is still answered (413 when its handler reads the body); the rest is not read.
    body_over_limit_ = true;
    phase_ = Phase::kDone;
  }
  return true;
}

void InputGuard::takeRecord(const Header& header, std::string_view content) {
  switch (phase_) {
    case Phase::kBegin: {
      const auto role = static_cast<std::uint16_t>(byteAt(content, 0) << 8 | byteAt(content, 1));
      if (role != FCGI_RESPONDER) {
        reject("role " + std::to_string(role) + " requested; only RESPONDER (1) is served");
        return;
      }
      request_id_ = header.request_id;
      begin_flags_ = byteAt(content, 2);
      phase_ = Phase::kParams;
      return;
    }
    case Phase::kParams:
      if (!content.empty()) {
        params_.append(content);
      } else if (checkPairs()) {
        phase_ = Phase::kStdin;
      }
      return;
    case Phase::kStdin:
      if (!content.empty()) {
        body_.append(content);
      } else {
        phase_ = Phase::kDone;
        progress_ = Progress::kComplete;
      }
      return;
    case Phase::kDone:
      return;
  }
}

// Every pair's name and value must lie inside the PARAMS stream, as libfcgi reads them: it
// allocates what a pair declares before it reads the pair.
bool InputGuard::checkPairs() {
  const std::string_view stream = params_;
  std::size_t at = 0;
  for (std::size_t pair = 1; at < stream.size(); ++pair) {
    const std::size_t pair_start = at;
    std::uint64_t name_length = 0;
    std::uint64_t value_length = 0;
    if (!readLength(stream, at, name_length) || !readLength(stream, at, value_length)) {
      reject("parameter pair " + std::to_string(pair) + " at byte " + std::to_string(pair_start) +
             " ends inside its lengths");
      return false;
    }
    if (name_length + value_length > stream.size() - at) {
      reject("parameter pair " + std::to_string(pair) + " declares a name of " + std::to_string(name_length) +
             " and a value of " + std::to_string(value_length) + " bytes, but only " +
             std::to_string(stream.size() - at) + " bytes of parameters follow");
      return false;
    }
    at += name_length + value_length;
  }
  return true;
}

bool InputGuard::keepConnection() const { return (begin_flags_ & FCGI_KEEP_CONN) != 0 && !body_over_limit_; }

InputGuard::Progress InputGuard::reject(std::string why) {
  rejection_ = std::move(why);
  progress_ = Progress::kRejected;
  return progress_;
}

std::string InputGuard::headerRecords() const {
  std::string out;
  out.reserve(2 * FCGI_HEADER_LEN + params_.size() + (params_.size() / FCGI_MAX_LENGTH + 2) * FCGI_HEADER_LEN);
  const char begin[sizeof(FCGI_BeginRequestBody)] = {0, FCGI_RESPONDER, static_cast<char>(begin_flags_), 0, 0, 0, 0, 0};
  appendRecord(out, FCGI_BEGIN_REQUEST, request_id_, std::string_view(begin, sizeof begin));
  for (std::size_t at = 0; at < params_.size(); at += FCGI_MAX_LENGTH) {
    appendRecord(out, FCGI_PARAMS, request_id_, std::string_view(params_).substr(at, FCGI_MAX_LENGTH));
  }
  appendRecord(out, FCGI_PARAMS, request_id_, {});
  return out;
}

}  // namespace twinlane::fcgi
