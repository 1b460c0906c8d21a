// Offsets: byte offsets converted to code points, bytes and UTF-16 units.
#include "nerx/offsets.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using nerx::OffsetCounter;
using nerx::OffsetUnit;

// "naïve café 😀 東京"
//   bytes:     naïve [0,6)  café [7,12)  😀 [13,17)  東京 [18,24)
//   codepoint: naïve [0,5)  café [6,10)  😀 [11,12)  東京 [13,15)
//   utf16:     naïve [0,5)  café [6,10)  😀 [11,13)  東京 [14,16)
const std::string kText = "na\xC3\xAFve caf\xC3\xA9 \xF0\x9F\x98\x80 \xE6\x9D\xB1\xE4\xBA\xAC";
const std::vector<std::size_t> kBytes = {0, 6, 7, 12, 13, 17, 18, 24};

std::vector<std::size_t> convert(const std::string& text, const std::vector<std::size_t>& bytes,
                                 OffsetUnit unit, std::size_t base = 0) {
  OffsetCounter c(text, unit, base);
  std::vector<std::size_t> out;
  for (std::size_t b : bytes) out.push_back(c.to_unit(b));
  return out;
}

TEST(Offsets, ParseUnit) {
  OffsetUnit u = OffsetUnit::Byte;
  EXPECT_TRUE(nerx::parse_offset_unit("codepoint", u));
  EXPECT_EQ(u, OffsetUnit::Codepoint);
  EXPECT_TRUE(nerx::parse_offset_unit("byte", u));
  EXPECT_EQ(u, OffsetUnit::Byte);
  EXPECT_TRUE(nerx::parse_offset_unit("utf16", u));
  EXPECT_EQ(u, OffsetUnit::Utf16);
  EXPECT_FALSE(nerx::parse_offset_unit("utf8", u));
  EXPECT_FALSE(nerx::parse_offset_unit("", u));
  EXPECT_FALSE(nerx::parse_offset_unit("CODEPOINT", u));
}

TEST(Offsets, Codepoints) {
  ASSERT_EQ(kText.size(), 24u);
  EXPECT_EQ(convert(kText, kBytes, OffsetUnit::Codepoint),
            (std::vector<std::size_t>{0, 5, 6, 10, 11, 12, 13, 15}));
}

TEST(Offsets, Bytes) {
  EXPECT_EQ(convert(kText, kBytes, OffsetUnit::Byte), kBytes);
}

TEST(Offsets, Utf16) {
  EXPECT_EQ(convert(kText, kBytes, OffsetUnit::Utf16),
            (std::vector<std::size_t>{0, 5, 6, 10, 11, 13, 14, 16}));
}

TEST(Offsets, Totals) {
  EXPECT_EQ(OffsetCounter(kText, OffsetUnit::Codepoint).total(), 15u);
  EXPECT_EQ(OffsetCounter(kText, OffsetUnit::Utf16).total(), 16u);
  EXPECT_EQ(OffsetCounter(kText, OffsetUnit::Byte).total(), 24u);
  EXPECT_EQ(OffsetCounter("", OffsetUnit::Codepoint).total(), 0u);
}

TEST(Offsets, BaseUnitsAreAdded) {
  EXPECT_EQ(convert(kText, {0, 7, 24}, OffsetUnit::Codepoint, 100),
            (std::vector<std::size_t>{100, 106, 115}));
  EXPECT_EQ(convert(kText, {0, 7, 24}, OffsetUnit::Byte, 100),
            (std::vector<std::size_t>{100, 107, 124}));
  EXPECT_EQ(OffsetCounter(kText, OffsetUnit::Utf16, 10).total(), 26u);
}

TEST(Offsets, GoingBackwardsCountsAgain) {
  EXPECT_EQ(convert(kText, {24, 7, 18, 0, 13}, OffsetUnit::Codepoint),
            (std::vector<std::size_t>{15, 6, 13, 0, 11}));
  EXPECT_EQ(convert(kText, {24, 13, 17}, OffsetUnit::Utf16),
            (std::vector<std::size_t>{16, 11, 13}));
}

TEST(Offsets, PastTheEndIsClamped) {
  EXPECT_EQ(OffsetCounter(kText, OffsetUnit::Codepoint).to_unit(1000), 15u);
}

TEST(Offsets, InvalidBytesCountOneUnitEach) {
  // a, FF, b, E6 9D (a truncated three-byte sequence), c, C0 AF (overlong), d
  std::string text =
      "a\xFF"
      "b\xE6\x9D"
      "c\xC0\xAF"
      "d";
  ASSERT_EQ(text.size(), 9u);
  for (OffsetUnit unit : {OffsetUnit::Codepoint, OffsetUnit::Utf16, OffsetUnit::Byte}) {
    EXPECT_EQ(convert(text, {0, 1, 2, 3, 5, 6, 8, 9}, unit),
              (std::vector<std::size_t>{0, 1, 2, 3, 5, 6, 8, 9}))
        << static_cast<int>(unit);
    EXPECT_EQ(OffsetCounter(text, unit).total(), 9u);
  }
  // Mixed with valid multi-byte characters.
  std::string mixed =
      "\xC3\xA9\xFF\xF0\x9F\x98\x80\xFF"
      "x";  // é FF 😀 FF x
  EXPECT_EQ(convert(mixed, {0, 2, 3, 7, 8, 9}, OffsetUnit::Codepoint),
            (std::vector<std::size_t>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(convert(mixed, {0, 2, 3, 7, 8, 9}, OffsetUnit::Utf16),
            (std::vector<std::size_t>{0, 1, 2, 4, 5, 6}));
}

// Each invalid byte is its own unit, so an offset may fall between two bytes
// of one ill-formed sequence (E6 9D): byte 4 is unit 4.
TEST(Offsets, OffsetBetweenTwoInvalidBytes) {
  std::string text =
      "a\xFF"
      "b\xE6\x9D"
      "c";
  EXPECT_EQ(OffsetCounter(text, OffsetUnit::Codepoint).to_unit(4), 4u);
  EXPECT_EQ(convert(text, {3, 4, 5}, OffsetUnit::Codepoint), (std::vector<std::size_t>{3, 4, 5}));
  EXPECT_EQ(convert(text, {3, 4, 5}, OffsetUnit::Utf16), (std::vector<std::size_t>{3, 4, 5}));
}

TEST(Offsets, AsciiIsIdentity) {
  std::string text = "Ishaq Dar visited Kabul.";
  for (OffsetUnit unit : {OffsetUnit::Codepoint, OffsetUnit::Utf16, OffsetUnit::Byte})
    EXPECT_EQ(convert(text, {0, 6, 9, 18, 23, 24}, unit),
              (std::vector<std::size_t>{0, 6, 9, 18, 23, 24}));
}

}  // namespace

TEST(Offsets, LongAsciiRunsBetweenOtherCharacters) {
  // ASCII is counted eight bytes at a time: every offset must still agree
  // with counting one character at a time, whatever follows the run.
  std::string text = std::string(19, 'a') + "\xC3\xA9" + std::string(9, 'b') + "\xF0\x9F\x98\x80" +
                     std::string(8, 'c') + "\xFF" + std::string(17, 'd') + "\xE2\x80" + "xyz";
  for (auto unit : {nerx::OffsetUnit::Codepoint, nerx::OffsetUnit::Utf16}) {
    nerx::OffsetCounter counter(text, unit);
    // One character (or invalid byte) at a time, checking at each start.
    std::size_t units = 0, i = 0;
    while (i <= text.size()) {
      EXPECT_EQ(counter.to_unit(i), units) << "byte " << i;
      if (i == text.size()) break;
      unsigned char b = static_cast<unsigned char>(text[i]);
      std::size_t len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
      for (std::size_t k = 1; k < len; ++k)
        if (i + k >= text.size() || (static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80)
          len = 1;
      units += unit == nerx::OffsetUnit::Utf16 && len == 4 ? 2 : 1;
      i += len;
    }
    EXPECT_EQ(units, unit == nerx::OffsetUnit::Utf16 ? 62u : 61u);
  }
}
