// Hostile input for the library (issue 6): whatever the text, list, rule file
// or model image, every stage returns or throws nerx::Error; it never
// crashes, hangs or takes quadratic time.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "nerx/default_model.hpp"
#include "nerx/error.hpp"
#include "nerx/extractor.hpp"
#include "nerx/gazetteer.hpp"
#include "nerx/model.hpp"
#include "nerx/rules.hpp"
#include "nerx/tokenizer.hpp"
#include "test_util.hpp"

namespace {

using nerx_test::entry;

const nerx::Extractor& default_extractor() {
  static const nerx::Extractor ex({nerx::Model::view(nerx::default_model_image(), "default")});
  return ex;
}

using nerx_test::seconds_since;

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out.append(s);
  return out;
}

// ---------------------------------------------------------------- rules

// A long run of capitalised words: rules such as `$NAMEWORD+` recursed once
// per word and overflowed the stack (a crash on a 1.4 MB file).
TEST(HostileText, LongRunOfCapitalisedWords) {
  std::string text = repeat("Abcdef ", 100000);
  auto start = std::chrono::steady_clock::now();
  auto entities = default_extractor().extract(text);
  EXPECT_LT(seconds_since(start), 60.0);
  for (const auto& e : entities) {
    EXPECT_LE(e.begin, e.end);
    EXPECT_LE(e.end, text.size());
  }
}

nerx::Error rule_error(const std::string& source) {
  nerx::LabelTable labels;
  nerx::RuleSet rules;
  try {
    rules.add(source, "t.rules", labels);
  } catch (const nerx::Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return nerx::Error("none");
}

// Parentheses nested 100000 deep overflowed the recursive-descent parser.
TEST(HostileRules, DeeplyNestedParentheses) {
  std::string rule = "r: [PERSON: " + repeat("(", 100000) + "Xx" + repeat(")", 100000) + "]\n";
  nerx::Error e = rule_error(rule);
  EXPECT_EQ(e.file(), "t.rules");
  EXPECT_EQ(e.line(), 1u);
  EXPECT_GT(e.column(), 0u);
  // Moderate nesting still parses.
  nerx::LabelTable labels;
  nerx::RuleSet rules;
  EXPECT_NO_THROW(rules.add("r: [PERSON: " + repeat("(", 20) + "Xx" + repeat(")", 20) + "]\n",
                            "t.rules", labels));
}

TEST(HostileRules, DeeplyNestedMarks) {
  nerx::Error e = rule_error("r: " + repeat("[PERSON: ", 50000) + "Xx" + repeat("]", 50000) + "\n");
  EXPECT_EQ(e.line(), 1u);
}

// Each name refers to the previous one twice: expanding the last one would
// build 2^40 pattern nodes.
TEST(HostileRules, ExponentialNamedPatterns) {
  std::string source = "let A0 = Xx Xx\n";
  for (int i = 1; i < 40; ++i)
    source += "let A" + std::to_string(i) + " = $A" + std::to_string(i - 1) + " $A" +
              std::to_string(i - 1) + "\n";
  source += "r: [PERSON: $A39]\n";
  auto start = std::chrono::steady_clock::now();
  nerx::Error e = rule_error(source);
  EXPECT_LT(seconds_since(start), 10.0);
  EXPECT_EQ(e.file(), "t.rules");
  EXPECT_GT(e.line(), 0u);
}

// A user rule that can repeat without bound, on a long document of tokens
// it accepts: bounded stack, no crash.
TEST(HostileRules, UnboundedRepeatsOnALongDocument) {
  auto model = nerx_test::make_model({}, "r: [PERSON: Any+]\nq: [LOCATION: (Any? Any?)+ \"z\"]\n");
  nerx::Extractor ex({model});
  std::string text = repeat("a ", 20000);
  auto start = std::chrono::steady_clock::now();
  auto entities = ex.extract(text);
  EXPECT_LT(seconds_since(start), 30.0);
  for (const auto& e : entities) EXPECT_LE(e.end, text.size());
}

// ---------------------------------------------------------------- tokenizer

// NFC reorders combining marks in quadratic time; a word of 100000
// alternating marks took minutes.
TEST(HostileText, LongRunOfCombiningMarks) {
  std::string text = "A";
  for (int i = 0; i < 50000; ++i) text += "\xCC\x81\xCC\x96";  // U+0301 (ccc 230), U+0316 (ccc 220)
  text += " Kabul";
  auto start = std::chrono::steady_clock::now();
  nerx::TokenizedText tokens;
  nerx::tokenize(text, tokens);
  EXPECT_LT(seconds_since(start), 5.0);
  ASSERT_EQ(tokens.tokens.size(), 2u);
  EXPECT_EQ(tokens.key(tokens.tokens[1]), "kabul");
  // Short words are still normalised: decomposed e + acute folds like é.
  EXPECT_EQ(nerx::fold_key("Caf"
                           "e\xCC\x81"),
            nerx::fold_key("Caf\xC3\xA9"));
}

// ---------------------------------------------------------------- resolver

// Every mention of a name became an alias to look for at every mention:
// quadratic in the number of mentions (20000 mentions of Kabul took 6 s).
TEST(HostileText, ManyMentionsOfOneName) {
  std::string text = repeat("Kabul visited. ", 50000);
  auto start = std::chrono::steady_clock::now();
  auto entities = default_extractor().extract(text);
  EXPECT_LT(seconds_since(start), 20.0);
  EXPECT_EQ(entities.size(), 50000u);
}

// ---------------------------------------------------------------- user lists

// A helper class that no rule uses is most likely a misspelt type: its names
// would never be reported.
TEST(HostileLists, ClassNoRuleUsesIsAnErrorWithFileLineColumn) {
  nerx_test::TempDir dir;
  std::string ok = dir.write("ok.tsv", "Zorblat\tORG\nQuux\tTITLE\n# LOCATOIN in a comment\n");
  std::string bad = dir.write("bad.tsv",
                              "\xEF\xBB\xBF"
                              "Acme\tORGANIZATION\nKabulistan\t LOCATOIN\tcity\n");
  std::vector<std::shared_ptr<const nerx::Model>> models = {
      nerx::Model::view(nerx::default_model_image(), "default")};
  EXPECT_NO_THROW(nerx::check_list_classes({ok}, models));
  try {
    nerx::check_list_classes({ok, bad}, models);
    FAIL() << "no error";
  } catch (const nerx::Error& e) {
    EXPECT_EQ(e.file(), bad);
    EXPECT_EQ(e.line(), 2u);
    EXPECT_EQ(e.column(), 13u);
    EXPECT_NE(std::string(e.what()).find("LOCATOIN"), std::string::npos) << e.what();
  }
  // A class that a user rule uses is fine; without any rules, TITLE is not.
  auto user = nerx_test::make_model({}, "r: @LOCATOIN [PERSON: Xx]\n");
  EXPECT_NO_THROW(nerx::check_list_classes({bad}, {models[0], user}));
  EXPECT_THROW(nerx::check_list_classes({ok}, {}), nerx::Error);
}

// ---------------------------------------------------------------- model images

// Image layout, as in gazetteer_test.cpp.
constexpr std::size_t kNodesOff = 48, kNodeCount = 56;

std::uint64_t read_u64(const std::string& image, std::size_t at) {
  std::uint64_t v;
  std::memcpy(&v, image.data() + at, 8);
  return v;
}
std::uint32_t read_u32(const std::string& image, std::size_t at) {
  std::uint32_t v;
  std::memcpy(&v, image.data() + at, 4);
  return v;
}
void write_u32(std::string& image, std::size_t at, std::uint32_t v) {
  std::memcpy(image.data() + at, &v, 4);
}

std::string sample_image() {
  nerx::GazetteerBuilder b;
  b.add(entry("New York City", "LOCATION", "city"));
  b.add(entry("York", "LOCATION", "city"));
  b.add(entry("Kabul", "LOCATION", "city"));
  return b.build();
}

// Node = 8 x u32: edge_begin, edge_count, fail, output_link, entry_begin,
// entry_count, depth, pad.
std::size_t find_node_of_depth(const std::string& image, std::uint32_t depth) {
  std::size_t nodes = static_cast<std::size_t>(read_u64(image, kNodesOff));
  std::size_t count = static_cast<std::size_t>(read_u64(image, kNodeCount));
  for (std::size_t i = 1; i < count; ++i)
    if (read_u32(image, nodes + i * 32 + 24) == depth) return i;
  return 0;
}

// A failure link must lead to a shorter name: one that leads deeper loops
// forever on text (or puts a match before the start of the text).
TEST(HostileModel, RejectsFailureLinkToADeeperNode) {
  std::string image = sample_image();
  std::size_t nodes = static_cast<std::size_t>(read_u64(image, kNodesOff));
  std::size_t shallow = find_node_of_depth(image, 1), deep = find_node_of_depth(image, 2);
  ASSERT_NE(shallow, 0u);
  ASSERT_NE(deep, 0u);
  write_u32(image, nodes + shallow * 32 + 8, static_cast<std::uint32_t>(deep));  // fail
  EXPECT_THROW(nerx::Gazetteer(image, "m"), nerx::Error);
}

TEST(HostileModel, RejectsOutputLinkCycle) {
  std::string image = sample_image();
  std::size_t nodes = static_cast<std::size_t>(read_u64(image, kNodesOff));
  std::size_t node = find_node_of_depth(image, 1);
  ASSERT_NE(node, 0u);
  write_u32(image, nodes + node * 32 + 12, static_cast<std::uint32_t>(node));  // output_link
  EXPECT_THROW(nerx::Gazetteer(image, "m"), nerx::Error);
}

// A section whose offset is not a multiple of 8 would be read through
// misaligned pointers (undefined behaviour; found by fuzz_model).
TEST(HostileModel, RejectsMisalignedSection) {
  constexpr std::size_t kLabelsOff = 96;
  std::string image = sample_image();
  std::uint64_t labels = read_u64(image, kLabelsOff) + 1;
  std::memcpy(image.data() + kLabelsOff, &labels, 8);
  try {
    nerx::Gazetteer g(image, "m");
    FAIL() << "accepted";
  } catch (const nerx::Error& e) {
    EXPECT_NE(std::string(e.what()).find("misaligned section"), std::string::npos) << e.what();
  }
}

// Any image the verifier accepts can be matched against any text.
TEST(HostileModel, EveryAcceptedSingleWordCorruptionMatchesSafely) {
  std::string good = sample_image();
  nerx::TokenizedText text;
  nerx::tokenize("New York City and York and Kabul, New York York City Kabul", text);
  std::size_t accepted = 0;
  for (std::size_t at = 0; at + 4 <= good.size(); at += 4) {
    for (std::uint32_t value : {0u, 1u, 2u, 3u, 7u, 0xFFFFFFFFu}) {
      std::string image = good;
      write_u32(image, at, value);
      try {
        nerx::Gazetteer g(image, "m");
        std::vector<nerx::GazetteerHit> hits;
        nerx::match_gazetteer(g, text, hits);
        for (const auto& h : hits) {
          EXPECT_LE(h.begin, h.end);
          EXPECT_LE(h.end, text.tokens.size());
          EXPECT_LT(h.entry, g.entry_count());
        }
        ++accepted;
      } catch (const nerx::Error&) {
      }
    }
  }
  EXPECT_GT(accepted, 0u);
}

}  // namespace
