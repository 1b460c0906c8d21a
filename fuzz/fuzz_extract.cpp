// Fuzz target: the tokenizer and the whole extraction with the default
// model, on arbitrary bytes (invalid UTF-8 included).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "fuzz_util.hpp"
#include "nerx/default_model.hpp"
#include "nerx/extractor.hpp"
#include "nerx/tokenizer.hpp"

namespace {
const nerx::Extractor* extractor = nullptr;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  extractor = new nerx::Extractor({nerx::Model::view(nerx::default_model_image(), "default")});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  nerx::Document doc;
  doc.text.assign(reinterpret_cast<const char*>(data), size);

  nerx::TokenizedText tokens;
  nerx::tokenize(doc.text, tokens);
  std::uint32_t last_end = 0;
  for (const nerx::Token& t : tokens.tokens) {
    nerx_fuzz::require(t.begin < t.end && t.end <= doc.text.size(), "token inside the text");
    nerx_fuzz::require(t.begin >= last_end, "tokens in order, not overlapping");
    nerx_fuzz::require(t.key_begin + t.key_size <= tokens.keys.size(), "key inside the arena");
    last_end = t.end;
  }

  nerx_fuzz::check_entities(doc, extractor->extract(doc.text));
  return 0;
}
