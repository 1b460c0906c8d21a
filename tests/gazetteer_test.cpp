// Gazetteers: TSV parsing, image building, Aho-Corasick matching, image checks.
#include "nerx/gazetteer.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "nerx/error.hpp"
#include "nerx/tokenizer.hpp"
#include "test_util.hpp"

namespace {

using nerx_test::entry;

std::vector<nerx::GazetteerEntry> parse(const std::string& tsv,
                                        const std::string& file = "lists/cities.tsv") {
  std::istringstream in(tsv);
  return nerx::read_gazetteer(in, file);
}

// Parses `tsv`, expecting an error; returns it.
nerx::Error parse_error(const std::string& tsv, const std::string& file = "my.tsv") {
  try {
    parse(tsv, file);
  } catch (const nerx::Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for: " << tsv;
  return nerx::Error("none");
}

// ---------------------------------------------------------------- parsing

TEST(ReadGazetteer, ParsesAllColumns) {
  auto entries = parse(
      "Kabul\tLOCATION\tcity\tK\xC4\x81"
      "bul\tid=Q5838;pop=4601789;country=AF\n");
  ASSERT_EQ(entries.size(), 1u);
  const auto& e = entries[0];
  EXPECT_EQ(e.name, "Kabul");
  EXPECT_EQ(e.type, "LOCATION");
  EXPECT_EQ(e.subtype, "city");
  EXPECT_EQ(e.canonical,
            "K\xC4\x81"
            "bul");
  EXPECT_EQ(e.id, "Q5838");
  EXPECT_EQ(e.population, 4601789u);
  EXPECT_EQ(e.flags, 0);
  EXPECT_EQ(e.source, "cities");  // file name without folder and extension
}

TEST(ReadGazetteer, MinimalLinesCommentsBlankLinesCrlfBom) {
  auto entries = parse(
      "\xEF\xBB\xBF# a comment\n"
      "\n"
      "Ishaq Dar\tPERSON\r\n"
      "Tehrik e Taliban Pakistan\tORG\r\n"
      "Reading\tLOC\t\t\tcommon=1;ambiguous=1\n"
      "Amir\tGIVEN_NAME",  // last line without newline
      "names.tsv");
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].name, "Ishaq Dar");
  EXPECT_EQ(entries[0].type, "PERSON");
  EXPECT_EQ(entries[1].type, "ORGANIZATION");  // ORG is normalised
  EXPECT_EQ(entries[2].type, "LOCATION");
  EXPECT_EQ(entries[2].flags & nerx::kCommonWord, nerx::kCommonWord);
  EXPECT_EQ(entries[2].flags & nerx::kAmbiguous, nerx::kAmbiguous);
  EXPECT_EQ(entries[3].type, "GIVEN_NAME");
  EXPECT_EQ(entries[3].name, "Amir");
  for (const auto& e : entries) EXPECT_EQ(e.source, "names");
}

TEST(ReadGazetteer, ValidClassNames) {
  EXPECT_TRUE(nerx::is_valid_class_name("PERSON"));
  EXPECT_TRUE(nerx::is_valid_class_name("GIVEN_NAME"));
  EXPECT_TRUE(nerx::is_valid_class_name("ORG_SUFFIX2"));
  EXPECT_FALSE(nerx::is_valid_class_name(""));
  EXPECT_FALSE(nerx::is_valid_class_name("location"));
  EXPECT_FALSE(nerx::is_valid_class_name("_X"));
  EXPECT_FALSE(nerx::is_valid_class_name("GIVEN-NAME"));
}

TEST(ReadGazetteer, BadTypeNamesFileLineColumn) {
  auto e = parse_error("Kabul\tLOCATION\nKabul\tlocation\n");
  EXPECT_EQ(e.file(), "my.tsv");
  EXPECT_EQ(e.line(), 2u);
  EXPECT_EQ(e.column(), 7u);  // the TYPE column starts after "Kabul<TAB>"
  EXPECT_NE(std::string(e.what()).find("my.tsv:2:7"), std::string::npos) << e.what();
  EXPECT_NE(e.reason().find("location"), std::string::npos) << e.reason();
}

TEST(ReadGazetteer, TooManyColumns) {
  // a<TAB>LOCATION<TAB>b<TAB>c<TAB>d<TAB>e: the sixth column starts at 18.
  auto e = parse_error("# header\na\tLOCATION\tb\tc\td\te\n");
  EXPECT_EQ(e.line(), 2u);
  EXPECT_EQ(e.column(), 18u);
  EXPECT_NE(std::string(e.what()).find("my.tsv:2:18"), std::string::npos) << e.what();
}

TEST(ReadGazetteer, BadPopulation) {
  // X<TAB>LOCATION<TAB>city<TAB><TAB>pop=abc: attributes start at column 18,
  // the value at 22.
  auto e = parse_error("X\tLOCATION\tcity\t\tpop=abc\n");
  EXPECT_EQ(e.line(), 1u);
  EXPECT_EQ(e.column(), 22u);
  EXPECT_NE(e.reason().find("abc"), std::string::npos);
  auto neg = parse_error("X\tLOCATION\tcity\t\tid=1;pop=-5\n");
  EXPECT_EQ(neg.column(), 27u);
}

TEST(ReadGazetteer, InvalidUtf8) {
  auto e = parse_error("ok\tLOCATION\nKab\xFFul\tLOCATION\n");
  EXPECT_EQ(e.line(), 2u);
  EXPECT_EQ(e.column(), 4u);
  EXPECT_NE(std::string(e.what()).find("my.tsv:2:4"), std::string::npos) << e.what();
}

TEST(ReadGazetteer, OtherErrors) {
  EXPECT_EQ(parse_error("Kabul\n").line(), 1u);                      // no TYPE column
  EXPECT_EQ(parse_error("\tLOCATION\n").column(), 1u);               // empty name
  EXPECT_EQ(parse_error("a\tLOCATION\t\t\tcommon=2\n").line(), 1u);  // flag not 0/1
  EXPECT_EQ(parse_error("a\tLOCATION\t\t\tnovalue\n").line(), 1u);   // not key=value
}

TEST(ReadGazetteer, MissingFileNamesIt) {
  try {
    nerx::read_gazetteer_file("/nonexistent/folder/list.tsv");
    FAIL() << "no error";
  } catch (const nerx::Error& e) {
    EXPECT_EQ(e.file(), "/nonexistent/folder/list.tsv");
  }
}

TEST(ReadGazetteer, FileEntriesTakeTheFileName) {
  nerx_test::TempDir dir;
  auto path = dir.write("my_places.tsv", "Kabul\tLOCATION\tcity\n");
  auto entries = nerx::read_gazetteer_file(path);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].source, "my_places");
}

// ---------------------------------------------------------------- matching

struct Built {
  std::string image;
  nerx::Gazetteer gazetteer;
};

std::unique_ptr<Built> build(const std::vector<nerx::GazetteerEntry>& entries) {
  nerx::GazetteerBuilder b;
  for (const auto& e : entries) b.add(e);
  auto out = std::make_unique<Built>();
  out->image = b.build();
  out->gazetteer = nerx::Gazetteer(out->image, "test");
  return out;
}

// (begin, end, listed name) of every hit, in the order the matcher gives.
using Hit = std::tuple<std::uint32_t, std::uint32_t, std::string>;
std::vector<Hit> hits(const nerx::Gazetteer& g, std::string_view text) {
  nerx::TokenizedText t;
  nerx::tokenize(text, t);
  std::vector<nerx::GazetteerHit> found;
  nerx::match_gazetteer(g, t, found);
  std::vector<Hit> out;
  for (const auto& h : found) {
    EXPECT_EQ(g.entry(h.entry).length, h.end - h.begin);
    out.emplace_back(h.begin, h.end, std::string(g.string_at(g.entry(h.entry).name)));
  }
  return out;
}

TEST(Gazetteer, OverlappingNamesAhoCorasick) {
  auto b = build({entry("a b c", "X"), entry("b c d", "X"), entry("c", "X")});
  EXPECT_EQ(hits(b->gazetteer, "a b c d"),
            (std::vector<Hit>{{0, 3, "a b c"}, {1, 4, "b c d"}, {2, 3, "c"}}));
}

TEST(Gazetteer, FailureLinksRecoverPartialMatches) {
  // "a a b" must be found at 1 after the attempt at 0 fails on the third "a".
  auto b = build({entry("a a b", "X"), entry("a b c", "X")});
  EXPECT_EQ(hits(b->gazetteer, "a a a b c"), (std::vector<Hit>{{1, 4, "a a b"}, {2, 5, "a b c"}}));
}

TEST(Gazetteer, ChainedNamesAfterACompleteName) {
  // After "a b" the automaton must fall back to "b", from which "b c"
  // continues: a complete name with no continuation is not a dead end.
  auto b = build({entry("a b", "X"), entry("b c", "X"), entry("c", "X")});
  EXPECT_EQ(hits(b->gazetteer, "a b c"),
            (std::vector<Hit>{{0, 2, "a b"}, {1, 3, "b c"}, {2, 3, "c"}}));
  // A single-word name with no continuation, then a name starting afresh.
  auto c = build({entry("x", "X"), entry("y z", "X")});
  EXPECT_EQ(hits(c->gazetteer, "x y z x"),
            (std::vector<Hit>{{0, 1, "x"}, {1, 3, "y z"}, {3, 4, "x"}}));
}

TEST(Gazetteer, ThreadCachesKeepGazetteersApart) {
  // Words and automaton transitions are cached per thread; two gazetteers
  // whose states and word ids coincide, used in turn, must each give their
  // own hits, and a gazetteer built where a freed one was must too.
  auto one = build({entry("a b", "X"), entry("c", "X")});
  auto two = build({entry("a c", "X"), entry("b", "X")});
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(hits(one->gazetteer, "a b a c"), (std::vector<Hit>{{0, 2, "a b"}, {3, 4, "c"}}));
    EXPECT_EQ(hits(two->gazetteer, "a b a c"), (std::vector<Hit>{{1, 2, "b"}, {2, 4, "a c"}}));
  }
  one.reset();
  auto three = build({entry("a b c", "X")});
  EXPECT_EQ(hits(three->gazetteer, "a b a b c"), (std::vector<Hit>{{2, 5, "a b c"}}));
}

TEST(Gazetteer, SharedPrefixes) {
  auto b = build({entry("Bank", "ORGANIZATION"), entry("Bank of America", "ORGANIZATION"),
                  entry("Bank of England", "ORGANIZATION")});
  EXPECT_EQ(hits(b->gazetteer, "the Bank of England and Bank of America and Bank of"),
            (std::vector<Hit>{{1, 4, "Bank of England"},
                              {1, 2, "Bank"},
                              {5, 8, "Bank of America"},
                              {5, 6, "Bank"},
                              {9, 10, "Bank"}}));
}

TEST(Gazetteer, SharedSuffixesAndNesting) {
  auto b = build({entry("New York City", "LOCATION"), entry("New York", "LOCATION"),
                  entry("York", "LOCATION"), entry("City", "X")});
  EXPECT_EQ(hits(b->gazetteer, "New York City is not New York."),
            (std::vector<Hit>{{0, 3, "New York City"},
                              {0, 2, "New York"},
                              {1, 2, "York"},
                              {2, 3, "City"},
                              {5, 7, "New York"},
                              {6, 7, "York"}}));
}

TEST(Gazetteer, NamesOfManyLengths) {
  auto b =
      build({entry("Tehrik e Taliban Pakistan", "ORGANIZATION"), entry("Taliban", "ORGANIZATION"),
             entry("Pakistan", "LOCATION"), entry("e", "X")});
  EXPECT_EQ(hits(b->gazetteer, "the Tehrik e Taliban Pakistan (TTP)"),
            (std::vector<Hit>{{1, 5, "Tehrik e Taliban Pakistan"},
                              {2, 3, "e"},
                              {3, 4, "Taliban"},
                              {4, 5, "Pakistan"}}));
}

TEST(Gazetteer, MatchingIgnoresCaseAndApostropheForm) {
  auto b = build({entry("Kabul", "LOCATION"), entry("Côte d'Ivoire", "LOCATION")});
  // "d'Ivoire" is one token; the typographic apostrophe folds to "'".
  EXPECT_EQ(hits(b->gazetteer, "KABUL and C\xC3\x94TE D\xE2\x80\x99IVOIRE"),
            (std::vector<Hit>{{0, 1, "Kabul"}, {2, 4, "Côte d'Ivoire"}}));
}

TEST(Gazetteer, UnknownWordBreaksAName) {
  auto b = build({entry("New York", "LOCATION")});
  EXPECT_TRUE(hits(b->gazetteer, "New big York").empty());
  EXPECT_TRUE(hits(b->gazetteer, "").empty());
}

TEST(Gazetteer, SameNameSeveralClasses) {
  auto b = build({entry("Jordan", "LOCATION", "country"), entry("Jordan", "GIVEN_NAME"),
                  entry("Jordan", "LOCATION", "country")});  // duplicate: first wins
  auto found = hits(b->gazetteer, "Jordan");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(b->gazetteer.entry_count(), 2u);
}

TEST(Gazetteer, EntryFieldsSurviveTheImage) {
  auto e = entry("al-Qaeda", "ORGANIZATION", "militant", 0, nerx::kAmbiguous, "orgs");
  e.canonical = "Al-Qaeda";
  e.id = "Q34490";
  auto city = entry("Kabul", "LOCATION", "city", 4601789, 0, "cities");
  auto b = build({e, city});
  const auto& g = b->gazetteer;
  ASSERT_EQ(g.entry_count(), 2u);
  nerx::TokenizedText t;
  nerx::tokenize("al-Qaeda left Kabul", t);
  std::vector<nerx::GazetteerHit> found;
  nerx::match_gazetteer(g, t, found);
  ASSERT_EQ(found.size(), 2u);
  const auto& qa = g.entry(found[0].entry);
  EXPECT_EQ(g.label(qa.class_label), "ORGANIZATION");
  EXPECT_EQ(g.label(qa.subtype_label), "militant");
  EXPECT_EQ(g.label(qa.source_label), "orgs");
  EXPECT_EQ(g.string_at(qa.canonical), "Al-Qaeda");
  EXPECT_EQ(g.string_at(qa.id), "Q34490");
  EXPECT_EQ(qa.length, 3);  // al - Qaeda
  EXPECT_TRUE(qa.flags & nerx::kAmbiguous);
  EXPECT_TRUE(qa.flags & nerx::kLowerStart);
  const auto& k = g.entry(found[1].entry);
  EXPECT_EQ(g.label(k.class_label), "LOCATION");
  EXPECT_EQ(k.population, 4601789u);
  EXPECT_FALSE(k.flags & nerx::kLowerStart);
  EXPECT_EQ(g.string_at(k.canonical), "");
  EXPECT_NE(g.word_id("kabul"), nerx::Gazetteer::kNoWord);
  EXPECT_EQ(g.word_id("herat"), nerx::Gazetteer::kNoWord);
}

TEST(Gazetteer, EmptyBuilderAndRulesText) {
  nerx::GazetteerBuilder b;
  b.add_rules_text("r (1): [PERSON: Xx]\n");
  EXPECT_EQ(b.size(), 0u);
  std::string image = b.build();
  nerx::Gazetteer g(image);
  EXPECT_EQ(g.entry_count(), 0u);
  EXPECT_EQ(g.rules_text(), "r (1): [PERSON: Xx]\n");
  EXPECT_TRUE(hits(g, "Anything at all").empty());
}

TEST(Gazetteer, ManyEntries) {
  // Enough names to force vocabulary growth and many automaton nodes.
  std::vector<nerx::GazetteerEntry> entries;
  for (int i = 0; i < 2000; ++i)
    entries.push_back(entry("w" + std::to_string(i) + " w" + std::to_string(i + 1), "X"));
  auto b = build(entries);
  EXPECT_EQ(b->gazetteer.entry_count(), 2000u);
  EXPECT_EQ(hits(b->gazetteer, "w7 w8 w9"), (std::vector<Hit>{{0, 2, "w7 w8"}, {1, 3, "w8 w9"}}));
}

// ---------------------------------------------------------------- corrupt images

// The image header (src/gazetteer.cpp): magic[8], version u32, reserved u32,
// then u64 pairs (offset, count) for strings, vocab, nodes, edges, entries,
// labels, rules. Node = 8 x u32 (edge_begin, edge_count, fail, output_link,
// entry_begin, entry_count, depth, pad). Edge = 2 x u32 (word, target).
constexpr std::size_t kVocabOff = 32, kVocabSlots = 40, kNodesOff = 48, kNodeCount = 56,
                      kEdgesOff = 64, kLabelsOff = 96, kLabelCount = 104;

std::uint64_t read_u64(const std::string& image, std::size_t at) {
  std::uint64_t v;
  std::memcpy(&v, image.data() + at, 8);
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

TEST(GazetteerImage, SampleIsValid) {
  std::string image = sample_image();
  EXPECT_NO_THROW(nerx::Gazetteer(image, "sample"));
}

TEST(GazetteerImage, RejectsShortWrongMagicWrongVersion) {
  std::string image = sample_image();
  EXPECT_THROW(nerx::Gazetteer(std::string_view(image).substr(0, 16), "m"), nerx::Error);
  EXPECT_THROW(nerx::Gazetteer(std::string_view(), "m"), nerx::Error);
  std::string bad_magic = image;
  bad_magic[0] = 'X';
  EXPECT_THROW(nerx::Gazetteer(bad_magic, "m"), nerx::Error);
  std::string bad_version = image;
  write_u32(bad_version, 8, 99);
  EXPECT_THROW(nerx::Gazetteer(bad_version, "m"), nerx::Error);
  std::string text(200, 'x');
  EXPECT_THROW(nerx::Gazetteer(text, "m"), nerx::Error);
}

TEST(GazetteerImage, RejectsTruncatedImage) {
  std::string image = sample_image();
  std::string cut = image.substr(0, image.size() / 2);
  try {
    nerx::Gazetteer g(cut, "cut.model");
    FAIL() << "no error";
  } catch (const nerx::Error& e) {
    EXPECT_EQ(e.file(), "cut.model");
  }
}

TEST(GazetteerImage, RejectsMisalignedImage) {
  std::string image = sample_image();
  std::string buffer(image.size() + 8, '\0');
  // std::string storage is at least 8-byte aligned; one byte in is not.
  std::memcpy(buffer.data() + 1, image.data(), image.size());
  EXPECT_THROW(nerx::Gazetteer(std::string_view(buffer).substr(1, image.size()), "m"), nerx::Error);
}

// A label offset near 2^32 must be caught: `offset + 4` overflows 32 bits.
TEST(GazetteerImage, RejectsLabelOffsetOverflow) {
  std::string image = sample_image();
  ASSERT_GT(read_u64(image, kLabelCount), 1u);
  std::size_t labels = static_cast<std::size_t>(read_u64(image, kLabelsOff));
  write_u32(image, labels + 4, 0xFFFFFFFEu);  // label 1
  EXPECT_THROW(nerx::Gazetteer(image, "m"), nerx::Error);
}

// Every node's edge and entry ranges must be in bounds, not only the last
// node's; otherwise matching reads outside the image.
TEST(GazetteerImage, RejectsCorruptRootNode) {
  std::string image = sample_image();
  std::size_t nodes = static_cast<std::size_t>(read_u64(image, kNodesOff));
  write_u32(image, nodes + 4, 0x40000000u);  // root.edge_count
  EXPECT_THROW(nerx::Gazetteer(image, "m"), nerx::Error);
}

TEST(GazetteerImage, RejectsEdgeTargetOutOfBounds) {
  std::string image = sample_image();
  std::size_t edges = static_cast<std::size_t>(read_u64(image, kEdgesOff));
  write_u32(image, edges + 4, 0x7FFFFFF0u);  // first edge's target
  EXPECT_THROW(nerx::Gazetteer(image, "m"), nerx::Error);
}

// With every vocabulary slot taken, looking up an unknown word never ends
// (open addressing stops at an empty slot): such an image is corrupt.
TEST(GazetteerImage, RejectsVocabularyWithoutEmptySlot) {
  std::string image = sample_image();
  std::size_t vocab = static_cast<std::size_t>(read_u64(image, kVocabOff));
  std::size_t slots = static_cast<std::size_t>(read_u64(image, kVocabSlots));
  // Find one used slot (id != kNoWord) and copy it into every slot.
  std::string used;
  for (std::size_t i = 0; i < slots && used.empty(); ++i) {
    std::uint32_t id;
    std::memcpy(&id, image.data() + vocab + i * 16 + 8, 4);
    if (id != nerx::Gazetteer::kNoWord) used = image.substr(vocab + i * 16, 16);
  }
  ASSERT_FALSE(used.empty());
  for (std::size_t i = 0; i < slots; ++i) image.replace(vocab + i * 16, 16, used);
  EXPECT_THROW(nerx::Gazetteer(image, "m"), nerx::Error);
}

// A node's depth gives where a match starts (end - depth): a depth that does
// not follow from the trie (parent depth + 1) puts hits before the text start,
// and the extractor then indexes hits out of bounds.
TEST(GazetteerImage, RejectsInconsistentNodeDepth) {
  std::string image = sample_image();
  std::size_t nodes = static_cast<std::size_t>(read_u64(image, kNodesOff));
  std::size_t last =
      static_cast<std::size_t>(read_u64(image, kNodeCount)) - 1;  // "kabul", an entry node
  ASSERT_GT(last, 0u);
  write_u32(image, nodes + last * 32 + 24, 1000);  // its depth
  EXPECT_THROW(nerx::Gazetteer(image, "m"), nerx::Error);
}

// string_at() is public and bounds-checks its offset, returning an empty view
// for offsets outside the strings; the check `offset + 4 > size` is done in 32
// bits, so an offset near 2^32 wraps it and memcpy reads far outside the image.
TEST(GazetteerImage, StringAtHugeOffsetIsEmpty) {
  std::string image = sample_image();
  nerx::Gazetteer g(image, "m");
  EXPECT_EQ(g.string_at(0), "");
  EXPECT_EXIT(
      {
        bool empty = g.string_at(0xFFFFFFFEu).empty() && g.string_at(0xFFFFFFFFu).empty();
        std::exit(empty ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
