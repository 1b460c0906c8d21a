// Gazetteers: lists of known names, compiled into an automaton over folded
// token keys, and the matcher that finds every listed name in one pass.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nerx/tokenizer.hpp"

namespace nerx {

// Flags an entry carries from its list.
enum EntryFlag : std::uint8_t {
  kCommonWord = 1,  // also an ordinary lowercase English word ("Reading", "Nice")
  kAmbiguous = 2,   // also a name of another kind ("Jordan", "Arsenal")
  kLowerStart = 4,  // the listed name starts lowercase ("al-Qaeda"): no capital needed
  kUserList = 8,    // from a list the user gave at run time: wins ties
};

// One line of a gazetteer TSV file:
//   name <TAB> TYPE [<TAB> subtype [<TAB> canonical [<TAB> attributes]]]
// attributes: key=value pairs joined by ';' (id, pop, country, common, ambiguous).
struct GazetteerEntry {
  std::string name;
  std::string type;  // PERSON, LOCATION, ORGANIZATION or a helper class (TITLE, ...)
  std::string subtype;
  std::string canonical;
  std::string id;
  std::uint32_t population = 0;
  std::uint8_t flags = 0;
  std::string source;  // the list it came from, e.g. "cities"
};

// Reads a gazetteer TSV stream. `file` names it in errors and becomes each
// entry's source (its file name without folder and extension). Throws
// nerx::Error naming file, line and column for malformed lines.
std::vector<GazetteerEntry> read_gazetteer(std::istream& in, const std::string& file);
std::vector<GazetteerEntry> read_gazetteer_file(const std::string& path);

// Is `type` a valid class name: PERSON/LOCATION/ORGANIZATION or an
// upper-case helper class name such as GIVEN_NAME?
bool is_valid_class_name(std::string_view type);

// A compiled gazetteer: a read-only view over one contiguous byte image (the
// model file format, see model.hpp), so loading costs no parsing.
class Gazetteer {
 public:
  struct Entry {
    std::uint32_t class_label;    // label index: "LOCATION", "GIVEN_NAME", ...
    std::uint32_t subtype_label;  // label index, 0 = none
    std::uint32_t source_label;   // label index of the list name
    std::uint32_t canonical;      // string offset, 0 = none
    std::uint32_t id;             // string offset, 0 = none
    std::uint32_t population;
    std::uint32_t name;    // string offset of the listed name
    std::uint16_t length;  // in tokens
    std::uint8_t flags;
    std::uint8_t reserved;
  };

  Gazetteer() = default;
  // Views `image` (which must outlive this object and stay 8-byte aligned).
  // Throws nerx::Error if it is not a valid image. `verify` checks every
  // table entry (linear in the image size); skip it only for trusted images
  // such as the one embedded at build time.
  explicit Gazetteer(std::string_view image, const std::string& name = "model", bool verify = true);

  // Word id of a folded key, or kNoWord.
  static constexpr std::uint32_t kNoWord = 0xffffffffu;
  std::uint32_t word_id(std::string_view key) const;
  // A word of the vocabulary: its id and the state the automaton enters
  // from the root on it (0 if no listed name starts with it).
  struct Word {
    std::uint32_t id = kNoWord;
    std::uint32_t root = 0;
  };
  // Looks up a folded key whose hash_key() is `hash` (tokens carry it).
  Word lookup(std::string_view key, std::uint32_t hash) const;

  std::size_t entry_count() const { return entry_count_; }
  const Entry& entry(std::uint32_t i) const { return entries_[i]; }
  std::string_view string_at(std::uint32_t offset) const;
  std::size_t label_count() const { return label_count_; }
  std::string_view label(std::uint32_t i) const { return string_at(labels_[i]); }
  std::string_view rules_text() const { return rules_; }
  // Distinct for every image viewed (copies share it): lets per-thread
  // caches tell gazetteers apart even when one is freed and another takes
  // its address.
  std::uint64_t serial() const { return serial_; }

  // Automaton walk, used by GazetteerMatcher.
  std::uint32_t next_state(std::uint32_t state, Word word) const;
  struct NodeOutput {
    std::uint32_t entry_begin, entry_count, depth, output_link;
  };
  NodeOutput output(std::uint32_t state) const;
  bool has_edges(std::uint32_t state) const;

 private:
  friend class GazetteerBuilder;
  struct Node;
  struct Edge;
  struct VocabSlot;
  const char* strings_ = nullptr;
  std::size_t strings_size_ = 0;
  const VocabSlot* vocab_ = nullptr;
  std::size_t vocab_mask_ = 0;
  const Node* nodes_ = nullptr;
  std::size_t node_count_ = 0;
  const Edge* edges_ = nullptr;
  const Entry* entries_ = nullptr;
  std::size_t entry_count_ = 0;
  const std::uint32_t* labels_ = nullptr;
  std::size_t label_count_ = 0;
  std::string_view rules_;
  std::uint64_t serial_ = 0;
};

// Compiles entries (and, optionally, rule source text to carry along) into a
// gazetteer image. Names are tokenized with the same tokenizer as documents.
class GazetteerBuilder {
 public:
  GazetteerBuilder();
  ~GazetteerBuilder();
  void add(const GazetteerEntry& entry);
  void add_rules_text(std::string_view text);
  std::size_t size() const;
  // The image; 8-byte aligned data in a std::string.
  std::string build();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A listed name found in a document: tokens [begin, end) matched an entry.
struct GazetteerHit {
  std::uint32_t begin;
  std::uint32_t end;
  std::uint32_t entry;
};

// Finds every occurrence of every listed name (overlapping ones too) in one
// left-to-right pass (Aho-Corasick over word ids). Hits come sorted by begin,
// longest first.
void match_gazetteer(const Gazetteer& gazetteer, const TokenizedText& text,
                     std::vector<GazetteerHit>& hits);

}  // namespace nerx
