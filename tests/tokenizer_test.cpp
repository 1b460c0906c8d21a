// Tokenizer: byte spans, shapes, keys, sentence starts.
#include "nerx/tokenizer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace {

using nerx::Shape;

nerx::TokenizedText tok(std::string_view text) {
  nerx::TokenizedText out;
  nerx::tokenize(text, out);
  return out;
}

std::vector<std::string> texts(const nerx::TokenizedText& t) {
  std::vector<std::string> out;
  for (const auto& token : t.tokens) out.emplace_back(t.token_text(token));
  return out;
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> spans(const nerx::TokenizedText& t) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
  for (const auto& token : t.tokens) out.emplace_back(token.begin, token.end);
  return out;
}

using Spans = std::vector<std::pair<std::uint32_t, std::uint32_t>>;
using Texts = std::vector<std::string>;

// Every token is a non-empty, in-order, non-overlapping slice of the text,
// and the bytes between tokens are not word material.
void expect_well_formed(const nerx::TokenizedText& t) {
  std::uint32_t last = 0;
  for (const auto& token : t.tokens) {
    EXPECT_LT(token.begin, token.end);
    EXPECT_GE(token.begin, last);
    EXPECT_LE(token.end, t.text.size());
    EXPECT_LE(token.key_begin + token.key_size, t.keys.size());
    last = token.end;
  }
}

Shape shape_of(std::string_view word) {
  auto t = tok(word);
  EXPECT_EQ(t.tokens.size(), 1u) << "'" << word << "' is not one token";
  return t.tokens.empty() ? Shape::Symbol : t.tokens[0].shape;
}

TEST(Tokenizer, EmptyAndBlankText) {
  EXPECT_TRUE(tok("").tokens.empty());
  EXPECT_TRUE(tok("  \t\n\r\n ").tokens.empty());
}

TEST(Tokenizer, AsciiByteSpans) {
  std::string text = "Ishaq Dar visited Kabul.";
  auto t = tok(text);
  EXPECT_EQ(texts(t), (Texts{"Ishaq", "Dar", "visited", "Kabul", "."}));
  EXPECT_EQ(spans(t), (Spans{{0, 5}, {6, 9}, {10, 17}, {18, 23}, {23, 24}}));
  expect_well_formed(t);
  EXPECT_EQ(t.key(t.tokens[0]), "ishaq");
  EXPECT_EQ(t.key(t.tokens[3]), "kabul");
  EXPECT_TRUE(t.tokens[0].space_before);  // the text start counts as space
  EXPECT_TRUE(t.tokens[1].space_before);
  EXPECT_FALSE(t.tokens[4].space_before);
}

TEST(Tokenizer, AccentedLatinByteSpans) {
  // "Café" = 5 bytes, "naïve" = 6 bytes, "à" = 2 bytes, "Zürich" = 7 bytes.
  std::string text = "Café naïve à Zürich";
  auto t = tok(text);
  EXPECT_EQ(texts(t), (Texts{"Café", "naïve", "à", "Zürich"}));
  EXPECT_EQ(spans(t), (Spans{{0, 5}, {6, 12}, {13, 15}, {16, 23}}));
  expect_well_formed(t);
  EXPECT_EQ(t.tokens[0].shape, Shape::Capitalized);
  EXPECT_EQ(t.tokens[1].shape, Shape::Lower);
  EXPECT_EQ(t.tokens[3].shape, Shape::Capitalized);
  EXPECT_EQ(t.key(t.tokens[3]), "zürich");
}

TEST(Tokenizer, DecomposedAccentsStayInTheWord) {
  // "Cafe" + U+0301 COMBINING ACUTE: one word of 6 bytes, key in NFC.
  std::string text = "Cafe\xCC\x81 ok";
  auto t = tok(text);
  ASSERT_EQ(t.tokens.size(), 2u);
  EXPECT_EQ(spans(t), (Spans{{0, 6}, {7, 9}}));
  EXPECT_EQ(t.key(t.tokens[0]), "caf\xC3\xA9");
}

TEST(Tokenizer, CjkByteSpans) {
  std::string text = "東京 大阪";  // 3 bytes per character
  auto t = tok(text);
  EXPECT_EQ(texts(t), (Texts{"東京", "大阪"}));
  EXPECT_EQ(spans(t), (Spans{{0, 6}, {7, 13}}));
  EXPECT_EQ(t.tokens[0].shape, Shape::Uncased);
  EXPECT_EQ(t.tokens[1].shape, Shape::Uncased);
  // Ideographic punctuation splits.
  auto u = tok("東京。大阪");
  EXPECT_EQ(texts(u), (Texts{"東京", "。", "大阪"}));
  EXPECT_EQ(u.tokens[1].shape, Shape::Punct);
}

TEST(Tokenizer, ArabicByteSpans) {
  std::string text = "زار كابل.";  // 2 bytes per letter
  auto t = tok(text);
  EXPECT_EQ(texts(t), (Texts{"زار", "كابل", "."}));
  EXPECT_EQ(spans(t), (Spans{{0, 6}, {7, 15}, {15, 16}}));
  EXPECT_EQ(t.tokens[0].shape, Shape::Uncased);
  EXPECT_EQ(t.tokens[1].shape, Shape::Uncased);
}

TEST(Tokenizer, EmojiSequencesAreOneSymbolToken) {
  // Family: MAN ZWJ WOMAN ZWJ GIRL = 4+3+4+3+4 = 18 bytes.
  std::string family = "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7";
  // Thumbs up + medium skin tone = 8 bytes.
  std::string thumbs = "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD";
  // Red heart + VS16 = 3+3 bytes.
  std::string heart = "\xE2\x9D\xA4\xEF\xB8\x8F";
  std::string text = "Hi " + family + " ok " + thumbs + " " + heart + " Kabul";
  auto t = tok(text);
  expect_well_formed(t);
  EXPECT_EQ(texts(t), (Texts{"Hi", family, "ok", thumbs, heart, "Kabul"}));
  std::uint32_t f = 3, o = f + 18 + 1, th = o + 2 + 1, h = th + 8 + 1, k = h + 6 + 1;
  EXPECT_EQ(spans(t),
            (Spans{{0, 2}, {f, f + 18}, {o, o + 2}, {th, th + 8}, {h, h + 6}, {k, k + 5}}));
  EXPECT_EQ(t.tokens[1].shape, Shape::Symbol);
  EXPECT_EQ(t.tokens[3].shape, Shape::Symbol);
  EXPECT_EQ(t.tokens[4].shape, Shape::Symbol);
}

TEST(Tokenizer, EmojiGluedToAWordSplitsFromIt) {
  std::string text = "Kabul\xF0\x9F\x98\x80!";  // Kabul😀!
  auto t = tok(text);
  EXPECT_EQ(spans(t), (Spans{{0, 5}, {5, 9}, {9, 10}}));
  EXPECT_EQ(t.tokens[1].shape, Shape::Symbol);
}

TEST(Tokenizer, InvalidByteIsOneByteSymbolToken) {
  std::string text =
      "a\xFF"
      "b \x80 c";
  auto t = tok(text);
  expect_well_formed(t);
  EXPECT_EQ(spans(t), (Spans{{0, 1}, {1, 2}, {2, 3}, {4, 5}, {6, 7}}));
  EXPECT_EQ(t.tokens[1].shape, Shape::Symbol);
  EXPECT_EQ(t.tokens[3].shape, Shape::Symbol);
}

// tokenizer.hpp: "each byte that is not valid UTF-8 becomes a one-byte Symbol
// token". A truncated multi-byte sequence (E6 9D, the first two bytes of a
// three-byte character) is two invalid bytes, so two tokens.
TEST(Tokenizer, TruncatedSequenceGivesOneTokenPerByte) {
  std::string text = "x \xE6\x9D y";
  auto t = tok(text);
  expect_well_formed(t);
  EXPECT_EQ(spans(t), (Spans{{0, 1}, {2, 3}, {3, 4}, {5, 6}}));
  for (std::size_t i = 1; i + 1 < t.tokens.size(); ++i) EXPECT_EQ(t.tokens[i].shape, Shape::Symbol);
}

TEST(Tokenizer, InvalidBytesNeverBreakSpans) {
  // Overlong encodings, surrogates, stray continuation bytes, truncated end.
  std::string text =
      "A\xC0\xAF"
      "B \xED\xA0\x80 C\xF0\x9F";
  auto t = tok(text);
  expect_well_formed(t);
  ASSERT_FALSE(t.tokens.empty());
  EXPECT_EQ(t.token_text(t.tokens.front()), "A");
  // Every byte of the text is covered by a token or is white space.
  std::vector<bool> covered(text.size(), false);
  for (const auto& token : t.tokens)
    for (auto i = token.begin; i < token.end; ++i) covered[i] = true;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] != ' ') {
      EXPECT_TRUE(covered[i]) << "byte " << i;
    }
}

TEST(Tokenizer, Shapes) {
  EXPECT_EQ(shape_of("Kabul"), Shape::Capitalized);
  EXPECT_EQ(shape_of("McDonald"), Shape::Capitalized);
  EXPECT_EQ(shape_of("TTP"), Shape::AllCaps);
  EXPECT_EQ(shape_of("ISLAMABAD"), Shape::AllCaps);
  EXPECT_EQ(shape_of("U.S."), Shape::AllCaps);
  EXPECT_EQ(shape_of("J."), Shape::Initial);
  EXPECT_EQ(shape_of("A"), Shape::Initial);
  EXPECT_EQ(shape_of("led"), Shape::Lower);
  EXPECT_EQ(shape_of("iPhone"), Shape::Lower);
  EXPECT_EQ(shape_of("2024"), Shape::Number);
  EXPECT_EQ(shape_of("300,000"), Shape::Number);
  EXPECT_EQ(shape_of("1996-08-30"), Shape::Number);
  EXPECT_EQ(shape_of("3.5"), Shape::Number);
  EXPECT_EQ(shape_of("東京"), Shape::Uncased);
  EXPECT_EQ(shape_of("كابل"), Shape::Uncased);
  EXPECT_EQ(shape_of(","), Shape::Punct);
  EXPECT_EQ(shape_of("("), Shape::Punct);
  EXPECT_EQ(shape_of("\xF0\x9F\x98\x80"), Shape::Symbol);
  EXPECT_EQ(shape_of("\xC3\x89"
                     "cole"),
            Shape::Capitalized);  // École
  EXPECT_EQ(shape_of("\xC3\x89"
                     "COLE"),
            Shape::AllCaps);  // ÉCOLE
}

TEST(Tokenizer, ShapeNames) {
  EXPECT_EQ(nerx::to_string(Shape::Capitalized), "Xx");
  EXPECT_EQ(nerx::to_string(Shape::AllCaps), "XX");
  EXPECT_EQ(nerx::to_string(Shape::Initial), "X");
  EXPECT_EQ(nerx::to_string(Shape::Lower), "xx");
  EXPECT_EQ(nerx::to_string(Shape::Number), "9");
  EXPECT_EQ(nerx::to_string(Shape::Punct), "Punct");
}

TEST(Tokenizer, PossessiveSplitsOff) {
  auto t = tok("Pakistan's minister");
  EXPECT_EQ(texts(t), (Texts{"Pakistan", "'s", "minister"}));
  EXPECT_EQ(spans(t), (Spans{{0, 8}, {8, 10}, {11, 19}}));
  EXPECT_EQ(t.tokens[1].shape, Shape::Lower);  // "'s" is not punctuation
  EXPECT_FALSE(t.tokens[1].space_before);
  EXPECT_EQ(t.key(t.tokens[0]), "pakistan");
}

TEST(Tokenizer, TypographicPossessiveSplitsOff) {
  auto t = tok("Pakistan\xE2\x80\x99s.");  // Pakistan’s.
  EXPECT_EQ(spans(t), (Spans{{0, 8}, {8, 12}, {12, 13}}));
  EXPECT_EQ(t.key(t.tokens[1]), "'s");
}

TEST(Tokenizer, ContractionsAndIrishNamesStayWhole) {
  EXPECT_EQ(texts(tok("don't O'Brien")), (Texts{"don't", "O'Brien"}));
  EXPECT_EQ(texts(tok("Pakistan's")), (Texts{"Pakistan", "'s"}));
  // "'s" followed by more letters is not a possessive.
  EXPECT_EQ(texts(tok("it'sy")), (Texts{"it'sy"}));
}

TEST(Tokenizer, HyphenSplits) {
  auto t = tok("Taliban-led government");
  EXPECT_EQ(texts(t), (Texts{"Taliban", "-", "led", "government"}));
  EXPECT_EQ(spans(t), (Spans{{0, 7}, {7, 8}, {8, 11}, {12, 22}}));
  EXPECT_EQ(t.tokens[1].shape, Shape::Punct);
  EXPECT_FALSE(t.tokens[2].space_before);
}

TEST(Tokenizer, AbbreviationsKeepTheirPeriod) {
  auto t = tok("Mr. Smith met U.S. officials.");
  EXPECT_EQ(texts(t), (Texts{"Mr.", "Smith", "met", "U.S.", "officials", "."}));
  EXPECT_FALSE(t.tokens[1].sentence_start) << "a period after Mr. does not end the sentence";
  EXPECT_EQ(t.key(t.tokens[3]), "u.s.");
  EXPECT_EQ(texts(tok("Dr. No and J. R. R. Tolkien")),
            (Texts{"Dr.", "No", "and", "J.", "R.", "R.", "Tolkien"}));
  EXPECT_EQ(texts(tok("AT&T")), (Texts{"AT&T"}));
}

TEST(Tokenizer, SentenceStarts) {
  auto t = tok("He left. She stayed! why? Yes\nThen went\r\nNow");
  std::vector<std::string> starts;
  for (const auto& token : t.tokens)
    if (token.sentence_start) starts.emplace_back(t.token_text(token));
  EXPECT_EQ(starts, (Texts{"He", "She", "why", "Yes", "Then", "Now"}));
  for (const auto& token : t.tokens) {
    std::string_view s = t.token_text(token);
    if (s == "Then" || s == "Now") {
      EXPECT_TRUE(token.newline_before) << s;
    }
    if (s == "She" || s == "left") {
      EXPECT_FALSE(token.newline_before) << s;
    }
  }
}

TEST(Tokenizer, SentenceStartSkipsLeadingPunctuation) {
  auto t = tok("\"Kabul\" is far. (Islamabad) is near.");
  std::vector<std::string> starts;
  for (const auto& token : t.tokens)
    if (token.sentence_start) starts.emplace_back(t.token_text(token));
  EXPECT_EQ(starts, (Texts{"Kabul", "Islamabad"}));
}

TEST(Tokenizer, NoSentenceStartMidSentence) {
  auto t = tok("The minister of Pakistan visited Kabul on Monday");
  for (std::size_t i = 1; i < t.tokens.size(); ++i) EXPECT_FALSE(t.tokens[i].sentence_start) << i;
  EXPECT_TRUE(t.tokens[0].sentence_start);
}

TEST(Tokenizer, FoldKey) {
  EXPECT_EQ(nerx::fold_key("\xC3\x89"
                           "COLE"),
            "\xC3\xA9"
            "cole");  // ÉCOLE -> école
  EXPECT_EQ(nerx::fold_key("Stra\xC3\x9F"
                           "e"),
            "strasse");                                    // Straße -> strasse
  EXPECT_EQ(nerx::fold_key("don\xE2\x80\x99t"), "don't");  // don’t -> don't
  EXPECT_EQ(nerx::fold_key("KABUL"), "kabul");
  EXPECT_EQ(nerx::fold_key("E\xCC\x81"
                           "COLE"),
            "\xC3\xA9"
            "cole");  // decomposed -> NFC
  EXPECT_EQ(nerx::fold_key(""), "");
}

TEST(Tokenizer, TokenKeysAreFoldKeys) {
  std::string text =
      "\xC3\x89"
      "COLE Stra\xC3\x9F"
      "e don\xE2\x80\x99t";
  auto t = tok(text);
  ASSERT_EQ(t.tokens.size(), 3u);
  for (const auto& token : t.tokens) EXPECT_EQ(t.key(token), nerx::fold_key(t.token_text(token)));
  EXPECT_EQ(t.key(t.tokens[2]), "don't");
}

TEST(Tokenizer, AsciiAndOtherWordsGetTheSameKeysHashesAndShapes) {
  // ASCII words take a one-pass path; it must agree with the general one.
  std::string text =
      "Kabul KABUL kabul U.S. O'Brien AT&T x2 2nd 1996-08-30 ( ... -- 's "
      "\xC3\x89"
      "cole K\xC3\xA1"
      "bul";
  auto t = tok(text);
  ASSERT_GE(t.tokens.size(), 14u);
  for (const auto& token : t.tokens) {
    SCOPED_TRACE(std::string(t.token_text(token)));
    EXPECT_EQ(t.key(token), nerx::fold_key(t.token_text(token)));
    EXPECT_EQ(token.key_hash, nerx::hash_key(t.key(token)));
  }
  EXPECT_EQ(t.tokens[0].shape, Shape::Capitalized);
  EXPECT_EQ(t.tokens[1].shape, Shape::AllCaps);
  EXPECT_EQ(t.tokens[2].shape, Shape::Lower);
  EXPECT_EQ(t.tokens[0].key_hash, t.tokens[1].key_hash);
}

TEST(Tokenizer, ReusingOutputClearsIt) {
  nerx::TokenizedText t;
  nerx::tokenize("one two three four", t);
  nerx::tokenize("Kabul", t);
  ASSERT_EQ(t.tokens.size(), 1u);
  EXPECT_EQ(t.key(t.tokens[0]), "kabul");
  EXPECT_EQ(t.text, "Kabul");
}

}  // namespace

TEST(SplitPoint, PrefersParagraphThenLineThenSentenceThenSpace) {
  EXPECT_EQ(nerx::split_point("short", 100), 5u);
  std::string para = std::string(60, 'a') + "\n\n" + std::string(60, 'b');
  EXPECT_EQ(nerx::split_point(para, 100), 62u);  // after the blank line
  std::string line =
      std::string(60, 'a') + "\n" + std::string(30, 'b') + ". " + std::string(60, 'c');
  EXPECT_EQ(nerx::split_point(line, 100), 61u);  // a line break beats a later sentence end
  std::string sentence = std::string(60, 'a') + ". " + std::string(60, 'c');
  EXPECT_EQ(nerx::split_point(sentence, 100), 62u);
  std::string words = std::string(70, 'a') + " " + std::string(70, 'b');
  EXPECT_EQ(nerx::split_point(words, 100), 71u);
  // A break in the first half of the window is too early: cut at a space later on.
  std::string early = "a\n\n" + std::string(60, 'b') + " " + std::string(60, 'c');
  EXPECT_EQ(nerx::split_point(early, 100), 64u);
}

TEST(SplitPoint, NeverSplitsACodePoint) {
  std::string text;
  while (text.size() < 300) text += "\xE2\x82\xAC";  // €, 3 bytes, no spaces
  for (std::size_t max : {8u, 10u, 11u, 100u, 101u}) {
    std::size_t at = nerx::split_point(text, max);
    EXPECT_LE(at, max);
    EXPECT_GT(at, max - 4);
    EXPECT_EQ(at % 3, 0u) << max;
  }
}
