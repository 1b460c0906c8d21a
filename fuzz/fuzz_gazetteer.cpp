// Fuzz target: the gazetteer TSV reader on arbitrary bytes, then compiling
// what it accepts into an image, verifying and matching it.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "fuzz_util.hpp"
#include "nerx/error.hpp"
#include "nerx/gazetteer.hpp"
#include "nerx/tokenizer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string tsv(reinterpret_cast<const char*>(data), size);
  std::istringstream in(tsv);
  std::vector<nerx::GazetteerEntry> entries;
  try {
    entries = nerx::read_gazetteer(in, "fuzz.tsv");
  } catch (const nerx::Error& e) {
    nerx_fuzz::require(e.file() == "fuzz.tsv" && e.line() > 0, "errors name file and line");
    return 0;
  }
  nerx::GazetteerBuilder builder;
  for (const auto& e : entries) {
    nerx_fuzz::require(!e.name.empty() && nerx::is_valid_class_name(e.type), "entries are valid");
    builder.add(e);
  }
  std::string image = builder.build();
  nerx::Gazetteer g(image, "fuzz", /*verify=*/true);  // a built image always verifies
  // Match the names themselves, one after the other.
  std::string text;
  for (const auto& e : entries) text.append(e.name).append(" , ");
  nerx::TokenizedText tokens;
  nerx::tokenize(text, tokens);
  std::vector<nerx::GazetteerHit> hits;
  nerx::match_gazetteer(g, tokens, hits);
  for (const auto& h : hits) {
    nerx_fuzz::require(h.begin < h.end && h.end <= tokens.tokens.size(), "hit inside the text");
    nerx_fuzz::require(h.entry < g.entry_count(), "hit entry exists");
    nerx_fuzz::require(g.entry(h.entry).length == h.end - h.begin, "hit has the entry's length");
  }
  return 0;
}
