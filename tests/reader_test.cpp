// Readers: text, lines and jsonl modes over files, folders and stdin.
#include "nerx/reader.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace {

using nerx_test::TempDir;
using nlohmann::ordered_json;

std::vector<nerx::Document> read_all(std::vector<std::string> paths,
                                     nerx::ReaderOptions options = {}) {
  nerx::DocumentReader reader(std::move(paths), options);
  std::vector<nerx::Document> docs;
  nerx::Document d;
  while (reader.next(d)) {
    docs.push_back(d);
    if (docs.size() > 1000) break;  // a reader that never ends
  }
  return docs;
}

nerx::ReaderOptions mode(nerx::InputMode m, std::string field = "text") {
  nerx::ReaderOptions o;
  o.mode = m;
  o.text_field = std::move(field);
  return o;
}

// Runs `body` with stdin redirected from a file holding `content`.
template <class F>
void with_stdin(const std::string& content, F body) {
  TempDir dir;
  std::string path = dir.write("stdin.txt", content);
  int saved = ::dup(STDIN_FILENO);
  int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ::dup2(fd, STDIN_FILENO);
  ::close(fd);
  body();
  ::dup2(saved, STDIN_FILENO);
  ::close(saved);
}

TEST(Reader, ParseInputMode) {
  nerx::InputMode m = nerx::InputMode::Text;
  EXPECT_TRUE(nerx::parse_input_mode("lines", m));
  EXPECT_EQ(m, nerx::InputMode::Lines);
  EXPECT_TRUE(nerx::parse_input_mode("jsonl", m));
  EXPECT_EQ(m, nerx::InputMode::Jsonl);
  EXPECT_TRUE(nerx::parse_input_mode("text", m));
  EXPECT_EQ(m, nerx::InputMode::Text);
  EXPECT_FALSE(nerx::parse_input_mode("csv", m));
}

// ---------------------------------------------------------------- text mode

TEST(Reader, TextFilesInOrder) {
  TempDir dir;
  std::string a = dir.write("a.txt", "Ishaq Dar visited Kabul.\n");
  std::string b = dir.write("b.txt", "caf\xC3\xA9\r\nsecond line");
  std::string empty = dir.write("empty.txt", "");
  auto docs = read_all({b, a, empty});
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0].text, "caf\xC3\xA9\r\nsecond line");  // text is kept byte for byte
  EXPECT_EQ(docs[0].fields, ordered_json::parse(R"({"id":1,"path":")" + b + "\"}"));
  EXPECT_EQ(docs[1].text, "Ishaq Dar visited Kabul.\n");
  EXPECT_EQ(docs[1].fields["id"], 2);
  EXPECT_EQ(docs[1].fields["path"], a);
  EXPECT_EQ(docs[2].text, "");
  EXPECT_TRUE(docs[2].error.empty());
  for (const auto& d : docs) EXPECT_TRUE(d.error.empty()) << d.error;
}

TEST(Reader, MissingFileIsAnErrorDocumentInPlace) {
  TempDir dir;
  std::string a = dir.write("a.txt", "A");
  std::string c = dir.write("c.txt", "C");
  std::string missing = dir / "missing.txt";
  auto docs = read_all({a, missing, c});
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0].text, "A");
  EXPECT_FALSE(docs[1].error.empty());
  EXPECT_NE(docs[1].error.find(missing), std::string::npos) << docs[1].error;
  EXPECT_EQ(docs[1].text, "");
  EXPECT_EQ(docs[1].fields["path"], missing);
  EXPECT_EQ(docs[1].fields["id"], 2);
  EXPECT_EQ(docs[2].text, "C");
  EXPECT_EQ(docs[2].fields["id"], 3);
}

TEST(Reader, FolderWithoutRecursiveIsAnError) {
  TempDir dir;
  dir.write("sub/a.txt", "A");
  std::string b = dir.write("b.txt", "B");
  auto docs = read_all({dir / "sub", b});
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_FALSE(docs[0].error.empty());
  EXPECT_NE(docs[0].error.find(dir / "sub"), std::string::npos) << docs[0].error;
  EXPECT_NE(docs[0].error.find("-r"), std::string::npos) << docs[0].error;
  EXPECT_EQ(docs[1].text, "B");
}

TEST(Reader, RecursiveFolderInSortedOrder) {
  TempDir dir;
  dir.write("d/b.txt", "b");
  dir.write("d/a.txt", "a");
  dir.write("d/B.txt", "B");
  dir.write("d/sub/c.txt", "sub/c");
  dir.write("d/sub/a.txt", "sub/a");
  dir.write("d/z/y.txt", "z/y");
  dir.mkdir("d/empty");
  nerx::ReaderOptions o;
  o.recursive = true;
  std::string root = dir / "d";
  auto docs = read_all({root}, o);
  std::vector<std::string> paths, texts;
  for (const auto& d : docs) {
    EXPECT_TRUE(d.error.empty()) << d.error;
    paths.push_back(d.fields.value("path", std::string()));
    texts.push_back(d.text);
  }
  EXPECT_EQ(paths, (std::vector<std::string>{root + "/B.txt", root + "/a.txt", root + "/b.txt",
                                             root + "/sub/a.txt", root + "/sub/c.txt",
                                             root + "/z/y.txt"}));
  EXPECT_EQ(texts, (std::vector<std::string>{"B", "a", "b", "sub/a", "sub/c", "z/y"}));
  for (std::size_t i = 0; i < docs.size(); ++i) EXPECT_EQ(docs[i].fields["id"], i + 1);
  // A trailing slash does not double it.
  auto again = read_all({root + "/"}, o);
  ASSERT_EQ(again.size(), 6u);
  EXPECT_EQ(again[0].fields["path"], root + "/B.txt");
}

TEST(Reader, RecursiveSymlinkLoopEnds) {
  TempDir dir;
  dir.write("d/a.txt", "a");
  std::filesystem::create_directory_symlink(dir / "d", dir / "d/loop");
  nerx::ReaderOptions o;
  o.recursive = true;
  auto docs = read_all({dir / "d"}, o);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].text, "a");
}

TEST(Reader, RecursiveMixOfFilesAndFolders) {
  TempDir dir;
  std::string first = dir.write("first.txt", "1");
  dir.write("d/x.txt", "2");
  std::string last = dir.write("last.txt", "3");
  nerx::ReaderOptions o;
  o.recursive = true;
  auto docs = read_all({first, dir / "d", last}, o);
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0].text, "1");
  EXPECT_EQ(docs[1].text, "2");
  EXPECT_EQ(docs[2].text, "3");
}

TEST(Reader, StdinAsOneDocument) {
  with_stdin("Kabul\nHerat\n", [] {
    auto docs = read_all({});
    ASSERT_EQ(docs.size(), 1u);
    EXPECT_EQ(docs[0].text, "Kabul\nHerat\n");
    EXPECT_EQ(docs[0].fields, ordered_json::parse(R"({"id":1})"));
  });
  with_stdin("via dash", [] {
    auto docs = read_all({"-"});
    ASSERT_EQ(docs.size(), 1u);
    EXPECT_EQ(docs[0].text, "via dash");
    EXPECT_FALSE(docs[0].fields.contains("path"));
  });
}

// ---------------------------------------------------------------- lines mode

TEST(Reader, LinesMode) {
  TempDir dir;
  std::string a = dir.write("a.txt", "one\ntwo\r\n\nlast");  // CRLF, blank line, no final newline
  std::string b = dir.write("b.txt", "b1\n");
  auto docs = read_all({a, b}, mode(nerx::InputMode::Lines));
  ASSERT_EQ(docs.size(), 5u);
  std::vector<std::string> texts;
  for (const auto& d : docs) texts.push_back(d.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"one", "two", "", "last", "b1"}));
  EXPECT_EQ(docs[0].fields, ordered_json::parse(R"({"id":1,"path":")" + a + R"(","line":1})"));
  EXPECT_EQ(docs[3].fields["line"], 4);
  EXPECT_EQ(docs[4].fields["line"], 1);  // lines count per file
  EXPECT_EQ(docs[4].fields["id"], 5);    // ids count over all input
  EXPECT_EQ(docs[4].fields["path"], b);
}

TEST(Reader, LinesModeFromStdin) {
  with_stdin("x\ny\n", [] {
    auto docs = read_all({}, mode(nerx::InputMode::Lines));
    ASSERT_EQ(docs.size(), 2u);
    EXPECT_EQ(docs[1].text, "y");
    EXPECT_EQ(docs[1].fields["line"], 2);
    EXPECT_FALSE(docs[1].fields.contains("path"));
  });
}

TEST(Reader, LinesModeMissingFile) {
  TempDir dir;
  std::string a = dir.write("a.txt", "x\n");
  auto docs = read_all({dir / "nope.txt", a}, mode(nerx::InputMode::Lines));
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_NE(docs[0].error.find(dir / "nope.txt"), std::string::npos);
  EXPECT_EQ(docs[1].text, "x");
}

// ---------------------------------------------------------------- jsonl mode

TEST(Reader, JsonlEchoesOtherFieldsInOrder) {
  TempDir dir;
  std::string f =
      dir.write("r.jsonl",
                "{\"zid\":\"a\",\"text\":\"Kabul\",\"lang\":\"en\",\"meta\":{\"k\":[1,2]}}\n"
                "{\"text\":\"caf\\u00e9 \\ud83d\\ude00\",\"n\":2}\r\n"
                "{\"b\":null,\"text\":\"last\"}");  // no final newline
  auto docs = read_all({f}, mode(nerx::InputMode::Jsonl));
  ASSERT_EQ(docs.size(), 3u);
  for (const auto& d : docs) EXPECT_TRUE(d.error.empty()) << d.error;
  EXPECT_EQ(docs[0].text, "Kabul");
  EXPECT_EQ(docs[0].fields.dump(), R"({"zid":"a","lang":"en","meta":{"k":[1,2]}})");
  EXPECT_EQ(docs[1].text, "caf\xC3\xA9 \xF0\x9F\x98\x80");
  EXPECT_EQ(docs[1].fields.dump(), R"({"n":2})");
  EXPECT_EQ(docs[2].text, "last");
  EXPECT_EQ(docs[2].fields.dump(), R"({"b":null})");
}

TEST(Reader, JsonlTextField) {
  TempDir dir;
  std::string f = dir.write("r.jsonl", "{\"text\":\"not this\",\"body\":\"Herat\"}\n");
  auto docs = read_all({f}, mode(nerx::InputMode::Jsonl, "body"));
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].text, "Herat");
  EXPECT_EQ(docs[0].fields.dump(), R"({"text":"not this"})");
}

TEST(Reader, JsonlBadRecordsAreErrorsInPlace) {
  TempDir dir;
  std::string f = dir.write("r.jsonl",
                            "{\"text\":\"ok 1\"}\n"           // 1
                            "{\"body\":\"no text\"}\n"        // 2 missing field
                            "{\"text\":42}\n"                 // 3 not a string
                            "{\"text\":null}\n"               // 4 not a string
                            "{not json}\n"                    // 5 invalid JSON
                            "\n"                              // 6 blank line
                            "[\"text\"]\n"                    // 7 not an object
                            "{\"text\":\"ok 8\"} trailing\n"  // 8 invalid JSON
                            "{\"text\":\"ok 9\"}\n");
  auto docs = read_all({f}, mode(nerx::InputMode::Jsonl));
  ASSERT_EQ(docs.size(), 9u);
  EXPECT_EQ(docs[0].text, "ok 1");
  EXPECT_TRUE(docs[0].error.empty());
  for (int i = 1; i <= 7; ++i) {
    SCOPED_TRACE(i + 1);
    const auto& d = docs[static_cast<std::size_t>(i)];
    EXPECT_FALSE(d.error.empty());
    EXPECT_EQ(d.text, "");
    // The error names file and line.
    EXPECT_NE(d.error.find(f + ":" + std::to_string(i + 1)), std::string::npos) << d.error;
    EXPECT_EQ(d.fields.value("line", 0), i + 1);
    EXPECT_EQ(d.fields.value("path", std::string()), f);
  }
  EXPECT_NE(docs[1].error.find("\"text\""), std::string::npos) << docs[1].error;
  EXPECT_EQ(docs[8].text, "ok 9");
  EXPECT_TRUE(docs[8].error.empty());
}

TEST(Reader, JsonlFromStdin) {
  with_stdin("{\"id\":7,\"text\":\"Kabul\"}\n", [] {
    auto docs = read_all({}, mode(nerx::InputMode::Jsonl));
    ASSERT_EQ(docs.size(), 1u);
    EXPECT_EQ(docs[0].text, "Kabul");
    EXPECT_EQ(docs[0].fields.dump(), R"({"id":7})");
  });
}

TEST(Reader, FilesAreNotInteractive) {
  TempDir dir;
  std::string a = dir.write("a.txt", "x\ny\n");
  nerx::DocumentReader reader({a}, mode(nerx::InputMode::Lines));
  nerx::Document d;
  ASSERT_TRUE(reader.next(d));
  EXPECT_FALSE(reader.interactive());
}

}  // namespace
