#include "nerx/rules.hpp"

#include <unicode/regex.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <charconv>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "nerx/error.hpp"
#include "nerx/gazetteer.hpp"

namespace nerx {
namespace {

// A non-owning reference to a callable, so the backtracking matcher's
// continuations cost no allocation.
template <class Sig>
class FunctionRef;
template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  template <class F>
  FunctionRef(F& f)
      : obj_(&f), call_([](void* o, Args... a) -> R {  // NOLINT: implicit on purpose
          return (*static_cast<F*>(o))(a...);
        }) {}
  R operator()(Args... a) const { return call_(obj_, a...); }

 private:
  void* obj_;
  R (*call_)(void*, Args...);
};
using Cont = FunctionRef<bool(std::uint32_t)>;

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using WordMap = std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>>;

// One condition on a token (or, for Class, on a list hit starting there).
struct Atom {
  enum Kind : std::uint8_t { Word, Exact, ShapeIs, Cap, Any, First, Glued, Regex, Class };
  Kind kind = Any;
  bool negate = false;
  std::uint32_t value = 0;  // word id, exact id, Shape, regex index, class label
  std::uint32_t subtype = 0;
  std::uint8_t require_flags = 0, forbid_flags = 0;
  std::uint32_t min_population = 0;
  std::uint32_t max_population = 0xffffffffu;  // exclusive
  std::uint32_t min_words = 0;                 // the listed name has at least this many tokens
  bool negate_subtype = false;
};

// A conjunction of atoms. If one positive Class atom is present the test
// consumes the whole list hit; otherwise it consumes one token.
struct Test {
  std::vector<Atom> atoms;
  int consuming_class = -1;  // index of the positive Class atom, or -1
};

struct Node {
  enum Kind : std::uint8_t { TestNode, Seq, Alt, Repeat, Mark, Start };
  Kind kind = TestNode;
  std::vector<std::uint32_t> children = {};
  std::uint32_t test = 0;
  std::uint32_t min = 0, max = 0;
};

// A document condition: at least `min` tokens of the document pass `test`.
struct Condition {
  std::uint32_t test = 0;
  std::uint32_t min = 1;
};

struct Rule {
  std::string name;
  int priority = 50;
  std::uint32_t root = 0;
  CandidateAction action = CandidateAction::Add;
  EntityType type = EntityType::Person;
  std::string subtype;
  // "when TEST{N}" / "unless TEST{N}": the rule runs only in documents where
  // the condition holds (when) or does not hold (unless).
  std::vector<std::pair<std::uint32_t, bool>> conditions;  // condition index, negated
};

// Limits that keep hostile rule files and documents from exhausting the
// stack or memory: parentheses and marks nested deeper than kMaxNesting, and
// rules that expand (through named patterns) to more than kMaxRuleNodes
// parts, are errors. A match deeper than kMaxMatchDepth steps (a repetition
// of a few hundred tokens: no name is that long) is cut short there, and a
// rule that needs more than kMaxMatchSteps steps to match at one token (a
// pattern that backtracks exponentially) does not match there.
constexpr int kMaxNesting = 100;
constexpr std::size_t kMaxRuleNodes = 100000;
constexpr int kMaxMatchDepth = 256;
constexpr std::uint32_t kMaxMatchSteps = 1000;

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '\'' || c == '.' || c == '-' || static_cast<unsigned char>(c) >= 0x80;
}

}  // namespace

struct RuleSet::Impl {
  std::vector<Rule> rules;
  std::vector<Node> nodes;
  std::vector<Test> tests;
  // Regular expressions, compiled once by whichever thread needs one first
  // (rules already checked skip compiling them at start-up).
  struct Regex {
    std::string pattern;
    std::uint32_t flags = 0;
    // If the regex is only a list of words (/Cup|Open|Games?/), those words,
    // so that the rule index finds them by their hash like any literal and
    // matching needs no ICU call (ids in `exact_words`, or `words` if folded).
    std::vector<std::uint32_t> words;
    bool folded = false;  // /.../i
    mutable std::once_flag compiled_once;
    mutable std::unique_ptr<icu::RegexPattern> compiled;  // null if it does not compile
  };
  std::deque<Regex> regexes;  // a deque: once_flag does not move
  bool checked = false;       // the source being added was compiled before
  const icu::RegexPattern* regex(std::uint32_t re) const {
    const Regex& r = regexes[re];
    std::call_once(r.compiled_once, [&r] {
      if (r.compiled) return;
      UErrorCode status = U_ZERO_ERROR;
      UParseError perr;
      r.compiled.reset(icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(r.pattern), r.flags,
                                                  perr, status));
      if (U_FAILURE(status)) r.compiled.reset();
    });
    return r.compiled.get();
  }
  std::unordered_map<std::string, std::uint32_t> regex_ids;  // pattern -> index
  WordMap words, exact_words;
  // Rules indexed by what a token can be (its word, list classes, shape):
  // `first` by the token a match starts at; `second`, for rules whose first
  // token is only a shape or anything ("xx [ORGANIZATION: ...]"), by the
  // token after it. Each token tries only the rules these name, plus
  // `anywhere`.
  struct KeyIndex {
    std::vector<std::vector<std::uint32_t>> by_word, by_exact, by_shape;
    // By list class: (rule, the hit flag values it accepts, one bit per value).
    // By list class: (rule, the hit flag values it accepts, one bit per value,
    // the token shapes it accepts, one bit per Shape).
    struct ClassRule {
      std::uint32_t rule;
      std::uint16_t flag_sets;
      std::uint8_t shapes;
    };
    std::vector<std::vector<ClassRule>> by_class;
    bool empty = true;
  };
  KeyIndex first, second;
  std::vector<std::uint32_t> anywhere;
  // Rare tokens some rules need near their start (see find_anchor).
  KeyIndex anchors;
  struct RuleAnchor {
    bool required = false;
    std::uint32_t tokens = 0, hits = 0;  // how far after the start it may be
    std::uint32_t least = 0;             // how far after the start it is at the least
  };
  std::vector<RuleAnchor> rule_anchors;  // per rule
  std::size_t bit_words = 0;             // 64-bit words per set of rules
  // The three indexes as bit sets of rules, packed per key so that a token
  // reads one row per key: [first | second | anchors], bit_words each.
  struct PackedIndex {
    std::vector<std::uint64_t> word, exact, cls, shape;  // cls: per (class, hit flags)
  } packed;
  std::uint64_t serial = 0;  // tells thread caches (regex matchers) which rule set they hold
  std::vector<std::uint64_t> anywhere_bits;
  // A rule is tried only where its first token's shape is one it accepts.
  std::vector<std::uint8_t> first_shapes;  // per rule, one bit per Shape
  std::vector<std::uint64_t> shape_allowed_bits;
  // Literal words of all rules, found by the hash tokens carry: one probe
  // per token instead of string hashing.
  struct Literal {
    std::string key;                                           // folded
    std::uint32_t word = Gazetteer::kNoWord;                   // id in `words`
    std::vector<std::pair<std::string, std::uint32_t>> exact;  // text, id in `exact_words`
  };
  std::vector<Literal> literals;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> literal_slots;  // hash, literal + 1

  // Document conditions, shared by rules that write the same one.
  std::vector<Condition> conditions;
  std::unordered_map<std::string, std::uint32_t> condition_ids;  // source text -> index
  bool has_conditions = false;
  LabelTable* labels = nullptr;
  std::uint32_t type_labels[3] = {0, 0, 0};  // PERSON, LOCATION, ORGANIZATION
  // Named sub-patterns ("let NAME = pattern"), used as $NAME.
  struct Macro {
    std::string text;
    std::vector<std::pair<std::size_t, std::size_t>> where;
    std::string file;
  };
  std::unordered_map<std::string, Macro> macros;
  std::size_t node_limit = kMaxRuleNodes;  // nodes.size() may not pass this while parsing a rule

  // ---------------- parsing ----------------
  struct Parser {
    Impl& impl;
    const std::string& file;
    std::string text;                                        // joined rule text
    std::vector<std::pair<std::size_t, std::size_t>> where;  // line, column per byte
    std::size_t pos = 0;
    bool has_mark = false;
    Rule* rule = nullptr;
    int depth = 0;    // macro nesting
    int nesting = 0;  // parentheses and marks

    [[noreturn]] void fail(const std::string& why, std::size_t at) const {
      auto [line, col] = at < where.size() ? where[at]
                         : where.empty()   ? std::pair<std::size_t, std::size_t>{0, 0}
                                           : std::pair{where.back().first, where.back().second + 1};
      throw Error(why, file, line, col);
    }
    void skip_space() {
      while (pos < text.size()) {
        char c = text[pos];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
          ++pos;
        } else if (c == '#') {
          while (pos < text.size() && text[pos] != '\n') ++pos;
        } else {
          break;
        }
      }
    }
    bool eat(char c) {
      skip_space();
      if (pos < text.size() && text[pos] == c) {
        ++pos;
        return true;
      }
      return false;
    }
    bool at_end() {
      skip_space();
      return pos >= text.size();
    }
    std::uint32_t add_node(Node n) {
      if (impl.nodes.size() >= impl.node_limit)
        fail("the rule is too large: more than " + std::to_string(kMaxRuleNodes) +
                 " parts once named patterns are expanded",
             pos);
      impl.nodes.push_back(std::move(n));
      return static_cast<std::uint32_t>(impl.nodes.size() - 1);
    }
    std::uint32_t add_test(Test t) {
      // A conjunction: test regular expressions last, after the cheap atoms
      // have had their chance to fail.
      std::stable_partition(t.atoms.begin(), t.atoms.end(),
                            [](const Atom& a) { return a.kind != Atom::Regex; });
      for (std::size_t i = 0; i < t.atoms.size(); ++i)
        if (t.atoms[i].kind == Atom::Class && !t.atoms[i].negate && t.consuming_class < 0)
          t.consuming_class = static_cast<int>(i);
      impl.tests.push_back(std::move(t));
      return add_node(Node{Node::TestNode, {}, static_cast<std::uint32_t>(impl.tests.size() - 1)});
    }

    std::uint32_t parse_alt() {
      std::vector<std::uint32_t> alts{parse_seq()};
      while (eat('|')) alts.push_back(parse_seq());
      if (alts.size() == 1) return alts[0];
      return add_node(Node{Node::Alt, alts});
    }
    std::uint32_t parse_seq() {
      std::vector<std::uint32_t> items;
      for (;;) {
        skip_space();
        if (pos >= text.size() || text[pos] == '|' || text[pos] == ')' || text[pos] == ']') break;
        items.push_back(parse_item());
      }
      if (items.empty()) fail("empty pattern", pos);
      if (items.size() == 1) return items[0];
      return add_node(Node{Node::Seq, items});
    }
    std::uint32_t parse_item() {
      std::size_t start = pos;
      std::uint32_t node = parse_primary();
      skip_space();
      if (pos >= text.size()) return node;
      std::uint32_t min = 1, max = 1;
      char c = text[pos];
      if (c == '?') {
        min = 0;
      } else if (c == '*') {
        min = 0;
        max = 0xffff;
      } else if (c == '+') {
        max = 0xffff;
      } else if (c == '{') {
        std::size_t close = text.find('}', pos);
        if (close == std::string::npos) fail("'{' without '}'", pos);
        std::string inner = text.substr(pos + 1, close - pos - 1);
        auto comma = inner.find(',');
        auto num = [&](const std::string& s, std::uint32_t& out) {
          auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
          if (ec != std::errc() || p != s.data() + s.size() || out > 1000)
            fail("bad repeat count '{" + inner + "}'", pos);
        };
        if (comma == std::string::npos) {
          num(inner, min);
          max = min;
        } else {
          num(inner.substr(0, comma), min);
          num(inner.substr(comma + 1), max);
        }
        if (max < min || max == 0) fail("bad repeat count '{" + inner + "}'", pos);
        pos = close;
      } else {
        return node;
      }
      ++pos;
      if (impl.nodes[node].kind == Node::Mark) fail("a marked part cannot repeat", start);
      if (impl.nodes[node].kind == Node::Start) fail("'^' cannot repeat", start);
      return add_node(Node{Node::Repeat, {node}, 0, min, max});
    }
    std::uint32_t parse_primary() {
      skip_space();
      std::size_t start = pos;
      char c = text[pos];
      if (c == '(' || c == '[') {
        if (++nesting > kMaxNesting)
          fail("nested too deeply (more than " + std::to_string(kMaxNesting) + " levels)", pos);
        ++pos;
        std::uint32_t inner;
        if (c == '(') {
          inner = parse_alt();
          if (!eat(')')) fail("expected ')'", pos);
        } else {
          inner = parse_mark(start);
        }
        --nesting;
        return inner;
      }
      if (c == '^') {
        ++pos;
        return add_node(Node{Node::Start});
      }
      return parse_test();
    }
    std::uint32_t parse_mark(std::size_t start) {
      if (has_mark) fail("a rule has exactly one marked part [TYPE: ...]", start);
      has_mark = true;
      skip_space();
      std::size_t colon = text.find(':', pos);
      if (colon == std::string::npos) fail("expected '[TYPE: ...]'", start);
      std::string label = text.substr(pos, colon - pos);
      while (!label.empty() && label.back() == ' ') label.pop_back();
      std::string type_name = label;
      rule->action = CandidateAction::Add;
      if (label == "not") {
        rule->action = CandidateAction::Veto;
      } else {
        if (label.rfind("retype ", 0) == 0) {
          rule->action = CandidateAction::Retype;
          type_name = label.substr(7);
          while (!type_name.empty() && type_name.front() == ' ') type_name.erase(0, 1);
        }
        if (auto slash = type_name.find('/'); slash != std::string::npos) {
          rule->subtype = type_name.substr(slash + 1);
          type_name.resize(slash);
        }
        if (!parse_entity_type(type_name, rule->type))
          fail("unknown label '" + label +
                   "': use PERSON, LOCATION, ORGANIZATION (optionally /subtype), "
                   "'retype TYPE' or 'not'",
               pos);
      }
      pos = colon + 1;
      std::uint32_t inner = parse_alt();
      if (!eat(']')) fail("expected ']' to close the marked part", pos);
      return add_node(Node{Node::Mark, {inner}});
    }
    std::uint32_t expand_macro() {
      std::size_t start = pos;
      ++pos;
      std::size_t name_start = pos;
      while (pos < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[pos])) || text[pos] == '_'))
        ++pos;
      std::string name = text.substr(name_start, pos - name_start);
      auto it = impl.macros.find(name);
      if (it == impl.macros.end())
        fail("unknown name '$" + name + "': define it first with 'let " + name + " = ...'", start);
      if (++depth > 32) fail("'$" + name + "' refers to itself", start);
      Parser sub{impl, it->second.file, it->second.text, it->second.where};
      sub.has_mark = has_mark;
      sub.rule = rule;
      sub.depth = depth;
      sub.nesting = nesting;
      std::uint32_t node = sub.parse_alt();
      if (!sub.at_end()) sub.fail(std::string("unexpected '") + sub.text[sub.pos] + "'", sub.pos);
      has_mark = sub.has_mark;
      --depth;
      return node;
    }
    std::uint32_t parse_test() {
      Test test;
      std::vector<std::uint32_t> sequence;  // a quoted literal of several tokens
      for (;;) {
        skip_space();
        std::size_t start = pos;
        bool negate = false;
        while (pos < text.size() && text[pos] == '!') {
          negate = !negate;
          ++pos;
        }
        if (pos < text.size() && text[pos] == '$') {
          // A named pattern: one token test joins the conjunction; anything
          // else must stand alone.
          std::uint32_t node = expand_macro();
          bool joined = !test.atoms.empty() || (pos < text.size() && text[pos] == '&');
          if (impl.nodes[node].kind == Node::TestNode && !negate) {
            Test inner = impl.tests[impl.nodes[node].test];
            if (!joined) return node;
            test.atoms.insert(test.atoms.end(), inner.atoms.begin(), inner.atoms.end());
          } else if (!joined && !negate) {
            return node;
          } else {
            fail("only a named single-token test can be combined with '&' or negated", start);
          }
          if (pos < text.size() && text[pos] == '&') {
            ++pos;
            continue;
          }
          break;
        }
        std::vector<Atom> atoms = parse_atom(negate);
        if (atoms.size() > 1) {
          if (negate || !test.atoms.empty() || (pos < text.size() && text[pos] == '&'))
            fail("a literal of several tokens cannot be negated or combined with '&'", start);
          for (const Atom& a : atoms) sequence.push_back(add_test(Test{{a}}));
          return add_node(Node{Node::Seq, sequence});
        }
        test.atoms.push_back(atoms[0]);
        if (pos < text.size() && text[pos] == '&') {
          ++pos;
          continue;
        }
        break;
      }
      return add_test(std::move(test));
    }
    // Returns one atom, or one per token for a literal of several tokens.
    std::vector<Atom> parse_atom(bool negate) {
      std::size_t start = pos;
      if (pos >= text.size()) fail("expected a token test", pos);
      char c = text[pos];
      Atom a;
      a.negate = negate;
      if (c == '"' || c == '\'') {
        bool exact = c == '"';
        std::string literal;
        ++pos;
        while (pos < text.size() && text[pos] != c) {
          if (text[pos] == '\\' && pos + 1 < text.size()) ++pos;
          literal.push_back(text[pos++]);
        }
        if (pos >= text.size()) fail("unterminated quoted literal", start);
        ++pos;
        return literal_atoms(literal, exact, negate, start);
      }
      if (c == '/') {
        std::string pattern;
        ++pos;
        while (pos < text.size() && text[pos] != '/') {
          if (text[pos] == '\\' && pos + 1 < text.size() && text[pos + 1] == '/') ++pos;
          pattern.push_back(text[pos++]);
        }
        if (pos >= text.size()) fail("unterminated /regex/", start);
        ++pos;
        std::uint32_t flags = 0;
        if (pos < text.size() && text[pos] == 'i') {
          flags = UREGEX_CASE_INSENSITIVE;
          ++pos;
        }
        a.kind = Atom::Regex;
        // One compiled pattern (and one memo per token) however often it is used.
        std::string key = pattern + (flags ? "/i" : "/");
        if (auto known = impl.regex_ids.find(key); known != impl.regex_ids.end()) {
          a.value = known->second;
          return {a};
        }
        Regex& re = impl.regexes.emplace_back();
        re.pattern = pattern;
        re.flags = flags;
        if (!impl.checked) {  // compile now, to report errors where they are
          UErrorCode status = U_ZERO_ERROR;
          UParseError perr;
          re.compiled.reset(icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(pattern), flags,
                                                       perr, status));
          if (U_FAILURE(status)) {
            impl.regexes.pop_back();
            fail(std::string("invalid regular expression: ") + u_errorName(status),
                 start + 1 + (perr.offset > 0 ? perr.offset : 0));
          }
        }
        re.words = literal_alternatives(pattern, flags != 0);
        re.folded = flags != 0;
        a.value = static_cast<std::uint32_t>(impl.regexes.size() - 1);
        impl.regex_ids.emplace(std::move(key), a.value);
        return {a};
      }
      if (c == '@') {
        ++pos;
        std::size_t name_start = pos;
        while (pos < text.size() &&
               (std::isupper(static_cast<unsigned char>(text[pos])) ||
                std::isdigit(static_cast<unsigned char>(text[pos])) || text[pos] == '_'))
          ++pos;
        std::string cls = text.substr(name_start, pos - name_start);
        EntityType t;
        if (parse_entity_type(cls, t)) cls = std::string(to_string(t));
        if (!is_valid_class_name(cls)) fail("expected a class name after '@', like @TITLE", start);
        a.kind = Atom::Class;
        a.value = impl.labels->intern(cls);
        if (pos < text.size() && text[pos] == '/') {
          ++pos;
          if (pos < text.size() && text[pos] == '!') {
            a.negate_subtype = true;
            ++pos;
          }
          std::size_t sub_start = pos;
          while (pos < text.size() && (std::isalnum(static_cast<unsigned char>(text[pos])) ||
                                       text[pos] == '_' || text[pos] == '-'))
            ++pos;
          if (pos == sub_start) fail("expected a subtype after '/'", pos);
          a.subtype = impl.labels->intern(text.substr(sub_start, pos - sub_start));
        }
        if (pos < text.size() && text[pos] == '(') {
          std::size_t close = text.find(')', pos);
          if (close == std::string::npos) fail("'(' without ')' in class conditions", pos);
          std::string conds = text.substr(pos + 1, close - pos - 1);
          std::size_t at = 0;
          while (at <= conds.size()) {
            std::size_t comma = conds.find(',', at);
            if (comma == std::string::npos) comma = conds.size();
            std::string cond = conds.substr(at, comma - at);
            std::size_t col = pos + 1 + at;
            cond.erase(0, cond.find_first_not_of(' '));
            while (!cond.empty() && cond.back() == ' ') cond.pop_back();
            bool neg = !cond.empty() && cond[0] == '!';
            std::string body = neg ? cond.substr(1) : cond;
            std::uint8_t flag = body == "common"      ? kCommonWord
                                : body == "ambiguous" ? kAmbiguous
                                : body == "user"      ? kUserList
                                : body == "lower"     ? kLowerStart
                                                      : 0;
            if (flag) {
              (neg ? a.forbid_flags : a.require_flags) |= flag;
            } else if (body.rfind("words>=", 0) == 0) {
              std::uint32_t n = 0;
              auto [p, ec] = std::from_chars(body.data() + 7, body.data() + body.size(), n);
              if (ec != std::errc() || p != body.data() + body.size() || neg || n == 0 || n > 1000)
                fail("bad word count condition '" + cond + "'", col);
              a.min_words = n;
            } else if (body.rfind("pop>", 0) == 0 || body.rfind("pop<", 0) == 0) {
              bool inclusive = body.size() > 4 && body[4] == '=';
              std::string num = body.substr(inclusive ? 5 : 4);
              std::uint32_t n = 0;
              auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), n);
              if (ec != std::errc() || p != num.data() + num.size() || neg || n == 0xffffffffu)
                fail("bad population condition '" + cond + "'", col);
              if (body[3] == '>') {
                a.min_population = inclusive ? n : n + 1;
              } else {
                a.max_population = inclusive ? n + 1 : n;
              }
            } else {
              fail("unknown class condition '" + cond +
                       "': use pop>=N, pop<N, words>=N, common, ambiguous, lower, user (or ! "
                       "before a flag)",
                   col);
            }
            at = comma + 1;
          }
          pos = close + 1;
        }
        return {a};
      }
      if (!is_word_char(c)) fail(std::string("unexpected '") + c + "'", pos);
      while (pos < text.size() && is_word_char(text[pos])) ++pos;
      std::string word = text.substr(start, pos - start);
      static const std::pair<const char*, Shape> shapes[] = {
          {"Xx", Shape::Capitalized}, {"XX", Shape::AllCaps},     {"X", Shape::Initial},
          {"xx", Shape::Lower},       {"9", Shape::Number},       {"Punct", Shape::Punct},
          {"Symbol", Shape::Symbol},  {"Uncased", Shape::Uncased}};
      for (const auto& [name, shape] : shapes) {
        if (word == name) {
          a.kind = Atom::ShapeIs;
          a.value = static_cast<std::uint32_t>(shape);
          return {a};
        }
      }
      if (word == "Cap")
        a.kind = Atom::Cap;
      else if (word == "Any")
        a.kind = Atom::Any;
      else if (word == "First")
        a.kind = Atom::First;
      else if (word == "Glued")
        a.kind = Atom::Glued;
      else if (std::isupper(static_cast<unsigned char>(word[0])))
        fail("unknown keyword '" + word + "': write literal words in quotes (\"" + word +
                 "\" matches exactly, '" + word + "' ignores case)",
             start);
      else
        return literal_atoms(word, false, negate, start);
      return {a};
    }
    // The words a regex matches if it is only alternatives of plain words,
    // each optionally ending in one optional character ("Cup|Games?"), as
    // ids of literals; empty for any other regex.
    std::vector<std::uint32_t> literal_alternatives(std::string pattern, bool folded) {
      if (pattern.size() >= 2 && pattern.front() == '(' && pattern.back() == ')' &&
          pattern.find_first_of("()", 1) == pattern.size() - 1)
        pattern = pattern.substr(pattern.compare(0, 3, "(?:") == 0 ? 3 : 1,
                                 pattern.size() - (pattern.compare(0, 3, "(?:") == 0 ? 4 : 2));
      std::vector<std::string> texts;
      std::size_t at = 0;
      while (at <= pattern.size()) {
        std::size_t bar = pattern.find('|', at);
        if (bar == std::string::npos) bar = pattern.size();
        std::string alt = pattern.substr(at, bar - at);
        bool optional_last = alt.size() >= 2 && alt.back() == '?';
        if (optional_last) alt.pop_back();
        if (alt.empty() || (optional_last && alt.size() < 2) || alt.size() > 64 ||
            !std::all_of(alt.begin(), alt.end(),
                         [](char c) { return std::isalnum(static_cast<unsigned char>(c)); }))
          return {};
        texts.push_back(alt);
        if (optional_last) texts.push_back(alt.substr(0, alt.size() - 1));
        at = bar + 1;
      }
      std::vector<std::uint32_t> ids;
      for (const std::string& t : texts) {
        std::vector<Atom> atoms = literal_atoms(t, !folded, false, 0);
        if (atoms.size() != 1) return {};
        ids.push_back(atoms[0].value);
      }
      return ids;
    }
    std::vector<Atom> literal_atoms(const std::string& literal, bool exact, bool negate,
                                    std::size_t at) {
      TokenizedText toks;
      tokenize(literal, toks);
      if (toks.tokens.empty()) fail("empty literal", at);
      // "'s" alone is the possessive token the tokenizer splits off words.
      if (literal.size() > 1 && (literal[0] == '\'' || literal.rfind("\xE2\x80\x99", 0) == 0) &&
          literal.find(' ') == std::string::npos) {
        toks.tokens.assign(1, Token{});
        toks.tokens[0].begin = 0;
        toks.tokens[0].end = static_cast<std::uint32_t>(literal.size());
        toks.keys = fold_key(literal);
        toks.tokens[0].key_size = static_cast<std::uint32_t>(toks.keys.size());
      }
      std::vector<Atom> atoms;
      for (const Token& t : toks.tokens) {
        Atom a;
        a.negate = negate;
        if (exact) {
          a.kind = Atom::Exact;
          auto [it, ins] = impl.exact_words.emplace(
              std::string(toks.token_text(t)), static_cast<std::uint32_t>(impl.exact_words.size()));
          a.value = it->second;
        } else {
          a.kind = Atom::Word;
          auto [it, ins] = impl.words.emplace(std::string(toks.key(t)),
                                              static_cast<std::uint32_t>(impl.words.size()));
          a.value = it->second;
        }
        atoms.push_back(a);
      }
      return atoms;
    }
  };

  void parse_rule(const std::string& file, const std::string& text,
                  const std::vector<std::pair<std::size_t, std::size_t>>& where) {
    if (text.rfind("let ", 0) == 0) return parse_let(file, text, where);
    Parser p{*this, file, text, where};
    node_limit = nodes.size() + kMaxRuleNodes;
    Rule rule;
    p.rule = &rule;
    // name [(priority)] :
    p.skip_space();
    std::size_t name_start = p.pos;
    while (p.pos < text.size() && (std::isalnum(static_cast<unsigned char>(text[p.pos])) ||
                                   text[p.pos] == '_' || text[p.pos] == '.' || text[p.pos] == '-'))
      ++p.pos;
    rule.name = text.substr(name_start, p.pos - name_start);
    if (rule.name.empty()) p.fail("expected a rule name: 'name (priority): pattern'", name_start);
    if (p.eat('(')) {
      p.skip_space();
      std::size_t num_start = p.pos;
      while (p.pos < text.size() &&
             (std::isdigit(static_cast<unsigned char>(text[p.pos])) || text[p.pos] == '-'))
        ++p.pos;
      auto [ptr, ec] = std::from_chars(text.data() + num_start, text.data() + p.pos, rule.priority);
      if (ec != std::errc() || ptr != text.data() + p.pos || rule.priority < 0 ||
          rule.priority > 1000)
        p.fail("priority must be a whole number from 0 to 1000", num_start);
      if (!p.eat(')')) p.fail("expected ')' after the priority", p.pos);
    }
    // Document conditions: "when TEST{N}", "unless TEST{N}".
    for (;;) {
      p.skip_space();
      bool when = text.compare(p.pos, 5, "when ") == 0 || text.compare(p.pos, 5, "when\n") == 0;
      bool unless =
          text.compare(p.pos, 7, "unless ") == 0 || text.compare(p.pos, 7, "unless\n") == 0;
      if (!when && !unless) break;
      p.pos += when ? 4 : 6;
      p.skip_space();
      std::size_t cond_start = p.pos;
      std::uint32_t node = p.parse_test();
      if (nodes[node].kind != Node::TestNode)
        p.fail("a document condition is one token test, like @TOPIC/sports{3}", cond_start);
      std::uint32_t min = 1;
      if (p.pos < text.size() && text[p.pos] == '{') {
        std::size_t close = text.find('}', p.pos);
        if (close == std::string::npos) p.fail("'{' without '}'", p.pos);
        auto [ptr, ec] = std::from_chars(text.data() + p.pos + 1, text.data() + close, min);
        if (ec != std::errc() || ptr != text.data() + close || min == 0 || min > 1000000)
          p.fail("bad count: write {N} with N at least 1", p.pos);
        p.pos = close + 1;
      }
      std::string key = text.substr(cond_start, p.pos - cond_start);
      // Rules that write the same condition share it (not through $NAME,
      // which a later 'let' may redefine).
      std::uint32_t id = static_cast<std::uint32_t>(conditions.size());
      if (key.find('$') == std::string::npos) {
        auto [it, inserted] = condition_ids.emplace(key, id);
        id = it->second;
      }
      if (id == conditions.size()) conditions.push_back({nodes[node].test, min});
      rule.conditions.emplace_back(id, unless);
      has_conditions = true;
    }
    if (!p.eat(':')) p.fail("expected ':' after the rule name", p.pos);
    rule.root = p.parse_alt();
    if (!p.at_end()) p.fail(std::string("unexpected '") + text[p.pos] + "'", p.pos);
    if (!p.has_mark) p.fail("the rule marks no part: put the entity in [TYPE: ...]", name_start);
    index_rule(static_cast<std::uint32_t>(rules.size()), rule.root);
    rules.push_back(std::move(rule));
  }

  // let NAME = pattern
  void parse_let(const std::string& file, const std::string& text,
                 const std::vector<std::pair<std::size_t, std::size_t>>& where) {
    Parser p{*this, file, text, where};
    p.pos = 4;
    p.skip_space();
    std::size_t name_start = p.pos;
    while (p.pos < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[p.pos])) || text[p.pos] == '_'))
      ++p.pos;
    std::string name = text.substr(name_start, p.pos - name_start);
    if (name.empty()) p.fail("expected a name: 'let NAME = pattern'", name_start);
    if (!p.eat('=')) p.fail("expected '=' after 'let " + name + "'", p.pos);
    p.skip_space();
    Macro m{text.substr(p.pos),
            {where.begin() + static_cast<std::ptrdiff_t>(p.pos), where.end()},
            file};
    // Check it parses on its own (a macro may not contain the marked part).
    Rule scratch;
    Parser check{*this, file, m.text, m.where};
    check.rule = &scratch;
    std::size_t nodes_before = nodes.size(), tests_before = tests.size();
    node_limit = nodes.size() + kMaxRuleNodes;
    check.parse_alt();
    if (!check.at_end())
      check.fail(std::string("unexpected '") + m.text[check.pos] + "'", check.pos);
    nodes.resize(nodes_before);
    tests.resize(tests_before);
    macros[name] = std::move(m);
  }

  // What the first token of a match can be. Collects the index keys of the
  // tests a match can start with into `keys`; sets `unbounded` if one of
  // them has no indexable atom. Returns whether `node` can match nothing.
  struct IndexKey {
    enum Kind : std::uint8_t { Word, Exact, Class, ShapeIs } kind;
    std::uint32_t value;
    std::uint16_t flag_sets = 0xffff;  // Class: the hit flag values (0-15) the atom accepts
    std::uint8_t shapes = 0xff;        // Class: the shapes of the token it starts at
  };
  static std::uint16_t accepted_flag_sets(const Atom& a) {
    std::uint16_t sets = 0;
    for (unsigned f = 0; f < 16; ++f)
      if ((f & a.require_flags) == a.require_flags && (f & a.forbid_flags) == 0) sets |= 1u << f;
    return sets;
  }
  // `shapes` collects the token shapes the first test accepts (one bit per
  // Shape).
  // The index keys of a token that passes atom `a` (false if it has none).
  // `shapes`: those the whole test accepts (a list class is more selective
  // with them: @LOCATION&Cap is rarer than @LOCATION).
  bool atom_keys(const Atom& a, std::uint8_t shapes, std::vector<IndexKey>& keys) const {
    if (a.negate) return false;
    switch (a.kind) {
      case Atom::Word:
        keys.push_back({IndexKey::Word, a.value});
        return true;
      case Atom::Exact:
        keys.push_back({IndexKey::Exact, a.value});
        return true;
      case Atom::Class:
        keys.push_back({IndexKey::Class, a.value, accepted_flag_sets(a), shapes});
        return true;
      case Atom::ShapeIs:
        keys.push_back({IndexKey::ShapeIs, a.value});
        return true;
      case Atom::Cap:
        for (Shape s : {Shape::Capitalized, Shape::AllCaps, Shape::Initial})
          keys.push_back({IndexKey::ShapeIs, static_cast<std::uint32_t>(s)});
        return true;
      case Atom::Regex:
        if (regexes[a.value].words.empty()) return false;
        for (std::uint32_t id : regexes[a.value].words)
          keys.push_back({regexes[a.value].folded ? IndexKey::Word : IndexKey::Exact, id});
        return true;
      default:
        return false;
    }
  }
  // A rough count of how many tokens in a thousand have these keys: a word
  // is rare, a list class less so, a shape common.
  static std::uint32_t keys_cost(const std::vector<IndexKey>& keys) {
    std::uint32_t cost = 0;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const IndexKey& k = keys[i];
      // Subtypes and flags of one class are one key here.
      if (std::any_of(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(i),
                      [&](const IndexKey& o) { return o.kind == k.kind && o.value == k.value; }))
        continue;
      switch (k.kind) {
        case IndexKey::Word:
        case IndexKey::Exact:
          cost += 1;
          break;
        case IndexKey::Class:
          cost += 30;
          break;
        case IndexKey::ShapeIs:
          switch (static_cast<Shape>(k.value)) {
            case Shape::Lower:
              cost += 600;
              break;
            case Shape::Capitalized:
              cost += 150;
              break;
            case Shape::Punct:
              cost += 150;
              break;
            default:
              cost += 40;
              break;
          }
          break;
      }
    }
    return cost;
  }
  // Adds the keys of the most selective indexable atom of `t`; false if
  // none of its atoms is indexable.
  bool test_keys(const Test& t, std::vector<IndexKey>& keys) const {
    std::vector<IndexKey> best, scratch;
    bool found = false;
    for (const Atom& a : t.atoms) {
      scratch.clear();
      if (!atom_keys(a, accepted_shapes(t), scratch)) continue;
      if (!found || keys_cost(scratch) < keys_cost(best)) best = scratch;
      found = true;
    }
    keys.insert(keys.end(), best.begin(), best.end());
    return found;
  }

  // ---------------- anchors ----------------
  // Most rules need, besides their first token, a rarer one nearby: a head
  // word ("Division"), a list class (@ORG_SUFFIX), a bracket. A rule is tried
  // at a token only if such an anchor occurs within the longest stretch the
  // rule can cover before it. Stretches count tokens and list hits (a hit
  // spans as many tokens as the longest name in the document).
  struct Width {
    std::uint32_t tokens = 0, hits = 0;
    bool bounded = true;
    std::uint32_t least = 0;  // tokens at the least
    Width& operator+=(const Width& o) {
      tokens += o.tokens;
      hits += o.hits;
      bounded = bounded && o.bounded;
      least += o.least;
      return *this;
    }
  };
  Width max_width(std::uint32_t node) const {
    const Node& n = nodes[node];
    Width w;
    switch (n.kind) {
      case Node::TestNode:
        (tests[n.test].consuming_class < 0 ? w.tokens : w.hits) = 1;
        w.least = 1;
        break;
      case Node::Seq:
        for (std::uint32_t c : n.children) w += max_width(c);
        break;
      case Node::Alt:
        w.least = 0xffff;
        for (std::uint32_t c : n.children) {
          Width cw = max_width(c);
          w.tokens = std::max(w.tokens, cw.tokens);
          w.hits = std::max(w.hits, cw.hits);
          w.bounded = w.bounded && cw.bounded;
          w.least = std::min(w.least, cw.least);
        }
        break;
      case Node::Repeat: {
        Width cw = max_width(n.children[0]);
        w.least = std::min<std::uint32_t>(cw.least * n.min, 0xffff);
        if (n.max >= 0xffff) {
          w.bounded = false;
          break;
        }
        w.tokens = cw.tokens * n.max;
        w.hits = cw.hits * n.max;
        w.bounded = cw.bounded;
        break;
      }
      case Node::Mark:
        return max_width(n.children[0]);
      case Node::Start:
        break;
    }
    return w;
  }
  bool nullable(std::uint32_t node) const {
    const Node& n = nodes[node];
    switch (n.kind) {
      case Node::TestNode:
        return false;
      case Node::Seq:
        return std::all_of(n.children.begin(), n.children.end(),
                           [&](std::uint32_t c) { return nullable(c); });
      case Node::Alt:
        return std::any_of(n.children.begin(), n.children.end(),
                           [&](std::uint32_t c) { return nullable(c); });
      case Node::Repeat:
        return n.min == 0 || nullable(n.children[0]);
      case Node::Mark:
        return nullable(n.children[0]);
      case Node::Start:
        return true;
    }
    return true;
  }
  struct Anchor {
    std::vector<IndexKey> keys;  // a match has a token with one of these keys
    Width before;                // at most this far after the match's start
    std::uint32_t cost = 0;
  };
  // The most selective anchor every match of `node` must contain. With
  // `not_first`, an anchor on the node's first token does not count (the
  // first-token index already requires it).
  std::optional<Anchor> find_anchor(std::uint32_t node, bool not_first) const {
    const Node& n = nodes[node];
    switch (n.kind) {
      case Node::TestNode: {
        if (not_first) return std::nullopt;
        Anchor a;
        if (!test_keys(tests[n.test], a.keys)) return std::nullopt;
        a.cost = keys_cost(a.keys);
        return a;
      }
      case Node::Seq: {
        std::optional<Anchor> best;
        Width before;
        for (std::uint32_t c : n.children) {
          if (!before.bounded) break;
          bool at_start = before.tokens == 0 && before.hits == 0;
          if (!nullable(c)) {
            if (auto a = find_anchor(c, not_first && at_start)) {
              a->before += before;
              if (!best || a->cost < best->cost) best = std::move(a);
            }
          }
          before += max_width(c);
        }
        return best;
      }
      case Node::Alt: {
        Anchor all;
        all.before.least = 0xffff;
        for (std::uint32_t c : n.children) {
          auto a = find_anchor(c, not_first);
          if (!a) return std::nullopt;
          all.keys.insert(all.keys.end(), a->keys.begin(), a->keys.end());
          all.before.tokens = std::max(all.before.tokens, a->before.tokens);
          all.before.hits = std::max(all.before.hits, a->before.hits);
          all.before.least = std::min(all.before.least, a->before.least);
        }
        all.cost = keys_cost(all.keys);
        return all;
      }
      case Node::Repeat:
        if (n.min == 0) return std::nullopt;
        return find_anchor(n.children[0], not_first);
      case Node::Mark:
        return find_anchor(n.children[0], not_first);
      case Node::Start:
        return std::nullopt;
    }
    return std::nullopt;
  }
  // Anchors cheaper than this are worth looking for.
  static constexpr std::uint32_t kAnchorMaxCost = 200;

  bool first_keys(std::uint32_t node, std::vector<IndexKey>& keys, bool& unbounded,
                  std::uint8_t& shapes) const {
    const Node& n = nodes[node];
    switch (n.kind) {
      case Node::TestNode: {
        shapes |= accepted_shapes(tests[n.test]);
        if (!test_keys(tests[n.test], keys)) unbounded = true;
        return false;
      }
      case Node::Seq:
        for (std::uint32_t c : n.children)
          if (!first_keys(c, keys, unbounded, shapes)) return false;
        return true;
      case Node::Alt: {
        bool nullable = false;
        for (std::uint32_t c : n.children) nullable |= first_keys(c, keys, unbounded, shapes);
        return nullable;
      }
      case Node::Repeat:
        return first_keys(n.children[0], keys, unbounded, shapes) || n.min == 0;
      case Node::Mark:
        return first_keys(n.children[0], keys, unbounded, shapes);
      case Node::Start:
        return true;  // zero width
    }
    return true;
  }

  static constexpr std::uint8_t kCapShapes = (1u << static_cast<int>(Shape::Capitalized)) |
                                             (1u << static_cast<int>(Shape::AllCaps)) |
                                             (1u << static_cast<int>(Shape::Initial));
  // The shapes of the tokens a test can accept.
  static std::uint8_t accepted_shapes(const Test& t) {
    std::uint8_t shapes = 0xff;
    for (const Atom& a : t.atoms) {
      std::uint8_t bits = a.kind == Atom::ShapeIs ? static_cast<std::uint8_t>(1u << a.value)
                          : a.kind == Atom::Cap   ? kCapShapes
                                                  : 0;
      if (bits) shapes &= a.negate ? static_cast<std::uint8_t>(~bits) : bits;
    }
    return shapes;
  }

  static void add_keys(KeyIndex& index, std::uint32_t rule, const std::vector<IndexKey>& keys) {
    auto push = [&](std::vector<std::vector<std::uint32_t>>& list, std::uint32_t key) {
      if (list.size() <= key) list.resize(key + 1);
      if (list[key].empty() || list[key].back() != rule) list[key].push_back(rule);
    };
    index.empty = false;
    for (const IndexKey& k : keys) {
      switch (k.kind) {
        case IndexKey::Word:
          push(index.by_word, k.value);
          break;
        case IndexKey::Exact:
          push(index.by_exact, k.value);
          break;
        case IndexKey::Class:
          if (index.by_class.size() <= k.value) index.by_class.resize(k.value + 1);
          index.by_class[k.value].push_back({rule, k.flag_sets, k.shapes});
          break;
        case IndexKey::ShapeIs:
          push(index.by_shape, k.value);
          break;
      }
    }
  }

  void index_rule(std::uint32_t rule, std::uint32_t root) {
    index_first(rule, root);
    RuleAnchor ra;
    bool anywhere_rule = !anywhere.empty() && anywhere.back() == rule;
    if (auto a = find_anchor(root, !anywhere_rule);
        a && a->cost < kAnchorMaxCost && a->before.bounded) {
      ra = {true, a->before.tokens, a->before.hits, a->before.least};
      add_keys(anchors, rule, a->keys);
    }
    rule_anchors.push_back(ra);
  }
  void index_first(std::uint32_t rule, std::uint32_t root) {
    std::vector<IndexKey> keys;
    bool unbounded = false;
    std::uint8_t shapes = 0;
    bool nullable = first_keys(root, keys, unbounded, shapes);
    first_shapes.push_back(nullable ? 0xff : shapes);
    // A shape says little ("xx" is most tokens): the second token may say more.
    bool weak = std::any_of(keys.begin(), keys.end(),
                            [](const IndexKey& k) { return k.kind == IndexKey::ShapeIs; });
    if (!nullable && (unbounded || weak) && index_by_second(rule, root)) return;
    if (nullable || unbounded) {
      anywhere.push_back(rule);
      return;
    }
    add_keys(first, rule, keys);
  }

  // Indexes `rule` by its second token if its pattern is a sequence whose
  // first element is one token wide and whose rest starts with indexable
  // tests. False if it is not such a rule.
  bool index_by_second(std::uint32_t rule, std::uint32_t root) {
    const Node& n = nodes[root];
    if (n.kind != Node::Seq) return false;
    std::size_t i = 0;
    while (i < n.children.size() && nodes[n.children[i]].kind == Node::Start) ++i;
    if (i + 1 >= n.children.size() || !one_token_wide(n.children[i])) return false;
    std::vector<IndexKey> keys;
    bool unbounded = false, nullable = true;
    std::uint8_t shapes = 0;
    for (std::size_t c = i + 1; c < n.children.size() && nullable; ++c)
      nullable = first_keys(n.children[c], keys, unbounded, shapes);
    if (nullable || unbounded || keys.empty()) return false;
    add_keys(second, rule, keys);
    return true;
  }

  // Does `node` always consume exactly one token (a test that consumes no
  // list hit, or alternatives of such)?
  bool one_token_wide(std::uint32_t node) const {
    const Node& n = nodes[node];
    if (n.kind == Node::TestNode) return tests[n.test].consuming_class < 0;
    if (n.kind == Node::Alt)
      return std::all_of(n.children.begin(), n.children.end(),
                         [&](std::uint32_t c) { return one_token_wide(c); });
    return false;
  }

  // Builds the bit sets and the literal table from the index.
  void finalize() {
    bit_words = (rules.size() + 63) / 64;
    const std::size_t W = bit_words, S = 3 * W;
    auto to_bits = [&](const std::vector<std::vector<std::uint32_t>>& index,
                       std::vector<std::uint64_t>& bits, std::size_t keys, std::size_t part) {
      for (std::size_t k = 0; k < index.size() && k < keys; ++k)
        for (std::uint32_t r : index[k]) bits[k * S + part * W + r / 64] |= 1ull << (r % 64);
    };
    // Rows only for the classes rules mention; hits of others find none.
    const std::size_t classes =
        std::max({first.by_class.size(), second.by_class.size(), anchors.by_class.size()});
    packed.word.assign(words.size() * S, 0);
    packed.exact.assign(exact_words.size() * S, 0);
    packed.shape.assign(8 * S, 0);
    packed.cls.assign(classes * 16 * 8 * S, 0);
    const KeyIndex* parts[3] = {&first, &second, &anchors};
    for (std::size_t part = 0; part < 3; ++part) {
      const KeyIndex& index = *parts[part];
      to_bits(index.by_word, packed.word, words.size(), part);
      to_bits(index.by_exact, packed.exact, exact_words.size(), part);
      to_bits(index.by_shape, packed.shape, 8, part);
      // One row per (class, hit flags, token shape).
      for (std::size_t c = 0; c < index.by_class.size(); ++c)
        for (const KeyIndex::ClassRule& cr : index.by_class[c])
          for (unsigned f = 0; f < 16; ++f)
            for (unsigned shape = 0; shape < 8; ++shape)
              if ((cr.flag_sets & (1u << f)) && (cr.shapes & (1u << shape)))
                packed.cls[class_row(c, f, shape) * S + part * W + cr.rule / 64] |=
                    1ull << (cr.rule % 64);
    }
    static std::atomic<std::uint64_t> serials{0};
    serial = ++serials;
    anywhere_bits.assign(W, 0);
    for (std::uint32_t r : anywhere) anywhere_bits[r / 64] |= 1ull << (r % 64);
    shape_allowed_bits.assign(8 * bit_words, 0);
    for (std::uint32_t r = 0; r < rules.size(); ++r)
      for (int shape = 0; shape < 8; ++shape)
        if (first_shapes[r] & (1u << shape))
          shape_allowed_bits[shape * bit_words + r / 64] |= 1ull << (r % 64);

    literals.clear();
    std::unordered_map<std::string, std::uint32_t> by_key;
    auto literal = [&](const std::string& key) -> Literal& {
      auto [it, inserted] = by_key.emplace(key, static_cast<std::uint32_t>(literals.size()));
      if (inserted) literals.push_back({key, Gazetteer::kNoWord, {}});
      return literals[it->second];
    };
    for (const auto& [key, id] : words) literal(key).word = id;
    for (const auto& [text, id] : exact_words) literal(fold_key(text)).exact.emplace_back(text, id);
    std::size_t slots = 16;
    while (slots < literals.size() * 2) slots <<= 1;
    literal_slots.assign(slots, {0, 0});
    for (std::uint32_t i = 0; i < literals.size(); ++i) {
      std::uint32_t h = hash_key(literals[i].key);
      std::size_t slot = h & (slots - 1);
      while (literal_slots[slot].second != 0) slot = (slot + 1) & (slots - 1);
      literal_slots[slot] = {h, i + 1};
    }
  }

  static std::size_t class_row(std::size_t cls, unsigned flags, unsigned shape) {
    return (cls * 16 + (flags & 15u)) * 8 + shape;
  }

  // The rule literal a token is, if any.
  const Literal* find_literal(const TokenizedText& text, const Token& t) const {
    const std::size_t mask = literal_slots.size() - 1;
    for (std::size_t slot = t.key_hash & mask;; slot = (slot + 1) & mask) {
      const auto& [hash, index] = literal_slots[slot];
      if (index == 0) return nullptr;
      if (hash == t.key_hash && literals[index - 1].key == text.key(t)) return &literals[index - 1];
    }
  }

  // ---------------- matching ----------------
  // One pass over the tokens: the literal each token is (word_ids,
  // exact_ids); the rules that may start at each token (`starts`, bit_words
  // per token: its first-token index, the next token's second-token index,
  // and the rules tried anywhere); and where each rule's anchor occurs.
  // Returns the length of the longest list hit (at least 1), which scales
  // how far an anchor can be. FixedW is bit_words when it is small (so the
  // loops unroll), else 0.
  template <std::size_t FixedW>
  std::uint32_t scan_tokens(const Analysis& doc, std::vector<std::uint32_t>& word_ids,
                            std::vector<std::uint32_t>& exact_ids,
                            std::vector<std::uint64_t>& starts,
                            std::vector<std::vector<std::uint32_t>>& anchor_at) const {
    const std::size_t W = FixedW ? FixedW : bit_words, S = 3 * W;
    const std::size_t n = doc.size();
    std::uint64_t fixed_row[3 * (FixedW ? FixedW : 1)];
    thread_local std::vector<std::uint64_t> dynamic_row;
    if (!FixedW) dynamic_row.resize(S);
    std::uint64_t* row = FixedW ? fixed_row : dynamic_row.data();
    starts.assign(n * W, 0);
    const bool find_anchors = !anchors.empty;
    std::uint32_t longest_hit = 1;
    for (std::size_t pos = 0; pos < n; ++pos) {
      const Token& t = doc.text.tokens[pos];
      std::uint32_t word = Gazetteer::kNoWord, exact = Gazetteer::kNoWord;
      if (const Literal* lit = find_literal(doc.text, t)) {
        word = lit->word;
        for (const auto& [text, id] : lit->exact)
          if (doc.text.token_text(t) == text) exact = id;
      }
      word_ids[pos] = word;
      exact_ids[pos] = exact;

      auto add = [&](const std::uint64_t* more) {
        for (std::size_t w = 0; w < S; ++w) row[w] |= more[w];
      };
      std::copy_n(&packed.shape[static_cast<std::size_t>(t.shape) * S], S, row);
      if (word != Gazetteer::kNoWord) add(&packed.word[word * S]);
      if (exact != Gazetteer::kNoWord) add(&packed.exact[exact * S]);
      for (std::uint32_t h = doc.hit_start[pos]; h < doc.hit_start[pos + 1]; ++h) {
        longest_hit = std::max(longest_hit, doc.hits[h].end - doc.hits[h].begin);
        std::size_t key =
            class_row(doc.hits[h].cls, doc.hits[h].flags, static_cast<unsigned>(t.shape));
        if (key * S < packed.cls.size()) add(&packed.cls[key * S]);
      }
      std::uint64_t* here = &starts[pos * W];
      for (std::size_t w = 0; w < W; ++w) here[w] |= row[w] | anywhere_bits[w];
      if (pos > 0) {  // the previous token: rules indexed by their second token
        std::uint64_t* before = here - W;
        for (std::size_t w = 0; w < W; ++w) before[w] |= row[W + w];
      }
      if (find_anchors)
        for (std::size_t w = 0; w < W; ++w)
          for (std::uint64_t bits = row[2 * W + w]; bits; bits &= bits - 1)
            anchor_at[w * 64 + std::countr_zero(bits)].push_back(static_cast<std::uint32_t>(pos));
    }
    return longest_hit;
  }
  std::uint32_t scan_tokens(const Analysis& doc, std::vector<std::uint32_t>& word_ids,
                            std::vector<std::uint32_t>& exact_ids,
                            std::vector<std::uint64_t>& starts,
                            std::vector<std::vector<std::uint32_t>>& anchor_at) const {
    switch (bit_words) {
      case 1:
        return scan_tokens<1>(doc, word_ids, exact_ids, starts, anchor_at);
      case 2:
        return scan_tokens<2>(doc, word_ids, exact_ids, starts, anchor_at);
      case 3:
        return scan_tokens<3>(doc, word_ids, exact_ids, starts, anchor_at);
      case 4:
        return scan_tokens<4>(doc, word_ids, exact_ids, starts, anchor_at);
      default:
        return scan_tokens<0>(doc, word_ids, exact_ids, starts, anchor_at);
    }
  }

  struct Matcher {
    const Impl& impl;
    const Analysis& doc;
    const std::vector<std::uint32_t>& word_ids;
    const std::vector<std::uint32_t>& exact_ids;
    std::vector<std::int8_t>& regex_memo;  // per (regex, token): -1 unknown, 0 no, 1 yes
    std::vector<std::unique_ptr<icu::RegexMatcher>>& regex_matchers;
    std::uint32_t mark_begin = 0, mark_end = 0;
    bool marked = false;
    const ListHit* mark_hit = nullptr;
    const ListHit* last_hit = nullptr;
    int depth = 0;            // nested match() calls, bounded by kMaxMatchDepth
    std::uint32_t steps = 0;  // match() calls for this rule at this token

    bool hit_matches(const Atom& a, const ListHit& h) const {
      return h.cls == a.value && (a.subtype == 0 || (h.subtype == a.subtype) != a.negate_subtype) &&
             (h.flags & a.require_flags) == a.require_flags && (h.flags & a.forbid_flags) == 0 &&
             h.population >= a.min_population && h.population < a.max_population &&
             h.end - h.begin >= a.min_words;
    }
    bool regex_matches(std::uint32_t re, std::uint32_t pos) const {
      std::int8_t& memo = regex_memo[re * doc.size() + pos];
      if (memo < 0) {
        auto& m = regex_matchers[re];
        UErrorCode status = U_ZERO_ERROR;
        icu::UnicodeString s = icu::UnicodeString::fromUTF8(icu::StringPiece(
            doc.text.token_text(doc.text.tokens[pos]).data(),
            static_cast<int32_t>(doc.text.tokens[pos].end - doc.text.tokens[pos].begin)));
        if (!m) {
          const icu::RegexPattern* pattern = impl.regex(re);
          if (!pattern) return (memo = 0) == 1;
          m.reset(pattern->matcher(status));
          if (!m || U_FAILURE(status)) return (memo = 0) == 1;
        }
        m->reset(s);
        memo = U_SUCCESS(status) && m->matches(status) && U_SUCCESS(status) ? 1 : 0;
      }
      return memo == 1;
    }
    bool atom_holds(const Atom& a, std::uint32_t pos) const {
      const Token& t = doc.text.tokens[pos];
      bool r = false;
      switch (a.kind) {
        case Atom::Word:
          r = word_ids[pos] == a.value;
          break;
        case Atom::Exact:
          r = exact_ids[pos] == a.value;
          break;
        case Atom::ShapeIs:
          r = static_cast<std::uint32_t>(t.shape) == a.value;
          break;
        case Atom::Cap:
          r = t.shape == Shape::Capitalized || t.shape == Shape::AllCaps ||
              t.shape == Shape::Initial;
          break;
        case Atom::Any:
          r = true;
          break;
        case Atom::First:
          r = t.sentence_start;
          break;
        case Atom::Glued:
          r = !t.space_before;
          break;
        case Atom::Regex:
          if (const auto& words = impl.regexes[a.value].words; !words.empty()) {
            // A list of words: the token is one of them (no regex needed).
            std::uint32_t id = impl.regexes[a.value].folded ? word_ids[pos] : exact_ids[pos];
            r = std::find(words.begin(), words.end(), id) != words.end();
          } else {
            r = regex_matches(a.value, pos);
          }
          break;
        case Atom::Class:
          for (std::uint32_t h = doc.hit_start[pos]; h < doc.hit_start[pos + 1] && !r; ++h)
            r = hit_matches(a, doc.hits[h]);
          break;
      }
      return r != a.negate;
    }
    bool test_token(const Test& t, std::uint32_t pos, int skip) const {
      for (std::size_t i = 0; i < t.atoms.size(); ++i)
        if (static_cast<int>(i) != skip && !atom_holds(t.atoms[i], pos)) return false;
      return true;
    }

    bool match(std::uint32_t id, std::uint32_t pos, Cont k) {
      // Each step of a match recurses (continuations): bound the stack.
      if (depth >= kMaxMatchDepth || ++steps > kMaxMatchSteps) return false;
      struct DepthGuard {
        int& d;
        explicit DepthGuard(int& depth) : d(++depth) {}
        ~DepthGuard() { --d; }
      } guard(depth);
      const Node& n = impl.nodes[id];
      switch (n.kind) {
        case Node::TestNode: {
          if (pos >= doc.size()) return false;
          const Test& t = impl.tests[n.test];
          if (t.consuming_class < 0) return test_token(t, pos, -1) && k(pos + 1);
          if (!test_token(t, pos, t.consuming_class)) return false;
          const Atom& a = t.atoms[t.consuming_class];
          for (std::uint32_t h = doc.hit_start[pos]; h < doc.hit_start[pos + 1]; ++h) {
            if (!hit_matches(a, doc.hits[h])) continue;
            const ListHit* saved = last_hit;
            last_hit = &doc.hits[h];
            if (k(doc.hits[h].end)) return true;
            last_hit = saved;
          }
          return false;
        }
        case Node::Seq:
          return match_seq(n, 0, pos, k);
        case Node::Alt:
          for (std::uint32_t c : n.children)
            if (match(c, pos, k)) return true;
          return false;
        case Node::Repeat:
          return match_repeat(n, 0, pos, k);
        case Node::Start:
          return pos < doc.size() && doc.text.tokens[pos].sentence_start && k(pos);
        case Node::Mark: {
          std::uint32_t begin = pos;
          const ListHit* before = last_hit;
          last_hit = nullptr;
          auto after = [&](std::uint32_t end) {
            std::uint32_t saved_begin = mark_begin, saved_end = mark_end;
            bool saved_marked = marked;
            const ListHit* saved_hit = mark_hit;
            mark_begin = begin;
            mark_end = end;
            marked = true;
            mark_hit = last_hit;
            if (k(end)) return true;
            mark_begin = saved_begin;
            mark_end = saved_end;
            marked = saved_marked;
            mark_hit = saved_hit;
            return false;
          };
          bool ok = match(n.children[0], pos, after);
          if (!ok) last_hit = before;
          return ok;
        }
      }
      return false;
    }
    bool match_seq(const Node& n, std::size_t i, std::uint32_t pos, Cont k) {
      if (i == n.children.size()) return k(pos);
      auto rest = [&](std::uint32_t p) { return match_seq(n, i + 1, p, k); };
      return match(n.children[i], pos, rest);
    }
    bool match_repeat(const Node& n, std::uint32_t count, std::uint32_t pos, Cont k) {
      if (count < n.max) {
        auto more = [&](std::uint32_t p) { return p != pos && match_repeat(n, count + 1, p, k); };
        if (match(n.children[0], pos, more)) return true;  // greedy: longest first
      }
      return count >= n.min && k(pos);
    }
  };
};

RuleSet::RuleSet() : impl_(std::make_unique<Impl>()) {}
RuleSet::~RuleSet() = default;
RuleSet::RuleSet(RuleSet&&) noexcept = default;
RuleSet& RuleSet::operator=(RuleSet&&) noexcept = default;

std::size_t RuleSet::size() const {
  return impl_->rules.size();
}

std::vector<std::string> RuleSet::names() const {
  std::vector<std::string> out;
  for (const Rule& r : impl_->rules) out.push_back(r.name);
  return out;
}

void RuleSet::add(std::string_view source, const std::string& file, LabelTable& labels,
                  bool checked) {
  impl_->labels = &labels;
  impl_->checked = checked;
  for (EntityType t : {EntityType::Person, EntityType::Location, EntityType::Organization})
    impl_->type_labels[static_cast<int>(t)] = labels.intern(to_string(t));
  // A rule starts at column 1; lines that start with white space continue it.
  std::string text;
  std::vector<std::pair<std::size_t, std::size_t>> where;
  std::size_t line_no = 0, pos = 0;
  auto flush = [&]() {
    bool blank = text.find_first_not_of(" \t\r\n") == std::string::npos;
    if (!blank) impl_->parse_rule(file, text, where);
    text.clear();
    where.clear();
  };
  while (pos <= source.size()) {
    std::size_t nl = source.find('\n', pos);
    if (nl == std::string_view::npos) nl = source.size();
    std::string_view line = source.substr(pos, nl - pos);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    bool continuation = !line.empty() && (line[0] == ' ' || line[0] == '\t');
    bool comment = !line.empty() && line[0] == '#';
    if (!continuation && !comment) flush();
    if (!comment) {
      for (std::size_t c = 0; c < line.size(); ++c) {
        text.push_back(line[c]);
        where.emplace_back(line_no, c + 1);
      }
      text.push_back('\n');
      where.emplace_back(line_no, line.size() + 1);
    }
    pos = nl + 1;
  }
  flush();
  impl_->finalize();
}

void RuleSet::apply(const Analysis& doc, std::vector<Candidate>& out) const {
  const Impl& m = *impl_;
  const std::size_t n = doc.size();
  if (m.rules.empty() || n == 0) return;
  // Scratch space reused across documents (one set per thread).
  thread_local std::vector<std::uint32_t> word_ids, exact_ids;
  thread_local std::vector<std::int8_t> regex_memo;
  thread_local std::vector<std::uint64_t> starts;
  // Where each rule's anchor occurs, and a cursor into that list per rule.
  thread_local std::vector<std::vector<std::uint32_t>> anchor_at;
  thread_local std::vector<std::uint32_t> anchor_next;
  // Regex matchers are costly to make: keep them while the rule set is the same.
  thread_local std::vector<std::unique_ptr<icu::RegexMatcher>> matchers;
  thread_local std::uint64_t matchers_serial = 0;
  if (matchers_serial != m.serial) {
    matchers.clear();
    matchers.resize(m.regexes.size());
    matchers_serial = m.serial;
  }
  word_ids.resize(n);
  exact_ids.resize(n);
  anchor_at.resize(m.rules.size());
  for (auto& at : anchor_at) at.clear();
  anchor_next.assign(m.rules.size(), 0);
  const std::uint32_t longest_hit = m.scan_tokens(doc, word_ids, exact_ids, starts, anchor_at);
  regex_memo.assign(m.regexes.size() * n, -1);
  Impl::Matcher matcher{m, doc, word_ids, exact_ids, regex_memo, matchers};

  const std::size_t W = m.bit_words;
  // Document conditions, each evaluated once per document when a rule needs it.
  std::vector<std::int8_t> condition_holds(m.conditions.size(), -1);
  auto rule_enabled = [&](const Rule& rule) {
    for (auto [id, negated] : rule.conditions) {
      std::int8_t& holds = condition_holds[id];
      if (holds < 0) {
        const Condition& cond = m.conditions[id];
        std::uint32_t count = 0;
        for (std::uint32_t pos = 0; pos < n && count < cond.min; ++pos)
          if (matcher.test_token(m.tests[cond.test], static_cast<std::uint32_t>(pos), -1)) ++count;
        holds = count >= cond.min ? 1 : 0;
      }
      if ((holds == 1) == negated) return false;
    }
    return true;
  };

  // Is rule r's anchor (if it needs one) close enough after `pos`?
  auto anchor_near = [&](std::uint32_t r, std::uint32_t pos) {
    const Impl::RuleAnchor& ra = m.rule_anchors[r];
    if (!ra.required) return true;
    const std::vector<std::uint32_t>& at = anchor_at[r];
    std::uint32_t& i = anchor_next[r];
    while (i < at.size() && at[i] < pos + ra.least) ++i;
    return i < at.size() && at[i] - pos <= ra.tokens + ra.hits * longest_hit;
  };

  auto apply_rule = [&](std::uint32_t r, std::uint32_t pos) {
    const Rule& rule = m.rules[r];
    if (!anchor_near(r, pos)) return;
    if (m.has_conditions && !rule.conditions.empty() && !rule_enabled(rule)) return;
    matcher.marked = false;
    matcher.mark_hit = matcher.last_hit = nullptr;
    matcher.steps = 0;
    auto done = [&](std::uint32_t) { return matcher.marked; };
    if (!matcher.match(rule.root, pos, done)) return;
    if (matcher.mark_end <= matcher.mark_begin) return;
    Candidate c;
    c.begin = matcher.mark_begin;
    c.end = matcher.mark_end;
    c.type = rule.type;
    c.action = rule.action;
    c.priority = rule.priority;
    c.order = r;
    c.rule = rule.name;
    c.subtype = rule.subtype;
    const ListHit* h = matcher.mark_hit;
    bool same_class = h && h->cls == m.type_labels[static_cast<int>(rule.type)];
    if (same_class && h->begin == c.begin && h->end == c.end) {
      c.list = h->list();
      c.canonical = h->canonical();
      c.id = h->id();
      if (c.subtype.empty() && h->subtype) c.subtype = m.labels->name(h->subtype);
    }
    out.push_back(c);
  };

  for (std::uint32_t pos = 0; pos < n; ++pos) {
    const std::uint64_t* here = &starts[static_cast<std::size_t>(pos) * W];
    const std::uint64_t* allowed =
        &m.shape_allowed_bits[static_cast<std::size_t>(doc.text.tokens[pos].shape) * W];
    for (std::size_t w = 0; w < W; ++w)
      for (std::uint64_t bits = here[w] & allowed[w]; bits; bits &= bits - 1) {
        const std::uint32_t r = static_cast<std::uint32_t>(w * 64 + std::countr_zero(bits));
        apply_rule(r, pos);
      }
  }
}

}  // namespace nerx
