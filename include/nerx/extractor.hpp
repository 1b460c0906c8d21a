// The extractor: runs the whole pipeline on one text.
//   tokenize -> match lists -> apply rules -> resolve
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "nerx/analysis.hpp"
#include "nerx/document.hpp"
#include "nerx/model.hpp"
#include "nerx/resolver.hpp"
#include "nerx/rules.hpp"

namespace nerx {

// Everything that changes what the extractor finds. Defaults are the
// documented behaviour of the `nerx` command.
struct ExtractorOptions {
  // Name propagation and one type per name (see ResolverOptions).
  ResolverOptions resolver;
  // Entity types to report; empty reports all three.
  std::vector<EntityType> types;
  // Texts longer than this are processed in parts of at most this many
  // bytes, cut at paragraph, line, sentence or word boundaries (see
  // split_point). Memory stays bounded and time linear; names propagate
  // within a part only.
  std::size_t part_bytes = 256 << 10;
};

class Extractor {
 public:
  // `models` are layers: lists of all layers are matched, rules of all layers
  // run (in layer order). Put the default model first and user models after.
  // Throws nerx::Error if a model's rules do not parse.
  explicit Extractor(std::vector<std::shared_ptr<const Model>> models,
                     ExtractorOptions options = {});
  ~Extractor();

  // Entities of `text`, sorted by position, with byte offsets. Thread-safe.
  std::vector<Entity> extract(std::string_view text) const;
  const ExtractorOptions& options() const { return options_; }

  // The stages one by one, for tests, `--explain` and error analysis.
  void analyse(std::string_view text, Analysis& doc) const;      // tokenize + lists
  std::vector<Candidate> candidates(const Analysis& doc) const;  // rules
  const LabelTable& labels() const { return labels_; }
  std::size_t rule_count() const { return rules_.size(); }

 private:
  // extract() of one part that fits in options_.part_bytes.
  void extract_part(std::string_view text, std::size_t offset, std::vector<Entity>& out) const;
  struct Layer {
    std::shared_ptr<const Model> model;
    std::vector<std::uint32_t> labels;  // model label -> extractor label
  };
  std::vector<Layer> layers_;
  LabelTable labels_;
  RuleSet rules_;
  ExtractorOptions options_;
};

}  // namespace nerx
