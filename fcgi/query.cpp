// SPDX-License-Identifier: Apache-2.0
// Strict query-string decoding. See query.h for the contract.
#include "fcgi/query.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "fcgi/http_error.h"
#include "fcgi/quote.h"

namespace twinlane::fcgi {
namespace {

std::string decodeComponent(std::string_view encoded, const std::string& what) {
  // A literal '+' is a space in query strings (an encoded plus arrives as %2B).
  std::string spaced(encoded);
  std::replace(spaced.begin(), spaced.end(), '+', ' ');
  std::string decoded;
  try {
    Poco::URI::decode(spaced, decoded);
  } catch (const Poco::SyntaxException&) {
    throw HttpError(400, "invalid_parameter",
                    "malformed percent-encoding in " + what + ": " + quoteInput(encoded));
  }
  return decoded;
}

std::string rangeText(std::uint64_t min, std::uint64_t max) {
  return "a decimal integer from " + std::to_string(min) + " to " + std::to_string(max);
}

}  // namespace

QueryParameters QueryParameters::parse(std::string_view query_string) {
  QueryParameters query;
  while (!query_string.empty()) {
    const auto amp = query_string.find('&');
    const std::string_view piece = query_string.substr(0, amp);
    query_string = amp == std::string_view::npos ? std::string_view{} : query_string.substr(amp + 1);
    if (piece.empty()) continue;  // "a=1&&b=2" and a trailing '&' carry no parameter

    const auto eq = piece.find('=');
    std::string name = decodeComponent(piece.substr(0, eq), "parameter name");
    std::string value = eq == std::string_view::npos
                            ? std::string{}
                            : decodeComponent(piece.substr(eq + 1), "the value of parameter " + quoteInput(name));
    if (name.empty()) {
      throw HttpError(400, "invalid_parameter", "query has a value without a parameter name: " + quoteInput(piece));
    }
    if (query.find(name)) {
      throw HttpError(400, "invalid_parameter", "parameter " + quoteInput(name) + " is repeated; give it once");
    }
    query.entries_.emplace_back(std::move(name), std::move(value));
  }
  return query;
}

void QueryParameters::acceptOnly(std::initializer_list<std::string_view> accepted) const {
  for (const auto& [name, value] : entries_) {
    if (std::find(accepted.begin(), accepted.end(), name) != accepted.end()) continue;
    std::string list;
    for (const auto a : accepted) list += (list.empty() ? "" : ", ") + std::string(a);
    throw HttpError(400, "invalid_parameter",
                    "unknown parameter " + quoteInput(name) + "; accepted: " + (list.empty() ? "none" : list));
  }
}

std::optional<std::string_view> QueryParameters::find(std::string_view name) const {
  for (const auto& [key, value] : entries_) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

std::string_view QueryParameters::require(std::string_view name, std::string_view form) const {
  const auto value = find(name);
  if (!value) throw HttpError::missingParameter(std::string(name), std::string(form));
  if (value->empty()) throw HttpError::invalidParameter(std::string(name), "empty; expected " + std::string(form));
  return *value;
}

std::uint64_t QueryParameters::requireInteger(std::string_view name, std::uint64_t min, std::uint64_t max) const {
  const std::string_view text = require(name, rangeText(min, max));
  const auto number = parseDecimal(text, min, max);
  if (!number) {
    throw HttpError::invalidParameter(std::string(name), quoteInput(text) + " is not " + rangeText(min, max));
  }
  return *number;
}

double QueryParameters::requireNumber(std::string_view name, double min, double max) const {
  const std::string form = "a decimal number from " + std::to_string(min) + " to " + std::to_string(max);
  const std::string_view text = require(name, form);
  const auto number = parseFixedNumber(text, min, max);
  if (!number) throw HttpError::invalidParameter(std::string(name), quoteInput(text) + " is not " + form);
  return *number;
}

std::optional<double> parseFixedNumber(std::string_view text, double min, double max) {
  double number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number, std::chars_format::fixed);
  if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(number) || number < min ||
      number > max) {
    return std::nullopt;
  }
  return number;
}

std::optional<std::uint64_t> parseDecimal(std::string_view text, std::uint64_t min, std::uint64_t max) {
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::uint64_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc{} || end != text.data() + text.size() || number < min || number > max) return std::nullopt;
  return number;
}

}  // namespace twinlane::fcgi
