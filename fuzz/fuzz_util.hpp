// Helpers shared by the libFuzzer targets.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "nerx/document.hpp"
#include "nerx/offsets.hpp"
#include "nerx/writer.hpp"

namespace nerx_fuzz {

// Aborts (which libFuzzer reports as a crash, with the input) if `cond` is false.
inline void require(bool cond, const char* what) {
  if (!cond) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

// The invariants every extraction result keeps: spans inside the text, in
// order, not overlapping; offsets in every unit non-decreasing; the jsonl
// record valid JSON.
inline void check_entities(const nerx::Document& doc, const std::vector<nerx::Entity>& entities) {
  std::size_t last_end = 0;
  for (const nerx::Entity& e : entities) {
    require(e.begin < e.end, "entity span not empty");
    require(e.end <= doc.text.size(), "entity span inside the text");
    require(e.begin >= last_end, "entities sorted and not overlapping");
    last_end = e.end;
  }
  for (auto unit : {nerx::OffsetUnit::Codepoint, nerx::OffsetUnit::Byte, nerx::OffsetUnit::Utf16}) {
    nerx::OffsetCounter counter(doc.text, unit);
    std::size_t previous = 0;
    for (const nerx::Entity& e : entities) {
      std::size_t a = counter.to_unit(e.begin), b = counter.to_unit(e.end);
      require(previous <= a && a < b, "offsets increase");
      previous = b;
    }
    require(previous <= counter.total(), "offsets inside the text");
  }
  nerx::WriterOptions options;
  options.explain = options.canonical = true;
  auto writer = nerx::make_writer(options);
  std::string out;
  writer->write(doc, entities, out);
  require(!out.empty() && out.back() == '\n', "one line per record");
  require(out.find('\n') == out.size() - 1, "no newline inside a record");
  require(nlohmann::json::accept(std::string_view(out).substr(0, out.size() - 1)),
          "the record is valid JSON");
}

}  // namespace nerx_fuzz
