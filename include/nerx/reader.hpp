// Readers: turn files, folders and streams into Documents, in input order.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
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

// What to do with a binary file: one with a NUL byte in its first 64 KiB (the
// test grep uses). Applies to text and lines input.
enum class BinaryFiles {
  Skip,  // one record in its place, with "skipped" and no entities, and a warning
  Text,  // read it as text (NUL bytes separate words)
};

// "skip", "text".
bool parse_binary_files(std::string_view name, BinaryFiles& out);

struct ReaderOptions {
  InputMode mode = InputMode::Text;
  std::string text_field = "text";  // jsonl: the field that holds the text
  bool recursive = false;           // descend into folders
  // Text mode: files longer than this come in parts (Document::part), cut
  // where the extractor would cut them (split_point), so memory stays
  // bounded whatever the file size.
  std::size_t part_bytes = 1 << 20;
  BinaryFiles binary = BinaryFiles::Skip;
  // jsonl: a line whose arrays and objects nest deeper than this is an error
  // record (deeper values would exhaust the stack when echoed).
  std::size_t max_json_depth = 1000;
  // Told about what is worth a message but does not make a record fail: a
  // binary file skipped, a symbolic link loop not followed. May be empty.
  std::function<void(const std::string& message)> warn;
  // When set and it becomes true, reading ends as if the input had ended,
  // also while waiting for a pipe or terminal (checked every 100 ms). The
  // record being read when it is set is not returned.
  const std::atomic<bool>* stop = nullptr;
};

// Reads the documents of `paths` in order ("-" is stdin; no paths: stdin).
// Never throws for bad input: a path or line that cannot be read comes back
// as a Document whose `error` says why, in its place in the order. A binary
// file skipped comes back with the field "skipped" saying so, and no text.
class DocumentReader {
 public:
  DocumentReader(std::vector<std::string> paths, ReaderOptions options);
  ~DocumentReader();
  // False when there are no more documents.
  bool next(Document& doc);
  // True if reading may block waiting for more input (a pipe or terminal):
  // callers should write what they have before asking for the next record.
  bool interactive() const;
  // On an interactive input: can the next record be had without waiting
  // (already read, or data ready on the pipe)? Callers batch records while
  // it is, and write when it is not, so a busy pipe is processed in bulk (and
  // in parallel) while a quiet one still gets each record at once.
  bool input_ready() const;
  // Bytes of input taken up by the documents returned so far (whole files in
  // text mode; lines with their line breaks in lines and jsonl modes).
  std::uint64_t bytes_read() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nerx
