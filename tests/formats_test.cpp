// Output formats beyond JSON: tsv escaping and columns, conll (tokens, IOB2
// tags, sentences, read back by nerx eval's reader), html (highlighting,
// escaping of hostile input, summary), sentence breaks.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "nerx/default_model.hpp"
#include "nerx/eval.hpp"
#include "nerx/extractor.hpp"
#include "nerx/model.hpp"
#include "nerx/tokenizer.hpp"
#include "nerx/writer.hpp"

namespace {

using nerx::EntityType;

nerx::Entity ent(std::size_t begin, std::size_t end, EntityType type) {
  nerx::Entity e;
  e.begin = begin;
  e.end = end;
  e.type = type;
  return e;
}

// An entity over the first occurrence of `name` in `text`.
nerx::Entity ent(const std::string& text, const std::string& name, EntityType type) {
  std::size_t at = text.find(name);
  EXPECT_NE(at, std::string::npos) << name;
  return ent(at, at + name.size(), type);
}

std::string write_all(nerx::OutputFormat format, const std::vector<nerx::Document>& docs,
                      const std::vector<std::vector<nerx::Entity>>& entities,
                      nerx::WriterOptions options = {}) {
  options.format = format;
  auto w = nerx::make_writer(options);
  std::string out;
  w->begin(out);
  for (std::size_t i = 0; i < docs.size(); ++i) w->write(docs[i], entities[i], out);
  w->end(out);
  return out;
}

nerx::Document doc(std::string text, std::string path = "") {
  nerx::Document d;
  d.text = std::move(text);
  if (!path.empty()) d.fields["path"] = path;
  return d;
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

bool valid_utf8(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    i += n;
  }
  return true;
}

std::size_t count(const std::string& s, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1)) ++n;
  return n;
}

TEST(Formats, ParseNames) {
  nerx::OutputFormat f = nerx::OutputFormat::Jsonl;
  EXPECT_TRUE(nerx::parse_output_format("conll", f));
  EXPECT_EQ(f, nerx::OutputFormat::Conll);
  EXPECT_TRUE(nerx::parse_output_format("html", f));
  EXPECT_EQ(f, nerx::OutputFormat::Html);
  EXPECT_FALSE(nerx::parse_output_format("HTML", f));
  EXPECT_FALSE(nerx::parse_output_format("", f));
}

// ------------------------------------------------------------------- tsv

TEST(Tsv, EscapesAndReplacesInvalidBytes) {
  std::string text = "Back\\slash Na\xFFme\r\nNext";
  auto d = doc(text, "dir\twith\ttabs\n.txt");
  std::string out =
      write_all(nerx::OutputFormat::Tsv, {d},
                {{ent(0, 10, EntityType::Organization), ent(11, 22, EntityType::Person)}});
  EXPECT_TRUE(valid_utf8(out));
  auto rows = lines_of(out);
  ASSERT_EQ(rows.size(), 3u) << out;
  EXPECT_EQ(rows[1], "dir\\twith\\ttabs\\n.txt\t0\t10\tORGANIZATION\tBack\\\\slash");
  EXPECT_EQ(rows[2], "dir\\twith\\ttabs\\n.txt\t11\t22\tPERSON\tNa\xEF\xBF\xBDme\\r\\nNext");
}

TEST(Tsv, CanonicalAndExplainAddColumns) {
  auto d = doc("Kabul", "a.txt");
  nerx::Entity e = ent(0, 5, EntityType::Location);
  e.canonical = "Kabul";
  e.id = "geonames:1138958";
  e.rule = "list_city";
  e.list = "cities";
  nerx::WriterOptions o;
  o.canonical = true;
  o.explain = true;
  auto rows = lines_of(write_all(nerx::OutputFormat::Tsv, {d}, {{e}}, o));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], "document\tstart\tend\ttype\ttext\tcanonical\tref\trule\tlist");
  EXPECT_EQ(rows[1], "a.txt\t0\t5\tLOCATION\tKabul\tKabul\tgeonames:1138958\tlist_city\tcities");
  o.explain = false;
  rows = lines_of(write_all(nerx::OutputFormat::Tsv, {d}, {{e}}, o));
  EXPECT_EQ(rows[0], "document\tstart\tend\ttype\ttext\tcanonical\tref");
}

TEST(Tsv, ErrorRecordsWriteNoRows) {
  auto d = doc("", "missing.txt");
  d.error = "missing.txt: cannot read";
  EXPECT_EQ(write_all(nerx::OutputFormat::Tsv, {d}, {{}}), "document\tstart\tend\ttype\ttext\n");
}

// ----------------------------------------------------------------- conll

TEST(Conll, TokensTagsSentencesDocuments) {
  std::string t1 = "Foreign Minister Ishaq Dar visited Kabul. Pakistan's Taliban met.";
  std::string t2 = "Amir Khan Muttaqi flew to Islamabad";
  std::string out = write_all(
      nerx::OutputFormat::Conll, {doc(t1), doc(t2)},
      {{ent(t1, "Ishaq Dar", EntityType::Person), ent(t1, "Kabul", EntityType::Location),
        ent(t1, "Pakistan", EntityType::Location), ent(t1, "Taliban", EntityType::Organization)},
       {ent(t2, "Amir Khan Muttaqi", EntityType::Person),
        ent(t2, "Islamabad", EntityType::Location)}});
  EXPECT_EQ(out,
            "-DOCSTART-\tO\n\n"
            "Foreign\tO\nMinister\tO\nIshaq\tB-PER\nDar\tI-PER\nvisited\tO\nKabul\tB-LOC\n.\tO\n\n"
            "Pakistan\tB-LOC\n's\tO\nTaliban\tB-ORG\nmet\tO\n.\tO\n\n"
            "-DOCSTART-\tO\n\n"
            "Amir\tB-PER\nKhan\tI-PER\nMuttaqi\tI-PER\nflew\tO\nto\tO\nIslamabad\tB-LOC\n\n");
}

TEST(Conll, AdjacentEntitiesOfOneTypeStartAnew) {
  std::string t = "Kabul Herat";
  std::string out =
      write_all(nerx::OutputFormat::Conll, {doc(t)},
                {{ent(0, 5, EntityType::Location), ent(6, 11, EntityType::Location)}});
  EXPECT_EQ(out, "-DOCSTART-\tO\n\nKabul\tB-LOC\nHerat\tB-LOC\n\n");
}

TEST(Conll, EntityBoundaryInsideAToken) {
  // Covers the start of "Kabul" (tagged) and starts inside "Herat" (not).
  std::string t = "Kabul Herat Ghazni";
  std::string out = write_all(nerx::OutputFormat::Conll, {doc(t)},
                              {{ent(0, 3, EntityType::Location), ent(7, 11, EntityType::Location),
                                ent(14, 18, EntityType::Location)}});
  EXPECT_EQ(out, "-DOCSTART-\tO\n\nKabul\tB-LOC\nHerat\tO\nGhazni\tO\n\n");
  // An entity ending inside a token still tags it; the next token is outside.
  out = write_all(nerx::OutputFormat::Conll, {doc(t)}, {{ent(0, 8, EntityType::Location)}});
  EXPECT_EQ(out, "-DOCSTART-\tO\n\nKabul\tB-LOC\nHerat\tI-LOC\nGhazni\tO\n\n");
}

TEST(Conll, LineBreaksEndSentencesButNotEntities) {
  std::string t = "Dar spoke\n\nin New\nYork today\nThen left";
  std::string out =
      write_all(nerx::OutputFormat::Conll, {doc(t)},
                {{ent(0, 3, EntityType::Person), ent(t, "New\nYork", EntityType::Location)}});
  EXPECT_EQ(out,
            "-DOCSTART-\tO\n\n"
            "Dar\tB-PER\nspoke\tO\n\n"
            "in\tO\nNew\tB-LOC\nYork\tI-LOC\ntoday\tO\n\n"
            "Then\tO\nleft\tO\n\n");
}

TEST(Conll, NoWhitespaceTokensAndValidUtf8) {
  // A zero-width space alone, tabs, an invalid byte.
  std::string t = "Kabul \xE2\x80\x8B\tHerat \xFF end";
  std::string out =
      write_all(nerx::OutputFormat::Conll, {doc(t)}, {{ent(0, 5, EntityType::Location)}});
  EXPECT_TRUE(valid_utf8(out));
  EXPECT_EQ(out, "-DOCSTART-\tO\n\nKabul\tB-LOC\nHerat\tO\n\xEF\xBF\xBD\tO\nend\tO\n\n");
  for (const auto& line : lines_of(out)) {
    if (line.empty()) continue;
    auto tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    EXPECT_EQ(line.find('\t', tab + 1), std::string::npos) << line;
    EXPECT_EQ(line.find(' '), std::string::npos) << line;
  }
}

TEST(Conll, ErrorAndEmptyRecordsKeepTheirPlace) {
  auto bad = doc("", "missing.txt");
  bad.error = "missing.txt: cannot read";
  std::string out = write_all(nerx::OutputFormat::Conll, {bad, doc(""), doc("Kabul")},
                              {{}, {}, {ent(0, 5, EntityType::Location)}});
  EXPECT_EQ(out, "-DOCSTART-\tO\n\n-DOCSTART-\tO\n\n-DOCSTART-\tO\n\nKabul\tB-LOC\n\n");
}

// Entities as their token sequences: what survives a trip through CoNLL.
std::vector<std::pair<std::string, std::string>> token_entities(
    const std::string& text, const std::vector<nerx::Entity>& entities) {
  nerx::TokenizedText tokens;
  nerx::tokenize(text, tokens);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : entities) {
    std::string joined;
    for (const auto& t : tokens.tokens) {
      if (t.begin < e.begin || t.begin >= e.end) continue;
      if (!joined.empty()) joined += ' ';
      joined += tokens.token_text(t);
    }
    if (!joined.empty()) out.emplace_back(std::string(nerx::to_string(e.type)), joined);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> read_back(const std::string& conll,
                                                           std::size_t expect_docs,
                                                           std::size_t doc) {
  std::istringstream in(conll);
  auto docs = nerx::read_conll(in, "out.conll");
  EXPECT_EQ(docs.size(), expect_docs);
  std::vector<std::pair<std::string, std::string>> out;
  if (doc >= docs.size()) return out;
  for (const auto& e : docs[doc].entities)
    out.emplace_back(std::string(nerx::to_string(e.type)),
                     docs[doc].text.substr(e.begin, e.end - e.begin));
  return out;
}

TEST(Conll, RoundTripThroughEvalReader) {
  std::string t =
      "The Tehrik-e-Taliban Pakistan (TTP) attacked. \"We will go,\" said Ishaq Dar.\n"
      "Mr. Dar met U.S. officials in Washington! Did the European Union agree?";
  std::vector<nerx::Entity> es = {ent(t, "Tehrik-e-Taliban Pakistan", EntityType::Organization),
                                  ent(t, "TTP", EntityType::Organization),
                                  ent(t, "Ishaq Dar", EntityType::Person),
                                  ent(t, "Dar met", EntityType::Person),
                                  ent(t, "U.S.", EntityType::Location),
                                  ent(t, "Washington", EntityType::Location),
                                  ent(t, "European Union", EntityType::Organization)};
  es[3].end -= 4;  // "Dar"
  std::string out = write_all(nerx::OutputFormat::Conll, {doc(t)}, {es});
  EXPECT_EQ(read_back(out, 1, 0), token_entities(t, es)) << out;
  // Sentences: the quote opens the second one; "Mr." and "U.S." end none.
  std::istringstream in(out);
  auto docs = nerx::read_conll(in, "out.conll");
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(lines_of(docs[0].text), (std::vector<std::string>{
                                        "The Tehrik - e - Taliban Pakistan ( TTP ) attacked .",
                                        "\" We will go , \" said Ishaq Dar .",
                                        "Mr. Dar met U.S. officials in Washington !",
                                        "Did the European Union agree ?",
                                    }));
}

TEST(Conll, RoundTripOfTheExtractorOnTheExample) {
  std::ifstream in(std::string(NERX_SOURCE_DIR) + "/examples/news.txt", std::ios::binary);
  ASSERT_TRUE(in);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  nerx::Extractor extractor({nerx::Model::view(nerx::default_model_image(), "default")});
  auto entities = extractor.extract(text);
  ASSERT_GT(entities.size(), 10u);
  std::string out = write_all(nerx::OutputFormat::Conll, {doc("Kabul"), doc(text)},
                              {{ent(0, 5, EntityType::Location)}, entities});
  auto expected = token_entities(text, entities);
  EXPECT_EQ(expected.size(), entities.size());
  EXPECT_EQ(read_back(out, 2, 1), expected);
}

TEST(SentenceBreaks, AtTokenizerSentenceStartsAndLineBreaks) {
  auto starts = [](const std::string& text) {
    nerx::TokenizedText tokens;
    nerx::tokenize(text, tokens);
    std::vector<std::string> out;
    for (std::size_t i : nerx::sentence_breaks(tokens))
      out.emplace_back(tokens.token_text(tokens.tokens[i]));
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(starts("Dar left. Kabul waited."), V{"Kabul"});
  EXPECT_EQ(starts("Dar left.\" Kabul waited."), V{"Kabul"});
  EXPECT_EQ(starts("Dar left. (Kabul waited.) Then"), (V{"(", "Then"}));
  EXPECT_EQ(starts("Dar left. \"Kabul waited.\""), V{"\""});
  EXPECT_EQ(starts("Mr. Dar met Gen. Khan in the U.S. on Monday"), V{});
  // "***" alone is no sentence: it opens the next one.
  EXPECT_EQ(starts("one\ntwo\n\n- three\n***\nfour"), (V{"two", "-", "***"}));
  EXPECT_EQ(starts("... Dar! Kabul? Yes"), (V{"Kabul", "Yes"}));
  EXPECT_EQ(starts(""), V{});
}

// ------------------------------------------------------------------ html

TEST(Html, EscapeEverything) {
  std::string out;
  nerx::append_html_escaped("<script>alert(1)</script> & \"'>", out);
  EXPECT_EQ(out, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;&#39;&gt;");
  out.clear();
  nerx::append_html_escaped(std::string("a\0b\x01\tc\nd\xFF\xC3 \xC2\x85 caf\xC3\xA9", 19), out);
  EXPECT_EQ(out,
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD\tc\nd\xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD caf\xC3\xA9");
}

TEST(Html, PageWithHighlightsLegendAndCounts) {
  std::string t1 = "Foreign Minister Ishaq Dar visited Kabul.";
  std::string t2 = "Pakistan and the Taliban & Kabul";
  auto d1 = doc(t1, "news/a.txt");
  d1.fields["id"] = 1;
  nerx::Document d2 = doc(t2);
  d2.fields["id"] = "rec-7";
  nerx::Document bad = doc("", "missing.txt");
  bad.error = "missing.txt: cannot read: No such file or directory";
  std::string out = write_all(
      nerx::OutputFormat::Html, {d1, d2, bad},
      {{ent(t1, "Ishaq Dar", EntityType::Person), ent(t1, "Kabul", EntityType::Location)},
       {ent(t2, "Pakistan", EntityType::Location), ent(t2, "Taliban", EntityType::Organization),
        ent(t2, "Kabul", EntityType::Location)},
       {}});
  EXPECT_EQ(out.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(out.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 8), "</html>\n");
  EXPECT_EQ(out.find("<script"), std::string::npos);
  EXPECT_EQ(out.find("http://"), std::string::npos) << "no external assets";
  EXPECT_EQ(out.find("https://"), std::string::npos) << "no external assets";
  EXPECT_NE(out.find("Foreign Minister <mark class=\"e e-PERSON\" data-type=\"PERSON\" "
                     "data-start=\"17\" data-end=\"26\" title=\"PERSON\">Ishaq Dar</mark> visited"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("the <mark class=\"e e-ORGANIZATION\""), std::string::npos);
  EXPECT_NE(out.find(">Taliban</mark> &amp; <mark"), std::string::npos);
  EXPECT_EQ(count(out, "<mark "), 5u);
  EXPECT_EQ(count(out, "<article "), 3u);
  EXPECT_NE(out.find("<h2>news/a.txt<span class=\"meta\">2 entities</span></h2>"),
            std::string::npos);
  EXPECT_NE(out.find("<h2>rec-7<span class=\"meta\">3 entities</span></h2>"), std::string::npos);
  EXPECT_NE(out.find("<p class=\"error\">missing.txt: cannot read: No such file or directory</p>"),
            std::string::npos);
  // The summary: documents, entities, failures, then per type entities and documents.
  EXPECT_NE(out.find("<h2>3 documents, 5 entities, 1 not read</h2>"), std::string::npos) << out;
  EXPECT_NE(out.find("PERSON</span></td><td class=\"n\">1</td><td class=\"n\">1</td>"),
            std::string::npos);
  EXPECT_NE(out.find("LOCATION</span></td><td class=\"n\">3</td><td class=\"n\">2</td>"),
            std::string::npos);
  EXPECT_NE(out.find("ORGANIZATION</span></td><td class=\"n\">1</td><td class=\"n\">1</td>"),
            std::string::npos);
  EXPECT_LT(out.find("</main>"), out.find("<footer"));
}

TEST(Html, HostileInputCannotInjectMarkup) {
  std::string t =
      "<script>alert(1)</script> \"><img src=x onerror=alert(2)> Kabul' onmouseover='x "
      "</textarea></style><!-- \xFF";
  auto d = doc(t, "\"><script>alert(3)</script>.txt");
  d.fields["line"] = 2;
  nerx::Entity e = ent(t, "Kabul' onmouseover", EntityType::Location);
  e.subtype = "\"><script>alert(4)</script>";
  nerx::Document bad = doc("", "<b>x</b>");
  bad.error = "<img src=x onerror=alert(5)>";
  std::string out =
      write_all(nerx::OutputFormat::Html, {d, bad}, {{ent(0, 8, EntityType::Person), e}, {}});
  EXPECT_TRUE(valid_utf8(out));
  EXPECT_EQ(out.find("<script"), std::string::npos) << out;
  EXPECT_EQ(out.find("<img"), std::string::npos);
  EXPECT_EQ(out.find("<b>"), std::string::npos);
  EXPECT_EQ(out.find("<!--"), std::string::npos);
  EXPECT_EQ(out.find("</textarea"), std::string::npos);
  EXPECT_EQ(out.find("' onmouseover"), std::string::npos);
  EXPECT_NE(out.find("\">&lt;script&gt;</mark>alert(1)&lt;/script&gt; &quot;&gt;&lt;img"),
            std::string::npos);
  EXPECT_NE(out.find("title=\"LOCATION, &quot;&gt;&lt;script&gt;alert(4)&lt;/script&gt;\""),
            std::string::npos)
      << out;
  // Every '<' in the page is one of ours.
  for (std::size_t at = out.find('<'); at != std::string::npos; at = out.find('<', at + 1)) {
    std::string tag = out.substr(at, out.find_first_of(" >", at) - at);
    static const std::vector<std::string> ours = {
        "<!DOCTYPE", "<html", "<head",   "<meta",  "<title",  "</title",  "<style", "</style",
        "</head",    "<body", "<header", "<h1",    "</h1",    "</header", "<main",  "<article",
        "<h2",       "<span", "</span",  "</h2",   "<div",    "</div",    "<mark",  "</mark",
        "</article", "<p",    "</p",     "</main", "<footer", "<table",   "<tr",    "<th",
        "</th",      "</tr",  "<td",     "</td",   "</table", "</footer", "</body", "</html"};
    EXPECT_NE(std::find(ours.begin(), ours.end(), tag), ours.end()) << tag;
  }
}

TEST(Html, OffsetsInTheRequestedUnitAndTooltips) {
  std::string t = "\xF0\x9F\x98\x80 Kabul";
  nerx::Entity e = ent(5, 10, EntityType::Location);
  e.subtype = "city";
  e.canonical = "Kabul";
  e.id = "geonames:1138958";
  e.rule = "list_city";
  e.list = "cities";
  nerx::WriterOptions o;
  o.offsets = nerx::OffsetUnit::Utf16;
  o.canonical = true;
  o.explain = true;
  std::string out = write_all(nerx::OutputFormat::Html, {doc(t)}, {{e}}, o);
  EXPECT_NE(out.find("data-start=\"3\" data-end=\"8\" title=\"LOCATION, city: Kabul "
                     "(geonames:1138958), rule list_city, list cities\">Kabul</mark>"),
            std::string::npos)
      << out;
}

TEST(Html, NoRecordsIsAPageToo) {
  std::string out = write_all(nerx::OutputFormat::Html, {}, {});
  EXPECT_EQ(out.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(out.find("<h2>0 documents, 0 entities</h2>"), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 8), "</html>\n");
}

}  // namespace
