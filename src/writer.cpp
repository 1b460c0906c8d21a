#include "nerx/writer.hpp"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <array>

namespace nerx {
namespace {

// Entities as JSON objects, comma-separated, with offsets converted once, in
// order, counted from `base_units` (the units of earlier parts). `first` says
// whether no entity of the record was written yet.
void append_entities(const Document& doc, const std::vector<Entity>& entities,
                     const WriterOptions& options, std::size_t base_units, bool& first,
                     std::string& out) {
  OffsetCounter offsets(doc.text, options.offsets, base_units);
  for (const Entity& e : entities) {
    if (!first) out += ',';
    first = false;
    out += "{\"text\":";
    append_json_string(std::string_view(doc.text).substr(e.begin, e.end - e.begin), out);
    out += ",\"type\":\"";
    out += to_string(e.type);
    out += "\",\"start\":";
    out += std::to_string(offsets.to_unit(e.begin));
    out += ",\"end\":";
    out += std::to_string(offsets.to_unit(e.end));
    if (options.subtype && !e.subtype.empty()) {
      out += ",\"subtype\":";
      append_json_string(e.subtype, out);
    }
    if (options.canonical) {
      if (!e.canonical.empty()) {
        out += ",\"canonical\":";
        append_json_string(e.canonical, out);
      }
      if (!e.id.empty()) {
        out += ",\"ref\":";
        append_json_string(e.id, out);
      }
    }
    if (options.explain) {
      out += ",\"rule\":";
      append_json_string(e.rule, out);
      if (!e.list.empty()) {
        out += ",\"list\":";
        append_json_string(e.list, out);
      }
    }
    out += '}';
  }
}

std::string dump_json(const nlohmann::ordered_json& j, int indent = -1) {
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// Where the parts of a long document stand: units before the current part.
class PartOffsets {
 public:
  std::size_t base(const Document& doc) const { return doc.part == 0 ? 0 : base_; }
  // Call after writing each part.
  void done(const Document& doc, OffsetUnit unit) {
    base_ = doc.last_part ? 0 : OffsetCounter(doc.text, unit, base(doc)).total();
  }

 private:
  std::size_t base_ = 0;
};

// Builds JSON records part by part: the record's own fields, then
// "entities" (or "error"). Whole documents are one part.
class RecordBuilder {
 public:
  explicit RecordBuilder(WriterOptions o) : options_(o) {}
  // Appends this part; returns true when the record is complete.
  bool append(const Document& doc, const std::vector<Entity>& entities, std::string& out) {
    if (doc.part == 0) {
      std::string fields = dump_json(doc.fields);  // "{...}"
      out.append(fields, 0, fields.size() - 1);
      if (fields.size() > 2) out += ',';
      if (!doc.error.empty()) {
        out += "\"error\":";
        append_json_string(doc.error, out);
        out += '}';
        return true;
      }
      out += "\"entities\":[";
      first_ = true;
    }
    if (!doc.error.empty()) {  // a later part could not be read
      out += "],\"error\":";
      append_json_string(doc.error, out);
      out += '}';
      return true;
    }
    append_entities(doc, entities, options_, parts_.base(doc), first_, out);
    parts_.done(doc, options_.offsets);
    if (!doc.last_part) return false;
    out += "]}";
    return true;
  }

 private:
  WriterOptions options_;
  PartOffsets parts_;
  bool first_ = true;
};

class JsonlWriter : public RecordWriter {
 public:
  explicit JsonlWriter(WriterOptions o) : record_(o) {}
  void write(const Document& doc, const std::vector<Entity>& entities, std::string& out) override {
    if (record_.append(doc, entities, out)) out += '\n';
  }

 private:
  RecordBuilder record_;
};

class JsonArrayWriter : public RecordWriter {
 public:
  explicit JsonArrayWriter(WriterOptions o) : record_(o) {}
  void begin(std::string& out) override { out += "["; }
  void write(const Document& doc, const std::vector<Entity>& entities, std::string& out) override {
    if (!record_.append(doc, entities, pending_)) return;  // a long document: more parts follow
    out += first_ ? "\n" : ",\n";
    first_ = false;
    // Re-indent through nlohmann for a readable document.
    out += dump_json(nlohmann::ordered_json::parse(pending_), 2);
    pending_.clear();
  }
  void end(std::string& out) override { out += first_ ? "]\n" : "\n]\n"; }

 private:
  RecordBuilder record_;
  std::string pending_;  // the record being built
  bool first_ = true;
};

// Calls f(code_point, bytes) for each code point of `s`; code_point is
// negative for a byte that is not part of valid UTF-8 (one call per byte).
template <typename F>
void each_code_point(std::string_view s, F&& f) {
  const char* p = s.data();
  const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(s.size());
  std::ptrdiff_t i = 0;
  while (i < n) {
    const std::ptrdiff_t start = i;
    UChar32 cp = static_cast<unsigned char>(p[i]);
    if (cp < 0x80) {
      ++i;
    } else {
      U8_NEXT(p, i, n, cp);
      if (cp < 0) i = start + 1;
    }
    f(cp, std::string_view(p + start, static_cast<std::size_t>(i - start)));
  }
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

void append_tsv_field(std::string_view s, std::string& out) {
  each_code_point(s, [&](UChar32 cp, std::string_view bytes) {
    switch (cp) {
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (cp < 0) {
          out += kReplacement;
        } else {
          out += bytes;
        }
    }
  });
}

// What to call a record in tsv rows and html headings: its path (with the
// line for lines and jsonl input), else its id, else its line number, else
// its number in the output.
std::string record_name(const Document& doc, std::size_t ordinal) {
  for (const char* key : {"path", "id", "line"}) {
    auto it = doc.fields.find(key);
    if (it == doc.fields.end()) continue;
    std::string name = it->is_string() ? it->get<std::string>() : dump_json(*it);
    if (key == std::string_view("path")) {
      auto line = doc.fields.find("line");
      if (line != doc.fields.end()) name.append(":").append(dump_json(*line));
    }
    if (!name.empty()) return name;
  }
  return std::to_string(ordinal);
}

std::string_view entity_text(const Document& doc, const Entity& e) {
  if (e.begin >= doc.text.size() || e.end <= e.begin) return {};
  return std::string_view(doc.text).substr(e.begin, e.end - e.begin);
}

class TsvWriter : public RecordWriter {
 public:
  explicit TsvWriter(WriterOptions o) : options_(o) {}
  void begin(std::string& out) override {
    out += "document\tstart\tend\ttype\ttext";
    if (options_.canonical) out += "\tcanonical\tref";
    if (options_.explain) out += "\trule\tlist";
    out += '\n';
  }
  void write(const Document& doc, const std::vector<Entity>& entities, std::string& out) override {
    if (doc.part == 0) ++count_;
    std::string name = record_name(doc, count_);
    OffsetCounter offsets(doc.text, options_.offsets, parts_.base(doc));
    parts_.done(doc, options_.offsets);
    for (const Entity& e : entities) {
      append_tsv_field(name, out);
      out.append("\t").append(std::to_string(offsets.to_unit(e.begin)));
      out.append("\t").append(std::to_string(offsets.to_unit(e.end))).append("\t");
      out += to_string(e.type);
      out += '\t';
      append_tsv_field(entity_text(doc, e), out);
      if (options_.canonical) {
        out += '\t';
        append_tsv_field(e.canonical, out);
        out += '\t';
        append_tsv_field(e.id, out);
      }
      if (options_.explain) {
        out += '\t';
        append_tsv_field(e.rule, out);
        out += '\t';
        append_tsv_field(e.list, out);
      }
      out += '\n';
    }
  }

 private:
  WriterOptions options_;
  PartOffsets parts_;
  std::size_t count_ = 0;
};

// ------------------------------------------------------------------ conll

std::string_view conll_type(EntityType type) {
  switch (type) {
    case EntityType::Person:
      return "PER";
    case EntityType::Location:
      return "LOC";
    case EntityType::Organization:
      return "ORG";
  }
  return "MISC";
}

bool is_punct(const Token& t) {
  return t.shape == Shape::Punct || t.shape == Shape::Symbol;
}

bool ends_sentence(const TokenizedText& text, const Token& t) {
  if (t.shape != Shape::Punct) return false;
  std::string_view s = text.token_text(t);
  if (s == "\xE2\x80\xA6") return true;  // …
  return s.find_first_not_of(".!?") == std::string_view::npos;
}

// A token with nothing visible in it (format characters such as U+200B).
bool is_blank(std::string_view token) {
  bool blank = true;
  each_code_point(token, [&](UChar32 cp, std::string_view) {
    if (cp < 0 || !(u_isUWhiteSpace(cp) || u_charType(cp) == U_FORMAT_CHAR || u_iscntrl(cp)))
      blank = false;
  });
  return blank;
}

class ConllWriter : public RecordWriter {
 public:
  void write(const Document& doc, const std::vector<Entity>& entities, std::string& out) override {
    if (doc.part == 0) out += "-DOCSTART-\tO\n\n";  // the later parts of a long text continue it
    if (!doc.error.empty() || doc.text.empty()) return;
    tokenize(doc.text, tokens_);
    const std::vector<Token>& tokens = tokens_.tokens;

    // The entity that covers each token's first byte, or none.
    constexpr std::size_t kNone = static_cast<std::size_t>(-1);
    owner_.assign(tokens.size(), kNone);
    std::size_t e = 0;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      while (e < entities.size() && entities[e].end <= tokens[i].begin) ++e;
      if (e < entities.size() && entities[e].begin <= tokens[i].begin) owner_[i] = e;
    }

    std::vector<std::size_t> breaks = sentence_breaks(tokens_);
    std::size_t next_break = 0;
    bool sentence_open = false;
    std::size_t previous = kNone;  // entity of the last token written in this sentence
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      if (next_break < breaks.size() && breaks[next_break] == i) {
        ++next_break;
        bool inside_entity = i > 0 && owner_[i] != kNone && owner_[i] == owner_[i - 1];
        if (!inside_entity && sentence_open) {
          out += '\n';
          sentence_open = false;
          previous = kNone;
        }
      }
      std::string_view token = tokens_.token_text(tokens[i]);
      if (is_blank(token)) continue;
      each_code_point(token, [&](UChar32 cp, std::string_view bytes) {
        if (cp < 0) {
          out += kReplacement;
        } else {
          out += bytes;
        }
      });
      out += '\t';
      if (owner_[i] == kNone) {
        out += 'O';
      } else {
        out += owner_[i] == previous ? "I-" : "B-";
        out += conll_type(entities[owner_[i]].type);
      }
      out += '\n';
      previous = owner_[i];
      sentence_open = true;
    }
    if (sentence_open) out += '\n';
  }

 private:
  TokenizedText tokens_;
  std::vector<std::size_t> owner_;
};

// ------------------------------------------------------------------- html

constexpr std::array<EntityType, 3> kTypes = {EntityType::Person, EntityType::Location,
                                              EntityType::Organization};

// The page head. Colours follow spaCy's displaCy. The Content-Security-Policy
// forbids scripts and outside resources, as a second line of defence behind
// the escaping of every piece of input.
constexpr std::string_view kHtmlHead = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="nerx">
<title>nerx: people, places and organisations</title>
<style>
body{margin:0;display:flex;flex-direction:column;font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;color:#222;background:#fff}
header{order:-2;padding:1em 2rem 0}
footer{order:-1;padding:0 2rem 1em;border-bottom:1px solid #ddd}
h1{font-size:1.4em;margin:.2em 0}
footer h2{font-size:1em;margin:.5em 0}
main{padding:0 2rem 2em}
.doc{border-bottom:1px solid #eee;padding:1em 0}
.doc h2{font-size:1em;margin:0 0 .5em;font-family:"DejaVu Sans Mono",monospace;overflow-wrap:anywhere}
.doc h2 .meta{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;font-weight:normal;color:#777;font-size:.85em;margin-left:1em}
.text{white-space:pre-wrap;overflow-wrap:anywhere;line-height:2.4;font-size:16px}
.text:empty::before{content:"(no text)";color:#999}
.error{color:#b00020;font-family:"DejaVu Sans Mono",monospace;white-space:pre-wrap;overflow-wrap:anywhere}
mark.e{padding:.25em .4em;margin:0 .1em;line-height:1;border-radius:.35em;color:#222;-webkit-box-decoration-break:clone;box-decoration-break:clone}
mark.e::after{content:attr(data-type);font-size:.6em;font-weight:bold;line-height:1;vertical-align:middle;margin-left:.5em;letter-spacing:.02em}
.key{display:inline-block;padding:.2em .5em;border-radius:.35em;font-size:.8em;font-weight:bold}
table.counts{border-collapse:collapse}
table.counts th,table.counts td{padding:.2em .8em .2em 0;text-align:left}
table.counts td.n{text-align:right;font-variant-numeric:tabular-nums}
.e-PERSON{background:#aa9cfc}
.e-LOCATION{background:#feca74}
.e-ORGANIZATION{background:#7aecec}
</style>
</head>
<body>
<header><h1>People, places and organisations</h1></header>
<main>
)html";

class HtmlWriter : public RecordWriter {
 public:
  explicit HtmlWriter(WriterOptions o) : options_(o) {}
  void begin(std::string& out) override { out += kHtmlHead; }

  void write(const Document& doc, const std::vector<Entity>& entities, std::string& out) override {
    if (doc.part == 0) {
      ++documents_;
      seen_ = {};
      out += "<article class=\"doc";
      if (!doc.error.empty()) out += " failed";
      out += "\" id=\"doc-" + std::to_string(documents_) + "\">\n<h2>";
      append_html_escaped(record_name(doc, documents_), out);
      out += "<span class=\"meta\">";
      if (!doc.error.empty()) {
        ++failed_;
        out += "error</span></h2>\n<p class=\"error\">";
        append_html_escaped(doc.error, out);
        out += "</p>\n</article>\n";
        return;
      }
      if (doc.last_part) {
        out += std::to_string(entities.size());
        out += entities.size() == 1 ? " entity" : " entities";
      } else {
        out += "long text, shown in parts";
      }
      out += "</span></h2>\n<div class=\"text\">";
    } else if (!doc.error.empty()) {  // a later part could not be read
      ++failed_;
      out += "</div>\n<p class=\"error\">";
      append_html_escaped(doc.error, out);
      out += "</p>\n</article>\n";
      return;
    }
    OffsetCounter offsets(doc.text, options_.offsets, parts_.base(doc));
    parts_.done(doc, options_.offsets);
    std::size_t at = 0;
    const std::string_view text = doc.text;
    for (const Entity& e : entities) {
      if (e.begin < at || e.end <= e.begin || e.end > text.size()) continue;  // not in order
      append_html_escaped(text.substr(at, e.begin - at), out);
      std::string_view type = to_string(e.type);
      out += "<mark class=\"e e-";
      out += type;
      out += "\" data-type=\"";
      out += type;
      out += "\" data-start=\"" + std::to_string(offsets.to_unit(e.begin));
      out += "\" data-end=\"" + std::to_string(offsets.to_unit(e.end));
      out += "\" title=\"";
      append_html_escaped(tooltip(e), out);
      out += "\">";
      append_html_escaped(text.substr(e.begin, e.end - e.begin), out);
      out += "</mark>";
      at = e.end;
      ++counts_[static_cast<std::size_t>(e.type)];
      seen_[static_cast<std::size_t>(e.type)] = true;
    }
    append_html_escaped(text.substr(at), out);
    if (!doc.last_part) return;
    out += "</div>\n</article>\n";
    for (std::size_t t = 0; t < seen_.size(); ++t) documents_with_[t] += seen_[t];
  }

  void end(std::string& out) override {
    out += "</main>\n<footer id=\"summary\">\n<h2>";
    out += std::to_string(documents_);
    out += documents_ == 1 ? " document" : " documents";
    std::size_t total = counts_[0] + counts_[1] + counts_[2];
    out += ", " + std::to_string(total) + (total == 1 ? " entity" : " entities");
    if (failed_ > 0) out += ", " + std::to_string(failed_) + " not read";
    out +=
        "</h2>\n<table class=\"counts\">\n"
        "<tr><th>type</th><th>entities</th><th>documents</th></tr>\n";
    for (EntityType type : kTypes) {
      std::size_t t = static_cast<std::size_t>(type);
      out += "<tr><td><span class=\"key e-";
      out += to_string(type);
      out += "\">";
      out += to_string(type);
      out += "</span></td><td class=\"n\">" + std::to_string(counts_[t]);
      out += "</td><td class=\"n\">" + std::to_string(documents_with_[t]) + "</td></tr>\n";
    }
    out += "</table>\n</footer>\n</body>\n</html>\n";
  }

 private:
  // "LOCATION, city: Tokyo (geonames:1850147), rule list_city, list cities"
  std::string tooltip(const Entity& e) const {
    std::string s(to_string(e.type));
    if (options_.subtype && !e.subtype.empty()) s += ", " + e.subtype;
    if (options_.canonical && !e.canonical.empty()) s += ": " + e.canonical;
    if (options_.canonical && !e.id.empty()) s += " (" + e.id + ")";
    if (options_.explain && !e.rule.empty()) s += ", rule " + e.rule;
    if (options_.explain && !e.list.empty()) s += ", list " + e.list;
    return s;
  }

  WriterOptions options_;
  PartOffsets parts_;
  std::size_t documents_ = 0, failed_ = 0;
  std::array<std::size_t, 3> counts_{}, documents_with_{};
  std::array<bool, 3> seen_{};  // types seen in the current document
};

}  // namespace

bool parse_output_format(std::string_view name, OutputFormat& out) {
  if (name == "jsonl") {
    out = OutputFormat::Jsonl;
  } else if (name == "json") {
    out = OutputFormat::Json;
  } else if (name == "tsv") {
    out = OutputFormat::Tsv;
  } else if (name == "conll") {
    out = OutputFormat::Conll;
  } else if (name == "html") {
    out = OutputFormat::Html;
  } else {
    return false;
  }
  return true;
}

std::unique_ptr<RecordWriter> make_writer(const WriterOptions& options) {
  switch (options.format) {
    case OutputFormat::Json:
      return std::make_unique<JsonArrayWriter>(options);
    case OutputFormat::Tsv:
      return std::make_unique<TsvWriter>(options);
    case OutputFormat::Conll:
      return std::make_unique<ConllWriter>();
    case OutputFormat::Html:
      return std::make_unique<HtmlWriter>(options);
    case OutputFormat::Jsonl:
      break;
  }
  return std::make_unique<JsonlWriter>(options);
}

void append_json_string(std::string_view s, std::string& out) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  const char* p = s.data();
  const int32_t n = static_cast<int32_t>(s.size());
  int32_t i = 0;
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (c >= 0x80) {
      int32_t start = i;
      UChar32 cp;
      U8_NEXT(p, i, n, cp);
      if (cp < 0) {
        out += "\xEF\xBF\xBD";  // one U+FFFD per invalid byte
        i = start + 1;
      } else {
        out.append(p + start, static_cast<std::size_t>(i - start));
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void append_html_escaped(std::string_view s, std::string& out) {
  each_code_point(s, [&](UChar32 cp, std::string_view bytes) {
    switch (cp) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default: {
        bool control =
            cp < 0x20 ? (cp != '\t' && cp != '\n' && cp != '\r') : (cp >= 0x7f && cp < 0xa0);
        if (cp < 0 || control) {
          out += kReplacement;
        } else {
          out += bytes;
        }
      }
    }
  });
}

std::vector<std::size_t> sentence_breaks(const TokenizedText& text) {
  std::vector<std::size_t> breaks;
  const std::vector<Token>& t = text.tokens;
  std::size_t first = 0;  // first token of the current sentence
  bool has_word = false;  // the current sentence has a token that is not punctuation
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (i > first && has_word && (t[i].newline_before || t[i].sentence_start)) {
      std::size_t at = i;
      if (!t[i].newline_before) {
        // Opening punctuation attached to the sentence's first word goes with it.
        while (at > first + 1 && !t[at].space_before && is_punct(t[at - 1]) &&
               !ends_sentence(text, t[at - 1]))
          --at;
      }
      breaks.push_back(at);
      first = at;
      has_word = false;
    }
    if (!is_punct(t[i])) has_word = true;
  }
  return breaks;
}

}  // namespace nerx
