// The rule engine: patterns over tokens, shapes and list hits that add,
// retype or veto candidate entities. The rule language is documented in
// docs/rules.md; the default English rules are in data/rules/.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nerx/analysis.hpp"

namespace nerx {

class RuleSet {
 public:
  RuleSet();
  ~RuleSet();
  RuleSet(RuleSet&&) noexcept;
  RuleSet& operator=(RuleSet&&) noexcept;

  // Parses and compiles rules from `source`. `file` names the source in
  // errors, which give file, line and column. Class names are interned in
  // `labels`, which must outlive this RuleSet and be the table list hits use.
  // `checked`: the source was compiled before (a model built by nerx), so
  // its regular expressions are known to be valid and are compiled when
  // first used rather than now, which is most of start-up time.
  void add(std::string_view source, const std::string& file, LabelTable& labels,
           bool checked = false);

  std::size_t size() const;
  // Names of the rules, in order (for diagnostics and tests).
  std::vector<std::string> names() const;

  // Runs every rule at every token and appends what fires to `out`. Safe to
  // call from several threads at once.
  void apply(const Analysis& doc, std::vector<Candidate>& out) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nerx
