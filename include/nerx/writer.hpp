// Writers: turn documents and their entities into output text.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nerx/document.hpp"
#include "nerx/offsets.hpp"

namespace nerx {

enum class OutputFormat { Jsonl, Json, Tsv };

// "jsonl", "json", "tsv".
bool parse_output_format(std::string_view name, OutputFormat& out);

struct WriterOptions {
  OutputFormat format = OutputFormat::Jsonl;
  OffsetUnit offsets = OffsetUnit::Codepoint;
  bool explain = false;    // add "rule" and "list" to each entity
  bool canonical = false;  // add "canonical" and "id" where known
  bool subtype = true;     // add "subtype" where known
};

// Appends the output for a stream of records to a string; the caller decides
// when to send that string on (after each record, or in batches).
class RecordWriter {
 public:
  virtual ~RecordWriter() = default;
  virtual void begin(std::string& out) { (void)out; }
  // One input record and its entities (byte offsets into doc.text).
  virtual void write(const Document& doc, const std::vector<Entity>& entities,
                     std::string& out) = 0;
  virtual void end(std::string& out) { (void)out; }
};

std::unique_ptr<RecordWriter> make_writer(const WriterOptions& options);

// Appends `s` to `out` as a JSON string literal. Invalid UTF-8 bytes become
// U+FFFD so the output is always valid JSON.
void append_json_string(std::string_view s, std::string& out);

}  // namespace nerx
