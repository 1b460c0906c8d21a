#include "nerx/offsets.hpp"

#include <unicode/utf8.h>

#include <cstdint>
#include <cstring>

namespace nerx {

bool parse_offset_unit(std::string_view name, OffsetUnit& out) {
  if (name == "codepoint" || name == "char" || name == "codepoints") {
    out = OffsetUnit::Codepoint;
  } else if (name == "byte" || name == "bytes") {
    out = OffsetUnit::Byte;
  } else if (name == "utf16") {
    out = OffsetUnit::Utf16;
  } else {
    return false;
  }
  return true;
}

std::size_t OffsetCounter::to_unit(std::size_t byte) {
  if (byte > text_.size()) byte = text_.size();
  if (unit_ == OffsetUnit::Byte) return base_ + byte;
  if (byte < byte_) byte_ = units_ = 0;  // went backwards: count again
  const char* s = text_.data();
  const int32_t n = static_cast<int32_t>(text_.size());
  int32_t i = static_cast<int32_t>(byte_);
  const int32_t stop = static_cast<int32_t>(byte);
  while (i < stop) {
    // Eight ASCII bytes at a time: each is one unit.
    while (stop - i >= 8) {
      std::uint64_t word;
      std::memcpy(&word, s + i, 8);
      if (word & 0x8080808080808080ull) break;
      i += 8;
      units_ += 8;
    }
    if (i >= stop) break;
    unsigned char b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {  // ASCII fast path
      ++i;
      ++units_;
      continue;
    }
    int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c < 0) {
      i = start + 1;  // each invalid byte is one unit
      ++units_;
    } else {
      units_ += (unit_ == OffsetUnit::Utf16 && c > 0xffff) ? 2 : 1;
    }
  }
  byte_ = static_cast<std::size_t>(i);
  return base_ + units_;
}

}  // namespace nerx
