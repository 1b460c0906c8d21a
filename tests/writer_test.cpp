// Writers: record shape (DESIGN.md), echoed fields, error records, escaping,
// json and tsv formats, offset units.
#include "nerx/writer.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

using nlohmann::ordered_json;

nerx::Entity ent(std::size_t begin, std::size_t end, nerx::EntityType type,
                 std::string subtype = "") {
  nerx::Entity e;
  e.begin = begin;
  e.end = end;
  e.type = type;
  e.subtype = std::move(subtype);
  return e;
}

// "naïve Ishaq Dar in 東京": Ishaq Dar is bytes [7,16), code points [6,15);
// 東京 is bytes [20,26), code points [19,21), UTF-16 [19,21).
nerx::Document sample_doc() {
  nerx::Document d;
  d.text = "na\xC3\xAFve Ishaq Dar in \xE6\x9D\xB1\xE4\xBA\xAC";
  d.fields["id"] = 1;
  d.fields["path"] = "in.txt";
  return d;
}
std::vector<nerx::Entity> sample_entities() {
  return {ent(7, 16, nerx::EntityType::Person), ent(20, 26, nerx::EntityType::Location, "city")};
}

std::string write_all(const nerx::WriterOptions& options, const std::vector<nerx::Document>& docs,
                      const std::vector<std::vector<nerx::Entity>>& entities) {
  auto w = nerx::make_writer(options);
  std::string out;
  w->begin(out);
  for (std::size_t i = 0; i < docs.size(); ++i) w->write(docs[i], entities[i], out);
  w->end(out);
  return out;
}

std::string jsonl(const nerx::Document& doc, const std::vector<nerx::Entity>& entities,
                  nerx::WriterOptions options = {}) {
  options.format = nerx::OutputFormat::Jsonl;
  return write_all(options, {doc}, {entities});
}

std::vector<std::string> keys(const ordered_json& j) {
  std::vector<std::string> k;
  for (auto it = j.begin(); it != j.end(); ++it) k.push_back(it.key());
  return k;
}

TEST(Writer, ParseFormat) {
  nerx::OutputFormat f = nerx::OutputFormat::Tsv;
  EXPECT_TRUE(nerx::parse_output_format("jsonl", f));
  EXPECT_EQ(f, nerx::OutputFormat::Jsonl);
  EXPECT_TRUE(nerx::parse_output_format("json", f));
  EXPECT_EQ(f, nerx::OutputFormat::Json);
  EXPECT_TRUE(nerx::parse_output_format("tsv", f));
  EXPECT_EQ(f, nerx::OutputFormat::Tsv);
  EXPECT_FALSE(nerx::parse_output_format("xml", f));
}

TEST(Writer, JsonlRecordShape) {
  std::string out = jsonl(sample_doc(), sample_entities());
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back(), '\n');
  EXPECT_EQ(out.find('\n'), out.size() - 1) << "one record, one line";
  ordered_json j = ordered_json::parse(out);
  EXPECT_EQ(keys(j), (std::vector<std::string>{"id", "path", "entities"}));
  EXPECT_EQ(j["id"], 1);
  EXPECT_EQ(j["path"], "in.txt");
  ASSERT_EQ(j["entities"].size(), 2u);
  const auto& p = j["entities"][0];
  EXPECT_EQ(keys(p), (std::vector<std::string>{"text", "type", "start", "end"}));
  EXPECT_EQ(p["text"], "Ishaq Dar");
  EXPECT_EQ(p["type"], "PERSON");
  EXPECT_EQ(p["start"], 6);
  EXPECT_EQ(p["end"], 15);
  const auto& l = j["entities"][1];
  EXPECT_EQ(keys(l), (std::vector<std::string>{"text", "type", "start", "end", "subtype"}));
  EXPECT_EQ(l["text"], "\xE6\x9D\xB1\xE4\xBA\xAC");
  EXPECT_EQ(l["type"], "LOCATION");
  EXPECT_EQ(l["start"], 19);
  EXPECT_EQ(l["end"], 21);
  EXPECT_EQ(l["subtype"], "city");
}

TEST(Writer, AllTypesAreNamed) {
  nerx::Document d;
  d.text = "A B C";
  auto j = ordered_json::parse(
      jsonl(d, {ent(0, 1, nerx::EntityType::Person), ent(2, 3, nerx::EntityType::Location),
                ent(4, 5, nerx::EntityType::Organization)}));
  EXPECT_EQ(j["entities"][0]["type"], "PERSON");
  EXPECT_EQ(j["entities"][1]["type"], "LOCATION");
  EXPECT_EQ(j["entities"][2]["type"], "ORGANIZATION");
}

TEST(Writer, OffsetUnits) {
  nerx::WriterOptions o;
  o.offsets = nerx::OffsetUnit::Byte;
  auto j = ordered_json::parse(jsonl(sample_doc(), sample_entities(), o));
  EXPECT_EQ(j["entities"][0]["start"], 7);
  EXPECT_EQ(j["entities"][0]["end"], 16);
  EXPECT_EQ(j["entities"][1]["start"], 20);
  EXPECT_EQ(j["entities"][1]["end"], 26);
  o.offsets = nerx::OffsetUnit::Utf16;
  std::string emoji_text = "\xF0\x9F\x98\x80 Kabul";  // 😀 Kabul
  nerx::Document d;
  d.text = emoji_text;
  auto k = ordered_json::parse(jsonl(d, {ent(5, 10, nerx::EntityType::Location)}, o));
  EXPECT_EQ(k["entities"][0]["start"], 3);
  EXPECT_EQ(k["entities"][0]["end"], 8);
  o.offsets = nerx::OffsetUnit::Codepoint;
  auto c = ordered_json::parse(jsonl(d, {ent(5, 10, nerx::EntityType::Location)}, o));
  EXPECT_EQ(c["entities"][0]["start"], 2);
  EXPECT_EQ(c["entities"][0]["end"], 7);
}

TEST(Writer, OptionalFields) {
  auto entities = sample_entities();
  entities[0].rule = "title_name";
  entities[1].rule = "list_city";
  entities[1].list = "cities";
  entities[1].canonical = "Tokyo";
  entities[1].id = "Q1490";
  nerx::WriterOptions o;
  auto plain = ordered_json::parse(jsonl(sample_doc(), entities, o));
  EXPECT_FALSE(plain["entities"][1].contains("rule"));
  EXPECT_FALSE(plain["entities"][1].contains("canonical"));
  o.explain = true;
  o.canonical = true;
  auto full = ordered_json::parse(jsonl(sample_doc(), entities, o));
  EXPECT_EQ(full["entities"][0]["rule"], "title_name");
  EXPECT_FALSE(full["entities"][0].contains("list"));
  EXPECT_EQ(full["entities"][1]["rule"], "list_city");
  EXPECT_EQ(full["entities"][1]["list"], "cities");
  EXPECT_EQ(full["entities"][1]["canonical"], "Tokyo");
  EXPECT_NE(full["entities"][1].dump().find("Q1490"), std::string::npos);
  o.subtype = false;
  auto nosub = ordered_json::parse(jsonl(sample_doc(), entities, o));
  EXPECT_FALSE(nosub["entities"][1].contains("subtype"));
}

TEST(Writer, FieldsEchoedInOrder) {
  nerx::Document d;
  d.text = "Kabul";
  d.fields = ordered_json::parse(
      R"({"zeta":1,"doc":"a","meta":{"x":[1,2],"y":null},"n":null,"f":1.5,"b":true})");
  auto j = ordered_json::parse(jsonl(d, {ent(0, 5, nerx::EntityType::Location)}));
  EXPECT_EQ(keys(j), (std::vector<std::string>{"zeta", "doc", "meta", "n", "f", "b", "entities"}));
  EXPECT_EQ(j["meta"], ordered_json::parse(R"({"x":[1,2],"y":null})"));
  EXPECT_EQ(j["f"], 1.5);
  EXPECT_EQ(j["b"], true);
}

TEST(Writer, NoFieldsNoEntities) {
  nerx::Document d;
  d.text = "nothing here";
  EXPECT_EQ(jsonl(d, {}), "{\"entities\":[]}\n");
}

TEST(Writer, ErrorRecord) {
  nerx::Document d;
  d.fields["id"] = 2;
  d.fields["path"] = "missing.txt";
  d.error = "missing.txt: cannot read: No such file or directory";
  std::string out = jsonl(d, {});
  auto j = ordered_json::parse(out);
  EXPECT_EQ(keys(j), (std::vector<std::string>{"id", "path", "error"}));
  EXPECT_EQ(j["error"], d.error);
  EXPECT_FALSE(j.contains("entities"));
}

TEST(Writer, EscapingGivesValidJson) {
  nerx::Document d;
  // quotes, backslash, tab, newline, CR, other controls, DEL, invalid bytes
  d.text = "\"Kabul\"\\ \t\n\r\x01\x1f\x7f Bad\xFFName \xC3 end";
  d.fields["path"] = std::string("we\"ird\\\x02\xFE.txt");
  d.fields["note"] = "line\nbreak";
  std::size_t bad = d.text.find("Bad");
  std::vector<nerx::Entity> entities{ent(0, 7, nerx::EntityType::Location),
                                     ent(bad, bad + 8, nerx::EntityType::Person)};
  std::string out = jsonl(d, entities);
  EXPECT_EQ(out.find('\n'), out.size() - 1) << "raw newlines must be escaped: " << out;
  ordered_json j;
  ASSERT_NO_THROW(j = ordered_json::parse(out)) << out;
  EXPECT_EQ(j["entities"][0]["text"], "\"Kabul\"");
  EXPECT_EQ(j["entities"][1]["text"], "Bad\xEF\xBF\xBDName");  // U+FFFD for the bad byte
  EXPECT_EQ(j["note"], "line\nbreak");
  std::string path = j["path"];
  EXPECT_EQ(path.rfind("we\"ird\\\x02", 0), 0u);
}

TEST(Writer, AppendJsonString) {
  std::string out;
  nerx::append_json_string("a\"b\\c\n\t\r\x01\x7f", out);
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\t\\r\\u0001\x7f\"");
  out.clear();
  nerx::append_json_string(std::string("x\0y", 3), out);
  EXPECT_EQ(out, "\"x\\u0000y\"");
  out.clear();
  nerx::append_json_string("caf\xC3\xA9 \xF0\x9F\x98\x80", out);  // valid UTF-8 passes through
  EXPECT_EQ(out, "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"");
  out.clear();
  nerx::append_json_string("\xE6\x9D!", out);  // two invalid bytes: two U+FFFD
  EXPECT_EQ(out, "\"\xEF\xBF\xBD\xEF\xBF\xBD!\"");
  EXPECT_NO_THROW(ordered_json::parse(out));
}

TEST(Writer, JsonArrayFormat) {
  nerx::WriterOptions o;
  o.format = nerx::OutputFormat::Json;
  nerx::Document err;
  err.fields["id"] = 2;
  err.error = "boom";
  std::string out = write_all(o, {sample_doc(), err}, {sample_entities(), {}});
  ordered_json j;
  ASSERT_NO_THROW(j = ordered_json::parse(out)) << out;
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["entities"][0]["text"], "Ishaq Dar");
  EXPECT_EQ(j[0]["entities"][1]["start"], 19);
  EXPECT_EQ(j[1]["error"], "boom");
  // No records: an empty array.
  std::string none = write_all(o, {}, {});
  EXPECT_EQ(ordered_json::parse(none), ordered_json::array());
}

TEST(Writer, JsonArrayWithInvalidUtf8) {
  nerx::WriterOptions o;
  o.format = nerx::OutputFormat::Json;
  nerx::Document d;
  d.text = "Bad\xFFName";
  d.fields["path"] = std::string("x\xFF.txt");
  std::string out;
  ASSERT_NO_THROW(out = write_all(o, {d}, {{ent(0, 8, nerx::EntityType::Person)}}));
  EXPECT_NO_THROW(ordered_json::parse(out)) << out;
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < s.size()) {
    std::size_t nl = s.find('\n', at);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(at, nl - at));
    at = nl + 1;
  }
  return out;
}

TEST(Writer, TsvFormat) {
  nerx::WriterOptions o;
  o.format = nerx::OutputFormat::Tsv;
  nerx::Document lines_doc;
  lines_doc.text = "Kabul\tand Dar";
  lines_doc.fields["id"] = 3;
  lines_doc.fields["path"] = "f.txt";
  lines_doc.fields["line"] = 7;
  nerx::Document json_doc;
  json_doc.text = "A\tB";
  json_doc.fields["id"] = "doc-1";
  std::string out =
      write_all(o, {sample_doc(), lines_doc, json_doc},
                {sample_entities(),
                 {ent(0, 5, nerx::EntityType::Location), ent(10, 13, nerx::EntityType::Person)},
                 {ent(0, 3, nerx::EntityType::Organization)}});
  EXPECT_EQ(lines_of(out), (std::vector<std::string>{
                               "document\tstart\tend\ttype\ttext",
                               "in.txt\t6\t15\tPERSON\tIshaq Dar",
                               "in.txt\t19\t21\tLOCATION\t\xE6\x9D\xB1\xE4\xBA\xAC",
                               "f.txt:7\t0\t5\tLOCATION\tKabul",
                               "f.txt:7\t10\t13\tPERSON\tDar",
                               "doc-1\t0\t3\tORGANIZATION\tA\\tB",
                           }));
}

TEST(Writer, TsvNumbersRecordsWithoutName) {
  nerx::WriterOptions o;
  o.format = nerx::OutputFormat::Tsv;
  nerx::Document a, b;
  a.text = "Herat";
  b.text = "Kabul";
  std::string out =
      write_all(o, {a, b},
                {{ent(0, 5, nerx::EntityType::Location)}, {ent(0, 5, nerx::EntityType::Location)}});
  EXPECT_EQ(lines_of(out),
            (std::vector<std::string>{"document\tstart\tend\ttype\ttext",
                                      "1\t0\t5\tLOCATION\tHerat", "2\t0\t5\tLOCATION\tKabul"}));
}

}  // namespace
