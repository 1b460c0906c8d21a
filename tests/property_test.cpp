// Property test over generated documents (issue 6): random Unicode, invalid
// bytes, NUL and control characters, names from the default model, JSON
// Lines records with random extra fields and bad lines among them. For text,
// lines and jsonl input, every offset unit and -j 1 and 3:
//   - every record in gives exactly one record out, in the same order;
//   - the echoed fields are the record's own fields (jsonl), or its id,
//     path and line;
//   - every entity's offsets slice its text out of the document;
//   - the output is byte for byte the same for -j 1 and -j 3, and across runs.
// The seed is fixed; NERX_PROPERTY_SEED=N tries another one.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "nerx/default_model.hpp"
#include "nerx/pipeline.hpp"
#include "test_util.hpp"

namespace {

using nerx_test::TempDir;
using nlohmann::ordered_json;

const nerx::Extractor& extractor() {
  static const nerx::Extractor ex({nerx::Model::view(nerx::default_model_image(), "default")});
  return ex;
}

// ---------------------------------------------------------------- UTF-8, independently

// Length of the well-formed UTF-8 sequence at s[i] (Unicode table 3-7), or 0.
std::size_t sequence_length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) -> unsigned { return static_cast<unsigned char>(s[k]); };
  unsigned b = byte(i);
  auto trail = [&](std::size_t k, unsigned lo, unsigned hi) {
    return k < s.size() && byte(k) >= lo && byte(k) <= hi;
  };
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) return trail(i + 1, 0x80, 0xBF) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    unsigned lo = b == 0xE0 ? 0xA0 : 0x80, hi = b == 0xED ? 0x9F : 0xBF;
    return trail(i + 1, lo, hi) && trail(i + 2, 0x80, 0xBF) ? 3 : 0;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    unsigned lo = b == 0xF0 ? 0x90 : 0x80, hi = b == 0xF4 ? 0x8F : 0xBF;
    return trail(i + 1, lo, hi) && trail(i + 2, 0x80, 0xBF) && trail(i + 3, 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

// Byte offset of `units` units into `text`: code points, bytes or UTF-16
// units, each byte that is not UTF-8 being one unit; npos if it falls
// inside a character.
std::size_t byte_at(std::string_view text, std::size_t units, nerx::OffsetUnit unit) {
  if (unit == nerx::OffsetUnit::Byte) return units <= text.size() ? units : std::string::npos;
  std::size_t i = 0, counted = 0;
  while (counted < units && i < text.size()) {
    std::size_t n = sequence_length(text, i);
    counted += (unit == nerx::OffsetUnit::Utf16 && n == 4) ? 2 : 1;
    i += n ? n : 1;
  }
  return counted == units ? i : std::string::npos;
}

// `s` with every byte that is not UTF-8 replaced by U+FFFD, as entity texts are.
std::string sanitized(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = sequence_length(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

void append_utf8(std::uint32_t c, std::string& out) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// ---------------------------------------------------------------- generating

class Generator {
 public:
  explicit Generator(std::uint32_t seed) : rng_(seed) {
    // Names of people, places and organisations from the default model.
    const nerx::Gazetteer& g = model_->gazetteer();
    for (std::uint32_t i = 0; i < g.entry_count() && names_.size() < 5000; i += 97) {
      std::string_view cls = g.label(g.entry(i).class_label);
      if (cls == "PERSON" || cls == "LOCATION" || cls == "ORGANIZATION")
        names_.emplace_back(g.string_at(g.entry(i).name));
    }
    for (const char* n :
         {"Ishaq Dar", "Kabul", "Angela Merkel", "Paris", "Pakistan", "Taliban", "Islamabad",
          "Tehrik e Taliban Pakistan (TTP)", "TTP", "Foreign Minister"})
      names_.emplace_back(n);
  }

  std::size_t below(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  // A document: names, words, punctuation, random characters from many
  // scripts, and (unless `valid`) bytes that are not UTF-8.
  std::string document(bool valid, bool newlines) {
    static const char* const words[] = {"the",    "visited", "said",      "and", "in",
                                        "of",     "met",     "President", "Mr.", "on",
                                        "Monday", "2024",    "'s"};
    static const char* const punct[] = {",", ".", " (", ") ", ":", ";", "\"", "-", "!", "?"};
    std::string out;
    std::size_t pieces = below(40);
    for (std::size_t p = 0; p < pieces; ++p) {
      switch (below(10)) {
        case 0:
        case 1:
        case 2:
          out += names_[below(names_.size())];
          break;
        case 3:
        case 4:
          out += words[below(std::size(words))];
          break;
        case 5:
          out += punct[below(std::size(punct))];
          break;
        case 6:
        case 7:
          for (std::size_t k = below(6) + 1; k > 0; --k) append_utf8(random_char(newlines), out);
          break;
        case 8:
          if (!valid) {
            out += invalid_bytes();
            break;
          }
          [[fallthrough]];
        default:
          out += chance(0.1) && newlines ? "\n" : " ";
      }
      out += chance(0.8) ? " " : "";
    }
    return out;
  }

  // A random JSON value, nested at most `depth` deep.
  ordered_json value(int depth) {
    switch (below(depth > 0 ? 8 : 6)) {
      case 0:
        return nullptr;
      case 1:
        return chance(0.5);
      case 2:
        return static_cast<std::int64_t>(below(2000000)) - 1000000;
      case 3:
        return static_cast<double>(static_cast<std::int64_t>(below(4000)) - 2000) / 8.0;
      case 4:
      case 5: {
        std::string str;
        for (std::size_t k = below(12); k > 0; --k) append_utf8(random_char(true), str);
        return str;
      }
      case 6: {
        ordered_json a = ordered_json::array();
        for (std::size_t k = below(4); k > 0; --k) a.push_back(value(depth - 1));
        return a;
      }
      default: {
        ordered_json o = ordered_json::object();
        for (std::size_t k = below(4); k > 0; --k)
          o["k" + std::to_string(below(100))] = value(depth - 1);
        return o;
      }
    }
  }

 private:
  std::uint32_t random_char(bool newlines) {
    static const std::uint32_t specials[] = {
        0x00,    0x09,    0x0D,   0x0B,   0x0C,   0x1F,   0x7F,    0x85,    0xA0,     0xAD,
        0x200B,  0x200C,  0x200D, 0x2028, 0x2029, 0x202E, 0xFEFF,  0xFFFD,  0x1F600,  0x1F3FD,
        0x1F469, 0x1F4BB, 0xFE0F, 0x301,  0x316,  0x308,  0x1F1F5, 0x1F1F0, 0x10FFFF, 0xE0067};
    switch (below(8)) {
      case 0:
        return specials[below(std::size(specials))];
      case 1:
        return static_cast<std::uint32_t>(0x20 + below(0x5F));  // ASCII
      case 2:
        return static_cast<std::uint32_t>(0xC0 + below(0x180));  // Latin
      case 3:
        return static_cast<std::uint32_t>(0x600 + below(0x100));  // Arabic
      case 4:
        return static_cast<std::uint32_t>(0x5D0 + below(0x1B));  // Hebrew
      case 5:
        return static_cast<std::uint32_t>(0x4E00 + below(0x5000));  // CJK
      case 6:
        return static_cast<std::uint32_t>(0x900 + below(0x80));  // Devanagari
      default: {
        std::uint32_t c = static_cast<std::uint32_t>(below(0x10FFFF));
        if (c >= 0xD800 && c <= 0xDFFF) c = 0x41;  // no surrogates
        if (!newlines && (c == '\n')) c = ' ';
        return c;
      }
    }
  }

  std::string invalid_bytes() {
    static const char* const bad[] = {"\x80",
                                      "\xFF",
                                      "\xFE",
                                      "\xC0\xAF",
                                      "\xE0\x80\xAF",
                                      "\xED\xA0\x80",
                                      "\xF4\x90\x80\x80",
                                      "\xE2\x82",
                                      "\xF0\x9F\x98",
                                      "\xC3",
                                      "\xF8\x88\x80\x80\x80"};
    return bad[below(std::size(bad))];
  }

  std::mt19937 rng_;
  std::shared_ptr<const nerx::Model> model_ =
      nerx::Model::view(nerx::default_model_image(), "default");
  std::vector<std::string> names_;
};

// ---------------------------------------------------------------- running and checking

std::string run(const std::vector<std::string>& paths, nerx::ReaderOptions reader_options,
                nerx::OffsetUnit unit, int jobs) {
  nerx::DocumentReader reader(paths, reader_options);
  nerx::WriterOptions writer_options;
  writer_options.offsets = unit;
  auto writer = nerx::make_writer(writer_options);
  std::string out;
  auto sink = [&](std::string_view data, bool) {
    out.append(data);
    return true;
  };
  nerx::PipelineOptions options;
  options.jobs = jobs;
  options.batch_documents = 7;
  nerx::run_pipeline(
      reader, extractor(), *writer, sink, [](const std::string&) {}, options);
  return out;
}

std::vector<ordered_json> parse_lines(const std::string& out) {
  std::vector<ordered_json> records;
  std::size_t at = 0;
  while (at < out.size()) {
    std::size_t nl = out.find('\n', at);
    if (nl == std::string::npos) {
      ADD_FAILURE() << "output does not end with a newline";
      break;
    }
    records.push_back(ordered_json::parse(out.substr(at, nl - at)));
    at = nl + 1;
  }
  return records;
}

const char* unit_name(nerx::OffsetUnit u) {
  return u == nerx::OffsetUnit::Byte    ? "byte"
         : u == nerx::OffsetUnit::Utf16 ? "utf16"
                                        : "codepoint";
}

std::size_t g_entities_checked = 0;

// Every entity of `record` slices its text out of `text`.
void check_entities(const ordered_json& record, const std::string& text, nerx::OffsetUnit unit,
                    const std::string& where) {
  ASSERT_TRUE(record.contains("entities")) << where << ": " << record.dump();
  std::size_t last_end = 0;
  for (const auto& e : record["entities"]) {
    std::size_t start = e["start"].get<std::size_t>(), end = e["end"].get<std::size_t>();
    ASSERT_LT(start, end) << where;
    std::size_t b = byte_at(text, start, unit), f = byte_at(text, end, unit);
    ASSERT_NE(b, std::string::npos) << where << " start " << start << " " << unit_name(unit);
    ASSERT_NE(f, std::string::npos) << where << " end " << end << " " << unit_name(unit);
    ASSERT_GE(b, last_end) << where << ": entities overlap or are out of order";
    last_end = f;
    ++g_entities_checked;
    EXPECT_EQ(sanitized(std::string_view(text).substr(b, f - b)), e["text"].get<std::string>())
        << where << " [" << start << "," << end << ") " << unit_name(unit);
  }
}

std::uint32_t seed() {
  const char* s = std::getenv("NERX_PROPERTY_SEED");
  return s ? static_cast<std::uint32_t>(std::strtoul(s, nullptr, 10)) : 20240606u;
}

constexpr nerx::OffsetUnit kUnits[] = {nerx::OffsetUnit::Codepoint, nerx::OffsetUnit::Byte,
                                       nerx::OffsetUnit::Utf16};

// Runs every unit with -j 1 and -j 3 (and -j 1 again) and checks each
// output with `check`.
template <class Check>
void for_every_run(const std::vector<std::string>& paths, const nerx::ReaderOptions& options,
                   Check check) {
  for (nerx::OffsetUnit unit : kUnits) {
    SCOPED_TRACE(unit_name(unit));
    std::string one = run(paths, options, unit, 1);
    std::string three = run(paths, options, unit, 3);
    EXPECT_EQ(one, three) << "-j 3 output differs from -j 1";
    EXPECT_EQ(one, run(paths, options, unit, 1)) << "two runs differ";
    std::size_t before = g_entities_checked;
    check(parse_lines(one), unit);
    EXPECT_GT(g_entities_checked - before, 200u) << "too few entities to prove anything";
  }
}

TEST(Property, TextFiles) {
  Generator gen(seed());
  TempDir dir;
  std::vector<std::string> paths, texts;
  for (int i = 0; i < 300; ++i) {
    std::string path = dir / ("doc" + std::to_string(1000 + i) + ".txt");
    if (gen.chance(0.03)) {
      paths.push_back(path);  // missing
      texts.push_back("<missing>");
      continue;
    }
    std::string text = gen.document(gen.chance(0.7), true);
    paths.push_back(dir.write("doc" + std::to_string(1000 + i) + ".txt", text));
    texts.push_back(text);
  }
  for_every_run(paths, {}, [&](const std::vector<ordered_json>& records, nerx::OffsetUnit unit) {
    ASSERT_EQ(records.size(), paths.size()) << "one record per file";
    for (std::size_t i = 0; i < records.size(); ++i) {
      const auto& r = records[i];
      std::string where = paths[i];
      EXPECT_EQ(r["id"], i + 1) << where;
      EXPECT_EQ(r["path"], paths[i]) << where;
      if (texts[i] == "<missing>") {
        EXPECT_TRUE(r.contains("error")) << where;
      } else if (texts[i].substr(0, 65536).find('\0') != std::string::npos) {
        EXPECT_TRUE(r.contains("skipped")) << where << ": a NUL byte makes it binary";
        EXPECT_EQ(r["entities"], ordered_json::array());
      } else {
        EXPECT_FALSE(r.contains("skipped")) << where;
        check_entities(r, texts[i], unit, where);
      }
    }
  });
}

TEST(Property, Lines) {
  Generator gen(seed() + 1);
  TempDir dir;
  std::vector<std::string> lines;
  std::string file;
  for (int i = 0; i < 400; ++i) {
    lines.push_back(gen.document(gen.chance(0.7), false));
    file += lines.back();
    file += gen.chance(0.2) ? "\r\n" : "\n";
  }
  std::string path = dir.write("lines.txt", file);
  nerx::ReaderOptions options;
  options.mode = nerx::InputMode::Lines;
  options.binary = nerx::BinaryFiles::Text;  // NUL bytes are in the generated text
  for_every_run({path}, options,
                [&](const std::vector<ordered_json>& records, nerx::OffsetUnit unit) {
                  ASSERT_EQ(records.size(), lines.size()) << "one record per line";
                  for (std::size_t i = 0; i < records.size(); ++i) {
                    std::string text = lines[i];
                    if (!text.empty() && text.back() == '\r') text.pop_back();  // as "\r\n"
                    EXPECT_EQ(records[i]["line"], i + 1);
                    EXPECT_EQ(records[i]["id"], i + 1);
                    check_entities(records[i], text, unit, "line " + std::to_string(i + 1));
                  }
                });
}

TEST(Property, JsonLinesWithRandomFields) {
  Generator gen(seed() + 2);
  TempDir dir;
  struct Line {
    std::string text;
    ordered_json fields;  // the record without its text; null: a bad line
  };
  std::vector<Line> lines;
  std::string file;
  static const char* const bad[] = {"{",
                                    "[1,2]",
                                    "{\"text\":5}",
                                    "not json",
                                    "",
                                    "{\"body\":\"x\"}",
                                    "{\"text\":\"a\"} x",
                                    "\"text\"",
                                    "{\"text\":\"\\ud800\"}"};
  for (int i = 0; i < 300; ++i) {
    if (gen.chance(0.05)) {
      file += bad[gen.below(std::size(bad))];
      lines.push_back({"", nullptr});
    } else {
      std::string text = gen.document(true, true);
      ordered_json record = ordered_json::object(), fields = ordered_json::object();
      std::size_t n = gen.below(5), text_at = gen.below(n + 1);
      for (std::size_t k = 0; k <= n; ++k) {
        if (k == text_at) {
          record["text"] = text;
        } else {
          std::string key = "f" + std::to_string(k);
          record[key] = fields[key] = gen.value(3);
        }
      }
      file += record.dump();
      lines.push_back({text, fields});
    }
    file += "\n";
  }
  std::string path = dir.write("records.jsonl", file);
  nerx::ReaderOptions options;
  options.mode = nerx::InputMode::Jsonl;
  for_every_run(
      {path}, options, [&](const std::vector<ordered_json>& records, nerx::OffsetUnit unit) {
        ASSERT_EQ(records.size(), lines.size()) << "one record per line";
        for (std::size_t i = 0; i < records.size(); ++i) {
          std::string where = "line " + std::to_string(i + 1);
          ordered_json r = records[i];
          if (lines[i].fields.is_null()) {
            EXPECT_TRUE(r.contains("error")) << where;
            EXPECT_EQ(r["line"], i + 1) << where;
            continue;
          }
          check_entities(r, lines[i].text, unit, where);
          r.erase("entities");
          EXPECT_EQ(r.dump(), lines[i].fields.dump()) << where << ": echoed fields differ";
        }
      });
}

}  // namespace
