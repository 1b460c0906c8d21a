// The batch pipeline: input order, identical output for any number of
// workers, failed records reported and counted.
#include "nerx/pipeline.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nerx/default_model.hpp"
#include "test_util.hpp"

namespace {

using nerx_test::TempDir;

const nerx::Extractor& extractor() {
  static const nerx::Extractor ex({nerx::Model::view(nerx::default_model_image(), "default")});
  return ex;
}

struct Outcome {
  std::string out;
  std::vector<std::string> errors;
  nerx::PipelineStats stats;
};

Outcome run_all(const std::vector<std::string>& paths, nerx::ReaderOptions reader_options,
                nerx::WriterOptions writer_options, nerx::PipelineOptions options) {
  Outcome r;
  nerx::DocumentReader reader(paths, reader_options);
  auto writer = nerx::make_writer(writer_options);
  auto sink = [&](std::string_view data, bool) {
    r.out.append(data);
    return true;
  };
  auto errors = [&](const std::string& m) { r.errors.push_back(m); };
  r.stats = nerx::run_pipeline(reader, extractor(), *writer, sink, errors, options);
  return r;
}

class Pipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* texts[] = {
        "Foreign Minister Ishaq Dar visited Kabul.",
        "Pakistan and Afghanistan agreed to expand trade.",
        "Caf\xC3\xA9 owners in Z\xC3\xBCrich met officials from Islamabad.",
        "",
        "Nothing to see here.",
        "The Tehrik e Taliban Pakistan (TTP) and the Afghan Taliban. TTP fighters left Kabul.",
    };
    for (int i = 0; i < 24; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "doc%02d.txt", i);
      std::string text = texts[i % 6];
      for (int k = 0; k < i % 4; ++k) text += " Then Kabul again.";
      paths_.push_back(dir_.write(name, text));
    }
    // A missing file in the middle.
    paths_.insert(paths_.begin() + 10, dir_ / "missing.txt");
  }
  TempDir dir_;
  std::vector<std::string> paths_;
};

TEST_F(Pipeline, OutputIsTheSameForAnyNumberOfWorkers) {
  nerx::PipelineOptions one;
  Outcome base = run_all(paths_, {}, {}, one);
  EXPECT_EQ(base.stats.documents, 25u);
  EXPECT_EQ(base.stats.failed, 1u);
  ASSERT_EQ(base.errors.size(), 1u);
  EXPECT_NE(base.errors[0].find("missing.txt"), std::string::npos);

  // Records come in input order: ids 1..25, the error record 11th.
  std::vector<nlohmann::json> records;
  std::size_t at = 0;
  while (at < base.out.size()) {
    std::size_t nl = base.out.find('\n', at);
    ASSERT_NE(nl, std::string::npos);
    records.push_back(nlohmann::json::parse(base.out.substr(at, nl - at)));
    at = nl + 1;
  }
  ASSERT_EQ(records.size(), 25u);
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i]["id"], i + 1);
    EXPECT_EQ(records[i]["path"], paths_[i]);
  }
  EXPECT_TRUE(records[10].contains("error"));

  for (int jobs : {2, 3, 8}) {
    for (std::size_t batch : {std::size_t(1), std::size_t(3), std::size_t(256)}) {
      nerx::PipelineOptions o;
      o.jobs = jobs;
      o.batch_documents = batch;
      Outcome r = run_all(paths_, {}, {}, o);
      EXPECT_EQ(r.out, base.out) << "jobs " << jobs << " batch " << batch;
      EXPECT_EQ(r.stats.documents, 25u);
      EXPECT_EQ(r.stats.failed, 1u);
      EXPECT_EQ(r.errors, base.errors);
    }
  }
}

TEST_F(Pipeline, SmallByteBatches) {
  nerx::PipelineOptions one;
  Outcome base = run_all(paths_, {}, {}, one);
  nerx::PipelineOptions o;
  o.jobs = 2;
  o.batch_bytes = 10;
  EXPECT_EQ(run_all(paths_, {}, {}, o).out, base.out);
}

TEST_F(Pipeline, JsonArrayWithWorkers) {
  nerx::WriterOptions w;
  w.format = nerx::OutputFormat::Json;
  nerx::PipelineOptions o;
  o.jobs = 3;
  o.batch_documents = 2;
  Outcome r = run_all(paths_, {}, w, o);
  nlohmann::json j;
  ASSERT_NO_THROW(j = nlohmann::json::parse(r.out)) << r.out;
  ASSERT_TRUE(j.is_array());
  EXPECT_EQ(j.size(), 25u);
  nerx::PipelineOptions one;
  EXPECT_EQ(run_all(paths_, {}, w, one).out, r.out);
}

TEST_F(Pipeline, LinesModeKeepsLineOrder) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "Line " + std::to_string(i) + ": Ishaq Dar visited Kabul.\n";
  std::string path = dir_.write("lines.txt", text);
  nerx::ReaderOptions reader;
  reader.mode = nerx::InputMode::Lines;
  nerx::PipelineOptions one, many;
  many.jobs = 4;
  many.batch_documents = 3;
  Outcome a = run_all({path}, reader, {}, one), b = run_all({path}, reader, {}, many);
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.stats.documents, 40u);
  auto first = nlohmann::json::parse(a.out.substr(0, a.out.find('\n')));
  EXPECT_EQ(first["line"], 1);
}

TEST_F(Pipeline, RefusingSinkStopsWithoutHanging) {
  for (int jobs : {1, 2}) {
    nerx::DocumentReader reader(paths_, {});
    auto writer = nerx::make_writer({});
    int calls = 0;
    auto sink = [&](std::string_view, bool) {
      ++calls;
      return false;
    };
    auto errors = [](const std::string&) {};
    nerx::PipelineOptions o;
    o.jobs = jobs;
    o.batch_documents = 1;
    auto stats = nerx::run_pipeline(reader, extractor(), *writer, sink, errors, o);
    EXPECT_GE(calls, 1);
    EXPECT_LE(stats.documents, 25u);
  }
}

}  // namespace

// A long text file is read in parts; each format still writes one record
// per file, with offsets into the whole text, the same as one whole pass.
TEST(PipelineParts, LongFileIsOneRecordWithWholeTextOffsets) {
  TempDir dir;
  std::string text;
  std::size_t paragraphs = 0;
  for (int i = 0; text.size() < 20000; ++i, ++paragraphs)
    text += "Caf\xC3\xA9 talk " + std::to_string(i) +
            ": Foreign Minister Ishaq Dar flew to Kabul to meet the Taliban.\n\n";
  std::string path = dir.write("long.txt", text);
  std::string small_path = dir.write("small.txt", "Ishaq Dar visited Kabul.");
  nerx::ReaderOptions parts;
  parts.part_bytes = 1000;
  for (int jobs : {1, 3}) {
    nerx::PipelineOptions options;
    options.jobs = jobs;
    Outcome r = run_all({path, small_path}, parts, {}, options);
    EXPECT_EQ(r.stats.documents, 2u);
    std::vector<std::string> lines;
    for (std::size_t at = 0, nl; (nl = r.out.find('\n', at)) != std::string::npos; at = nl + 1)
      lines.push_back(r.out.substr(at, nl - at));
    ASSERT_EQ(lines.size(), 2u);
    auto record = nlohmann::json::parse(lines[0]);
    EXPECT_EQ(record["path"], path);
    // Code point offsets slice the whole text.
    std::u32string wide;
    for (std::size_t i = 0; i < text.size();) {
      unsigned char c = static_cast<unsigned char>(text[i]);
      std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      char32_t cp = n == 1 ? c : c & (0x7F >> n);
      for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (text[i + k] & 0x3F);
      wide.push_back(cp);
      i += n;
    }
    std::size_t copies = 0;
    for (const auto& e : record["entities"]) {
      std::string got;
      for (std::size_t i = e["start"]; i < e["end"].get<std::size_t>(); ++i) {
        char32_t cp = wide[i];
        EXPECT_LT(cp, 0x80u);  // every entity here is ASCII
        got.push_back(static_cast<char>(cp));
      }
      EXPECT_EQ(got, e["text"].get<std::string>());
      copies += got == "Ishaq Dar";
    }
    EXPECT_EQ(copies, paragraphs);
    EXPECT_EQ(nlohmann::json::parse(lines[1])["entities"].size(), 2u);
  }
}

TEST(PipelineParts, EveryFormatJoinsTheParts) {
  TempDir dir;
  std::string text;
  while (text.size() < 5000) text += "Ishaq Dar flew to Kabul.\n\n";
  std::string path = dir.write("long.txt", text);
  nerx::ReaderOptions parts;
  parts.part_bytes = 500;
  const std::size_t mentions = 2 * (text.size() / 26);
  nerx::WriterOptions o;
  o.format = nerx::OutputFormat::Json;
  auto json = nlohmann::json::parse(run_all({path}, parts, o, {}).out);
  ASSERT_EQ(json.size(), 1u);
  EXPECT_EQ(json[0]["entities"].size(), mentions);
  EXPECT_EQ(json[0]["entities"].back()["end"], text.size() - 3);
  o.format = nerx::OutputFormat::Tsv;
  std::string tsv = run_all({path}, parts, o, {}).out;
  EXPECT_EQ(std::count(tsv.begin(), tsv.end(), '\n'), static_cast<long>(mentions + 1));
  EXPECT_NE(tsv.find("\t" + std::to_string(text.size() - 8) + "\t" +
                     std::to_string(text.size() - 3) + "\tLOCATION\tKabul\n"),
            std::string::npos);
  o.format = nerx::OutputFormat::Conll;
  std::string conll = run_all({path}, parts, o, {}).out;
  EXPECT_EQ(conll.find("-DOCSTART-"), conll.rfind("-DOCSTART-"));
  o.format = nerx::OutputFormat::Html;
  std::string html = run_all({path}, parts, o, {}).out;
  EXPECT_EQ(html.find("<article"), html.rfind("<article"));
  EXPECT_NE(html.find("1 document, " + std::to_string(mentions) + " entities"), std::string::npos);
}
