// Hostile files and streams for the reader and the pipeline (issue 6): bad
// JSON Lines, binary files, symbolic link loops, files that vanish, pipes
// that stay silent, a stop request, --on-error fail.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "nerx/default_model.hpp"
#include "nerx/pipeline.hpp"
#include "nerx/reader.hpp"
#include "test_util.hpp"

namespace {

using nerx_test::TempDir;
using nlohmann::ordered_json;

struct Read {
  std::vector<nerx::Document> docs;
  std::vector<std::string> warnings;
};

Read read_all(std::vector<std::string> paths, nerx::ReaderOptions options = {}) {
  Read r;
  options.warn = [&r](const std::string& m) { r.warnings.push_back(m); };
  nerx::DocumentReader reader(std::move(paths), options);
  nerx::Document d;
  while (reader.next(d)) {
    r.docs.push_back(d);
    if (r.docs.size() > 1000) break;  // a reader that never ends
  }
  return r;
}

nerx::ReaderOptions mode(nerx::InputMode m) {
  nerx::ReaderOptions o;
  o.mode = m;
  return o;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

bool valid_utf8(const std::string& s) {
  try {
    (void)nlohmann::json(s).dump();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

using nerx_test::seconds_since;

// ---------------------------------------------------------------- JSON Lines

// 100000 nested arrays parse (nlohmann's parser is iterative) but echoing or
// copying them recursed 100000 deep: a crash.
TEST(HostileJsonl, DeepNestingIsAnErrorRecord) {
  TempDir dir;
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  std::string ok_deep = std::string(900, '[') + std::string(900, ']');
  std::string f = dir.write("r.jsonl", "{\"text\":\"Kabul\",\"x\":" + deep + "}\n" +  //
                                           "{\"text\":\"Herat\",\"x\":" + ok_deep + "}\n" + deep +
                                           "\n{\"text\":\"last\"}\n");
  auto r = read_all({f}, mode(nerx::InputMode::Jsonl));
  ASSERT_EQ(r.docs.size(), 4u);
  EXPECT_TRUE(contains(r.docs[0].error, f + ":1: ")) << r.docs[0].error;
  EXPECT_TRUE(contains(r.docs[0].error, "nested deeper than 1000")) << r.docs[0].error;
  EXPECT_EQ(r.docs[0].fields.value("line", 0), 1);
  EXPECT_TRUE(r.docs[1].error.empty()) << r.docs[1].error;
  EXPECT_EQ(r.docs[1].text, "Herat");
  EXPECT_EQ(r.docs[1].fields.dump(), "{\"x\":" + ok_deep + "}");
  EXPECT_FALSE(r.docs[2].error.empty());
  EXPECT_EQ(r.docs[3].text, "last");
  // Brackets inside strings do not count.
  std::string g = dir.write("s.jsonl", "{\"text\":\"" + std::string(5000, '[') + "\"}\n");
  auto s = read_all({g}, mode(nerx::InputMode::Jsonl));
  ASSERT_EQ(s.docs.size(), 1u);
  EXPECT_TRUE(s.docs[0].error.empty()) << s.docs[0].error;
}

TEST(HostileJsonl, InvalidUtf8InAStringIsAnErrorRecordWithACleanMessage) {
  TempDir dir;
  std::string f = dir.write("r.jsonl",
                            "{\"text\":\"Kabul \xff\xfe Paris\"}\n"
                            "{\"text\":\"\xc0\xaf overlong\"}\n"
                            "{\"text\":\"\xed\xa0\x80 surrogate\"}\n"
                            "{\"text\":\"\\ud800 lone escaped surrogate\"}\n"
                            "{\"text\":\"ok\"}\n");
  auto r = read_all({f}, mode(nerx::InputMode::Jsonl));
  ASSERT_EQ(r.docs.size(), 5u);
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    const auto& d = r.docs[static_cast<std::size_t>(i)];
    EXPECT_TRUE(contains(d.error, f + ":" + std::to_string(i + 1) + ": invalid JSON")) << d.error;
    EXPECT_TRUE(valid_utf8(d.error)) << d.error;
    EXPECT_FALSE(contains(d.error, "last read")) << d.error;
    EXPECT_FALSE(contains(d.error, "[json.exception")) << d.error;
  }
  EXPECT_TRUE(contains(r.docs[0].error, "UTF-8")) << r.docs[0].error;
  EXPECT_TRUE(contains(r.docs[0].error, "column")) << r.docs[0].error;
  EXPECT_EQ(r.docs[4].text, "ok");
}

// Duplicate keys: the last one wins, as in Python and JavaScript.
TEST(HostileJsonl, DuplicateKeysLastOneWins) {
  TempDir dir;
  std::string f =
      dir.write("r.jsonl", "{\"text\":\"Paris\",\"a\":1,\"text\":\"Kabul\",\"a\":2,\"b\":3}\n");
  auto r = read_all({f}, mode(nerx::InputMode::Jsonl));
  ASSERT_EQ(r.docs.size(), 1u);
  EXPECT_TRUE(r.docs[0].error.empty()) << r.docs[0].error;
  EXPECT_EQ(r.docs[0].text, "Kabul");
  EXPECT_EQ(r.docs[0].fields.dump(), R"({"a":2,"b":3})");
}

TEST(HostileJsonl, TextFieldOfEveryOtherType) {
  TempDir dir;
  std::string f = dir.write("r.jsonl",
                            "{\"text\":5}\n{\"text\":null}\n{\"text\":[\"a\"]}\n{\"text\":{}}\n"
                            "{\"text\":true}\n\"just a string\"\n42\n[]\n{\"Text\":\"case\"}\n");
  auto r = read_all({f}, mode(nerx::InputMode::Jsonl));
  ASSERT_EQ(r.docs.size(), 9u);
  const char* expected[] = {"is number, not a string",
                            "is null, not a string",
                            "is array, not a string",
                            "is object, not a string",
                            "is boolean, not a string",
                            "expected a JSON object, not string",
                            "expected a JSON object, not number",
                            "expected a JSON object, not array",
                            "no \"text\" field"};
  for (std::size_t i = 0; i < 9; ++i) {
    EXPECT_TRUE(contains(r.docs[i].error, expected[i])) << i << ": " << r.docs[i].error;
    EXPECT_EQ(r.docs[i].fields.value("line", 0u), i + 1);
    EXPECT_TRUE(r.docs[i].text.empty());
  }
}

TEST(HostileJsonl, BlankLinesBomCrlfAndNoFinalNewline) {
  TempDir dir;
  std::string f = dir.write("r.jsonl",
                            "\xEF\xBB\xBF{\"text\":\"one\"}\r\n"
                            "\n"
                            "   \t\n"
                            "{\"text\":\"four\"}\r\n"
                            "{\"text\":\"five\"}");
  auto r = read_all({f}, mode(nerx::InputMode::Jsonl));
  ASSERT_EQ(r.docs.size(), 5u);
  EXPECT_EQ(r.docs[0].text, "one");
  EXPECT_TRUE(r.docs[0].error.empty()) << r.docs[0].error;
  EXPECT_TRUE(contains(r.docs[1].error, ":2: blank line")) << r.docs[1].error;
  EXPECT_TRUE(contains(r.docs[2].error, ":3: blank line")) << r.docs[2].error;
  EXPECT_EQ(r.docs[3].text, "four");
  EXPECT_EQ(r.docs[4].text, "five");
  EXPECT_EQ(r.docs[4].fields.dump(), "{}");
}

TEST(HostileJsonl, HugeLine) {
  TempDir dir;
  std::string big(30 << 20, 'a');
  std::string f =
      dir.write("r.jsonl", "{\"id\":1,\"text\":\"" + big + "\"}\n{\"id\":2,\"text\":\"b\"}");
  auto start = std::chrono::steady_clock::now();
  auto r = read_all({f}, mode(nerx::InputMode::Jsonl));
  EXPECT_LT(seconds_since(start), 20.0);
  ASSERT_EQ(r.docs.size(), 2u);
  EXPECT_EQ(r.docs[0].text.size(), big.size());
  EXPECT_EQ(r.docs[1].text, "b");
}

// ---------------------------------------------------------------- lines

// A 200 MB line was searched for its newline once per 64 KiB read: quadratic.
TEST(HostileLines, HugeLineWithoutNewlineIsReadInLinearTime) {
  TempDir dir;
  std::string big(100 << 20, 'x');
  big += "\nlast";
  std::string f = dir.write("big.txt", big);
  auto start = std::chrono::steady_clock::now();
  auto r = read_all({f}, mode(nerx::InputMode::Lines));
  EXPECT_LT(seconds_since(start), 10.0);
  ASSERT_EQ(r.docs.size(), 2u);
  EXPECT_EQ(r.docs[0].text.size(), std::size_t(100) << 20);
  EXPECT_EQ(r.docs[1].text, "last");
}

TEST(HostileLines, LoneCarriageReturnsStayInTheLine) {
  TempDir dir;
  std::string f = dir.write("a.txt", "a\rb\r\nc\r\r\n\r");
  auto r = read_all({f}, mode(nerx::InputMode::Lines));
  ASSERT_EQ(r.docs.size(), 3u);
  EXPECT_EQ(r.docs[0].text, "a\rb");
  EXPECT_EQ(r.docs[1].text, "c\r");
  EXPECT_EQ(r.docs[2].text, "");
}

TEST(HostileLines, MissingFileHasAnIdLikeEveryLine) {
  TempDir dir;
  std::string a = dir.write("a.txt", "x\ny\n");
  auto r = read_all({a, dir / "missing.txt", a}, mode(nerx::InputMode::Lines));
  ASSERT_EQ(r.docs.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(r.docs[i].fields["id"], i + 1);
  EXPECT_FALSE(r.docs[2].error.empty());
}

// ---------------------------------------------------------------- binary files

TEST(HostileFiles, BinaryFileIsSkippedWithAWarningInPlace) {
  TempDir dir;
  std::string a = dir.write("a.txt", "Kabul");
  std::string bin = dir.write("b.bin", std::string("ELF\0\0\x01\x02 Kabul", 13));
  std::string late = dir.write("late.txt", std::string(70000, 'x') + std::string(1, '\0') + "z");
  std::string c = dir.write("c.txt", "Herat");
  auto r = read_all({a, bin, late, c});
  ASSERT_EQ(r.docs.size(), 4u);
  EXPECT_EQ(r.docs[0].text, "Kabul");
  const auto& skipped = r.docs[1];
  EXPECT_TRUE(skipped.error.empty());
  EXPECT_TRUE(skipped.text.empty());
  EXPECT_EQ(skipped.fields["id"], 2);
  EXPECT_EQ(skipped.fields["path"], bin);
  EXPECT_TRUE(contains(skipped.fields.value("skipped", std::string()), "binary file"))
      << skipped.fields.dump();
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_TRUE(contains(r.warnings[0], bin)) << r.warnings[0];
  EXPECT_TRUE(contains(r.warnings[0], "binary")) << r.warnings[0];
  // A NUL after the first 64 KiB does not make a file binary (as in grep).
  EXPECT_EQ(r.docs[2].text.size(), 70002u);
  EXPECT_FALSE(r.docs[2].fields.contains("skipped"));
  EXPECT_EQ(r.docs[3].text, "Herat");
  EXPECT_EQ(r.docs[3].fields["id"], 4);
}

TEST(HostileFiles, BinaryAsText) {
  TempDir dir;
  std::string bin = dir.write("b.bin", std::string("Kabul\0Herat", 11));
  nerx::ReaderOptions o;
  o.binary = nerx::BinaryFiles::Text;
  auto r = read_all({bin}, o);
  ASSERT_EQ(r.docs.size(), 1u);
  EXPECT_EQ(r.docs[0].text, std::string("Kabul\0Herat", 11));
  EXPECT_TRUE(r.warnings.empty());
}

TEST(HostileFiles, BinaryFileInLinesModeIsOneSkippedRecord) {
  TempDir dir;
  std::string bin = dir.write("b.bin", std::string("a\nb\0\nc\n", 7));
  std::string a = dir.write("a.txt", "x\n");
  auto r = read_all({bin, a}, mode(nerx::InputMode::Lines));
  ASSERT_EQ(r.docs.size(), 2u);
  EXPECT_TRUE(r.docs[0].fields.contains("skipped"));
  EXPECT_EQ(r.docs[0].fields["id"], 1);
  EXPECT_EQ(r.docs[1].text, "x");
  EXPECT_EQ(r.docs[1].fields["id"], 2);
  nerx::ReaderOptions text = mode(nerx::InputMode::Lines);
  text.binary = nerx::BinaryFiles::Text;
  EXPECT_EQ(read_all({bin}, text).docs.size(), 3u);
}

TEST(HostileFiles, ParseBinaryFiles) {
  nerx::BinaryFiles b = nerx::BinaryFiles::Text;
  EXPECT_TRUE(nerx::parse_binary_files("skip", b));
  EXPECT_EQ(b, nerx::BinaryFiles::Skip);
  EXPECT_TRUE(nerx::parse_binary_files("text", b));
  EXPECT_EQ(b, nerx::BinaryFiles::Text);
  EXPECT_FALSE(nerx::parse_binary_files("binary", b));
}

// ---------------------------------------------------------------- links and folders

TEST(HostileFiles, SymlinkLoopIsAWarningNotARecord) {
  TempDir dir;
  dir.write("d/a.txt", "a");
  dir.write("d/sub/b.txt", "b");
  std::filesystem::create_directory_symlink("..", dir / "d/sub/up");
  nerx::ReaderOptions o;
  o.recursive = true;
  auto r = read_all({dir / "d"}, o);
  ASSERT_EQ(r.docs.size(), 2u);
  EXPECT_EQ(r.docs[0].text, "a");
  EXPECT_EQ(r.docs[1].text, "b");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_TRUE(contains(r.warnings[0], dir / "d/sub/up")) << r.warnings[0];
  EXPECT_TRUE(contains(r.warnings[0], "loop")) << r.warnings[0];
}

// The same folder reached twice, but not below itself, is read twice.
TEST(HostileFiles, SameFolderThroughTwoLinksIsNotALoop) {
  TempDir dir;
  dir.write("shared/s.txt", "s");
  dir.mkdir("d");
  std::filesystem::create_directory_symlink(dir / "shared", dir / "d/x");
  std::filesystem::create_directory_symlink(dir / "shared", dir / "d/y");
  nerx::ReaderOptions o;
  o.recursive = true;
  auto r = read_all({dir / "d"}, o);
  ASSERT_EQ(r.docs.size(), 2u);
  EXPECT_EQ(r.docs[0].fields["path"], dir / "d/x/s.txt");
  EXPECT_EQ(r.docs[1].fields["path"], dir / "d/y/s.txt");
  EXPECT_TRUE(r.warnings.empty());
}

TEST(HostileFiles, DanglingAndLoopingFileLinksAreErrorRecords) {
  TempDir dir;
  dir.write("d/a.txt", "a");
  std::filesystem::create_symlink(dir / "nowhere", dir / "d/dangling");
  std::filesystem::create_symlink(dir / "d/self", dir / "d/self");
  nerx::ReaderOptions o;
  o.recursive = true;
  auto r = read_all({dir / "d"}, o);
  ASSERT_EQ(r.docs.size(), 3u);
  EXPECT_EQ(r.docs[0].text, "a");
  EXPECT_TRUE(contains(r.docs[1].error, dir / "d/dangling")) << r.docs[1].error;
  EXPECT_TRUE(contains(r.docs[1].error, "broken symbolic link")) << r.docs[1].error;
  EXPECT_TRUE(contains(r.docs[2].error, "symbolic link loop")) << r.docs[2].error;
}

TEST(HostileFiles, FifoInAFolderIsSkippedNotWaitedFor) {
  TempDir dir;
  dir.write("d/a.txt", "a");
  ASSERT_EQ(::mkfifo((dir / "d/pipe").c_str(), 0600), 0);
  nerx::ReaderOptions o;
  o.recursive = true;
  auto r = read_all({dir / "d"}, o);
  ASSERT_EQ(r.docs.size(), 2u);
  EXPECT_TRUE(contains(r.docs[1].fields.value("skipped", std::string()), "FIFO"))
      << r.docs[1].fields.dump();
  EXPECT_EQ(r.warnings.size(), 1u);
}

TEST(HostileFiles, FifoNamedOnTheCommandLineIsRead) {
  TempDir dir;
  std::string fifo = dir / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] {
    int fd = ::open(fifo.c_str(), O_WRONLY);
    if (fd < 0) return;
    std::string data = "one\ntwo\n";
    (void)!::write(fd, data.data(), data.size());
    ::close(fd);
  });
  auto r = read_all({fifo}, mode(nerx::InputMode::Lines));
  writer.join();
  ASSERT_EQ(r.docs.size(), 2u);
  EXPECT_EQ(r.docs[1].text, "two");
}

// A file listed in a folder but gone by the time it is read.
TEST(HostileFiles, FileThatVanishesBeforeItIsRead) {
  TempDir dir;
  dir.write("d/a.txt", "a");
  std::string b = dir.write("d/b.txt", "b");
  dir.write("d/c.txt", "c");
  nerx::ReaderOptions o;
  o.recursive = true;
  nerx::DocumentReader reader({dir / "d"}, o);
  nerx::Document doc;
  ASSERT_TRUE(reader.next(doc));
  EXPECT_EQ(doc.text, "a");
  std::filesystem::remove(b);
  ASSERT_TRUE(reader.next(doc));
  EXPECT_TRUE(contains(doc.error, b)) << doc.error;
  EXPECT_EQ(doc.fields["id"], 2);
  ASSERT_TRUE(reader.next(doc));
  EXPECT_EQ(doc.text, "c");
  EXPECT_FALSE(reader.next(doc));
}

// ---------------------------------------------------------------- stopping

// A pipe that stays open and silent: setting the stop flag ends reading.
TEST(HostileStreams, StopEndsAWaitOnASilentPipe) {
  for (auto m : {nerx::InputMode::Text, nerx::InputMode::Lines, nerx::InputMode::Jsonl}) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    std::string data = "{\"text\":\"first\"}\n";
    ASSERT_EQ(::write(fds[1], data.data(), data.size()), static_cast<ssize_t>(data.size()));
    std::atomic<bool> stop{false};
    nerx::ReaderOptions o = mode(m);
    o.stop = &stop;
    nerx::DocumentReader reader({"/dev/fd/" + std::to_string(fds[0])}, o);
    nerx::Document doc;
    if (m != nerx::InputMode::Text) {
      ASSERT_TRUE(reader.next(doc));
      EXPECT_TRUE(contains(doc.text, "first"));
    }
    std::thread stopper([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      stop = true;
    });
    auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(reader.next(doc));
    EXPECT_LT(seconds_since(start), 5.0);
    stopper.join();
    ::close(fds[0]);
    ::close(fds[1]);
  }
}

const nerx::Extractor& extractor() {
  static const nerx::Extractor ex({nerx::Model::view(nerx::default_model_image(), "default")});
  return ex;
}

struct Outcome {
  std::string out;
  std::vector<std::string> errors;
  nerx::PipelineStats stats;
};

Outcome run_all(const std::vector<std::string>& paths, nerx::PipelineOptions options,
                const std::function<void()>& on_error = {}) {
  Outcome r;
  nerx::ReaderOptions reader_options;
  reader_options.stop = options.stop;
  nerx::DocumentReader reader(paths, reader_options);
  auto writer = nerx::make_writer({});
  auto sink = [&](std::string_view data, bool) {
    r.out.append(data);
    return true;
  };
  auto errors = [&](const std::string& m) {
    r.errors.push_back(m);
    if (on_error) on_error();
  };
  r.stats = nerx::run_pipeline(reader, extractor(), *writer, sink, errors, options);
  return r;
}

std::vector<ordered_json> records(const std::string& out) {
  std::vector<ordered_json> r;
  std::size_t at = 0;
  while (at < out.size()) {
    std::size_t nl = out.find('\n', at);
    if (nl == std::string::npos) {
      ADD_FAILURE() << "incomplete record: " << out.substr(at);
      break;
    }
    r.push_back(ordered_json::parse(out.substr(at, nl - at)));
    at = nl + 1;
  }
  return r;
}

class HostilePipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 30; ++i)
      paths_.push_back(dir_.write("doc" + std::to_string(100 + i) + ".txt",
                                  "Document " + std::to_string(i) + ": Ishaq Dar visited Kabul."));
    paths_.insert(paths_.begin() + 12, dir_ / "missing.txt");
    paths_.insert(paths_.begin() + 20, dir_ / "also-missing.txt");
  }
  TempDir dir_;
  std::vector<std::string> paths_;
};

TEST_F(HostilePipeline, OnErrorFailStopsAtTheFirstBadRecord) {
  for (int jobs : {1, 2, 3}) {
    for (std::size_t batch : {std::size_t(1), std::size_t(4), std::size_t(256)}) {
      SCOPED_TRACE("jobs " + std::to_string(jobs) + " batch " + std::to_string(batch));
      nerx::PipelineOptions o;
      o.jobs = jobs;
      o.batch_documents = batch;
      o.stop_on_error = true;
      Outcome r = run_all(paths_, o);
      auto recs = records(r.out);
      ASSERT_EQ(recs.size(), 12u);
      for (std::size_t i = 0; i < recs.size(); ++i) {
        EXPECT_EQ(recs[i]["id"], i + 1);
        EXPECT_TRUE(recs[i].contains("entities"));
      }
      EXPECT_TRUE(r.stats.stopped_on_error);
      EXPECT_EQ(r.stats.failed, 1u);
      EXPECT_EQ(r.stats.documents, 12u);
      ASSERT_EQ(r.errors.size(), 1u);
      EXPECT_TRUE(contains(r.errors[0], "missing.txt"));
    }
  }
}

TEST_F(HostilePipeline, StopBeforeTheStartReadsNothing) {
  std::atomic<bool> stop{true};
  nerx::PipelineOptions o;
  o.stop = &stop;
  Outcome r = run_all(paths_, o);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(r.stats.interrupted);
}

// Stopped in the middle (at the first missing file): what was written is
// complete records, in order, a prefix of the full output.
TEST_F(HostilePipeline, StopWritesOnlyCompleteRecordsInOrder) {
  nerx::PipelineOptions full_options;
  std::string full = run_all(paths_, full_options).out;
  for (int jobs : {1, 3}) {
    SCOPED_TRACE(jobs);
    std::atomic<bool> stop{false};
    nerx::PipelineOptions o;
    o.jobs = jobs;
    o.batch_documents = 2;
    o.stop = &stop;
    Outcome r = run_all(paths_, o, [&] { stop = true; });
    EXPECT_TRUE(r.stats.interrupted);
    EXPECT_LT(r.out.size(), full.size());
    EXPECT_EQ(full.compare(0, r.out.size(), r.out), 0);
    auto recs = records(r.out);
    EXPECT_GE(recs.size(), 13u);
    EXPECT_LT(recs.size(), 32u);
  }
}

}  // namespace
