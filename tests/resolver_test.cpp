// The resolver: overlaps, vetoes, retypes, name propagation, one type per name.
#include "nerx/resolver.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nerx/tokenizer.hpp"

namespace {

using nerx::CandidateAction;
using nerx::EntityType;
using Strings = std::vector<std::string>;

constexpr EntityType PER = EntityType::Person, LOC = EntityType::Location,
                     ORG = EntityType::Organization;

nerx::Candidate cand(std::uint32_t begin, std::uint32_t end, EntityType type, int priority,
                     std::uint32_t order = 0, CandidateAction action = CandidateAction::Add,
                     std::string_view rule = "r") {
  nerx::Candidate c;
  c.begin = begin;
  c.end = end;
  c.type = type;
  c.priority = priority;
  c.order = order;
  c.action = action;
  c.rule = rule;
  return c;
}

// "begin-end TYPE" of each accepted candidate.
Strings describe(const std::vector<nerx::Candidate>& cands) {
  Strings s;
  for (const auto& c : cands)
    s.push_back(std::to_string(c.begin) + "-" + std::to_string(c.end) + " " +
                std::string(nerx::to_string(c.type)));
  return s;
}

// An analysed document without list hits (the resolver only needs tokens).
struct Doc {
  std::string text;
  nerx::Analysis analysis;
  explicit Doc(std::string t) : text(std::move(t)) {
    nerx::tokenize(text, analysis.text);
    analysis.index_hits();
  }
  // Index of the n-th token whose text is `word`.
  std::uint32_t at(std::string_view word, int n = 0) const {
    const auto& toks = analysis.text.tokens;
    for (std::uint32_t i = 0; i < toks.size(); ++i)
      if (analysis.text.token_text(toks[i]) == word && n-- == 0) return i;
    ADD_FAILURE() << "no token " << word;
    return 0;
  }
  // "text TYPE" of each accepted candidate.
  Strings describe(const std::vector<nerx::Candidate>& cands) const {
    Strings s;
    for (const auto& c : cands) {
      auto b = analysis.text.tokens[c.begin].begin, e = analysis.text.tokens[c.end - 1].end;
      s.push_back(text.substr(b, e - b) + " " + std::string(nerx::to_string(c.type)));
    }
    return s;
  }
};

// ---------------------------------------------------------------- overlaps

TEST(ResolveOverlaps, Empty) {
  EXPECT_TRUE(nerx::resolve_overlaps({}).empty());
}

TEST(ResolveOverlaps, LongestWins) {
  EXPECT_EQ(describe(nerx::resolve_overlaps({cand(1, 2, LOC, 90), cand(0, 2, PER, 10)})),
            (Strings{"0-2 PERSON"}));
  EXPECT_EQ(describe(nerx::resolve_overlaps(
                {cand(2, 3, LOC, 90), cand(0, 5, ORG, 10), cand(4, 6, PER, 99)})),
            (Strings{"0-5 ORGANIZATION"}));
}

TEST(ResolveOverlaps, ThenPriority) {
  EXPECT_EQ(describe(nerx::resolve_overlaps({cand(0, 2, PER, 30), cand(1, 3, LOC, 60)})),
            (Strings{"1-3 LOCATION"}));
  EXPECT_EQ(describe(nerx::resolve_overlaps({cand(0, 2, PER, 30, 0), cand(0, 2, LOC, 60, 1)})),
            (Strings{"0-2 LOCATION"}));
}

TEST(ResolveOverlaps, ThenOrder) {
  EXPECT_EQ(describe(nerx::resolve_overlaps({cand(0, 2, PER, 30, 5), cand(0, 2, LOC, 30, 2)})),
            (Strings{"0-2 LOCATION"}));
  EXPECT_EQ(describe(nerx::resolve_overlaps({cand(0, 2, LOC, 30, 2), cand(0, 2, PER, 30, 5)})),
            (Strings{"0-2 LOCATION"}));
}

TEST(ResolveOverlaps, DisjointAndAdjacentSpansAllKeptInOrder) {
  EXPECT_EQ(describe(nerx::resolve_overlaps({cand(5, 6, ORG, 10), cand(0, 1, PER, 10),
                                             cand(1, 3, LOC, 10), cand(3, 4, PER, 10)})),
            (Strings{"0-1 PERSON", "1-3 LOCATION", "3-4 PERSON", "5-6 ORGANIZATION"}));
}

TEST(ResolveOverlaps, LongestFirstThenTheRestFitAround) {
  // 1-4 wins; 0-2 and 3-5 overlap it; 4-5 and 0-1 fit.
  EXPECT_EQ(
      describe(nerx::resolve_overlaps({cand(0, 2, PER, 99), cand(1, 4, ORG, 1), cand(3, 5, LOC, 99),
                                       cand(4, 5, LOC, 1), cand(0, 1, PER, 1)})),
      (Strings{"0-1 PERSON", "1-4 ORGANIZATION", "4-5 LOCATION"}));
}

TEST(ResolveOverlaps, Veto) {
  auto out = nerx::resolve_overlaps({
      cand(1, 2, LOC, 30),                           // inside, weaker: removed
      cand(0, 2, PER, 50),                           // inside, stronger: kept
      cand(2, 4, ORG, 10),                           // not inside: kept
      cand(0, 3, PER, 0, 0, CandidateAction::Veto),  // weak veto: nothing
      cand(0, 2, PER, 40, 0, CandidateAction::Veto),
  });
  EXPECT_EQ(describe(out), (Strings{"0-2 PERSON", "2-4 ORGANIZATION"}));
  // A veto at equal priority wins.
  EXPECT_TRUE(
      nerx::resolve_overlaps({cand(1, 2, LOC, 40), cand(1, 2, PER, 40, 0, CandidateAction::Veto)})
          .empty());
}

TEST(ResolveOverlaps, Retype) {
  auto out = nerx::resolve_overlaps({
      cand(0, 1, LOC, 30), cand(0, 1, ORG, 50, 0, CandidateAction::Retype, "retype_rule"),
      cand(2, 3, LOC, 60),  // stronger than the retype
      cand(2, 3, ORG, 50, 0, CandidateAction::Retype),
      cand(4, 6, LOC, 30),  // retype on another span
      cand(4, 5, ORG, 50, 0, CandidateAction::Retype),
      cand(7, 8, PER, 50, 0, CandidateAction::Retype),  // retype alone adds nothing
  });
  EXPECT_EQ(describe(out), (Strings{"0-1 ORGANIZATION", "2-3 LOCATION", "4-6 LOCATION"}));
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out[0].rule, "retype_rule");
}

TEST(ResolveOverlaps, VetoThenOverlap) {
  // The vetoed long candidate no longer blocks the shorter one.
  EXPECT_EQ(describe(nerx::resolve_overlaps({cand(0, 3, ORG, 20), cand(1, 2, PER, 60),
                                             cand(0, 3, PER, 30, 0, CandidateAction::Veto)})),
            (Strings{"1-2 PERSON"}));
}

// ---------------------------------------------------------------- propagation

TEST(Resolve, SurnamePropagates) {
  Doc d("Foreign Minister Ishaq Dar met the press. Later Dar said no, and dar is a word.");
  std::vector<nerx::Candidate> cands{
      cand(d.at("Ishaq"), d.at("Dar") + 1, PER, 60, 0, CandidateAction::Add, "title_name")};
  nerx::ResolverOptions options;
  auto out = nerx::resolve(d.analysis, cands, options);
  EXPECT_EQ(d.describe(out), (Strings{"Ishaq Dar PERSON", "Dar PERSON"}));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].begin, d.at("Dar", 1));
  EXPECT_EQ(out[1].rule, "alias.surname");
  EXPECT_EQ(out[0].rule, "title_name");  // the full name keeps its own rule

  options.propagate_names = false;
  EXPECT_EQ(d.describe(nerx::resolve(d.analysis, cands, options)), (Strings{"Ishaq Dar PERSON"}));
}

TEST(Resolve, PropagatedPersonIsNotRetyped) {
  // "Stefan Edberg ... Edberg lost": a local pattern that retypes the token
  // (a sports result) does not override the full name found elsewhere.
  Doc d("Stefan Edberg won. Edberg lost twice. Kent lost too.");
  std::uint32_t e1 = d.at("Edberg", 1), kent = d.at("Kent");
  std::vector<nerx::Candidate> cands{
      cand(0, 2, PER, 45, 0, CandidateAction::Add, "given_name"),
      cand(e1, e1 + 1, ORG, 45, 1, CandidateAction::Retype, "result_beat"),
      cand(kent, kent + 1, LOC, 30, 2, CandidateAction::Add, "list_place"),
      cand(kent, kent + 1, ORG, 45, 1, CandidateAction::Retype, "result_beat")};
  auto out = nerx::resolve(d.analysis, cands, {});
  EXPECT_EQ(d.describe(out),
            (Strings{"Stefan Edberg PERSON", "Edberg PERSON", "Kent ORGANIZATION"}));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1].rule, "alias.surname");
  EXPECT_TRUE(out[1].propagated);
  EXPECT_FALSE(out[0].propagated);
}

TEST(Resolve, WeakEvidenceDoesNotPropagate) {
  Doc d("Ishaq Dar met the press. Later Dar said no.");
  auto out = nerx::resolve(d.analysis, {cand(0, 2, PER, 20)}, {});
  EXPECT_EQ(d.describe(out), (Strings{"Ishaq Dar PERSON"}));
}

TEST(Resolve, FullNamePropagates) {
  Doc d("Amir Khan Muttaqi said. Then Amir Khan Muttaqi left.");
  auto out = nerx::resolve(d.analysis, {cand(0, 3, PER, 55)}, {});
  EXPECT_EQ(d.describe(out), (Strings{"Amir Khan Muttaqi PERSON", "Amir Khan Muttaqi PERSON"}));
}

TEST(Resolve, PropagatedNameDoesNotBreakLongerNames) {
  Doc d("Ishaq Dar visited Dar es Salaam. Dar spoke.");
  auto out = nerx::resolve(d.analysis, {cand(0, 2, PER, 60), cand(3, 6, LOC, 30)}, {});
  EXPECT_EQ(d.describe(out), (Strings{"Ishaq Dar PERSON", "Dar es Salaam LOCATION", "Dar PERSON"}));
}

TEST(Resolve, AcronymPropagates) {
  Doc d("ties between the Tehrik e Taliban Pakistan (TTP) and others. TTP fighters, ttp.");
  std::uint32_t b = d.at("Tehrik"), e = d.at("Pakistan") + 1;
  auto out = nerx::resolve(d.analysis, {cand(b, e, ORG, 60)}, {});
  EXPECT_EQ(d.describe(out), (Strings{"Tehrik e Taliban Pakistan ORGANIZATION", "TTP ORGANIZATION",
                                      "TTP ORGANIZATION"}));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1].begin, d.at("TTP", 0));
  EXPECT_EQ(out[2].begin, d.at("TTP", 1));
  EXPECT_EQ(out[2].rule, "alias.acronym");
}

TEST(Resolve, AcronymMustMatchInitials) {
  Doc d("the Tehrik e Taliban Pakistan (ABC) and others. ABC fighters.");
  auto out = nerx::resolve(d.analysis, {cand(d.at("Tehrik"), d.at("Pakistan") + 1, ORG, 60)}, {});
  EXPECT_EQ(d.describe(out), (Strings{"Tehrik e Taliban Pakistan ORGANIZATION"}));
}

TEST(Resolve, OneTypePerName) {
  Doc d("Jordan spoke. Fans of Jordan cheered. Jordan smiled.");
  std::vector<nerx::Candidate> cands{cand(d.at("Jordan", 0), d.at("Jordan", 0) + 1, PER, 60),
                                     cand(d.at("Jordan", 1), d.at("Jordan", 1) + 1, LOC, 30),
                                     cand(d.at("Jordan", 2), d.at("Jordan", 2) + 1, LOC, 30)};
  nerx::ResolverOptions options;
  options.propagate_names = false;  // isolate one-type-per-name
  auto out = nerx::resolve(d.analysis, cands, options);
  EXPECT_EQ(d.describe(out), (Strings{"Jordan PERSON", "Jordan PERSON", "Jordan PERSON"}));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1].rule, "alias.one_type_per_name");

  options.one_type_per_name = false;
  EXPECT_EQ(d.describe(nerx::resolve(d.analysis, cands, options)),
            (Strings{"Jordan PERSON", "Jordan LOCATION", "Jordan LOCATION"}));
}

TEST(Resolve, OneTypePerNameEqualEvidenceMostMentionsWin) {
  Doc d("Jordan spoke. Jordan cheered. Jordan smiled.");
  std::vector<nerx::Candidate> cands{cand(0, 1, LOC, 30),
                                     cand(d.at("Jordan", 1), d.at("Jordan", 1) + 1, PER, 30),
                                     cand(d.at("Jordan", 2), d.at("Jordan", 2) + 1, PER, 30)};
  nerx::ResolverOptions options;
  options.propagate_names = false;
  // resolver.hpp: "Give every mention of one name one type within a document,
  // unless a mention has stronger evidence of its own." The LOCATION mention
  // has no stronger evidence (30 = 30), so the majority type wins for all.
  auto out = nerx::resolve(d.analysis, cands, options);
  EXPECT_EQ(d.describe(out), (Strings{"Jordan PERSON", "Jordan PERSON", "Jordan PERSON"}));
}

TEST(Resolve, OneTypePerNameIsCaseInsensitive) {
  Doc d("JORDAN - Fans of Jordan cheered.");
  nerx::ResolverOptions options;
  options.propagate_names = false;
  auto out = nerx::resolve(d.analysis,
                           {cand(0, 1, LOC, 70), cand(d.at("Jordan"), d.at("Jordan") + 1, PER, 30)},
                           options);
  EXPECT_EQ(d.describe(out), (Strings{"JORDAN LOCATION", "Jordan LOCATION"}));
}

}  // namespace
