// SPDX-License-Identifier: Apache-2.0
// Quoting what a client sent inside an error message. Every answer is JSON, and a JSON client
// must be able to read it: the quoted text stays valid UTF-8 (a byte that is not part of a
// valid sequence, or a control character, appears as the four characters \xNN) and short (the
// first kQuotedBytes bytes, then an ellipsis and the full size).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace twinlane::fcgi {

inline constexpr std::size_t kQuotedBytes = 64;

// 'input' in single quotes, made readable and bounded as above.
std::string quoteInput(std::string_view input);
// `text` with every invalid byte and control character written as \xNN; nothing cut.
std::string validUtf8(std::string_view text);

}  // namespace twinlane::fcgi
