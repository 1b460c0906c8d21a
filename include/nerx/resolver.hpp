// The resolver: turns overlapping candidates into one consistent set of
// entities and propagates names within the document.
#pragma once

#include <vector>

#include "nerx/analysis.hpp"

namespace nerx {

struct ResolverOptions {
  // Propagate names found with strong evidence to their other mentions:
  // surnames ("Ishaq Dar" ... "Dar"), acronyms defined in parentheses
  // ("Tehrik e Taliban Pakistan (TTP)" ... "TTP"), repeated full names.
  bool propagate_names = true;
  // Give every mention of one name one type within a document, unless a
  // mention has stronger evidence of its own.
  bool one_type_per_name = true;
  // Priority of mentions found by propagation: above a bare list entry (30),
  // below a name in a telling context (45 and up).
  int alias_priority = 35;
  // Only names found with at least this priority propagate.
  int min_source_priority = 30;
};

// Applies vetoes and retypes, then settles overlaps: longest span first, then
// higher priority, then earlier rule. Returns accepted Add candidates sorted
// by position.
std::vector<Candidate> resolve_overlaps(const std::vector<Candidate>& candidates);

// The whole resolution of one document: resolve_overlaps, then name
// propagation and one type per name, as `options` say.
std::vector<Candidate> resolve(const Analysis& doc, std::vector<Candidate> candidates,
                               const ResolverOptions& options);

}  // namespace nerx
