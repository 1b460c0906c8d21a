// The whole pipeline with the default embedded model.
#include "nerx/extractor.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "nerx/default_model.hpp"
#include "nerx/error.hpp"
#include "nerx/model.hpp"
#include "test_util.hpp"

namespace {

using nerx::EntityType;
using nerx_test::nth_word;

const nerx::Extractor& default_extractor() {
  static const nerx::Extractor ex({nerx::Model::view(nerx::default_model_image(), "default")});
  return ex;
}

// (TYPE, begin, end, text) with byte offsets.
using Mention = std::tuple<std::string, std::size_t, std::size_t, std::string>;

std::vector<Mention> mentions(std::string_view text, const std::vector<nerx::Entity>& entities) {
  std::vector<Mention> out;
  for (const auto& e : entities)
    out.emplace_back(std::string(nerx::to_string(e.type)), e.begin, e.end,
                     std::string(text.substr(e.begin, e.end - e.begin)));
  std::sort(out.begin(), out.end(), [](const Mention& a, const Mention& b) {
    return std::tie(std::get<1>(a), std::get<2>(a)) < std::tie(std::get<1>(b), std::get<2>(b));
  });
  return out;
}

std::string show(const std::vector<Mention>& ms) {
  std::ostringstream s;
  for (const auto& [type, b, e, text] : ms)
    s << "  " << type << " [" << b << "," << e << ") " << text << "\n";
  return s.str();
}

// Entities are sorted, inside the text, non-empty, non-overlapping, and do
// not start or end with white space.
void expect_well_formed(std::string_view text, const std::vector<nerx::Entity>& entities) {
  std::size_t last_end = 0;
  for (const auto& e : entities) {
    EXPECT_LT(e.begin, e.end);
    EXPECT_LE(e.end, text.size());
    EXPECT_GE(e.begin, last_end) << "overlapping or unsorted entities";
    last_end = e.end;
    if (e.begin < e.end && e.end <= text.size()) {
      EXPECT_FALSE(std::isspace(static_cast<unsigned char>(text[e.begin])));
      EXPECT_FALSE(std::isspace(static_cast<unsigned char>(text[e.end - 1])));
    }
  }
}

TEST(DefaultModel, ImageLoads) {
  EXPECT_FALSE(nerx::default_model_image().empty());
  auto model = nerx::Model::view(nerx::default_model_image(), "default");
  EXPECT_GT(model->gazetteer().entry_count(), 0u);
  EXPECT_FALSE(model->rules_text().empty());
  EXPECT_GT(default_extractor().rule_count(), 0u);
}

TEST(Extractor, ForeignMinisterVisitedKabul) {
  std::string text = "Foreign Minister Ishaq Dar visited Kabul.";
  auto entities = default_extractor().extract(text);
  expect_well_formed(text, entities);
  auto got = mentions(text, entities);
  std::vector<Mention> want{{"PERSON", 17, 26, "Ishaq Dar"}, {"LOCATION", 35, 40, "Kabul"}};
  EXPECT_EQ(got, want) << "got:\n" << show(got);
}

TEST(Extractor, EverySpanSlicesItsText) {
  std::vector<std::string> texts = {
      "Foreign Minister Ishaq Dar visited Kabul.",
      "Pakistan's Foreign Minister Ishaq Dar met Amir Khan Muttaqi in Islamabad on Monday.",
      "Caf\xC3\xA9 owners in Z\xC3\xBCrich and S\xC3\xA3o Paulo met the mayor of K\xC3\xB6ln.",
      "\xF0\x9F\x98\x80 Kabul \xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9 Herat "
      "\xE6\x9D\xB1\xE4\xBA\xAC Pakistan",
      "Bad bytes \xFF\xFE in Kabul \xC3 and Pakistan\xE6\x9D",
      "",
      "   \n\n  ",
      "ISLAMABAD, March 16, 2024 - Pakistan and Afghanistan agreed.",
      "The United Nations and the European Union met in New York. Barack Obama spoke.",
  };
  for (const auto& text : texts) {
    SCOPED_TRACE(text);
    auto entities = default_extractor().extract(text);
    expect_well_formed(text, entities);
  }
}

TEST(Extractor, TypesOption) {
  nerx::ExtractorOptions options;
  options.types = {EntityType::Location};
  nerx::Extractor ex({nerx::Model::view(nerx::default_model_image(), "default")}, options);
  std::string text = "Foreign Minister Ishaq Dar visited Kabul.";
  auto got = mentions(text, ex.extract(text));
  EXPECT_EQ(got, (std::vector<Mention>{{"LOCATION", 35, 40, "Kabul"}})) << show(got);
}

TEST(Extractor, PropagationCanBeTurnedOff) {
  // (A surname that is no given name: "Dar" alone is also a given name.)
  std::string text = "Foreign Minister Amir Khan Muttaqi visited Kabul. Later, Muttaqi flew home.";
  std::size_t later = nth_word(text, "Muttaqi", 1);
  Mention alias{"PERSON", later, later + 7, "Muttaqi"};
  auto with = mentions(text, default_extractor().extract(text));
  EXPECT_NE(std::find(with.begin(), with.end(), alias), with.end()) << show(with);
  nerx::ExtractorOptions options;
  options.resolver.propagate_names = false;
  nerx::Extractor ex({nerx::Model::view(nerx::default_model_image(), "default")}, options);
  auto without = mentions(text, ex.extract(text));
  EXPECT_EQ(std::find(without.begin(), without.end(), alias), without.end()) << show(without);
}

TEST(Extractor, UserLayerAddsNames) {
  auto user = nerx_test::make_model(
      {nerx_test::entry("Zorblat Industries", "ORGANIZATION", "", 0, nerx::kUserList)},
      "user_org (30): [ORGANIZATION: @ORGANIZATION(user)]\n", "user");
  nerx::Extractor ex({nerx::Model::view(nerx::default_model_image(), "default"), user});
  std::string text = "Zorblat Industries opened an office in Kabul.";
  auto got = mentions(text, ex.extract(text));
  EXPECT_NE(std::find(got.begin(), got.end(), Mention{"ORGANIZATION", 0, 18, "Zorblat Industries"}),
            got.end())
      << show(got);
}

TEST(Extractor, BadRulesInAModelThrow) {
  auto broken = nerx_test::make_model({}, "oops (10): [NOTATYPE: Xx]\n", "broken");
  EXPECT_THROW(nerx::Extractor({broken}), nerx::Error);
}

TEST(Model, SaveAndLoadRoundTrip) {
  nerx_test::TempDir dir;
  std::string lists = dir.write("mine.tsv", "Zorblat Industries\tORGANIZATION\tcompany\n");
  std::string rules = dir.write("mine.rules", "org (30): [ORGANIZATION: @ORGANIZATION]\n");
  std::string image = nerx::Model::compile({lists}, {rules}, true);
  std::string path = dir / "mine.nerxmodel";
  nerx::save_model(image, path);
  auto model = nerx::Model::load(path);
  EXPECT_EQ(model->name(), path);
  EXPECT_EQ(model->rules_text(), "org (30): [ORGANIZATION: @ORGANIZATION]\n");
  EXPECT_EQ(model->gazetteer().entry_count(), 1u);
  nerx::Extractor ex({model});
  std::string text = "Shares of Zorblat Industries fell.";
  auto got = mentions(text, ex.extract(text));
  EXPECT_EQ(got, (std::vector<Mention>{{"ORGANIZATION", 10, 28, "Zorblat Industries"}}))
      << show(got);
}

TEST(Model, LoadErrorsNameTheFile) {
  nerx_test::TempDir dir;
  auto expect_error = [](const std::string& path) {
    try {
      nerx::Model::load(path);
      ADD_FAILURE() << "no error for " << path;
    } catch (const nerx::Error& e) {
      EXPECT_EQ(e.file(), path);
    }
  };
  expect_error(dir / "missing.nerxmodel");
  expect_error(dir.write("empty.nerxmodel", ""));
  expect_error(dir.write("junk.nerxmodel", std::string(4096, 'x')));
  expect_error(dir.mkdir("folder.nerxmodel"));
  EXPECT_THROW(nerx::save_model("x", dir / "no/such/folder/m.nerxmodel"), nerx::Error);
}

TEST(Model, CompileReportsListErrors) {
  nerx_test::TempDir dir;
  std::string lists = dir.write("bad.tsv", "Kabul\tLOCATION\nHerat\tplace\n");
  try {
    nerx::Model::compile({lists}, {}, true);
    FAIL() << "no error";
  } catch (const nerx::Error& e) {
    EXPECT_EQ(e.file(), lists);
    EXPECT_EQ(e.line(), 2u);
    EXPECT_EQ(e.column(), 7u);
  }
  EXPECT_THROW(nerx::Model::compile({dir / "missing.tsv"}, {}, true), nerx::Error);
  EXPECT_THROW(nerx::Model::compile({}, {dir / "missing.rules"}, true), nerx::Error);
}

TEST(Extractor, ThreadSafe) {
  std::vector<std::string> texts = {
      "Foreign Minister Ishaq Dar visited Kabul.",
      "Pakistan's Foreign Minister Ishaq Dar met Amir Khan Muttaqi in Islamabad.",
      "The Tehrik e Taliban Pakistan (TTP) and the Afghan Taliban. TTP fighters left Kabul.",
      "Caf\xC3\xA9 owners in Z\xC3\xBCrich met the mayor of K\xC3\xB6ln.",
  };
  const auto& ex = default_extractor();
  std::vector<std::vector<Mention>> expected;
  for (const auto& t : texts) expected.push_back(mentions(t, ex.extract(t)));

  std::vector<std::vector<std::vector<Mention>>> results(2);
  auto work = [&](int id) {
    for (int round = 0; round < 50; ++round)
      for (std::size_t i = 0; i < texts.size(); ++i) {
        // The two threads walk the texts in opposite orders.
        std::size_t k = id == 0 ? i : texts.size() - 1 - i;
        results[static_cast<std::size_t>(id)].push_back(mentions(texts[k], ex.extract(texts[k])));
      }
  };
  std::thread a(work, 0), b(work, 1);
  a.join();
  b.join();
  for (int id = 0; id < 2; ++id) {
    const auto& r = results[static_cast<std::size_t>(id)];
    ASSERT_EQ(r.size(), 50 * texts.size());
    for (std::size_t j = 0; j < r.size(); ++j) {
      std::size_t i = j % texts.size();
      std::size_t k = id == 0 ? i : texts.size() - 1 - i;
      EXPECT_EQ(r[j], expected[k]) << "thread " << id << " text " << k;
    }
  }
}

// ---------------------------------------------------------------- the article

std::string read_file(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every person, place and organisation in the article the project started
// from, and nothing else (see ../shared/eval/README.md).
TEST(Article, PakistanAfghanistanExactMentions) {
  const std::string path = NERX_SHARED_DIR "/examples/pakistan-afghanistan.txt";
  bool ok = false;
  std::string text = read_file(path, ok);
  if (!ok) GTEST_SKIP() << "../shared not found: " << path;

  auto at = [&](std::string_view word, int n) {
    std::size_t p = nth_word(text, word, n);
    EXPECT_NE(p, std::string::npos) << word << " #" << n;
    return p;
  };
  std::vector<Mention> want;
  auto add = [&](const char* type, std::size_t begin, std::string_view word) {
    if (begin != std::string::npos)
      want.emplace_back(type, begin, begin + word.size(), std::string(word));
  };

  // The article as the expectations below read it.
  ASSERT_EQ(nth_word(text, "Pakistan", 9), std::string::npos) << "nine 'Pakistan' expected";
  ASSERT_EQ(text.substr(at("Pakistan", 8) - 17, 25), "Tehrik e Taliban Pakistan");
  ASSERT_EQ(nth_word(text, "Afghanistan", 3), std::string::npos);
  ASSERT_EQ(nth_word(text, "Taliban", 5), std::string::npos);
  ASSERT_EQ(text.substr(at("Taliban", 0), 28), "Taliban-led Afghan governmen");
  ASSERT_EQ(text.substr(at("Taliban", 1) - 7, 30), "Afghan Taliban-led government'");
  ASSERT_EQ(text.substr(at("Taliban", 2), 28), "Taliban-led Afghan governmen");
  ASSERT_EQ(text.substr(at("Taliban", 3) - 7, 18), "Afghan Taliban and");
  ASSERT_EQ(text.substr(at("Dar", 1) - 17, 20), "Foreign Minister Dar");
  ASSERT_EQ(nth_word(text, "Dar", 2), std::string::npos);

  // PERSON
  add("PERSON", at("Ishaq Dar", 0), "Ishaq Dar");
  add("PERSON", at("Dar", 1), "Dar");
  add("PERSON", at("Amir Khan Muttaqi", 0), "Amir Khan Muttaqi");
  add("PERSON", at("Zabihullah Mujahid", 0), "Zabihullah Mujahid");
  // LOCATION
  add("LOCATION", at("ISLAMABAD", 0), "ISLAMABAD");
  for (int i = 0; i < 8; ++i) add("LOCATION", at("Pakistan", i), "Pakistan");
  for (int i = 0; i < 3; ++i) add("LOCATION", at("Afghanistan", i), "Afghanistan");
  add("LOCATION", at("Kabul", 0), "Kabul");
  add("LOCATION", at("Islamabad", 0), "Islamabad");
  add("LOCATION", at("Chabahar", 0), "Chabahar");
  // ORGANIZATION
  add("ORGANIZATION", at("Taliban", 0), "Taliban");
  add("ORGANIZATION", at("Taliban", 2), "Taliban");
  add("ORGANIZATION", at("Taliban", 3) - 7, "Afghan Taliban");
  add("ORGANIZATION", at("Tehrik e Taliban Pakistan", 0), "Tehrik e Taliban Pakistan");
  add("ORGANIZATION", at("TTP", 0), "TTP");

  auto entities = default_extractor().extract(text);
  expect_well_formed(text, entities);
  auto got = mentions(text, entities);

  // "Afghan Taliban-led government's": "Taliban" or "Afghan Taliban".
  std::size_t t1 = at("Taliban", 1);
  Mention alt{"ORGANIZATION", t1 - 7, t1 + 7, "Afghan Taliban"};
  if (std::find(got.begin(), got.end(), alt) != got.end()) {
    want.push_back(alt);
  } else {
    add("ORGANIZATION", t1, "Taliban");
  }
  std::sort(want.begin(), want.end(), [](const Mention& a, const Mention& b) {
    return std::tie(std::get<1>(a), std::get<2>(a)) < std::tie(std::get<1>(b), std::get<2>(b));
  });
  ASSERT_EQ(want.size(), 25u);

  std::vector<Mention> missing, extra;
  std::vector<Mention> want_sorted = want, got_sorted = got;
  std::sort(want_sorted.begin(), want_sorted.end());
  std::sort(got_sorted.begin(), got_sorted.end());
  std::set_difference(want_sorted.begin(), want_sorted.end(), got_sorted.begin(), got_sorted.end(),
                      std::back_inserter(missing));
  std::set_difference(got_sorted.begin(), got_sorted.end(), want_sorted.begin(), want_sorted.end(),
                      std::back_inserter(extra));
  EXPECT_TRUE(missing.empty()) << missing.size() << " missing or wrong (type, byte span, text):\n"
                               << show(missing);
  EXPECT_TRUE(extra.empty()) << extra.size() << " unexpected:\n" << show(extra);
  EXPECT_EQ(got, want);
}

}  // namespace

// Long texts are processed in parts; offsets stay relative to the whole text
// and no entity is cut at a part boundary.
TEST(Extractor, LongTextsInPartsKeepWholeTextOffsets) {
  std::string paragraph =
      "Foreign Minister Ishaq Dar flew to Kabul on Monday to meet the Taliban.\n\n";
  std::string text;
  while (text.size() < 5000) text += paragraph;
  nerx::ExtractorOptions small;
  small.part_bytes = 200;  // many parts
  nerx::Extractor parts({nerx::Model::view(nerx::default_model_image(), "default")}, small);
  auto entities = parts.extract(text);
  std::size_t copies = text.size() / paragraph.size();
  ASSERT_EQ(entities.size(), 3 * copies);
  for (std::size_t i = 0; i < entities.size(); ++i) {
    std::size_t copy = i / 3;
    std::string_view got =
        std::string_view(text).substr(entities[i].begin, entities[i].end - entities[i].begin);
    const std::string_view expected[] = {"Ishaq Dar", "Kabul", "Taliban"};
    EXPECT_EQ(got, expected[i % 3]);
    EXPECT_GE(entities[i].begin, copy * paragraph.size());
    EXPECT_LT(entities[i].end, (copy + 1) * paragraph.size());
  }
}

TEST(Extractor, PartsCutInsideAHugeWordLoseNothing) {
  // No white space at all: parts are cut at code point boundaries.
  std::string text;
  while (text.size() < 3000) text += "\xC3\xA9\xE2\x82\xAC";  // é€, 2 + 3 bytes
  nerx::ExtractorOptions small;
  small.part_bytes = 100;
  nerx::Extractor parts({nerx::Model::view(nerx::default_model_image(), "default")}, small);
  EXPECT_TRUE(parts.extract(text).empty());
}
