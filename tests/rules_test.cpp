// The rule engine: parse errors with file:line:column, and what each part of
// the rule language matches, checked on candidates over analysed text.
#include "nerx/rules.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "nerx/error.hpp"
#include "nerx/extractor.hpp"
#include "nerx/model.hpp"
#include "test_util.hpp"

namespace {

using nerx_test::entry;
using Strings = std::vector<std::string>;

// ---------------------------------------------------------------- parse errors

nerx::Error rule_error(const std::string& source, const std::string& file = "t.rules") {
  nerx::LabelTable labels;
  nerx::RuleSet rules;
  try {
    rules.add(source, file, labels);
  } catch (const nerx::Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for:\n" << source;
  return nerx::Error("none");
}

void expect_error_at(const std::string& source, std::size_t line, std::size_t column) {
  SCOPED_TRACE(source);
  nerx::Error e = rule_error(source);
  EXPECT_EQ(e.file(), "t.rules");
  EXPECT_EQ(e.line(), line);
  EXPECT_EQ(e.column(), column);
  std::string prefix = "t.rules:" + std::to_string(line) + ":" + std::to_string(column) + ": ";
  EXPECT_EQ(std::string(e.what()).rfind(prefix, 0), 0u) << e.what();
}

TEST(RuleParse, ValidRulesParse) {
  nerx::LabelTable labels;
  nerx::RuleSet rules;
  rules.add(
      "# comment\n"
      "let PREP = (in | from)\n"
      "a (10): [PERSON: Xx]\n"
      "b: $PREP\n"
      "   [LOCATION/city: @LOCATION/city(pop>=5, !common) | XX{1,3}]\n"
      "\n"
      "c (0): [not: @DEMONYM]\n"
      "d (1000): [retype ORGANIZATION: /[A-Z]{2,5}/i]\n",
      "t.rules", labels);
  EXPECT_EQ(rules.size(), 4u);
  EXPECT_EQ(rules.names(), (Strings{"a", "b", "c", "d"}));
}

TEST(RuleParse, UnknownLabel) {
  expect_error_at("ok (10): [PERSON: Xx]\nbad (10): [FOO: Xx]\n", 2, 12);
}

TEST(RuleParse, UnknownKeyword) {
  expect_error_at("r (1): [PERSON: Foo]\n", 1, 17);
  EXPECT_NE(rule_error("r (1): [PERSON: Foo]\n").reason().find("Foo"), std::string::npos);
}

TEST(RuleParse, NoMarkedPart) {
  expect_error_at("# c\nr (1): Xx Xx\n", 2, 1);
}

TEST(RuleParse, TwoMarkedParts) {
  expect_error_at("r: [PERSON: Xx] [LOCATION: Xx]\n", 1, 17);
}

TEST(RuleParse, UnterminatedLiteral) {
  expect_error_at("r: [PERSON: \"abc]\n", 1, 13);
}

TEST(RuleParse, BadRepeatCount) {
  expect_error_at("r: [PERSON: Xx{3,1}]\n", 1, 15);
  expect_error_at("r: [PERSON: Xx{0}]\n", 1, 15);
  expect_error_at("r: [PERSON: Xx{a}]\n", 1, 15);
}

TEST(RuleParse, RepeatedMarkIsAnError) {
  expect_error_at("r: [PERSON: Xx]+\n", 1, 4);
}

TEST(RuleParse, InvalidRegex) {
  nerx::Error e = rule_error("ok: [PERSON: Xx]\nr: [PERSON: /(/]\n");
  EXPECT_EQ(e.file(), "t.rules");
  EXPECT_EQ(e.line(), 2u);
  EXPECT_GE(e.column(), 13u);
}

TEST(RuleParse, UnknownMacro) {
  expect_error_at("r: [PERSON: $NOPE]\n", 1, 13);
}

TEST(RuleParse, BadPriority) {
  expect_error_at("r (2000): [PERSON: Xx]\n", 1, 4);
  expect_error_at("r (x): [PERSON: Xx]\n", 1, 4);
}

TEST(RuleParse, UnknownClassCondition) {
  expect_error_at("r: [LOCATION: @LOCATION(big)]\n", 1, 25);
}

TEST(RuleParse, BadClassName) {
  expect_error_at("r: [LOCATION: @location]\n", 1, 15);
}

TEST(RuleParse, ErrorOnContinuationLine) {
  expect_error_at("r (1): Xx\n    [FOO: Xx]\n", 2, 6);
}

TEST(RuleParse, ErrorInsideLet) {
  nerx::Error e = rule_error("a: [PERSON: Xx]\nlet BAD = Xx |\n");
  EXPECT_EQ(e.file(), "t.rules");
  EXPECT_EQ(e.line(), 2u);
  // An error in a macro is reported where the macro is written.
  expect_error_at("let BAD = Xx&Foo\na: [PERSON: $BAD]\n", 1, 14);
}

TEST(RuleParse, MissingColon) {
  expect_error_at("r (1) [PERSON: Xx]\n", 1, 7);
}

TEST(RuleParse, CrlfSourceParses) {
  nerx::LabelTable labels;
  nerx::RuleSet rules;
  EXPECT_NO_THROW(
      rules.add("a (1): [PERSON: Xx]\r\nb (2):\r\n  [LOCATION: XX]\r\n", "t.rules", labels));
  EXPECT_EQ(rules.size(), 2u);
}

TEST(RuleParse, CompileNamesTheRuleFile) {
  nerx_test::TempDir dir;
  std::string rules = dir.write("bad.rules", "ok: [PERSON: Xx]\n\nbroken (5): [PERSON: Xx\n");
  try {
    nerx::Model::compile({}, {rules}, true);
    FAIL() << "no error";
  } catch (const nerx::Error& e) {
    EXPECT_EQ(e.file(), rules);
    EXPECT_EQ(e.line(), 3u);
  }
}

// ---------------------------------------------------------------- matching

// A small world: a few listed names of several classes.
std::vector<nerx::GazetteerEntry> world() {
  return {
      entry("Kabul", "LOCATION", "city", 4601789),
      entry("Herat", "LOCATION", "city", 556205),
      entry("New York", "LOCATION", "city", 8000000),
      entry("Reading", "LOCATION", "city", 174224, nerx::kCommonWord),
      entry("Jordan", "LOCATION", "country", 11000000, nerx::kAmbiguous),
      entry("Jordan", "GIVEN_NAME"),
      entry("Ishaq", "GIVEN_NAME"),
      entry("Foreign Minister", "TITLE"),
      entry("Minister", "TITLE"),
      entry("Afghan", "DEMONYM"),
      entry("Taliban", "ORGANIZATION", "militant"),
  };
}

class Rules : public ::testing::Test {
 protected:
  Rules() : extractor_({nerx_test::make_model(world(), "")}) {}

  // Candidates of `rules` on `text`: "rule ACTION TYPE[/subtype] text".
  Strings run(const std::string& rules, std::string_view text) {
    nerx::LabelTable labels = extractor_.labels();
    nerx::RuleSet set;
    set.add(rules, "t.rules", labels);
    nerx::Analysis doc;
    extractor_.analyse(text, doc);
    std::vector<nerx::Candidate> out;
    set.apply(doc, out);
    return describe(doc, out);
  }

  static Strings describe(const nerx::Analysis& doc, const std::vector<nerx::Candidate>& cands) {
    Strings s;
    for (const auto& c : cands) {
      std::string action = c.action == nerx::CandidateAction::Add    ? "add"
                           : c.action == nerx::CandidateAction::Veto ? "not"
                                                                     : "retype";
      std::string type =
          c.action == nerx::CandidateAction::Veto ? "-" : std::string(nerx::to_string(c.type));
      if (!c.subtype.empty()) type += "/" + std::string(c.subtype);
      s.push_back(std::string(c.rule) + " " + action + " " + type + " " +
                  nerx_test::span_text(doc, c.begin, c.end));
    }
    std::sort(s.begin(), s.end());
    return s;
  }

  // Only the span texts.
  Strings spans(const std::string& rules, std::string_view text) {
    Strings s;
    for (const auto& c : run(rules, text))
      s.push_back(c.substr(c.find(' ', c.find(' ', c.find(' ') + 1) + 1) + 1));
    std::sort(s.begin(), s.end());
    return s;
  }

  static void expect_parse_error(const std::string& rules) {
    nerx::LabelTable labels;
    nerx::RuleSet set;
    EXPECT_THROW(set.add(rules, "t.rules", labels), nerx::Error) << rules;
  }

  nerx::Extractor extractor_;
};

TEST_F(Rules, FoldedLiteralMatchesAnyCase) {
  EXPECT_EQ(spans("r (10): visited [LOCATION: Xx]\n", "Dar visited Kabul and VISITED Herat"),
            (Strings{"Herat", "Kabul"}));
  EXPECT_EQ(spans("r (10): 'Visited' [LOCATION: Xx]\n", "Dar visited Kabul and VISITED Herat"),
            (Strings{"Herat", "Kabul"}));
}

TEST_F(Rules, DoubleQuotedLiteralIsExact) {
  EXPECT_EQ(spans("r (10): \"visited\" [LOCATION: Xx]\n", "Dar visited Kabul and VISITED Herat"),
            (Strings{"Kabul"}));
}

TEST_F(Rules, MultiTokenLiteral) {
  EXPECT_EQ(spans("r (10): 'prime minister' [PERSON: Xx]\n",
                  "Prime Minister Khan met the prime minister Sharif and Minister Ali"),
            (Strings{"Khan", "Sharif"}));
}

TEST_F(Rules, Shapes) {
  std::string text = "the TTP and U.S. met Kabul in 2024 , J. Smith \xE6\x9D\xB1\xE4\xBA\xAC";
  EXPECT_EQ(spans("r: [ORGANIZATION: XX]\n", text), (Strings{"TTP", "U.S."}));
  EXPECT_EQ(spans("r: [LOCATION: Xx]\n", text), (Strings{"Kabul", "Smith"}));
  EXPECT_EQ(spans("r: [LOCATION: 9]\n", text), (Strings{"2024"}));
  EXPECT_EQ(spans("r: [PERSON: X]\n", text), (Strings{"J."}));
  EXPECT_EQ(spans("r: [PERSON: Punct]\n", text), (Strings{","}));
  EXPECT_EQ(spans("r: [PERSON: Uncased]\n", text), (Strings{"\xE6\x9D\xB1\xE4\xBA\xAC"}));
  EXPECT_EQ(spans("r: [PERSON: Cap]\n", text), (Strings{"J.", "Kabul", "Smith", "TTP", "U.S."}));
  EXPECT_EQ(spans("r: [PERSON: xx&!'the']\n", text), (Strings{"and", "in", "met"}));
}

TEST_F(Rules, ClassMatchesWholeListedName) {
  EXPECT_EQ(spans("r: [LOCATION: @LOCATION]\n", "From New York to Kabul"),
            (Strings{"Kabul", "New York"}));
  // A negated class test consumes one token.
  EXPECT_EQ(spans("r: [PERSON: Xx&!@LOCATION]\n", "From New York to Kabul"),
            (Strings{"From", "York"}));
}

TEST_F(Rules, ClassSubtypePopulationAndFlags) {
  std::string text = "Kabul , Herat , New York , Reading , Jordan";
  EXPECT_EQ(spans("r: [LOCATION: @LOCATION/country]\n", text), (Strings{"Jordan"}));
  EXPECT_EQ(spans("r: [LOCATION: @LOCATION/city(pop>=1000000)]\n", text),
            (Strings{"Kabul", "New York"}));
  EXPECT_EQ(spans("r: [LOCATION: @LOCATION(pop>556205)]\n", text),
            (Strings{"Jordan", "Kabul", "New York"}));
  EXPECT_EQ(spans("r: [LOCATION: @LOCATION(common)]\n", text), (Strings{"Reading"}));
  EXPECT_EQ(spans("r: [LOCATION: @LOCATION(!common, !ambiguous)]\n", text),
            (Strings{"Herat", "Kabul", "New York"}));
  EXPECT_EQ(spans("r: [LOCATION: @LOCATION(ambiguous)]\n", text), (Strings{"Jordan"}));
  EXPECT_EQ(spans("r: [PERSON: @GIVEN_NAME]\n", text), (Strings{"Jordan"}));
  // PER / LOC / ORG are accepted class names too.
  EXPECT_EQ(spans("r: [LOCATION: @LOC(ambiguous)]\n", text), (Strings{"Jordan"}));
}

TEST_F(Rules, ClassWordCount) {
  // words>=N: the listed name has at least N tokens.
  std::string text = "Kabul , Herat , New York , Reading , Jordan";
  EXPECT_EQ(spans("r: [LOCATION: @LOCATION(words>=2)]\n", text), (Strings{"New York"}));
  EXPECT_EQ(spans("r: [LOCATION: @LOCATION/city(words>=1, pop>=1000000)]\n", text),
            (Strings{"Kabul", "New York"}));
  expect_parse_error("r: [LOCATION: @LOCATION(words>=0)]\n");
  expect_parse_error("r: [LOCATION: @LOCATION(!words>=2)]\n");
  expect_parse_error("r: [LOCATION: @LOCATION(words>=x)]\n");
}

TEST_F(Rules, PopulationUpperBoundsAndNegatedSubtype) {
  std::string text = "Kabul , Herat , New York , Reading , Jordan";
  EXPECT_EQ(spans("r: [LOCATION: @LOCATION(pop<556205)]\n", text), (Strings{"Reading"}));
  EXPECT_EQ(spans("r: [LOCATION: @LOCATION(pop<=556205)]\n", text), (Strings{"Herat", "Reading"}));
  EXPECT_EQ(spans("r: [LOCATION: @LOCATION(pop>=500000, pop<5000000)]\n", text),
            (Strings{"Herat", "Kabul"}));
  EXPECT_EQ(spans("r: [LOCATION: @LOCATION/!city]\n", text), (Strings{"Jordan"}));
  EXPECT_EQ(spans("r: [LOCATION: @LOCATION/!country(!common)]\n", text),
            (Strings{"Herat", "Kabul", "New York"}));
  expect_parse_error("r: [LOCATION: @LOCATION(pop<x)]\n");
  expect_parse_error("r: [LOCATION: @LOCATION(!pop>5)]\n");
  expect_parse_error("r: [LOCATION: @LOCATION/]\n");
}

TEST_F(Rules, AnyAndSymbol) {
  std::string text = "Kabul \xF0\x9F\x98\x80 and Herat";
  EXPECT_EQ(spans("r: [LOCATION: Xx] Any Any Xx\n", text), (Strings{"Kabul"}));
  EXPECT_EQ(spans("r: [PERSON: Symbol]\n", text), (Strings{"\xF0\x9F\x98\x80"}));
}

// docs/rules.md: `"'s"` matches "the possessive ending, which the tokenizer
// splits off: Pakistan 's". The literal must be one token, like the text's.
TEST_F(Rules, PossessiveLiteral) {
  EXPECT_EQ(spans("r: [LOCATION: Xx] \"'s\"\n", "Pakistan's minister and Kabul 's mayor"),
            (Strings{"Kabul", "Pakistan"}));
}

TEST_F(Rules, CandidateCarriesListInformation) {
  auto c = run("r (30): [LOCATION: @LOCATION/city]\n", "in Kabul");
  EXPECT_EQ(c, (Strings{"r add LOCATION/city Kabul"}));
  // The rule's own subtype wins over the list's.
  EXPECT_EQ(run("r (30): [LOCATION/capital: @LOCATION/city]\n", "in Kabul"),
            (Strings{"r add LOCATION/capital Kabul"}));
}

TEST_F(Rules, Regex) {
  std::string text = "TTP ISIS ttp Ab1 Kabul";
  EXPECT_EQ(spans("r: [ORGANIZATION: /[A-Z]{3}/]\n", text), (Strings{"TTP"}));  // whole token
  EXPECT_EQ(spans("r: [ORGANIZATION: /ttp/i]\n", text), (Strings{"TTP", "ttp"}));
  EXPECT_EQ(spans("r: [ORGANIZATION: /[A-Z][a-z]\\d/]\n", text), (Strings{"Ab1"}));
  EXPECT_EQ(spans("r: [LOCATION: /k.*/i&Xx]\n", text), (Strings{"Kabul"}));
}

TEST_F(Rules, OptionalItem) {
  std::string rules = "r: [PERSON: Xx bin? Xx] said\n";
  EXPECT_EQ(spans(rules, "Ali bin Omar said"), (Strings{"Ali bin Omar"}));
  EXPECT_EQ(spans(rules, "Ali Omar said"), (Strings{"Ali Omar"}));
}

TEST_F(Rules, StarItem) {
  std::string rules = "r: [PERSON: Xx xx* Xx] said\n";
  EXPECT_EQ(spans(rules, "Ali bin al Omar said"), (Strings{"Ali bin al Omar"}));
  EXPECT_EQ(spans(rules, "Ali Omar said"), (Strings{"Ali Omar"}));
}

TEST_F(Rules, PlusItemBacktracks) {
  // Xx+ first eats "Inc." (a capitalised word) and must give it back.
  EXPECT_EQ(spans("r: [ORGANIZATION: Xx+] \"Inc.\"\n", "Acme Widget Works Inc. sued"),
            (Strings{"Acme Widget Works", "Widget Works", "Works"}));
}

TEST_F(Rules, BoundedRepeat) {
  EXPECT_EQ(spans("r: [PERSON: Xx{2,3}]\n", "said Alpha Beta Gamma Delta ok"),
            (Strings{"Alpha Beta Gamma", "Beta Gamma Delta", "Gamma Delta"}));
  EXPECT_EQ(spans("r: [PERSON: Xx{2}]\n", "said Alpha Beta Gamma ok"),
            (Strings{"Alpha Beta", "Beta Gamma"}));
}

TEST_F(Rules, Alternatives) {
  EXPECT_EQ(spans("r: (in | from | near the) [LOCATION: Xx]\n",
                  "in Kabul, from Herat, near the Oxus, to Balkh, near Ghazni"),
            (Strings{"Herat", "Kabul", "Oxus"}));
  EXPECT_EQ(spans("r: [LOCATION: Xx (\"-\" Xx)?]\n", "went to Baden-Baden today"),
            (Strings{"Baden", "Baden-Baden"}));
}

TEST_F(Rules, SentenceStartAnchor) {
  EXPECT_EQ(spans("r: ^ [LOCATION: XX]\n", "KABUL - The TTP met. HERAT ok\nBALKH"),
            (Strings{"BALKH", "HERAT", "KABUL"}));
  EXPECT_EQ(spans("r: [PERSON: First&Xx]\n", "Ali met Omar. Then Sara"), (Strings{"Ali", "Then"}));
}

TEST_F(Rules, Glued) {
  EXPECT_EQ(spans("r: [ORGANIZATION: Xx \"-\"&Glued xx&Glued]\n", "Taliban-led and Kabul - based"),
            (Strings{"Taliban-led"}));
}

TEST_F(Rules, VetoAndRetype) {
  EXPECT_EQ(run("v (40): [not: @DEMONYM]\n", "the Afghan side"), (Strings{"v not - Afghan"}));
  EXPECT_EQ(run("t (50): [retype LOCATION: @DEMONYM] side\n", "the Afghan side"),
            (Strings{"t retype LOCATION Afghan"}));
}

// A list's subtype describes the list's class: "Reading" is a LOCATION/city.
// A rule that makes an ORGANIZATION of it must not call the organisation a
// "city" (it would be printed as "subtype": "city").
TEST_F(Rules, SubtypeOfAListOfAnotherClassIsNotCarriedOver) {
  EXPECT_EQ(run("t (50): [retype ORGANIZATION: @LOCATION] club\n", "Reading club met"),
            (Strings{"t retype ORGANIZATION Reading"}));
  EXPECT_EQ(run("o (50): [ORGANIZATION: @LOCATION] club\n", "Reading club met"),
            (Strings{"o add ORGANIZATION Reading"}));
}

TEST_F(Rules, Macros) {
  std::string rules =
      "let PLACE = @LOCATION&Cap\n"
      "let PREP = (in | from)\n"
      "let NAMEWORD = Xx&!@LOCATION&!@TITLE\n"
      "a (10): $PREP [LOCATION: $PLACE]\n"
      "b (10): @TITLE [PERSON: $NAMEWORD&!'the' $NAMEWORD?]\n";
  EXPECT_EQ(run(rules, "Foreign Minister Ishaq Dar flew from Kabul to herat, in New York"),
            (Strings{"a add LOCATION/city Kabul", "a add LOCATION/city New York",
                     // after "Foreign Minister" and after "Minister"
                     "b add PERSON Ishaq Dar", "b add PERSON Ishaq Dar"}));
  // A macro defined later is unknown earlier.
  EXPECT_THROW(run("a: [PERSON: $LATER]\nlet LATER = Xx\n", "x"), nerx::Error);
  // Only a single-token macro can be combined with '&'.
  EXPECT_THROW(run("let TWO = Xx Xx\na: [PERSON: $TWO&Cap]\n", "x"), nerx::Error);
  // A macro that refers to itself is an error, not a hang.
  EXPECT_THROW(run("let LOOP = Xx $LOOP\na: [PERSON: $LOOP]\n", "x"), nerx::Error);
}

TEST_F(Rules, PriorityAndOrder) {
  nerx::LabelTable labels = extractor_.labels();
  nerx::RuleSet set;
  set.add("first (15): [LOCATION: @LOCATION]\nsecond: [LOCATION: Xx]\n", "t.rules", labels);
  nerx::Analysis doc;
  extractor_.analyse("to Kabul", doc);
  std::vector<nerx::Candidate> out;
  set.apply(doc, out);
  ASSERT_EQ(out.size(), 2u);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.order < b.order; });
  EXPECT_EQ(out[0].rule, "first");
  EXPECT_EQ(out[0].priority, 15);
  EXPECT_EQ(out[0].list, "test");  // the list the entry came from
  EXPECT_EQ(out[1].rule, "second");
  EXPECT_EQ(out[1].priority, 50);  // the default
  EXPECT_LT(out[0].order, out[1].order);
  EXPECT_TRUE(out[1].list.empty());
}

TEST_F(Rules, DocumentConditions) {
  // "when TEST{N}": the rule runs only in documents with at least N tokens
  // that pass TEST; "unless" is the opposite; {N} defaults to 1.
  std::string rules =
      "two (10) when @GIVEN_NAME{2}: [LOCATION: @LOCATION/city]\n"
      "one (10) when @GIVEN_NAME: [LOCATION: @LOCATION/country]\n"
      "none (10) unless @GIVEN_NAME: [ORGANIZATION: @ORGANIZATION]\n"
      "both (10) when 'visited' unless @GIVEN_NAME{2}: [PERSON: @GIVEN_NAME]\n";
  EXPECT_EQ(run(rules, "Taliban held Kabul"), (Strings{"none add ORGANIZATION/militant Taliban"}));
  EXPECT_EQ(run(rules, "Ishaq visited Kabul and Herat"), (Strings{"both add PERSON Ishaq"}));
  EXPECT_EQ(run(rules, "Ishaq visited Jordan and Kabul"),
            (Strings{"one add LOCATION/country Jordan", "two add LOCATION/city Kabul"}));
  // Conditions see the whole document, before and after the match.
  EXPECT_EQ(spans("r when 'Herat': [LOCATION: @LOCATION/city]\n", "Kabul , then Herat"),
            (Strings{"Herat", "Kabul"}));
}

TEST_F(Rules, LeadingAlternationsMatchEveryBranch) {
  // Rules are indexed by what their first token must be; a leading
  // alternation is indexed under each branch, and a branch that can be any
  // token (a regex, an optional part) makes the rule run everywhere.
  std::string text = "near Kabul , in Herat , ZZ Jordan , 2024 New York";
  EXPECT_EQ(spans("r: (in | near) [LOCATION: @LOCATION]\n", text), (Strings{"Herat", "Kabul"}));
  EXPECT_EQ(spans("r: (in | XX | 9) [LOCATION: @LOCATION]\n", text),
            (Strings{"Herat", "Jordan", "New York"}));
  EXPECT_EQ(spans("r: (in | /Z+/) [LOCATION: @LOCATION]\n", text), (Strings{"Herat", "Jordan"}));
  // (Optional first part: a match from "near" and one from "Kabul" itself.)
  EXPECT_EQ(spans("r: (in | near)? [LOCATION: @LOCATION/city]\n", text),
            (Strings{"Herat", "Herat", "Kabul", "Kabul", "New York"}));
  EXPECT_EQ(spans("r: ((in | near) | @GIVEN_NAME) [LOCATION: Cap]\n", text),
            (Strings{"Herat", "Kabul"}));
  EXPECT_EQ(spans("r: [LOCATION: (@LOCATION/country | 9)] Cap\n", text), (Strings{"2024"}));
}

TEST_F(Rules, RulesStartingWithAShapeAreIndexedByTheirSecondToken) {
  // "xx [...]", "(xx | '(') [...]": the first token is almost anything, so
  // such rules are tried where the second token fits; the results must be
  // those of trying them everywhere, also at the last token.
  std::string text = "near Kabul , ( Herat ) saw Jordan and TTP";
  EXPECT_EQ(spans("r: xx [LOCATION: @LOCATION]\n", text), (Strings{"Jordan", "Kabul"}));
  EXPECT_EQ(spans("r: (xx | \"(\") [LOCATION: @LOCATION]\n", text),
            (Strings{"Herat", "Jordan", "Kabul"}));
  EXPECT_EQ(spans("r: xx [ORGANIZATION: XX]\n", text), (Strings{"TTP"}));
  EXPECT_EQ(spans("r: Xx [LOCATION: Xx | \",\"]\n", text), (Strings{","}));
  // The first part must still match: "saw" is xx, "(" is not.
  EXPECT_EQ(spans("r: Xx [LOCATION: @LOCATION]\n", text), (Strings{}));
  EXPECT_EQ(spans("r: /s.*/ [LOCATION: @LOCATION]\n", text), (Strings{"Jordan"}));
}

TEST_F(Rules, RegexOfPlainWordsMatchesThoseWords) {
  // A regex that only lists words is indexed like literals; it must match
  // exactly what the regex matches: whole tokens, case as written unless /i,
  // and "s?" both with and without the last letter.
  std::string text = "Cup cup Games Game Gam OPEN open Opens Trophy";
  EXPECT_EQ(spans("r: [ORGANIZATION: /Cup|Games?|OPEN/]\n", text),
            (Strings{"Cup", "Game", "Games", "OPEN"}));
  EXPECT_EQ(spans("r: [ORGANIZATION: /(Cup|Open)/i]\n", text),
            (Strings{"Cup", "OPEN", "cup", "open"}));
  EXPECT_EQ(spans("r: [ORGANIZATION: /(?:Trophy)/]\n", text), (Strings{"Trophy"}));
  // Not plain words: these stay regexes (and still work).
  EXPECT_EQ(spans("r: [ORGANIZATION: /Op.n/]\n", text), (Strings{}));
  EXPECT_EQ(spans("r: [ORGANIZATION: /O(pen|PEN)s?/]\n", text), (Strings{"OPEN", "Opens"}));
  EXPECT_EQ(spans("r: [ORGANIZATION: /s?/]\n", text), (Strings{}));
  // As a later part of a rule, too.
  EXPECT_EQ(
      spans("r: [ORGANIZATION: Xx /Games?|Trophy/]\n", "World Games , Davis Cup , Ashes Trophy"),
      (Strings{"Ashes Trophy", "World Games"}));
}

TEST_F(Rules, RulesNeedingARareTokenMatchWhereverItIsInReach) {
  // A rule that needs a rare token (a word, a class, a bracket) is tried
  // only where that token is within the longest stretch the rule can cover
  // before it. Check the edges: at the farthest reach, just past it, after
  // list names of several tokens, and at the end of the text.
  std::string rule = "r: [ORGANIZATION: Xx{1,3} \"Group\"]\n";
  EXPECT_EQ(spans(rule, "Alpha Beta Gamma Group"),
            (Strings{"Alpha Beta Gamma Group", "Beta Gamma Group", "Gamma Group"}));
  EXPECT_EQ(spans(rule, "Alpha Beta Gamma Delta Group"),
            (Strings{"Beta Gamma Delta Group", "Delta Group", "Gamma Delta Group"}));
  // Listed names of several tokens before the anchor: "New York" is one hit.
  std::string by_class = "r: [ORGANIZATION: @LOCATION @LOCATION \"Group\"]\n";
  EXPECT_EQ(spans(by_class, "New York New York Group"), (Strings{"New York New York Group"}));
  EXPECT_EQ(spans(by_class, "Kabul New York Group"), (Strings{"Kabul New York Group"}));
  // The anchor must come after the start: the first token is not enough.
  EXPECT_EQ(spans("r: [ORGANIZATION: \"Group\" Xx]\n", "Group Group Alpha"),
            (Strings{"Group Alpha", "Group Group"}));
  // Alternatives: either anchor will do, each at its own distance.
  std::string alt = "r: [ORGANIZATION: Xx (\"Group\" | Xx Xx \"Trust\")]\n";
  EXPECT_EQ(spans(alt, "Alpha Group and Alpha Beta Gamma Trust"),
            (Strings{"Alpha Beta Gamma Trust", "Alpha Group"}));
  // Optional parts are no anchor: the rule still matches without them.
  EXPECT_EQ(spans("r: [ORGANIZATION: Xx \"Group\"? Xx]\n", "Alpha Beta"), (Strings{"Alpha Beta"}));
  // Unbounded repeats before the anchor: tried everywhere, still right.
  EXPECT_EQ(spans("r: [ORGANIZATION: Xx+ \"Group\"]\n", "Alpha Beta Gamma Delta Epsilon Group"),
            (Strings{"Alpha Beta Gamma Delta Epsilon Group", "Beta Gamma Delta Epsilon Group",
                     "Delta Epsilon Group", "Epsilon Group", "Gamma Delta Epsilon Group"}));
}

TEST_F(Rules, CheckedRulesCompileTheirRegexesWhenFirstUsed) {
  // Rules of a model nerx built were checked then; their regexes compile on
  // first use and must match exactly as when compiled at once.
  std::string rules = "r: [ORGANIZATION: /[A-Z]{3}/]\ns: [LOCATION: /k.*/i&Xx]\n";
  std::string text = "TTP ISIS ttp Ab1 Kabul";
  nerx::LabelTable labels = extractor_.labels();
  nerx::Analysis doc;
  extractor_.analyse(text, doc);
  for (bool checked : {false, true}) {
    nerx::RuleSet set;
    set.add(rules, "t.rules", labels, checked);
    std::vector<nerx::Candidate> out;
    set.apply(doc, out);
    EXPECT_EQ(describe(doc, out), (Strings{"r add ORGANIZATION TTP", "s add LOCATION Kabul"}))
        << checked;
  }
  // Unchecked rules report a bad regex at once; a checked source with one
  // (which nerx never builds) does not fail later: the test never holds.
  EXPECT_THROW(nerx::RuleSet().add("r: [PERSON: /(/]\n", "t.rules", labels), nerx::Error);
  nerx::RuleSet bad;
  bad.add("r: [PERSON: /(/]\n", "t.rules", labels, true);
  std::vector<nerx::Candidate> out;
  bad.apply(doc, out);
  EXPECT_TRUE(out.empty());
}

TEST(RuleParse, DocumentConditionErrors) {
  // One token test only, and a count of at least 1.
  expect_error_at("r (1) when 'prime minister': [PERSON: Xx]\n", 1, 12);
  expect_error_at("r (1) when Xx{0}: [PERSON: Xx]\n", 1, 14);
  expect_error_at("r (1) when Xx{2: [PERSON: Xx]\n", 1, 14);
  expect_error_at("r (1) unless : [PERSON: Xx]\n", 1, 14);
  nerx::LabelTable labels;
  nerx::RuleSet rules;
  EXPECT_NO_THROW(
      rules.add("let T = @TOPIC/sports\nr when $T{3} unless 'x': [PERSON: Xx]\n"
                "s when @TOPIC/sports{3}: [PERSON: Xx]\n",
                "t.rules", labels));
  EXPECT_EQ(rules.size(), 2u);
}

TEST_F(Rules, EmptyTextAndNoRules) {
  EXPECT_TRUE(run("r: [PERSON: Xx]\n", "").empty());
  EXPECT_TRUE(run("", "Kabul").empty());
}

// Rules that travel inside a model run through Extractor::candidates.
TEST(RulesInModel, ExtractorRunsModelRules) {
  auto model = nerx_test::make_model(world(),
                                     "title (60): @TITLE [PERSON: Xx Xx?]\n"
                                     "place (30): [LOCATION: @LOCATION&Cap]\n");
  nerx::Extractor ex({model});
  EXPECT_EQ(ex.rule_count(), 2u);
  nerx::Analysis doc;
  ex.analyse("Foreign Minister Ishaq Dar visited Kabul.", doc);
  auto cands = ex.candidates(doc);
  Strings s;
  for (const auto& c : cands)
    s.push_back(std::string(c.rule) + ":" + nerx_test::span_text(doc, c.begin, c.end));
  std::sort(s.begin(), s.end());
  EXPECT_NE(std::find(s.begin(), s.end(), "title:Ishaq Dar"), s.end());
  EXPECT_NE(std::find(s.begin(), s.end(), "place:Kabul"), s.end());
  auto entities = ex.extract("Foreign Minister Ishaq Dar visited Kabul.");
  ASSERT_EQ(entities.size(), 2u);
  EXPECT_EQ(entities[0].type, nerx::EntityType::Person);
  EXPECT_EQ(entities[0].begin, 17u);
  EXPECT_EQ(entities[0].end, 26u);
  EXPECT_EQ(entities[1].type, nerx::EntityType::Location);
  EXPECT_EQ(entities[1].begin, 35u);
  EXPECT_EQ(entities[1].end, 40u);
}

TEST(RulesInModel, CompiledFromFiles) {
  nerx_test::TempDir dir;
  std::string lists =
      dir.write("mine.tsv", "Zorblat Industries\tORGANIZATION\tcompany\nQ\tTITLE\n");
  std::string rules = dir.write("mine.rules",
                                "let ORGISH = @ORGANIZATION&Cap\n"
                                "org (30): [ORGANIZATION: $ORGISH]\n"
                                "agent (60): @TITLE [PERSON: Xx]");  // no final newline
  auto model = nerx::Model::own(nerx::Model::compile({lists}, {rules}, true), "user");
  nerx::Extractor ex({model});
  EXPECT_EQ(ex.rule_count(), 2u);
  std::string text = "Q Bond left Zorblat Industries.";
  auto entities = ex.extract(text);
  ASSERT_EQ(entities.size(), 2u);
  EXPECT_EQ(text.substr(entities[0].begin, entities[0].end - entities[0].begin), "Bond");
  EXPECT_EQ(entities[0].rule, "agent");
  EXPECT_EQ(text.substr(entities[1].begin, entities[1].end - entities[1].begin),
            "Zorblat Industries");
  EXPECT_EQ(entities[1].type, nerx::EntityType::Organization);
  EXPECT_EQ(entities[1].subtype, "company");
  EXPECT_EQ(entities[1].list, "mine");
}

TEST(RulesInModel, LayersShareLabelsAndRules) {
  // The second layer's rules see the first layer's lists and vice versa.
  auto base = nerx_test::make_model({entry("Kabul", "LOCATION", "city")}, "", "base");
  auto user = nerx_test::make_model({entry("Agent", "TITLE")},
                                    "loc (30): [LOCATION: @LOCATION]\n"
                                    "per (60): @TITLE [PERSON: Xx]\n",
                                    "user");
  nerx::Extractor ex({base, user});
  std::string text = "Agent Smith reached Kabul";
  auto entities = ex.extract(text);
  ASSERT_EQ(entities.size(), 2u);
  EXPECT_EQ(text.substr(entities[0].begin, entities[0].end - entities[0].begin), "Smith");
  EXPECT_EQ(text.substr(entities[1].begin, entities[1].end - entities[1].begin), "Kabul");
}

}  // namespace
