// Offsets: the one place where byte offsets become the unit users asked for.
#pragma once

#include <cstddef>
#include <string_view>

namespace nerx {

enum class OffsetUnit { Codepoint, Byte, Utf16 };

// "codepoint", "byte", "utf16".
bool parse_offset_unit(std::string_view name, OffsetUnit& out);

// Converts byte offsets of one text into `unit`. Offsets are counted from the
// start of the text plus `base_units` (for texts processed in chunks). Each
// byte that is not part of valid UTF-8 counts as one unit in every unit.
// Cheapest when called with non-decreasing offsets, as writers do.
class OffsetCounter {
 public:
  OffsetCounter(std::string_view text, OffsetUnit unit, std::size_t base_units = 0)
      : text_(text), unit_(unit), base_(base_units) {}
  std::size_t to_unit(std::size_t byte);
  // Units in the whole text (to carry over to the next chunk).
  std::size_t total() { return to_unit(text_.size()); }

 private:
  std::string_view text_;
  OffsetUnit unit_;
  std::size_t base_;
  std::size_t byte_ = 0;
  std::size_t units_ = 0;
};

}  // namespace nerx
