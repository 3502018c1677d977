// SPDX-License-Identifier: Apache-2.0
// Quoting client input in error messages: valid UTF-8, bounded.
#include "fcgi/quote.h"

#include <gtest/gtest.h>

namespace twinlane::fcgi {
namespace {

TEST(QuoteTest, PlainAndValidMultibyteTextIsQuotedAsIs) {
  EXPECT_EQ(quoteInput("12abc"), "'12abc'");
  EXPECT_EQ(quoteInput("Stra\xc3\x9f" "e \xe2\x82\xac"), "'Stra\xc3\x9f" "e \xe2\x82\xac'");
  EXPECT_EQ(quoteInput(""), "''");
}

TEST(QuoteTest, InvalidBytesAndControlCharactersAreWrittenAsHex) {
  EXPECT_EQ(quoteInput("1\xff" "2"), "'1\\xFF2'");
  EXPECT_EQ(quoteInput("\xe4"), "'\\xE4'");                  // a lead byte without its continuation
  EXPECT_EQ(quoteInput("\xc0\xaf"), "'\\xC0\\xAF'");         // overlong '/'
  EXPECT_EQ(quoteInput("\xed\xa0\x80"), "'\\xED\\xA0\\x80'");  // a UTF-16 surrogate
  EXPECT_EQ(quoteInput(std::string("a\0b\n", 4)), "'a\\x00b\\x0A'");
}

TEST(QuoteTest, LongInputIsCutAtASequenceBoundaryAndSaysItsSize) {
  const std::string long_input = std::string(63, 'x') + "\xc3\xa4" + std::string(100, 'y');
  EXPECT_EQ(quoteInput(long_input), "'" + std::string(63, 'x') + "'\u2026 (165 bytes)");
  EXPECT_EQ(quoteInput(std::string(64, 'z')), "'" + std::string(64, 'z') + "'");
}

TEST(QuoteTest, WholeMessagesKeepTheirLengthButBecomeValid) {
  EXPECT_EQ(validUtf8("unexpected byte '\xe4'"), "unexpected byte '\\xE4'");
  EXPECT_EQ(validUtf8(std::string(200, 'a')), std::string(200, 'a'));
}

}  // namespace
}  // namespace twinlane::fcgi
