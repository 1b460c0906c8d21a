// Fuzz target: the rule parser on arbitrary bytes, and the rule engine
// running whatever parses over a fixed text with a few list entries.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_util.hpp"
#include "nerx/error.hpp"
#include "nerx/extractor.hpp"
#include "nerx/gazetteer.hpp"
#include "nerx/model.hpp"

namespace {

const char* const kText =
    "Foreign Minister Ishaq Dar visited Kabul and New York. ACME Inc. (AI) said: \"Dar's "
    "trip\" ended 1996-08-30. Then Mr. J. R. Smith-Jones left \xF0\x9F\x98\x80 Z\xC3\xBCrich.\n"
    "KABUL, March 3 - Acme Holdings Ltd. and the Taliban-led government.";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rules(reinterpret_cast<const char*>(data), size);
  try {
    nerx::LabelTable labels;
    nerx::RuleSet check;
    check.add(rules, "fuzz.rules", labels);
  } catch (const nerx::Error& e) {
    nerx_fuzz::require(e.file() == "fuzz.rules", "errors name the file");
    return 0;
  }
  // It parses: run it, with a few listed names for its class tests.
  nerx::GazetteerBuilder builder;
  struct Listed {
    const char *name, *type, *subtype;
    std::uint8_t flags;
  };
  for (const Listed& l : {Listed{"Kabul", "LOCATION", "city", 0},
                          Listed{"New York", "LOCATION", "city", nerx::kAmbiguous},
                          Listed{"Acme", "ORGANIZATION", "company", nerx::kCommonWord},
                          Listed{"Minister", "TITLE", "", 0}, Listed{"Ishaq", "GIVEN_NAME", "", 0},
                          Listed{"Ltd.", "ORG_SUFFIX", "legal", 0}}) {
    nerx::GazetteerEntry e;
    e.name = l.name;
    e.type = l.type;
    e.subtype = l.subtype;
    e.flags = l.flags;
    e.population = 5000;
    e.source = "fuzz";
    builder.add(e);
  }
  builder.add_rules_text(rules);
  try {
    nerx::Extractor extractor({nerx::Model::own(builder.build(), "fuzz")});
    nerx::Document doc;
    doc.text = kText;
    nerx_fuzz::check_entities(doc, extractor.extract(doc.text));
  } catch (const nerx::Error&) {
    nerx_fuzz::require(false, "rules that parse alone parse in a model");
  }
  return 0;
}
