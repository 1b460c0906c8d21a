// Tokenizer: splits UTF-8 text into word, number and punctuation tokens with
// byte spans, a shape and a case-folded key, and marks sentence starts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nerx {

// The written form of a token, as rules see it.
enum class Shape : std::uint8_t {
  Lower,        // starts with a lowercase letter: "led", "iPhone"
  Capitalized,  // uppercase first, some lowercase after: "Kabul", "McDonald"
  AllCaps,      // two or more letters, all uppercase: "TTP", "ISLAMABAD", "U.S."
  Initial,      // one uppercase letter, with or without a period: "J.", "A"
  Uncased,      // letters of a script without case: CJK, Arabic, Devanagari
  Number,       // starts with a digit: "2024", "300,000", "1996-08-30"
  Punct,        // punctuation: ",", "-", "(", "'s" is NOT punct (it is Lower)
  Symbol,       // symbols, emoji, and bytes that are not valid UTF-8
};

std::string_view to_string(Shape shape);

struct Token {
  std::uint32_t begin = 0;      // byte offset into the text
  std::uint32_t end = 0;        // byte offset, exclusive
  std::uint32_t key_begin = 0;  // the folded key, in TokenizedText::keys
  std::uint32_t key_size = 0;
  std::uint32_t key_hash = 0;  // hash_key() of the folded key
  Shape shape = Shape::Symbol;
  bool space_before = false;    // whitespace (or the text start) precedes it
  bool newline_before = false;  // a line break precedes it
  bool sentence_start = false;  // first token of a sentence or line
};

// A tokenized document. Keys live in one arena so a token costs no allocation.
struct TokenizedText {
  std::string_view text;
  std::vector<Token> tokens;
  std::string keys;

  std::string_view token_text(const Token& t) const {
    return text.substr(t.begin, t.end - t.begin);
  }
  std::string_view key(const Token& t) const {
    return std::string_view(keys).substr(t.key_begin, t.key_size);
  }
  void clear() {
    tokens.clear();
    keys.clear();
  }
};

// Folds `word` the way token keys are folded: Unicode full case folding,
// then NFC; typographic apostrophes become "'". Used for lists and rules too.
std::string fold_key(std::string_view word);

// The hash of a folded key that the list vocabulary is indexed by (FNV-1a,
// folded to 32 bits). Tokens carry it so each lookup hashes nothing.
constexpr std::uint64_t kKeyHashBasis = 1469598103934665603ull, kKeyHashPrime = 1099511628211ull;
inline std::uint32_t hash_key(std::string_view key) {
  std::uint64_t h = kKeyHashBasis;
  for (unsigned char c : key) {
    h ^= c;
    h *= kKeyHashPrime;
  }
  return static_cast<std::uint32_t>(h ^ (h >> 32));
}

// Where to cut `text` so that its first part is at most `max_bytes` long
// (max_bytes >= 8): after the last paragraph break (blank line) in the second
// half of that window, else the last line break, else the last sentence end,
// else the last white space, else at a code point boundary. Returns
// text.size() if the text fits. Long documents are processed in such parts.
std::size_t split_point(std::string_view text, std::size_t max_bytes);

// Tokenizes `text` into `out` (cleared first). Never throws on bad input:
// each byte that is not valid UTF-8 becomes a one-byte Symbol token.
// Texts are limited to 4 GiB (offsets are 32-bit); callers chunk larger ones.
void tokenize(std::string_view text, TokenizedText& out);

}  // namespace nerx
