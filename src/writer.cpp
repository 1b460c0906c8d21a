#include "nerx/writer.hpp"

#include <unicode/utf8.h>

namespace nerx {
namespace {

// The entity list as JSON, with offsets converted once, in order.
void append_entities(const Document& doc, const std::vector<Entity>& entities,
                     const WriterOptions& options, std::string& out) {
  OffsetCounter offsets(doc.text, options.offsets);
  out += '[';
  bool first = true;
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
  out += ']';
}

std::string dump_json(const nlohmann::ordered_json& j, int indent = -1) {
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// The record's own fields, then "entities" (or "error").
void append_record(const Document& doc, const std::vector<Entity>& entities,
                   const WriterOptions& options, std::string& out) {
  std::string fields = dump_json(doc.fields);  // "{...}"
  out.append(fields, 0, fields.size() - 1);
  if (fields.size() > 2) out += ',';
  if (!doc.error.empty()) {
    out += "\"error\":";
    append_json_string(doc.error, out);
  } else {
    out += "\"entities\":";
    append_entities(doc, entities, options, out);
  }
  out += '}';
}

class JsonlWriter : public RecordWriter {
 public:
  explicit JsonlWriter(WriterOptions o) : options_(o) {}
  void write(const Document& doc, const std::vector<Entity>& entities, std::string& out) override {
    append_record(doc, entities, options_, out);
    out += '\n';
  }

 private:
  WriterOptions options_;
};

class JsonArrayWriter : public RecordWriter {
 public:
  explicit JsonArrayWriter(WriterOptions o) : options_(o) {}
  void begin(std::string& out) override { out += "["; }
  void write(const Document& doc, const std::vector<Entity>& entities, std::string& out) override {
    std::string record;
    append_record(doc, entities, options_, record);
    out += first_ ? "\n" : ",\n";
    first_ = false;
    // Re-indent through nlohmann for a readable document.
    out += dump_json(nlohmann::ordered_json::parse(record), 2);
  }
  void end(std::string& out) override { out += first_ ? "]\n" : "\n]\n"; }

 private:
  WriterOptions options_;
  bool first_ = true;
};

void append_tsv_field(std::string_view s, std::string& out) {
  for (char c : s) {
    switch (c) {
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
        out += c;
    }
  }
}

class TsvWriter : public RecordWriter {
 public:
  explicit TsvWriter(WriterOptions o) : options_(o) {}
  void begin(std::string& out) override { out += "document\tstart\tend\ttype\ttext\n"; }
  void write(const Document& doc, const std::vector<Entity>& entities, std::string& out) override {
    std::string name;
    for (const char* key : {"path", "id", "line"}) {
      if (doc.fields.contains(key)) {
        const auto& v = doc.fields[key];
        name = v.is_string() ? v.get<std::string>() : dump_json(v);
        if (key == std::string("path") && doc.fields.contains("line"))
          name.append(":").append(dump_json(doc.fields["line"]));
        break;
      }
    }
    if (name.empty()) name = std::to_string(++count_);
    OffsetCounter offsets(doc.text, options_.offsets);
    for (const Entity& e : entities) {
      append_tsv_field(name, out);
      out.append("\t").append(std::to_string(offsets.to_unit(e.begin)));
      out.append("\t").append(std::to_string(offsets.to_unit(e.end))).append("\t");
      out += to_string(e.type);
      out += '\t';
      append_tsv_field(std::string_view(doc.text).substr(e.begin, e.end - e.begin), out);
      out += '\n';
    }
  }

 private:
  WriterOptions options_;
  std::size_t count_ = 0;
};

}  // namespace

bool parse_output_format(std::string_view name, OutputFormat& out) {
  if (name == "jsonl") {
    out = OutputFormat::Jsonl;
  } else if (name == "json") {
    out = OutputFormat::Json;
  } else if (name == "tsv") {
    out = OutputFormat::Tsv;
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

}  // namespace nerx
