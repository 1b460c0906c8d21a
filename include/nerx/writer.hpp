// Writers: turn documents and their entities into output text.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nerx/document.hpp"
#include "nerx/offsets.hpp"
#include "nerx/tokenizer.hpp"

namespace nerx {

enum class OutputFormat { Jsonl, Json, Tsv, Conll, Html };

// "jsonl", "json", "tsv", "conll", "html".
bool parse_output_format(std::string_view name, OutputFormat& out);

struct WriterOptions {
  OutputFormat format = OutputFormat::Jsonl;
  OffsetUnit offsets = OffsetUnit::Codepoint;
  bool explain = false;    // add "rule" and "list" to each entity (tsv: two more columns)
  bool canonical = false;  // add "canonical" and "ref" where known (tsv: two more columns)
  bool subtype = true;     // add "subtype" where known (json formats, html tooltips)
};

// Appends the output for a stream of records to a string; the caller decides
// when to send that string on (after each record, or in batches). `begin`
// comes once before the first record and `end` once after the last, so a
// format with a header or footer (json's brackets, tsv's header line, html's
// page head and summary) still streams one record at a time.
class RecordWriter {
 public:
  virtual ~RecordWriter() = default;
  virtual void begin(std::string& out) { (void)out; }
  // One input record and its entities (byte offsets into doc.text, in text
  // order, not overlapping).
  virtual void write(const Document& doc, const std::vector<Entity>& entities,
                     std::string& out) = 0;
  virtual void end(std::string& out) { (void)out; }
};

// Formats:
//  - jsonl: one JSON object per record, on one line.
//  - json: one pretty-printed JSON array of those objects.
//  - tsv: a header line, then one line per entity: document (path, id or
//    number), start, end, type, text; tabs, line breaks and backslashes in
//    fields are written \t \n \r \\.
//  - conll: one token per line, `TOKEN<TAB>TAG` with IOB2 tags PER, LOC, ORG;
//    a blank line after each sentence; `-DOCSTART-<TAB>O` and a blank line
//    before each record, as `nerx eval` and conlleval read it. A token is
//    tagged when an entity covers its first byte.
//  - html: one self-contained page (no scripts, no external assets) with
//    each document's text, entities highlighted by type, and a summary.
// Every format writes valid UTF-8: bytes of the input that are not UTF-8
// come out as U+FFFD.
std::unique_ptr<RecordWriter> make_writer(const WriterOptions& options);

// Appends `s` to `out` as a JSON string literal. Invalid UTF-8 bytes become
// U+FFFD so the output is always valid JSON.
void append_json_string(std::string_view s, std::string& out);

// Appends `s` to `out` as HTML text that is also safe inside a quoted
// attribute value: & < > " ' become character references; invalid UTF-8
// bytes, NUL and other control characters (except tab and line breaks)
// become U+FFFD.
void append_html_escaped(std::string_view s, std::string& out);

// Sentence breaks for one tokenized text (see tokenizer.hpp): the indexes
// of the tokens that start a sentence after the first. A sentence starts
// where the tokenizer marks one (after . ! ? or a line break), moved back
// over opening punctuation that belongs to it (`said. "We` starts at `"`);
// a run of punctuation alone is not a sentence.
std::vector<std::size_t> sentence_breaks(const TokenizedText& text);

}  // namespace nerx
