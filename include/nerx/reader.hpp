// Readers: turn files, folders and streams into Documents, in input order.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nerx/document.hpp"

namespace nerx {

enum class InputMode {
  Text,   // each file (or all of stdin) is one document
  Lines,  // each line is one document
  Jsonl,  // each line is a JSON object with the text in one field
};

// "text", "lines", "jsonl".
bool parse_input_mode(std::string_view name, InputMode& out);

struct ReaderOptions {
  InputMode mode = InputMode::Text;
  std::string text_field = "text";  // jsonl: the field that holds the text
  bool recursive = false;           // descend into folders
  // Text mode: files longer than this come in parts (Document::part), cut
  // where the extractor would cut them (split_point), so memory stays
  // bounded whatever the file size.
  std::size_t part_bytes = 1 << 20;
};

// Reads the documents of `paths` in order ("-" is stdin; no paths: stdin).
// Never throws for bad input: a path or line that cannot be read comes back
// as a Document whose `error` says why, in its place in the order.
class DocumentReader {
 public:
  DocumentReader(std::vector<std::string> paths, ReaderOptions options);
  ~DocumentReader();
  // False when there are no more documents.
  bool next(Document& doc);
  // True if reading may block waiting for more input (a pipe or terminal):
  // callers should write what they have before asking for the next record.
  bool interactive() const;
  // Bytes of input taken up by the documents returned so far (whole files in
  // text mode; lines with their line breaks in lines and jsonl modes).
  std::uint64_t bytes_read() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nerx
