// Progress: measuring the input, the pipeline's progress callback, and the
// progress line's text.
#include "nerx/progress.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nerx/default_model.hpp"
#include "nerx/pipeline.hpp"
#include "test_util.hpp"

namespace {

using nerx_test::TempDir;

TEST(Progress, MeasureInputsLikeTheReader) {
  TempDir dir;
  dir.write("tree/a.txt", "12345");
  dir.write("tree/sub/b.txt", "1234567890");
  dir.write("c.txt", "123");
  auto size = nerx::measure_inputs({dir / "tree", dir / "c.txt"}, true);
  EXPECT_TRUE(size.known);
  EXPECT_EQ(size.files, 3u);
  EXPECT_EQ(size.bytes, 18u);
  // Without -r a folder is one (error) record; a missing file is one too.
  size = nerx::measure_inputs({dir / "tree", dir / "missing.txt", dir / "c.txt"}, false);
  EXPECT_TRUE(size.known);
  EXPECT_EQ(size.files, 3u);
  EXPECT_EQ(size.bytes, 3u);
  std::atomic<bool> cancel{true};
  size = nerx::measure_inputs({dir / "tree"}, true, &cancel);
  EXPECT_FALSE(size.known);
}

TEST(Progress, FormatWithKnownTotals) {
  nerx::ProgressReport r;
  r.documents = 1234;
  r.bytes = 45'200'000;
  r.seconds = 4;
  r.total = {5000, 180'000'000, true};
  r.total_known = true;
  r.files = true;
  std::string line = nerx::format_progress(r, 120);
  EXPECT_NE(line.find(" 25%  1,234/5,000 files  45.2/180.0 MB  11.3 MB/s  0:12 left"),
            std::string::npos)
      << line;
  EXPECT_EQ(line.rfind("[=======>", 0), 0u) << line;
  EXPECT_LT(line.size(), 120u);
  // Narrow terminals lose the bar, then the end of the line; never wrap.
  for (std::size_t width : {80u, 60u, 40u, 10u, 1u, 0u}) {
    std::string narrow = nerx::format_progress(r, width);
    EXPECT_LT(narrow.size(), std::max<std::size_t>(width, 1)) << width << ": " << narrow;
  }
  EXPECT_EQ(nerx::format_progress(r, 60).find('['), std::string::npos);
}

TEST(Progress, FormatForStreamsOfUnknownSize) {
  nerx::ProgressReport r;
  r.documents = 12345;
  r.bytes = 2'600'000;
  r.seconds = 2;
  EXPECT_EQ(nerx::format_progress(r, 100), "12,345 records  2.6 MB  1.3 MB/s");
  r.total = {1, 0, false};  // measured, but stdin is a pipe
  r.total_known = true;
  EXPECT_EQ(nerx::format_progress(r, 100), "12,345 records  2.6 MB  1.3 MB/s");
  r.seconds = 0;
  EXPECT_EQ(nerx::format_progress(r, 100), "12,345 records  2.6 MB");
}

TEST(Progress, FormatLargeAndLong) {
  nerx::ProgressReport r;
  r.documents = 10;
  r.bytes = 12'000'000'000ull;
  r.seconds = 1000;
  r.total = {1, 48'000'000'000ull, true};
  r.total_known = true;
  std::string line = nerx::format_progress(r, 200);
  EXPECT_NE(line.find("12.00/48.00 GB  12.0 MB/s  50:00 left"), std::string::npos) << line;
  r.seconds = 100000;
  line = nerx::format_progress(r, 200);
  EXPECT_NE(line.find("83:20:00 left"), std::string::npos) << line;
}

TEST(Progress, MeterThrottles) {
  TempDir dir;
  dir.write("a.txt", "Kabul");
  nerx::ProgressMeter::Options o;
  o.paths = {dir / "a.txt"};
  o.files = true;
  o.first_delay = std::chrono::milliseconds(0);
  o.interval = std::chrono::hours(1);
  nerx::ProgressMeter meter(o);
  std::string line;
  EXPECT_TRUE(meter.update({1, 5}, 80, line));
  EXPECT_NE(line.find("1"), std::string::npos);
  line.clear();
  EXPECT_FALSE(meter.update({2, 10}, 80, line));
  EXPECT_EQ(line, "");
  o.first_delay = std::chrono::hours(1);
  nerx::ProgressMeter late(o);
  EXPECT_FALSE(late.update({1, 5}, 80, line));
}

// The pipeline reports every record, in order, with the input bytes behind it.
std::vector<nerx::PipelineProgress> run_with_progress(const std::vector<std::string>& paths,
                                                      nerx::InputMode mode, int jobs) {
  static const nerx::Extractor extractor(
      {nerx::Model::view(nerx::default_model_image(), "default")});
  nerx::ReaderOptions ro;
  ro.mode = mode;
  nerx::DocumentReader reader(paths, ro);
  auto writer = nerx::make_writer({});
  std::vector<nerx::PipelineProgress> seen;
  nerx::PipelineOptions po;
  po.jobs = jobs;
  po.batch_documents = 3;
  po.progress = [&](const nerx::PipelineProgress& p) { seen.push_back(p); };
  nerx::run_pipeline(
      reader, extractor, *writer, [](std::string_view, bool) { return true; },
      [](const std::string&) {}, po);
  return seen;
}

TEST(Progress, PipelineReportsRecordsAndBytes) {
  TempDir dir;
  std::vector<std::string> paths;
  std::uint64_t total = 0;
  for (int i = 0; i < 7; ++i) {
    std::string text = "Ishaq Dar visited Kabul." + std::string(static_cast<std::size_t>(i), '!');
    paths.push_back(dir.write("doc" + std::to_string(i) + ".txt", text));
    total += text.size();
  }
  paths.push_back(dir / "missing.txt");
  for (int jobs : {1, 2}) {
    auto seen = run_with_progress(paths, nerx::InputMode::Text, jobs);
    ASSERT_EQ(seen.size(), 8u) << jobs;
    for (std::size_t i = 0; i < seen.size(); ++i) {
      EXPECT_EQ(seen[i].documents, i + 1);
      if (i > 0) {
        EXPECT_GE(seen[i].bytes, seen[i - 1].bytes);
      }
    }
    EXPECT_EQ(seen.back().bytes, total);
  }
  // Lines and JSON Lines count whole lines with their line breaks.
  std::string jsonl =
      "{\"text\":\"Kabul\"}\n{\"text\":\"Herat\",\"id\":2}\r\nnot json\n{\"text\":\"x\"}";
  std::string file = dir.write("in.jsonl", jsonl);
  for (int jobs : {1, 2}) {
    auto seen = run_with_progress({file}, nerx::InputMode::Jsonl, jobs);
    ASSERT_EQ(seen.size(), 4u);
    EXPECT_EQ(seen[0].bytes, jsonl.find("{\"text\":\"Herat"));
    EXPECT_EQ(seen[1].bytes, jsonl.find("not json"));
    EXPECT_EQ(seen.back().bytes, jsonl.size());
    auto measured = nerx::measure_inputs({file}, false);
    EXPECT_EQ(measured.bytes, jsonl.size());
  }
}

}  // namespace
