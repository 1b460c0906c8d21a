#include "nerx/resolver.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace nerx {
namespace {

bool inside(const Candidate& c, const Candidate& span) {
  return c.begin >= span.begin && c.end <= span.end;
}

bool is_capitalised(Shape s) {
  return s == Shape::Capitalized || s == Shape::AllCaps || s == Shape::Initial ||
         s == Shape::Uncased;
}

// The folded text of a token span, used as the identity of a name.
std::string name_key(const Analysis& doc, std::uint32_t begin, std::uint32_t end) {
  std::string key;
  for (std::uint32_t i = begin; i < end; ++i) {
    if (i > begin) key.push_back(' ');
    key.append(doc.text.key(doc.text.tokens[i]));
  }
  return key;
}

// Does `acronym` (e.g. "TTP") spell the initials of the capitalised words
// of the span? Loose on purpose: "Tehrik e Taliban Pakistan" -> "TTP".
bool is_acronym_of(const Analysis& doc, std::string_view acronym, const Candidate& c) {
  std::string initials;
  for (std::uint32_t i = c.begin; i < c.end; ++i) {
    const Token& t = doc.text.tokens[i];
    if (is_capitalised(t.shape)) initials.push_back(doc.text.text[t.begin]);
  }
  std::string letters;
  for (char ch : acronym)
    if (ch >= 'A' && ch <= 'Z') letters.push_back(ch);
  if (letters.size() < 2) return false;
  // Every letter of the acronym is an initial, in order.
  std::size_t at = 0;
  for (char ch : letters) {
    at = initials.find(ch, at);
    if (at == std::string::npos) return false;
    ++at;
  }
  return letters[0] == initials[0];
}

struct Alias {
  std::vector<std::string> keys;  // folded tokens
  EntityType type;
  std::string_view rule;
  std::string_view canonical;
};

}  // namespace

std::vector<Candidate> resolve_overlaps(const std::vector<Candidate>& candidates) {
  std::vector<Candidate> adds, vetoes, retypes;
  for (const Candidate& c : candidates) {
    (c.action == CandidateAction::Add    ? adds
     : c.action == CandidateAction::Veto ? vetoes
                                         : retypes)
        .push_back(c);
  }
  if (!vetoes.empty()) {
    // Vetoes sorted by start; a candidate only meets the vetoes that start
    // at or before it and are at most as long as the longest veto.
    std::sort(vetoes.begin(), vetoes.end(),
              [](const Candidate& a, const Candidate& b) { return a.begin < b.begin; });
    std::uint32_t longest = 0;
    for (const Candidate& v : vetoes) longest = std::max(longest, v.end - v.begin);
    std::erase_if(adds, [&](const Candidate& c) {
      std::uint32_t from = c.begin >= longest ? c.begin - longest : 0;
      auto it = std::lower_bound(vetoes.begin(), vetoes.end(), from,
                                 [](const Candidate& v, std::uint32_t b) { return v.begin < b; });
      for (; it != vetoes.end() && it->begin <= c.begin; ++it)
        if (inside(c, *it) && c.priority <= it->priority) return true;
      return false;
    });
  }
  if (!retypes.empty()) {
    // Among retypes of one span, a later rule of equal priority wins: order
    // them by rule so the outcome does not depend on the order found.
    std::sort(retypes.begin(), retypes.end(), [](const Candidate& a, const Candidate& b) {
      if (a.begin != b.begin) return a.begin < b.begin;
      if (a.end != b.end) return a.end < b.end;
      return a.order < b.order;
    });
    for (Candidate& c : adds) {
      auto it = std::lower_bound(retypes.begin(), retypes.end(), c,
                                 [](const Candidate& r, const Candidate& x) {
                                   return r.begin != x.begin ? r.begin < x.begin : r.end < x.end;
                                 });
      // A person's name found again from the full name elsewhere ("Stefan
      // Edberg" ... "Edberg lost") keeps that evidence against local patterns.
      if (c.propagated && c.type == EntityType::Person) continue;
      for (; it != retypes.end() && it->begin == c.begin && it->end == c.end; ++it) {
        if (c.priority > it->priority) continue;
        c.type = it->type;
        c.rule = it->rule;
        if (!it->subtype.empty()) c.subtype = it->subtype;
        c.priority = it->priority;
      }
    }
  }
  // Strongest first (sorting indices: candidates are large).
  std::vector<std::uint32_t> strongest(adds.size());
  for (std::uint32_t i = 0; i < strongest.size(); ++i) strongest[i] = i;
  std::stable_sort(strongest.begin(), strongest.end(), [&](std::uint32_t i, std::uint32_t j) {
    const Candidate &a = adds[i], &b = adds[j];
    std::uint32_t la = a.end - a.begin, lb = b.end - b.begin;
    if (la != lb) return la > lb;
    if (a.priority != b.priority) return a.priority > b.priority;
    return a.order < b.order;
  });
  std::vector<Candidate> accepted;
  std::uint32_t size = 0;
  for (const Candidate& c : adds) size = std::max(size, c.end);
  std::vector<bool> taken(size, false);  // tokens already in an accepted entity
  for (std::uint32_t i : strongest) {
    const Candidate& c = adds[i];
    bool overlaps = false;
    for (std::uint32_t i = c.begin; i < c.end && !overlaps; ++i) overlaps = taken[i];
    if (overlaps) continue;
    for (std::uint32_t i = c.begin; i < c.end; ++i) taken[i] = true;
    accepted.push_back(c);
  }
  std::sort(accepted.begin(), accepted.end(),
            [](const Candidate& a, const Candidate& b) { return a.begin < b.begin; });
  return accepted;
}

std::vector<Candidate> resolve(const Analysis& doc, std::vector<Candidate> candidates,
                               const ResolverOptions& options) {
  std::vector<Candidate> accepted = resolve_overlaps(candidates);
  const auto& tokens = doc.text.tokens;

  if (options.propagate_names && !accepted.empty()) {
    std::vector<Alias> aliases;
    // A name mentioned many times is one alias, not many: each mention
    // would otherwise be matched against every other (quadratic).
    std::unordered_set<std::string> seen;
    auto add_alias = [&](Alias alias) {
      std::string id = std::to_string(static_cast<int>(alias.type)) + '\t' +
                       std::string(alias.rule) + '\t' + std::string(alias.canonical);
      for (const std::string& k : alias.keys) id += '\t' + k;
      if (seen.insert(std::move(id)).second) aliases.push_back(std::move(alias));
    };
    for (const Candidate& c : accepted) {
      if (c.priority < options.min_source_priority) continue;  // weak evidence does not spread
      Alias full{{}, c.type, "alias.repeat", c.canonical};
      for (std::uint32_t i = c.begin; i < c.end; ++i)
        full.keys.emplace_back(doc.text.key(tokens[i]));
      add_alias(std::move(full));
      // Surname: the last capitalised word of a person's name.
      if (c.type == EntityType::Person && c.end - c.begin >= 2 &&
          is_capitalised(tokens[c.end - 1].shape) &&
          tokens[c.end - 1].end - tokens[c.end - 1].begin > 1)
        add_alias({{std::string(doc.text.key(tokens[c.end - 1]))}, c.type, "alias.surname", {}});
      // Acronym defined in parentheses right after the name: "... (TTP)".
      if (c.end + 2 < tokens.size() && doc.text.token_text(tokens[c.end]) == "(" &&
          doc.text.token_text(tokens[c.end + 2]) == ")" &&
          tokens[c.end + 1].shape == Shape::AllCaps &&
          is_acronym_of(doc, doc.text.token_text(tokens[c.end + 1]), c)) {
        add_alias({{std::string(doc.text.key(tokens[c.end + 1]))}, c.type, "alias.acronym", {}});
      }
    }
    // Mentions already found as the same type keep their own explanation.
    std::vector<std::pair<std::pair<std::uint32_t, std::uint32_t>, EntityType>> found;
    for (const Candidate& c : accepted) found.push_back({{c.begin, c.end}, c.type});
    std::sort(found.begin(), found.end());
    // Aliases by their first word, so each token costs one lookup.
    // A name mentioned many times gives many identical aliases: index only
    // the first of each (name, type), which wins ties anyway, so that the
    // work stays linear in the number of mentions.
    std::unordered_map<std::string_view, std::vector<std::uint32_t>> by_first;
    std::unordered_set<std::string> indexed;
    for (std::size_t a = 0; a < aliases.size(); ++a) {
      std::string id(1, static_cast<char>(aliases[a].type));
      for (const std::string& k : aliases[a].keys) id.append(k).push_back('\0');
      if (!indexed.insert(std::move(id)).second) continue;
      by_first[aliases[a].keys[0]].push_back(static_cast<std::uint32_t>(a));
    }
    std::vector<Candidate> extra;
    for (std::uint32_t i = 0; i < tokens.size(); ++i) {
      if (!is_capitalised(tokens[i].shape)) continue;
      auto found_first = by_first.find(doc.text.key(tokens[i]));
      if (found_first == by_first.end()) continue;
      for (std::uint32_t a : found_first->second) {
        const Alias& al = aliases[a];
        if (i + al.keys.size() > tokens.size()) continue;
        bool same = true;
        for (std::size_t k = 1; k < al.keys.size() && same; ++k)
          same = doc.text.key(tokens[i + k]) == al.keys[k];
        if (!same) continue;
        std::uint32_t end = i + static_cast<std::uint32_t>(al.keys.size());
        if (std::binary_search(found.begin(), found.end(),
                               std::make_pair(std::make_pair(i, end), al.type)))
          continue;
        Candidate c;
        c.begin = i;
        c.end = end;
        c.type = al.type;
        c.priority = options.alias_priority;
        c.order = 0x80000000u + static_cast<std::uint32_t>(a);  // after every rule
        c.rule = al.rule;
        c.propagated = true;
        c.canonical = al.canonical;
        extra.push_back(c);
      }
    }
    if (!extra.empty()) {
      candidates.insert(candidates.end(), extra.begin(), extra.end());
      accepted = resolve_overlaps(candidates);
    }
  }

  if (options.one_type_per_name && accepted.size() > 1) {
    // For each name: the type with the strongest evidence, then the most mentions.
    struct Votes {
      int best_priority[3] = {-1, -1, -1};
      int count[3] = {0, 0, 0};
    };
    std::map<std::string, Votes> votes;
    std::vector<std::string> keys;
    keys.reserve(accepted.size());
    for (const Candidate& c : accepted) {
      keys.push_back(name_key(doc, c.begin, c.end));
      Votes& v = votes[keys.back()];
      int t = static_cast<int>(c.type);
      v.best_priority[t] = std::max(v.best_priority[t], c.priority);
      ++v.count[t];
    }
    for (std::size_t i = 0; i < accepted.size(); ++i) {
      const Votes& v = votes[keys[i]];
      int winner = 0;
      for (int t = 1; t < 3; ++t) {
        if (v.best_priority[t] > v.best_priority[winner] ||
            (v.best_priority[t] == v.best_priority[winner] && v.count[t] > v.count[winner]))
          winner = t;
      }
      Candidate& c = accepted[i];
      if (static_cast<int>(c.type) != winner && c.priority <= v.best_priority[winner]) {
        c.type = static_cast<EntityType>(winner);
        c.rule = "alias.one_type_per_name";
      }
    }
  }
  return accepted;
}

}  // namespace nerx
