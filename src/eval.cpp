#include "nerx/eval.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>

#include "nerx/error.hpp"

namespace nerx {
namespace {

using Key = std::tuple<std::size_t, std::size_t, int>;

Key key_of(const Entity& e) {
  return {e.begin, e.end, static_cast<int>(e.type)};
}

}  // namespace

std::vector<GoldDocument> read_conll(std::istream& in, const std::string& file) {
  std::vector<GoldDocument> docs;
  bool has_docstart = false;
  GoldDocument doc;
  bool sentence_open = false;  // tokens seen in the current sentence
  bool entity_open = false;
  Entity current;
  std::string line;
  std::size_t line_no = 0;

  auto close_entity = [&] {
    if (entity_open) doc.entities.push_back(current);
    entity_open = false;
  };
  auto close_sentence = [&] {
    close_entity();
    if (sentence_open) doc.text.push_back('\n');
    sentence_open = false;
  };
  auto close_document = [&] {
    close_sentence();
    if (!doc.text.empty()) {
      if (doc.text.back() == '\n') doc.text.pop_back();
      docs.push_back(std::move(doc));
    }
    doc = GoldDocument();
  };

  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("-DOCSTART-", 0) == 0) {
      has_docstart = true;
      close_document();
      continue;
    }
    if (line.find_first_not_of(" \t") == std::string::npos) {
      close_sentence();
      if (!has_docstart) close_document();
      continue;
    }
    auto tab = line.rfind('\t');
    if (tab == std::string::npos) tab = line.rfind(' ');
    if (tab == std::string::npos || tab == 0)
      throw Error("expected 'TOKEN<TAB>TAG'", file, line_no, 1);
    std::string token = line.substr(0, tab), tag = line.substr(tab + 1);
    if (sentence_open) doc.text.push_back(' ');
    std::size_t begin = doc.text.size();
    doc.text += token;
    sentence_open = true;

    if (tag == "O") {
      close_entity();
      continue;
    }
    if (tag.size() < 3 || (tag[0] != 'B' && tag[0] != 'I') || tag[1] != '-')
      throw Error("tag '" + tag + "' is not O, B-TYPE or I-TYPE", file, line_no, tab + 2);
    std::string type_name = tag.substr(2);
    EntityType type;
    bool scored = parse_entity_type(type_name, type);
    bool continues = tag[0] == 'I' && entity_open && scored && current.type == type;
    if (continues) {
      current.end = doc.text.size();
      continue;
    }
    close_entity();
    if (!scored) continue;  // MISC and others
    current = Entity();
    current.begin = begin;
    current.end = doc.text.size();
    current.type = type;
    entity_open = true;
  }
  close_document();
  return docs;
}

void score_document(const std::vector<Entity>& gold, const std::vector<Entity>& predicted,
                    EvalScores& scores) {
  std::set<Key> gold_keys;
  for (const Entity& e : gold) {
    gold_keys.insert(key_of(e));
    ++scores.by_type[static_cast<int>(e.type)].gold;
    ++scores.overall.gold;
  }
  for (const Entity& e : predicted) {
    ++scores.by_type[static_cast<int>(e.type)].predicted;
    ++scores.overall.predicted;
    if (gold_keys.count(key_of(e))) {
      ++scores.by_type[static_cast<int>(e.type)].correct;
      ++scores.overall.correct;
    }
  }
}

void print_scores(const EvalScores& scores, std::ostream& out) {
  char line[160];
  std::snprintf(line, sizeof line, "%-14s %9s %7s %7s %7s %9s %7s\n", "type", "precision", "recall",
                "f1", "gold", "predicted", "correct");
  out << line;
  auto row = [&](const char* name, const TypeScore& s) {
    std::snprintf(
        line, sizeof line, "%-14s %9.2f %7.2f %7.2f %7llu %9llu %7llu\n", name, 100 * s.precision(),
        100 * s.recall(), 100 * s.f1(), static_cast<unsigned long long>(s.gold),
        static_cast<unsigned long long>(s.predicted), static_cast<unsigned long long>(s.correct));
    out << line;
  };
  for (EntityType t : {EntityType::Person, EntityType::Location, EntityType::Organization})
    row(std::string(to_string(t)).c_str(), scores.by_type[static_cast<int>(t)]);
  row("overall", scores.overall);
}

void print_errors(const GoldDocument& doc, const std::vector<Entity>& predicted,
                  std::ostream& out) {
  std::set<Key> gold_keys, predicted_keys;
  for (const Entity& e : doc.entities) gold_keys.insert(key_of(e));
  for (const Entity& e : predicted) predicted_keys.insert(key_of(e));
  auto context = [&](const Entity& e) {
    std::size_t b = doc.text.rfind('\n', e.begin);
    b = b == std::string::npos ? 0 : b + 1;
    std::size_t end = doc.text.find('\n', e.end);
    if (end == std::string::npos) end = doc.text.size();
    return doc.text.substr(b, e.begin - b) + "[[" + doc.text.substr(e.begin, e.end - e.begin) +
           "]]" + doc.text.substr(e.end, end - e.end);
  };
  // A false hit whose span is gold with another type is reported as a type error.
  std::map<std::pair<std::size_t, std::size_t>, EntityType> gold_spans;
  for (const Entity& e : doc.entities) gold_spans[{e.begin, e.end}] = e.type;
  for (const Entity& e : doc.entities)
    if (!predicted_keys.count(key_of(e)))
      out << "MISS\t" << to_string(e.type) << '\t' << context(e) << '\n';
  for (const Entity& e : predicted) {
    if (gold_keys.count(key_of(e))) continue;
    auto g = gold_spans.find({e.begin, e.end});
    if (g != gold_spans.end()) {
      out << "TYPE\t" << to_string(e.type) << " (gold " << to_string(g->second) << ")\t"
          << context(e) << "\trule=" << e.rule << '\n';
    } else {
      out << "FALSE\t" << to_string(e.type) << '\t' << context(e) << "\trule=" << e.rule << '\n';
    }
  }
}

}  // namespace nerx
