// SPDX-License-Identifier: Apache-2.0
// QueryParameters: the decoded query string of one request, parsed strictly.
// Percent-decoding follows RFC 3986 (through Poco::URI), '+' is a space as in HTML forms.
// A repeated name, a malformed escape or a name the route does not accept is a 400, so a
// typo never silently falls back to a default.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace twinlane::fcgi {

class QueryParameters {
 public:
  // Throws HttpError 400 invalid_parameter on bad escapes, empty names or repeated names.
  static QueryParameters parse(std::string_view query_string);

  // Throws HttpError 400 invalid_parameter naming the first parameter not in `accepted`.
  void acceptOnly(std::initializer_list<std::string_view> accepted) const;

  std::optional<std::string_view> find(std::string_view name) const;
  // Throws 400 missing_parameter (absent) or invalid_parameter (empty); `form` describes
  // what is accepted, for the message.
  std::string_view require(std::string_view name, std::string_view form) const;

  // A decimal integer in [min, max]: no sign, no exponent, no spaces. Throws 400.
  std::uint64_t requireInteger(std::string_view name, std::uint64_t min, std::uint64_t max) const;
  // A finite decimal number in [min, max]. Throws 400.
  double requireNumber(std::string_view name, double min, double max) const;

  std::size_t size() const { return entries_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

// Parses `text` as a decimal integer in [min, max]; nullopt for anything else.
std::optional<std::uint64_t> parseDecimal(std::string_view text, std::uint64_t min, std::uint64_t max);
// Parses `text` as a finite fixed-point decimal number (`-8.466`, no exponent, no spaces) in
// [min, max]; nullopt for anything else.
std::optional<double> parseFixedNumber(std::string_view text, double min, double max);

}  // namespace twinlane::fcgi
