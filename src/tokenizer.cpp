#include "nerx/tokenizer.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <array>
#include <cstring>

namespace nerx {
namespace {

// Words after which a period belongs to the word, not to the sentence.
constexpr std::array<std::string_view, 44> kAbbreviations = {
    "mr",  "mrs", "ms",  "dr",   "prof",   "st",   "jr",   "sr",   "inc",  "corp", "co",
    "ltd", "gen", "col", "lt",   "sgt",    "capt", "cmdr", "adm",  "maj",  "rep",  "sen",
    "gov", "rev", "mt",  "ft",   "vs",     "jan",  "feb",  "aug",  "sept", "sep",  "oct",
    "nov", "dec", "no",  "bros", "messrs", "hon",  "pres", "supt", "insp", "brig", "cpl"};

bool is_abbreviation(std::string_view text) {
  if (text.size() > 6) return false;
  char lower[8];
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    lower[i] = c;
  }
  std::string_view folded(lower, text.size());
  for (auto a : kAbbreviations)
    if (a == folded) return true;
  return false;
}

enum class CharClass : std::uint8_t { Space, Newline, Letter, Digit, Punct, Symbol, Invalid };

CharClass classify_slow(UChar32 c) {
  if (c < 0) return CharClass::Invalid;
  if (c < 0x80) {
    if (c == '\n' || c == '\r') return CharClass::Newline;
    if (c == ' ' || c == '\t' || c == '\f' || c == '\v') return CharClass::Space;
    if (c < 0x20 || c == 0x7f) return CharClass::Space;  // other controls, NUL: separators
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return CharClass::Letter;
    if (c >= '0' && c <= '9') return CharClass::Digit;
    if (c == '$' || c == '+' || c == '<' || c == '=' || c == '>' || c == '^' || c == '`' ||
        c == '|' || c == '~')
      return CharClass::Symbol;
    return CharClass::Punct;
  }
  if (c == 0x2028 || c == 0x2029 || c == 0x85) return CharClass::Newline;
  if (c == 0xFEFF || u_isUWhiteSpace(c) || u_iscntrl(c)) return CharClass::Space;
  if (u_isdigit(c)) return CharClass::Digit;
  int8_t type = u_charType(c);
  if (u_hasBinaryProperty(c, UCHAR_ALPHABETIC) || type == U_NON_SPACING_MARK ||
      type == U_COMBINING_SPACING_MARK || type == U_ENCLOSING_MARK)
    return CharClass::Letter;
  if (u_ispunct(c)) return CharClass::Punct;
  return CharClass::Symbol;
}

// ASCII classes from a table: most text is ASCII, and this is the inner loop.
const std::array<CharClass, 128> kAsciiClass = [] {
  std::array<CharClass, 128> table{};
  for (int c = 0; c < 128; ++c) table[c] = classify_slow(c);
  return table;
}();

// What the ASCII fast paths need to know of a byte.
enum AsciiKind : unsigned char { kOther, kUpper, kLower, kDigit, kNotAscii };
const std::array<unsigned char, 256> kAsciiKind = [] {
  std::array<unsigned char, 256> table{};
  for (int c = 0; c < 256; ++c)
    table[c] = c >= 0x80              ? kNotAscii
               : c >= 'A' && c <= 'Z' ? kUpper
               : c >= 'a' && c <= 'z' ? kLower
               : c >= '0' && c <= '9' ? kDigit
                                      : kOther;
  return table;
}();

inline bool is_ascii_word_byte(char c) {
  unsigned char kind = kAsciiKind[static_cast<unsigned char>(c)];
  return kind == kUpper || kind == kLower || kind == kDigit;
}

inline CharClass classify(UChar32 c) {
  if (c >= 0 && c < 0x80) return kAsciiClass[c];
  return classify_slow(c);
}

bool is_apostrophe(UChar32 c) {
  return c == '\'' || c == 0x2019 || c == 0x02BC;
}

// Joiners and modifiers that continue a run of symbols (emoji sequences).
bool continues_symbol(UChar32 c) {
  return c == 0x200D || (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0x1F3FB && c <= 0x1F3FF) ||
         (c >= 0xE0020 && c <= 0xE007F);
}

bool is_sentence_end(std::string_view t) {
  return t == "." || t == "!" || t == "?" || t == "..." || t == "\xE2\x80\xA6" || t == "!!" ||
         t == "??" || t == "?!" || t == "!?";
}

struct Decoder {
  const char* s;
  int32_t n;
  // Decodes the code point at byte i; sets `next` to the following byte.
  UChar32 at(int32_t i, int32_t& next) const {
    if (i >= n) {
      next = i;
      return -2;  // end of text
    }
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      next = i + 1;
      return static_cast<unsigned char>(s[i]);
    }
    UChar32 c;
    next = i;
    U8_NEXT(s, next, n, c);
    if (c < 0) next = i + 1;  // each invalid byte stands alone
    return c;
  }
  UChar32 at(int32_t i) const {
    int32_t next;
    return at(i, next);
  }
};

Shape shape_of(std::string_view word) {
  const char* s = word.data();
  int32_t n = static_cast<int32_t>(word.size()), i = 0;
  int letters = 0, upper = 0, lower = 0;
  bool first_seen = false, first_upper = false, first_lower = false, first_digit = false;
  while (i < n) {
    UChar32 c;
    bool is_upper, is_lower, letter, digit;
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      c = static_cast<unsigned char>(s[i++]);
      is_upper = c >= 'A' && c <= 'Z';
      is_lower = c >= 'a' && c <= 'z';
      letter = is_upper || is_lower;
      digit = c >= '0' && c <= '9';
    } else {
      U8_NEXT(s, i, n, c);
      if (c < 0) continue;
      is_upper = u_isupper(c) || u_istitle(c);
      is_lower = u_islower(c);
      digit = u_isdigit(c);
      letter = u_hasBinaryProperty(c, UCHAR_ALPHABETIC) && !digit;
    }
    if (!first_seen && (letter || digit)) {
      first_seen = true;
      first_upper = is_upper;
      first_lower = is_lower;
      first_digit = digit;
    }
    if (letter) ++letters;
    if (is_upper) ++upper;
    if (is_lower) ++lower;
  }
  if (!first_seen) return Shape::Punct;
  if (first_digit) return Shape::Number;
  if (first_lower) return Shape::Lower;
  if (first_upper) {
    if (letters == 1) return Shape::Initial;
    if (lower == 0) return Shape::AllCaps;
    return Shape::Capitalized;
  }
  return Shape::Uncased;
}

bool is_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

void append_folded(std::string_view word, std::string& out) {
  if (is_ascii(word)) {
    for (char c : word) out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c);
    return;
  }
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(word.data(), static_cast<int32_t>(word.size())));
  u.foldCase();
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  // NFC reorders combining marks in quadratic time: a hostile word of many
  // thousand marks would stall. Words that long are never names: skip it.
  constexpr std::size_t kMaxNormalizedWord = 256;  // bytes
  if (word.size() <= kMaxNormalizedWord && U_SUCCESS(status) && !nfc->isNormalized(u, status)) {
    status = U_ZERO_ERROR;
    icu::UnicodeString normalized = nfc->normalize(u, status);
    if (U_SUCCESS(status)) u = normalized;
  }
  u.findAndReplace(icu::UnicodeString(static_cast<UChar32>(0x2019)), icu::UnicodeString('\''));
  u.findAndReplace(icu::UnicodeString(static_cast<UChar32>(0x02BC)), icu::UnicodeString('\''));
  u.toUTF8String(out);
}

// The common case in one pass: an ASCII word's folded key (appended to
// `keys`), its hash and its shape, as shape_of, append_folded and hash_key
// would give them. False (and `keys` unchanged) if the word is not ASCII.
bool fold_ascii(std::string_view word, bool is_word, std::string& keys, Token& t) {
  const std::size_t at = keys.size(), n = word.size();
  keys.resize(at + n);
  char* key = keys.data() + at;
  std::uint64_t h = kKeyHashBasis;
  int upper = 0, lower = 0;
  char first = 0;  // the first letter or digit
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(word[i]);
    const unsigned char kind = kAsciiKind[c];
    if (kind == kNotAscii) {
      keys.resize(at);
      return false;
    }
    if (!first && kind != kOther) first = static_cast<char>(c);
    upper += kind == kUpper;
    lower += kind == kLower;
    const unsigned char folded = kind == kUpper ? static_cast<unsigned char>(c + 32) : c;
    key[i] = static_cast<char>(folded);
    h = (h ^ folded) * kKeyHashPrime;
  }
  const int letters = upper + lower;
  t.key_size = static_cast<std::uint32_t>(n);
  t.key_hash = static_cast<std::uint32_t>(h ^ (h >> 32));
  if (!is_word || !first) {
    t.shape = Shape::Punct;
  } else if (first >= '0' && first <= '9') {
    t.shape = Shape::Number;
  } else if (first >= 'a' && first <= 'z') {
    t.shape = Shape::Lower;
  } else {
    t.shape = letters == 1 ? Shape::Initial : lower == 0 ? Shape::AllCaps : Shape::Capitalized;
  }
  return true;
}

}  // namespace

std::string_view to_string(Shape shape) {
  switch (shape) {
    case Shape::Lower:
      return "xx";
    case Shape::Capitalized:
      return "Xx";
    case Shape::AllCaps:
      return "XX";
    case Shape::Initial:
      return "X";
    case Shape::Uncased:
      return "Uncased";
    case Shape::Number:
      return "9";
    case Shape::Punct:
      return "Punct";
    case Shape::Symbol:
      return "Symbol";
  }
  return "?";
}

std::string fold_key(std::string_view word) {
  std::string out;
  append_folded(word, out);
  return out;
}

std::size_t split_point(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text.size();
  const std::size_t low = max_bytes / 2;
  std::string_view window = text.substr(0, max_bytes);
  auto after_last = [&](std::string_view what) -> std::size_t {
    std::size_t at = window.rfind(what);
    return at != std::string_view::npos && at + what.size() > low ? at + what.size() : 0;
  };
  for (std::string_view boundary : {"\n\n", "\n", ". ", "? ", "! "})
    if (std::size_t at = after_last(boundary)) return at;
  for (std::size_t at = max_bytes; at > low; --at)
    if (text[at - 1] == ' ' || text[at - 1] == '\t') return at;
  // No white space: cut before a UTF-8 lead byte so no character is split.
  std::size_t at = max_bytes;
  while (at > max_bytes - 4 && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) --at;
  return at;
}

void tokenize(std::string_view text, TokenizedText& out) {
  out.clear();
  out.text = text;
  out.tokens.reserve(text.size() / 5 + 8);
  out.keys.reserve(text.size() + 8);
  const Decoder d{text.data(), static_cast<int32_t>(text.size())};
  bool space_before = true, newline_before = true, sentence_pending = true;

  auto emit = [&](int32_t begin, int32_t end, bool is_word) {
    Token t;
    t.begin = static_cast<std::uint32_t>(begin);
    t.end = static_cast<std::uint32_t>(end);
    std::string_view word = text.substr(t.begin, t.end - t.begin);
    t.key_begin = static_cast<std::uint32_t>(out.keys.size());
    if (!fold_ascii(word, is_word, out.keys, t)) {
      t.shape = is_word ? shape_of(word) : Shape::Punct;
      append_folded(word, out.keys);
      t.key_size = static_cast<std::uint32_t>(out.keys.size() - t.key_begin);
      t.key_hash = hash_key(out.key(t));
    }
    t.space_before = space_before;
    t.newline_before = newline_before;
    bool punct = t.shape == Shape::Punct || t.shape == Shape::Symbol;
    if (!punct && sentence_pending) {
      t.sentence_start = true;
      sentence_pending = false;
    }
    if (punct && is_sentence_end(word)) sentence_pending = true;
    out.tokens.push_back(t);
    space_before = newline_before = false;
  };

  int32_t i = 0;
  while (i < d.n) {
    if (text[i] == ' ') {  // the most common byte, for the price of a compare
      space_before = true;
      ++i;
      continue;
    }
    int32_t next;
    UChar32 c = d.at(i, next);
    CharClass cls = classify(c);
    switch (cls) {
      case CharClass::Newline:
        newline_before = space_before = sentence_pending = true;
        i = next;
        break;
      case CharClass::Space:
        space_before = true;
        i = next;
        break;
      case CharClass::Invalid: {
        emit(i, next, false);
        out.tokens.back().shape = Shape::Symbol;
        i = next;
        break;
      }
      case CharClass::Symbol: {
        int32_t end = next;
        for (;;) {
          int32_t after;
          UChar32 n2 = d.at(end, after);
          if (n2 < 0) break;
          CharClass k = classify(n2);
          if (k == CharClass::Symbol || continues_symbol(n2)) {
            end = after;
          } else {
            break;
          }
        }
        emit(i, end, false);
        out.tokens.back().shape = Shape::Symbol;
        i = end;
        break;
      }
      case CharClass::Punct: {
        // "'s" after a word is its own token: "Pakistan's" -> "Pakistan" "'s";
        // also when spaced apart, as tokenized corpora write it ("Kabul 's").
        if (is_apostrophe(c) && !out.tokens.empty() && out.tokens.back().shape != Shape::Punct) {
          int32_t after_s;
          UChar32 s = d.at(next, after_s);
          if ((s == 's' || s == 'S') && classify(d.at(after_s)) != CharClass::Letter &&
              classify(d.at(after_s)) != CharClass::Digit) {
            emit(i, after_s, true);
            i = after_s;
            break;
          }
        }
        // A run of the same punctuation ("...", "--") is one token.
        int32_t end = next;
        for (;;) {
          int32_t after;
          UChar32 n2 = d.at(end, after);
          if (n2 != c) break;
          end = after;
        }
        emit(i, end, false);
        i = end;
        break;
      }
      case CharClass::Letter:
      case CharClass::Digit: {
        const bool number = cls == CharClass::Digit;
        int32_t end = next;
        int32_t segment_letters = 1;  // letters since the start or last period
        bool internal_period = false;
        for (;;) {
          while (end < d.n && is_ascii_word_byte(text[end])) {
            ++end;  // the common case: a run of ASCII letters and digits
            ++segment_letters;
          }
          int32_t after;
          UChar32 n2 = d.at(end, after);
          CharClass k = n2 < 0 ? CharClass::Invalid : classify(n2);
          if (k == CharClass::Letter || k == CharClass::Digit || n2 == 0x200C || n2 == 0x200D) {
            end = after;
            ++segment_letters;
            continue;
          }
          int32_t after2;
          UChar32 n3 = d.at(after, after2);
          CharClass k3 = n3 < 0 ? CharClass::Invalid : classify(n3);
          if (number) {
            // 300,000  3.5  1996-08-30  12:30  1/2  1-0
            if ((n2 == ',' || n2 == '.' || n2 == ':' || n2 == '/' || n2 == '-') &&
                k3 == CharClass::Digit) {
              end = after;
              continue;
            }
            break;
          }
          if (n2 == '.' && k3 == CharClass::Letter && segment_letters <= 2) {
            // U.S.  e.g.  Ph.D
            internal_period = true;
            segment_letters = 0;
            end = after;
            continue;
          }
          if (is_apostrophe(n2) && k3 == CharClass::Letter) {
            // "'s" is split off (handled as punctuation); O'Brien, don't stay whole.
            int32_t after3;
            d.at(after2, after3);
            bool possessive = (n3 == 's' || n3 == 'S') &&
                              classify(d.at(after2)) != CharClass::Letter &&
                              classify(d.at(after2)) != CharClass::Digit;
            if (possessive) break;
            end = after;
            continue;
          }
          if (n2 == '&' && k3 == CharClass::Letter && n3 < 0x80 && n3 >= 'A' && n3 <= 'Z') {
            end = after;  // AT&T, S&P
            continue;
          }
          if (n2 == '.') {
            std::string_view word = text.substr(i, end - i);
            bool keep = (internal_period && segment_letters <= 2) ||
                        (segment_letters == 1 && shape_of(word) == Shape::Initial) ||
                        is_abbreviation(word);
            if (keep) end = after;
          }
          break;
        }
        emit(i, end, true);
        i = end;
        break;
      }
    }
  }
}

}  // namespace nerx
