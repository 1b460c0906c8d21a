// Evaluation against gold CoNLL data: exact span and type match, per type.
#pragma once

#include <array>
#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "nerx/document.hpp"

namespace nerx {

// One gold document: its text rebuilt from the tokens (joined by one space,
// sentences by a newline) and the gold entities (byte offsets into it).
struct GoldDocument {
  std::string text;
  std::vector<Entity> entities;  // PERSON, LOCATION, ORGANIZATION only
};

// Reads `TOKEN<TAB>TAG` lines with IOB2 tags (PER, LOC, ORG; MISC is not
// scored), blank lines between sentences, `-DOCSTART-` between documents.
// A file without -DOCSTART- lines has one document per sentence. Throws
// nerx::Error naming file and line for malformed lines.
std::vector<GoldDocument> read_conll(std::istream& in, const std::string& file);

struct TypeScore {
  std::uint64_t gold = 0, predicted = 0, correct = 0;
  double precision() const { return predicted ? double(correct) / double(predicted) : 0.0; }
  double recall() const { return gold ? double(correct) / double(gold) : 0.0; }
  double f1() const {
    double p = precision(), r = recall();
    return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
  }
};

struct EvalScores {
  std::array<TypeScore, 3> by_type;  // indexed by EntityType
  TypeScore overall;
};

// Adds one document's result to `scores`.
void score_document(const std::vector<Entity>& gold, const std::vector<Entity>& predicted,
                    EvalScores& scores);

// The table `nerx eval` prints: one row per type, then `overall`.
void print_scores(const EvalScores& scores, std::ostream& out);

// Misses and false hits of one document, with the line they are on.
void print_errors(const GoldDocument& doc, const std::vector<Entity>& predicted, std::ostream& out);

}  // namespace nerx
