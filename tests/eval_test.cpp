// Evaluation: reading CoNLL gold data and scoring exact matches.
#include "nerx/eval.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "nerx/error.hpp"

namespace {

using nerx::EntityType;

std::vector<nerx::GoldDocument> read(const std::string& conll) {
  std::istringstream in(conll);
  return nerx::read_conll(in, "gold.conll");
}

std::string slice(const nerx::GoldDocument& d, const nerx::Entity& e) {
  return d.text.substr(e.begin, e.end - e.begin);
}

const char* kTwoDocs =
    "-DOCSTART-\tO\n"
    "\n"
    "Ishaq\tB-PER\n"
    "Dar\tI-PER\n"
    "visited\tO\n"
    "Kabul\tB-LOC\n"
    ".\tO\n"
    "\n"
    "The\tO\n"
    "Tehrik\tB-ORG\n"
    "e\tI-ORG\n"
    "Taliban\tI-ORG\n"
    "Pakistan\tI-ORG\n"
    "English\tB-MISC\n"
    "speakers\tO\n"
    "\n"
    "-DOCSTART-\tO\n"
    "\n"
    "New\tB-LOC\n"
    "York\tI-LOC\n"
    "Jordan\tB-PER\n"
    "Smith\tB-PER\n"
    "Paris\tI-LOC\n"
    "\n";

TEST(ReadConll, DocumentsSentencesAndEntities) {
  auto docs = read(kTwoDocs);
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].text,
            "Ishaq Dar visited Kabul .\nThe Tehrik e Taliban Pakistan English speakers");
  ASSERT_EQ(docs[0].entities.size(), 3u);  // MISC is not scored
  EXPECT_EQ(slice(docs[0], docs[0].entities[0]), "Ishaq Dar");
  EXPECT_EQ(docs[0].entities[0].type, EntityType::Person);
  EXPECT_EQ(docs[0].entities[0].begin, 0u);
  EXPECT_EQ(docs[0].entities[0].end, 9u);
  EXPECT_EQ(slice(docs[0], docs[0].entities[1]), "Kabul");
  EXPECT_EQ(docs[0].entities[1].type, EntityType::Location);
  EXPECT_EQ(docs[0].entities[1].begin, 18u);
  EXPECT_EQ(slice(docs[0], docs[0].entities[2]), "Tehrik e Taliban Pakistan");
  EXPECT_EQ(docs[0].entities[2].type, EntityType::Organization);
  EXPECT_EQ(docs[0].entities[2].begin, 30u);

  EXPECT_EQ(docs[1].text, "New York Jordan Smith Paris");
  ASSERT_EQ(docs[1].entities.size(), 4u);
  EXPECT_EQ(slice(docs[1], docs[1].entities[0]), "New York");
  EXPECT_EQ(slice(docs[1], docs[1].entities[1]), "Jordan");  // B- starts a new entity
  EXPECT_EQ(slice(docs[1], docs[1].entities[2]), "Smith");
  EXPECT_EQ(slice(docs[1], docs[1].entities[3]), "Paris");  // I-LOC after PER starts one
  EXPECT_EQ(docs[1].entities[3].type, EntityType::Location);
}

TEST(ReadConll, WithoutDocstartEachSentenceIsADocument) {
  auto docs = read("Kabul B-LOC\nis O\nfar O\n\n\nAmir\tB-PER\r\nKhan\tI-PER\r\n");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].text, "Kabul is far");  // space-separated columns are accepted
  ASSERT_EQ(docs[0].entities.size(), 1u);
  EXPECT_EQ(slice(docs[0], docs[0].entities[0]), "Kabul");
  EXPECT_EQ(docs[1].text, "Amir Khan");  // CRLF lines
  ASSERT_EQ(docs[1].entities.size(), 1u);
  EXPECT_EQ(slice(docs[1], docs[1].entities[0]), "Amir Khan");
}

TEST(ReadConll, EntityAtSentenceEndIsClosed) {
  auto docs = read("-DOCSTART-\tO\n\nin\tO\nKabul\tB-LOC\n\nHerat\tI-LOC\nok\tO\n");
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].text, "in Kabul\nHerat ok");
  ASSERT_EQ(docs[0].entities.size(), 2u);  // an entity never spans sentences
  EXPECT_EQ(slice(docs[0], docs[0].entities[0]), "Kabul");
  EXPECT_EQ(slice(docs[0], docs[0].entities[1]), "Herat");
}

TEST(ReadConll, MalformedLinesNameFileAndLine) {
  try {
    read("Kabul\tB-LOC\nbroken\n");
    FAIL() << "no error";
  } catch (const nerx::Error& e) {
    EXPECT_EQ(e.file(), "gold.conll");
    EXPECT_EQ(e.line(), 2u);
  }
  try {
    read("Kabul\tB-LOC\n\nKabul\tX-LOC\n");
    FAIL() << "no error";
  } catch (const nerx::Error& e) {
    EXPECT_EQ(e.line(), 3u);
    EXPECT_NE(std::string(e.what()).find("X-LOC"), std::string::npos);
  }
  EXPECT_TRUE(read("").empty());
}

nerx::Entity ent(std::size_t b, std::size_t e, EntityType t) {
  nerx::Entity x;
  x.begin = b;
  x.end = e;
  x.type = t;
  return x;
}

TEST(Score, PrecisionRecallF1) {
  std::vector<nerx::Entity> gold{ent(0, 9, EntityType::Person), ent(18, 23, EntityType::Location),
                                 ent(30, 55, EntityType::Organization)};
  std::vector<nerx::Entity> predicted{ent(0, 9, EntityType::Person),           // correct
                                      ent(18, 23, EntityType::Person),         // wrong type
                                      ent(30, 55, EntityType::Organization),   // correct
                                      ent(30, 38, EntityType::Organization)};  // wrong span
  nerx::EvalScores s;
  nerx::score_document(gold, predicted, s);
  EXPECT_EQ(s.overall.gold, 3u);
  EXPECT_EQ(s.overall.predicted, 4u);
  EXPECT_EQ(s.overall.correct, 2u);
  EXPECT_DOUBLE_EQ(s.overall.precision(), 0.5);
  EXPECT_DOUBLE_EQ(s.overall.recall(), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(s.overall.f1(), 2 * 0.5 * (2.0 / 3.0) / (0.5 + 2.0 / 3.0));
  const auto& per = s.by_type[static_cast<int>(EntityType::Person)];
  EXPECT_EQ(per.gold, 1u);
  EXPECT_EQ(per.predicted, 2u);
  EXPECT_EQ(per.correct, 1u);
  const auto& loc = s.by_type[static_cast<int>(EntityType::Location)];
  EXPECT_EQ(loc.gold, 1u);
  EXPECT_EQ(loc.predicted, 0u);
  EXPECT_DOUBLE_EQ(loc.precision(), 0.0);
  EXPECT_DOUBLE_EQ(loc.recall(), 0.0);
  EXPECT_DOUBLE_EQ(loc.f1(), 0.0);
  const auto& org = s.by_type[static_cast<int>(EntityType::Organization)];
  EXPECT_DOUBLE_EQ(org.precision(), 0.5);
  EXPECT_DOUBLE_EQ(org.recall(), 1.0);

  // Scores add up over documents.
  nerx::score_document(gold, gold, s);
  EXPECT_EQ(s.overall.gold, 6u);
  EXPECT_EQ(s.overall.correct, 5u);
}

TEST(Score, PrintScoresHasOneRowPerTypeThenOverall) {
  nerx::EvalScores s;
  nerx::score_document({ent(0, 5, EntityType::Person), ent(6, 9, EntityType::Location)},
                       {ent(0, 5, EntityType::Person), ent(6, 9, EntityType::Organization)}, s);
  std::ostringstream out;
  nerx::print_scores(s, out);
  std::vector<std::string> lines;
  std::istringstream in(out.str());
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 5u) << out.str();
  EXPECT_EQ(lines[1].rfind("PERSON", 0), 0u);
  EXPECT_EQ(lines[2].rfind("LOCATION", 0), 0u);
  EXPECT_EQ(lines[3].rfind("ORGANIZATION", 0), 0u);
  EXPECT_EQ(lines[4].rfind("overall", 0), 0u);
  EXPECT_NE(lines[1].find("100.00"), std::string::npos) << lines[1];
  EXPECT_NE(lines[4].find("50.00"), std::string::npos) << lines[4];
}

TEST(Score, PrintErrors) {
  auto docs = read("Ishaq\tB-PER\nDar\tI-PER\nvisited\tO\nKabul\tB-LOC\n");
  ASSERT_EQ(docs.size(), 1u);
  std::ostringstream out;
  nerx::print_errors(docs[0],
                     {ent(0, 5, EntityType::Person), ent(18, 23, EntityType::Organization)}, out);
  std::string s = out.str();
  EXPECT_NE(s.find("MISS\tPERSON\t[[Ishaq Dar]] visited Kabul"), std::string::npos) << s;
  EXPECT_NE(s.find("FALSE\tPERSON\t[[Ishaq]] Dar visited Kabul"), std::string::npos) << s;
  EXPECT_NE(s.find("TYPE\tORGANIZATION (gold LOCATION)"), std::string::npos) << s;
}

}  // namespace
