// What the pipeline stages know about one document as it flows from the
// tokenizer through the list matcher and the rules to the resolver.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nerx/document.hpp"
#include "nerx/gazetteer.hpp"
#include "nerx/tokenizer.hpp"

namespace nerx {

// Interned class and subtype names ("LOCATION", "GIVEN_NAME", "city"), shared
// by all lists and rules of an extractor so that they compare as integers.
// Label 0 is the empty name.
class LabelTable {
 public:
  LabelTable() { intern(""); }
  std::uint32_t intern(std::string_view name);
  // kNone if the name was never interned.
  static constexpr std::uint32_t kNone = 0xffffffffu;
  std::uint32_t find(std::string_view name) const;
  std::string_view name(std::uint32_t label) const { return names_[label]; }
  std::size_t size() const { return names_.size(); }

 private:
  std::unordered_map<std::string, std::uint32_t> ids_;
  std::vector<std::string> names_;
};

// A listed name found in the text, with its labels mapped into the
// extractor's LabelTable. Its strings stay in the model and are looked up
// only for the few hits that become entities.
struct ListHit {
  std::uint32_t begin, end;  // token span
  std::uint32_t cls;         // label: LOCATION, GIVEN_NAME, ...
  std::uint32_t subtype;     // label, 0 = none
  std::uint32_t population;
  std::uint8_t flags;  // EntryFlag bits
  const Gazetteer* gazetteer;
  std::uint32_t entry;  // index in gazetteer

  std::string_view list() const {  // the list's name, e.g. "cities"
    return gazetteer->label(gazetteer->entry(entry).source_label);
  }
  std::string_view canonical() const {
    return gazetteer->string_at(gazetteer->entry(entry).canonical);
  }
  std::string_view id() const { return gazetteer->string_at(gazetteer->entry(entry).id); }
};

enum class CandidateAction : std::uint8_t {
  Add,     // propose an entity
  Veto,    // remove weaker candidates inside this span
  Retype,  // change the type of weaker candidates on exactly this span
};

// A proposed entity (or a veto or retype) over a token span.
struct Candidate {
  std::uint32_t begin, end;  // token span
  EntityType type = EntityType::Person;
  CandidateAction action = CandidateAction::Add;
  int priority = 0;
  std::uint32_t order = 0;  // rule order; earlier wins ties
  std::string_view rule;    // rule name (stable storage in the RuleSet)
  std::string_view list;    // list name if the span is exactly a listed name
  std::string_view subtype;
  std::string_view canonical;
  std::string_view id;
  bool propagated = false;  // found again by the resolver from a name elsewhere
};

// One document under analysis.
struct Analysis {
  TokenizedText text;
  std::vector<ListHit> hits;             // sorted by begin, longest first
  std::vector<std::uint32_t> hit_start;  // hits starting at token i: [hit_start[i], hit_start[i+1])

  std::size_t size() const { return text.tokens.size(); }
  // Indexes `hits` by start token; call after filling and sorting hits.
  void index_hits();
};

}  // namespace nerx
