// Fuzz target: the binary model loader on arbitrary bytes. A corrupt image
// must be rejected with nerx::Error; one that is accepted must be safe to
// match with and to run the rules it carries.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "fuzz_util.hpp"
#include "nerx/error.hpp"
#include "nerx/extractor.hpp"
#include "nerx/model.hpp"

namespace {
const char* const kText =
    "New York City and York, Kabul; New York York City. Ishaq Dar (ID) visited Kabul twice.";
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Model::own copies into a std::string: 8-byte aligned, as models are.
  std::string image(reinterpret_cast<const char*>(data), size);
  std::shared_ptr<const nerx::Model> model;
  try {
    model = nerx::Model::own(std::move(image), "fuzz.model");
  } catch (const nerx::Error& e) {
    nerx_fuzz::require(e.file() == "fuzz.model", "errors name the model");
    return 0;
  }
  const nerx::Gazetteer& g = model->gazetteer();
  for (std::uint32_t i = 0; i < g.entry_count(); ++i) {
    const auto& e = g.entry(i);
    (void)g.label(e.class_label);
    (void)g.label(e.subtype_label);
    (void)g.string_at(e.name);
    (void)g.string_at(e.canonical);
  }
  (void)g.word_id("kabul");
  (void)g.word_id("");
  try {
    nerx::Extractor extractor({model});
    nerx::Document doc;
    doc.text = kText;
    nerx_fuzz::check_entities(doc, extractor.extract(doc.text));
  } catch (const nerx::Error&) {
    // The rules it carries do not parse: rejected with a message.
  }
  return 0;
}
