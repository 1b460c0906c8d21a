// Fuzz target: the JSON Lines reader (and the lines and text readers) on
// arbitrary bytes, through extraction and the writer. The first byte picks
// the input mode; the rest is the file.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.hpp"
#include "nerx/default_model.hpp"
#include "nerx/extractor.hpp"
#include "nerx/reader.hpp"

namespace {
const nerx::Extractor* extractor = nullptr;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  extractor = new nerx::Extractor({nerx::Model::view(nerx::default_model_image(), "default")});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  nerx::ReaderOptions options;
  switch (data[0] % 4) {
    case 0:
      options.mode = nerx::InputMode::Text;
      break;
    case 1:
      options.mode = nerx::InputMode::Lines;
      break;
    default:
      options.mode = nerx::InputMode::Jsonl;
  }
  options.binary = (data[0] & 4) ? nerx::BinaryFiles::Text : nerx::BinaryFiles::Skip;
  options.max_json_depth = 64;
  ++data;
  --size;

  // The input as a file the reader opens by name.
  int fd = ::memfd_create("fuzz", MFD_CLOEXEC);
  if (fd < 0) return 0;
  std::size_t written = 0;
  while (written < size) {
    ssize_t n = ::write(fd, data + written, size - written);
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  std::size_t lines = 1;
  for (std::size_t i = 0; i < size; ++i) lines += data[i] == '\n';

  nerx::DocumentReader reader({"/proc/self/fd/" + std::to_string(fd)}, options);
  nerx::Document doc;
  std::size_t records = 0;
  while (reader.next(doc)) {
    ++records;
    nerx_fuzz::require(doc.error.empty() || doc.text.empty(), "an error record has no text");
    if (options.mode == nerx::InputMode::Jsonl && doc.error.empty())
      nerx_fuzz::require(!doc.fields.contains("text"), "the text field is not echoed");
    nerx_fuzz::check_entities(
        doc, doc.error.empty() ? extractor->extract(doc.text) : std::vector<nerx::Entity>{});
  }
  ::close(fd);
  if (options.mode == nerx::InputMode::Text) {
    nerx_fuzz::require(records == 1, "one record per file");
  } else {
    nerx_fuzz::require(records <= lines, "at most one record per line");
  }
  return 0;
}
