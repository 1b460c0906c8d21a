// Build-time tool: compiles data/gazetteers/*.tsv and data/rules/*.rules into
// the default model image that is embedded in nerx.
//   nerx-build-model OUT.model [--gazetteer F]... [--rules F]...
#include <iostream>
#include <string>
#include <vector>

#include "nerx/error.hpp"
#include "nerx/model.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: nerx-build-model OUT [--gazetteer FILE]... [--rules FILE]...\n";
    return 2;
  }
  std::vector<std::string> lists, rules;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    (flag == "--rules" ? rules : lists).push_back(argv[i + 1]);
  }
  try {
    nerx::save_model(nerx::Model::compile(lists, rules, false), argv[1]);
  } catch (const nerx::Error& e) {
    std::cerr << "nerx-build-model: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
