// SPDX-License-Identifier: Apache-2.0
// Quoting client input in messages: see quote.h.
#include "fcgi/quote.h"

#include <Poco/UTF8Encoding.h>

namespace twinlane::fcgi {
namespace {

void appendEscaped(std::string& out, unsigned char byte) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += "\\x";
  out += kHex[byte >> 4];
  out += kHex[byte & 0xf];
}

// Appends `text` made valid; stops before `limit` bytes of `text` would be passed (never inside
// a sequence). Returns how many bytes of `text` it took.
std::size_t appendValid(std::string& out, std::string_view text, std::size_t limit) {
  static const Poco::UTF8Encoding kUtf8;
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t at = 0;
  while (at < text.size()) {
    const int left = static_cast<int>(std::min<std::size_t>(text.size() - at, 4));
    const int scalar = kUtf8.queryConvert(bytes + at, left);
    const std::size_t length = scalar < 0 ? 1 : static_cast<std::size_t>(kUtf8.sequenceLength(bytes + at, left));
    if (at + length > limit) break;
    if (scalar < 0x20 || scalar == 0x7f) {
      appendEscaped(out, bytes[at]);
    } else {
      out.append(text.substr(at, length));
    }
    at += length;
  }
  return at;
}

}  // namespace

std::string quoteInput(std::string_view input) {
  std::string out = "'";
  const std::size_t taken = appendValid(out, input, kQuotedBytes);
  out += "'";
  if (taken < input.size()) out += "\u2026 (" + std::to_string(input.size()) + " bytes)";
  return out;
}

std::string validUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  appendValid(out, text, text.size());
  return out;
}

}  // namespace twinlane::fcgi
