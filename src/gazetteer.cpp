#include "nerx/gazetteer.hpp"

#include <unicode/utf8.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

#include "nerx/document.hpp"
#include "nerx/error.hpp"

namespace nerx {

// ---------------------------------------------------------------------------
// The image format. Everything is little-endian, 8-byte aligned, and used in
// place: a Gazetteer is a set of pointers into the image.

namespace {

constexpr char kMagic[8] = {'N', 'E', 'R', 'X', 'G', 'A', 'Z', '1'};
constexpr std::uint32_t kVersion = 2;

struct Header {
  char magic[8];
  std::uint32_t version;
  std::uint32_t reserved;
  std::uint64_t strings_off, strings_size;
  std::uint64_t vocab_off, vocab_slots;
  std::uint64_t nodes_off, node_count;
  std::uint64_t edges_off, edge_count;
  std::uint64_t entries_off, entry_count;
  std::uint64_t labels_off, label_count;
  std::uint64_t rules_off, rules_size;
};

bool valid_utf8(std::string_view s, std::size_t& bad_at) {
  int32_t i = 0, n = static_cast<int32_t>(s.size());
  while (i < n) {
    int32_t at = i;
    UChar32 c;
    U8_NEXT(s.data(), i, n, c);
    if (c < 0) {
      bad_at = static_cast<std::size_t>(at);
      return false;
    }
  }
  return true;
}

}  // namespace

struct Gazetteer::Node {
  std::uint32_t edge_begin, edge_count, fail, output_link, entry_begin, entry_count, depth, pad;
};
struct Gazetteer::Edge {
  std::uint32_t word, target;
};
// `root` is the automaton state reached from the root by this word, so the
// most common transition (a name's first word) costs no edge search.
struct Gazetteer::VocabSlot {
  std::uint32_t hash, str, id, root;
};

// ---------------------------------------------------------------------------
// Reading TSV lists.

bool is_valid_class_name(std::string_view type) {
  if (type.empty() || type.size() > 64 || !(type[0] >= 'A' && type[0] <= 'Z')) return false;
  for (char c : type)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

std::vector<GazetteerEntry> read_gazetteer(std::istream& in, const std::string& file) {
  std::string source = file;
  if (auto slash = source.find_last_of('/'); slash != std::string::npos)
    source = source.substr(slash + 1);
  if (auto dot = source.find('.'); dot != std::string::npos && dot > 0) source.resize(dot);

  std::vector<GazetteerEntry> entries;
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_no == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
    if (line.empty() || line[0] == '#') continue;
    std::size_t bad_at;
    if (!valid_utf8(line, bad_at))
      throw Error("invalid UTF-8 in gazetteer line", file, line_no, bad_at + 1);

    std::vector<std::string_view> cols;
    std::vector<std::size_t> col_start;
    std::string_view rest(line);
    std::size_t pos = 0;
    for (;;) {
      auto tab = rest.find('\t', pos);
      col_start.push_back(pos + 1);
      if (tab == std::string_view::npos) {
        cols.push_back(rest.substr(pos));
        break;
      }
      cols.push_back(rest.substr(pos, tab - pos));
      pos = tab + 1;
    }
    if (cols.size() < 2)
      throw Error("expected 'name<TAB>TYPE[<TAB>subtype[<TAB>canonical[<TAB>attributes]]]'", file,
                  line_no, line.size() + 1);
    if (cols.size() > 5)
      throw Error("too many columns (at most 5: name, TYPE, subtype, canonical, attributes)", file,
                  line_no, col_start[5]);

    GazetteerEntry e;
    e.source = source;
    auto trim = [](std::string_view s) {
      while (!s.empty() && (s.front() == ' ')) s.remove_prefix(1);
      while (!s.empty() && (s.back() == ' ')) s.remove_suffix(1);
      return s;
    };
    e.name = std::string(trim(cols[0]));
    if (e.name.empty()) throw Error("empty name", file, line_no, 1);
    std::string type(trim(cols[1]));
    EntityType entity_type;
    if (parse_entity_type(type, entity_type)) type = std::string(to_string(entity_type));
    if (!is_valid_class_name(type))
      throw Error("invalid type '" + type +
                      "': use PERSON, LOCATION, ORGANIZATION or an upper-case helper class "
                      "such as GIVEN_NAME",
                  file, line_no, col_start[1]);
    e.type = type;
    if (cols.size() > 2) e.subtype = std::string(trim(cols[2]));
    if (cols.size() > 3) e.canonical = std::string(trim(cols[3]));
    if (cols.size() > 4) {
      std::string_view attrs = trim(cols[4]);
      std::size_t a = 0;
      while (a < attrs.size()) {
        auto semi = attrs.find(';', a);
        if (semi == std::string_view::npos) semi = attrs.size();
        std::string_view kv = attrs.substr(a, semi - a);
        std::size_t column = col_start[4] + a;
        a = semi + 1;
        if (kv.empty()) continue;
        auto eq = kv.find('=');
        if (eq == std::string_view::npos || eq == 0)
          throw Error("attribute '" + std::string(kv) + "' is not key=value", file, line_no,
                      column);
        std::string_view key = kv.substr(0, eq), value = kv.substr(eq + 1);
        if (key == "id") {
          e.id = std::string(value);
        } else if (key == "pop") {
          std::uint64_t pop = 0;
          auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), pop);
          if (ec != std::errc() || p != value.data() + value.size())
            throw Error("pop must be a whole number, not '" + std::string(value) + "'", file,
                        line_no, column + eq + 1);
          e.population = static_cast<std::uint32_t>(std::min<std::uint64_t>(pop, 0xffffffffu));
        } else if (key == "common" || key == "ambiguous") {
          if (value != "0" && value != "1")
            throw Error(std::string(key) + " must be 0 or 1", file, line_no, column + eq + 1);
          if (value == "1") e.flags |= key == "common" ? kCommonWord : kAmbiguous;
        }
        // Other keys (country, lat, ...) are allowed and ignored.
      }
    }
    entries.push_back(std::move(e));
  }
  if (in.bad()) throw Error("read error", file);
  return entries;
}

std::vector<GazetteerEntry> read_gazetteer_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(std::string("cannot open gazetteer: ") + std::strerror(errno), path);
  return read_gazetteer(in, path);
}

// ---------------------------------------------------------------------------
// Viewing an image.

namespace {
std::atomic<std::uint64_t> next_serial{1};
}

Gazetteer::Gazetteer(std::string_view image, const std::string& name, bool verify)
    : serial_(next_serial++) {
  auto fail = [&](const std::string& why) { throw Error("not a valid nerx model: " + why, name); };
  if (image.size() < sizeof(Header)) fail("too short");
  if (reinterpret_cast<std::uintptr_t>(image.data()) % 8 != 0) fail("misaligned in memory");
  Header h;
  std::memcpy(&h, image.data(), sizeof h);
  if (std::memcmp(h.magic, kMagic, 8) != 0) fail("wrong magic number");
  if (h.version != kVersion) fail("unsupported version " + std::to_string(h.version));
  auto section = [&](std::uint64_t off, std::uint64_t count, std::size_t item) -> const char* {
    if (off % 8 != 0) fail("misaligned section");  // the builder aligns every section
    if (off > image.size() || count > (image.size() - off) / (item ? item : 1))
      fail("section out of bounds");
    return image.data() + off;
  };
  strings_ = section(h.strings_off, h.strings_size, 1);
  strings_size_ = h.strings_size;
  vocab_ =
      reinterpret_cast<const VocabSlot*>(section(h.vocab_off, h.vocab_slots, sizeof(VocabSlot)));
  if (h.vocab_slots == 0 || (h.vocab_slots & (h.vocab_slots - 1)) != 0) fail("bad vocabulary");
  vocab_mask_ = h.vocab_slots - 1;
  nodes_ = reinterpret_cast<const Node*>(section(h.nodes_off, h.node_count, sizeof(Node)));
  node_count_ = h.node_count;
  if (node_count_ == 0) fail("no root node");
  edges_ = reinterpret_cast<const Edge*>(section(h.edges_off, h.edge_count, sizeof(Edge)));
  entries_ = reinterpret_cast<const Entry*>(section(h.entries_off, h.entry_count, sizeof(Entry)));
  entry_count_ = h.entry_count;
  labels_ = reinterpret_cast<const std::uint32_t*>(section(h.labels_off, h.label_count, 4));
  label_count_ = h.label_count;
  rules_ = std::string_view(section(h.rules_off, h.rules_size, 1), h.rules_size);
  if (!verify) return;
  // Every index in range, so a corrupt file fails here and not mid-match.
  auto string_ok = [&](std::uint32_t off) {
    if (std::uint64_t(off) + 4 > strings_size_) return false;
    std::uint32_t len;
    std::memcpy(&len, strings_ + off, 4);
    return std::uint64_t(off) + 4 + len <= strings_size_;
  };
  for (std::size_t i = 0; i < label_count_; ++i)
    if (!string_ok(labels_[i])) fail("label out of bounds");
  bool empty_slot = false;
  for (std::size_t i = 0; i <= vocab_mask_; ++i) {
    if (vocab_[i].id == kNoWord) {
      empty_slot = true;
    } else if (!string_ok(vocab_[i].str) || vocab_[i].root >= node_count_ ||
               (vocab_[i].root != 0 && nodes_[vocab_[i].root].depth != 1)) {
      fail("vocabulary out of bounds");
    }
  }
  if (!empty_slot) fail("vocabulary has no empty slot");
  for (std::size_t i = 0; i < node_count_; ++i) {
    const Node& n = nodes_[i];
    if (std::uint64_t(n.edge_begin) + n.edge_count > h.edge_count ||
        std::uint64_t(n.entry_begin) + n.entry_count > entry_count_ || n.fail >= node_count_ ||
        n.output_link >= node_count_ || (i > 0 && n.depth == 0))
      fail("node table out of bounds");
  }
  if (nodes_[0].depth != 0 || nodes_[0].fail != 0 || nodes_[0].output_link != 0)
    fail("corrupt root node");
  // Failure and output links lead to shorter names: matching then never
  // loops, and no match starts before the text.
  for (std::size_t i = 1; i < node_count_; ++i) {
    const Node& n = nodes_[i];
    if (nodes_[n.fail].depth >= n.depth ||
        (n.output_link != 0 && nodes_[n.output_link].depth >= n.depth))
      fail("failure link out of order");
  }
  for (std::uint64_t i = 0; i < h.edge_count; ++i)
    if (edges_[i].target == 0 || edges_[i].target >= node_count_) fail("edge out of bounds");
  for (std::size_t i = 0; i < node_count_; ++i) {
    const Node& n = nodes_[i];
    for (std::uint32_t e = n.edge_begin; e < n.edge_begin + n.edge_count; ++e)
      if (nodes_[edges_[e].target].depth != n.depth + 1) fail("inconsistent node depth");
  }
  for (std::size_t i = 0; i < entry_count_; ++i) {
    const Entry& e = entries_[i];
    if (e.class_label >= label_count_ || e.subtype_label >= label_count_ ||
        e.source_label >= label_count_ || !string_ok(e.canonical) || !string_ok(e.id) ||
        !string_ok(e.name))
      fail("entry out of bounds");
  }
}

std::string_view Gazetteer::string_at(std::uint32_t offset) const {
  if (std::uint64_t(offset) + 4 > strings_size_) return {};
  std::uint32_t len;
  std::memcpy(&len, strings_ + offset, 4);
  if (std::uint64_t(offset) + 4 + len > strings_size_) return {};
  return std::string_view(strings_ + offset + 4, len);
}

Gazetteer::Word Gazetteer::lookup(std::string_view key, std::uint32_t hash) const {
  if (!vocab_) return {};
  for (std::size_t slot = hash & vocab_mask_;; slot = (slot + 1) & vocab_mask_) {
    const VocabSlot& s = vocab_[slot];
    if (s.id == kNoWord) return {};
    if (s.hash == hash && string_at(s.str) == key) return {s.id, s.root};
  }
}

std::uint32_t Gazetteer::word_id(std::string_view key) const {
  return lookup(key, hash_key(key)).id;
}

std::uint32_t Gazetteer::next_state(std::uint32_t state, Word word) const {
  if (word.id == kNoWord) return 0;
  for (;;) {
    if (state == 0) return word.root;
    const Node& n = nodes_[state];
    const Edge* begin = edges_ + n.edge_begin;
    const Edge* end = begin + n.edge_count;
    const Edge* e = std::lower_bound(begin, end, word.id,
                                     [](const Edge& x, std::uint32_t w) { return x.word < w; });
    if (e != end && e->word == word.id) return e->target;
    state = n.fail;
  }
}

bool Gazetteer::has_edges(std::uint32_t state) const {
  return nodes_[state].edge_count != 0;
}

Gazetteer::NodeOutput Gazetteer::output(std::uint32_t state) const {
  const Node& n = nodes_[state];
  return {n.entry_begin, n.entry_count, n.depth, n.output_link};
}

// ---------------------------------------------------------------------------
// Building an image.

struct GazetteerBuilder::Impl {
  struct BuildNode {
    std::uint32_t depth = 0;
    std::vector<Gazetteer::Entry> entries;
  };
  std::string strings = std::string(4, '\0');  // offset 0 is the empty string
  std::unordered_map<std::string, std::uint32_t> string_offsets;
  std::vector<std::uint32_t> labels;
  std::unordered_map<std::string, std::uint32_t> label_ids;
  std::unordered_map<std::string, std::uint32_t> vocab;
  std::vector<std::uint32_t> vocab_strings;
  std::vector<BuildNode> nodes = std::vector<BuildNode>(1);
  std::unordered_map<std::uint64_t, std::uint32_t> children;  // (node << 32 | word) -> node
  std::unordered_set<std::string> seen;                       // node/class/subtype already listed
  std::string rules;
  std::size_t entry_count = 0;
  TokenizedText tokens;

  std::uint32_t intern_string(std::string_view s) {
    if (s.empty()) return 0;
    auto [it, inserted] = string_offsets.emplace(std::string(s), 0);
    if (inserted) {
      while (strings.size() % 4) strings.push_back('\0');
      it->second = static_cast<std::uint32_t>(strings.size());
      std::uint32_t len = static_cast<std::uint32_t>(s.size());
      strings.append(reinterpret_cast<const char*>(&len), 4);
      strings.append(s);
    }
    return it->second;
  }
  std::uint32_t intern_label(std::string_view s) {
    auto [it, inserted] = label_ids.emplace(std::string(s), 0);
    if (inserted) {
      it->second = static_cast<std::uint32_t>(labels.size());
      labels.push_back(intern_string(s));
    }
    return it->second;
  }
  std::uint32_t intern_word(std::string_view key) {
    auto [it, inserted] = vocab.emplace(std::string(key), 0);
    if (inserted) {
      it->second = static_cast<std::uint32_t>(vocab_strings.size());
      vocab_strings.push_back(intern_string(key));
    }
    return it->second;
  }
};

GazetteerBuilder::GazetteerBuilder() : impl_(std::make_unique<Impl>()) {
  impl_->intern_label("");  // label 0: none
}
GazetteerBuilder::~GazetteerBuilder() = default;

std::size_t GazetteerBuilder::size() const {
  return impl_->entry_count;
}

void GazetteerBuilder::add_rules_text(std::string_view text) {
  impl_->rules.append(text);
}

void GazetteerBuilder::add(const GazetteerEntry& e) {
  Impl& m = *impl_;
  tokenize(e.name, m.tokens);
  std::vector<std::uint32_t> words;
  for (const Token& t : m.tokens.tokens) words.push_back(m.intern_word(m.tokens.key(t)));
  if (words.empty() || words.size() > 0xffff) return;
  std::uint32_t node = 0;
  for (std::uint32_t w : words) {
    std::uint64_t edge = (std::uint64_t(node) << 32) | w;
    auto it = m.children.find(edge);
    if (it == m.children.end()) {
      std::uint32_t child = static_cast<std::uint32_t>(m.nodes.size());
      m.nodes.emplace_back();
      m.nodes.back().depth = m.nodes[node].depth + 1;
      m.children.emplace(edge, child);
      node = child;
    } else {
      node = it->second;
    }
  }
  Gazetteer::Entry entry{};
  entry.class_label = m.intern_label(e.type);
  entry.subtype_label = e.subtype.empty() ? 0 : m.intern_label(e.subtype);
  entry.source_label = m.intern_label(e.source);
  std::string key = std::to_string(node) + '\t' + std::to_string(entry.class_label) + '\t' +
                    std::to_string(entry.subtype_label);
  if (!m.seen.insert(key).second) return;  // first listing of a name wins
  entry.canonical = e.canonical == e.name ? 0 : m.intern_string(e.canonical);
  entry.id = m.intern_string(e.id);
  entry.population = e.population;
  entry.name = m.intern_string(e.name);
  entry.length = static_cast<std::uint16_t>(words.size());
  entry.flags = e.flags;
  if (m.tokens.tokens.front().shape == Shape::Lower) entry.flags |= kLowerStart;
  m.nodes[node].entries.push_back(entry);
  ++m.entry_count;
}

std::string GazetteerBuilder::build() {
  Impl& m = *impl_;
  const std::size_t n = m.nodes.size();

  // Edges grouped by source node, sorted by word, for binary search.
  std::vector<std::pair<std::uint64_t, std::uint32_t>> edge_list(m.children.begin(),
                                                                 m.children.end());
  std::sort(edge_list.begin(), edge_list.end());
  std::vector<Gazetteer::Node> nodes(n, Gazetteer::Node{});
  std::vector<Gazetteer::Edge> edges;
  edges.reserve(edge_list.size());
  for (std::size_t i = 0; i < edge_list.size(); ++i) {
    std::uint32_t from = static_cast<std::uint32_t>(edge_list[i].first >> 32);
    if (nodes[from].edge_count == 0) nodes[from].edge_begin = static_cast<std::uint32_t>(i);
    ++nodes[from].edge_count;
    edges.push_back({static_cast<std::uint32_t>(edge_list[i].first), edge_list[i].second});
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (nodes[i].edge_count == 0) nodes[i].edge_begin = static_cast<std::uint32_t>(edges.size());
    nodes[i].depth = m.nodes[i].depth;
  }

  // Entries in node order.
  std::vector<Gazetteer::Entry> entries;
  entries.reserve(m.entry_count);
  for (std::size_t i = 0; i < n; ++i) {
    nodes[i].entry_begin = static_cast<std::uint32_t>(entries.size());
    nodes[i].entry_count = static_cast<std::uint32_t>(m.nodes[i].entries.size());
    entries.insert(entries.end(), m.nodes[i].entries.begin(), m.nodes[i].entries.end());
  }

  // Failure and output links, breadth first (Aho-Corasick).
  auto child = [&](std::uint32_t node, std::uint32_t word) -> std::uint32_t {
    auto it = m.children.find((std::uint64_t(node) << 32) | word);
    return it == m.children.end() ? 0 : it->second;
  };
  std::vector<std::uint32_t> queue;
  queue.reserve(n);
  queue.push_back(0);
  for (std::size_t q = 0; q < queue.size(); ++q) {
    std::uint32_t u = queue[q];
    for (std::uint32_t e = nodes[u].edge_begin; e < nodes[u].edge_begin + nodes[u].edge_count;
         ++e) {
      std::uint32_t w = edges[e].word, v = edges[e].target;
      std::uint32_t f = 0;
      if (u != 0) {
        f = nodes[u].fail;
        for (;;) {
          std::uint32_t c = child(f, w);
          if (c != 0) {
            f = c;
            break;
          }
          if (f == 0) break;
          f = nodes[f].fail;
        }
      }
      nodes[v].fail = f;
      nodes[v].output_link = nodes[f].entry_count > 0 ? f : nodes[f].output_link;
      queue.push_back(v);
    }
  }

  // Vocabulary hash table, open addressing, load factor <= 1/2.
  std::size_t slots = 16;
  while (slots < m.vocab.size() * 2) slots <<= 1;
  std::vector<Gazetteer::VocabSlot> vocab(slots, Gazetteer::VocabSlot{0, 0, Gazetteer::kNoWord, 0});
  std::vector<std::pair<std::string_view, std::uint32_t>> words(m.vocab.begin(), m.vocab.end());
  std::sort(words.begin(), words.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  for (const auto& [key, id] : words) {
    std::uint32_t h = hash_key(key);
    std::size_t slot = h & (slots - 1);
    while (vocab[slot].id != Gazetteer::kNoWord) slot = (slot + 1) & (slots - 1);
    vocab[slot] = {h, m.vocab_strings[id], id, child(0, id)};
  }

  // Lay out the image.
  std::string image(sizeof(Header), '\0');
  Header h{};
  std::memcpy(h.magic, kMagic, 8);
  h.version = kVersion;
  auto append = [&](const void* data, std::size_t bytes) -> std::uint64_t {
    while (image.size() % 8) image.push_back('\0');
    std::uint64_t off = image.size();
    image.append(static_cast<const char*>(data), bytes);
    return off;
  };
  h.strings_off = append(m.strings.data(), m.strings.size());
  h.strings_size = m.strings.size();
  h.vocab_off = append(vocab.data(), vocab.size() * sizeof(vocab[0]));
  h.vocab_slots = vocab.size();
  h.nodes_off = append(nodes.data(), nodes.size() * sizeof(nodes[0]));
  h.node_count = nodes.size();
  h.edges_off = append(edges.data(), edges.size() * sizeof(edges[0]));
  h.edge_count = edges.size();
  h.entries_off = append(entries.data(), entries.size() * sizeof(entries[0]));
  h.entry_count = entries.size();
  h.labels_off = append(m.labels.data(), m.labels.size() * 4);
  h.label_count = m.labels.size();
  h.rules_off = append(m.rules.data(), m.rules.size());
  h.rules_size = m.rules.size();
  while (image.size() % 8) image.push_back('\0');
  std::memcpy(image.data(), &h, sizeof h);
  return image;
}

// ---------------------------------------------------------------------------
// Matching.

namespace {

// Recent vocabulary lookups of one thread, for one gazetteer. Words follow
// Zipf's law, so a small cache in L2 answers most lookups that would
// otherwise miss twice in the large model (slot, then string).
class WordCache {
 public:
  // A word and what the automaton does on it from the root: the state it
  // enters and that state's own listed names. (A first-level state's
  // failure link is the root, so these are all its outputs.)
  struct Entry {
    Gazetteer::Word word;
    std::uint32_t entry_begin = 0, entry_count = 0;
    bool root_has_edges = false;  // can a longer name continue from word.root?
  };

  const Entry& lookup(const Gazetteer& g, std::string_view key, std::uint32_t hash) {
    if (owner_ != g.serial()) {
      // calloc: fresh zero pages, mapped only as slots are used, so a
      // one-line run does not pay for clearing the whole cache.
      if (owner_ != 0) std::memset(static_cast<void*>(slots_.get()), 0, kSlots * sizeof(Slot));
      if (!slots_) slots_.reset(static_cast<Slot*>(std::calloc(kSlots, sizeof(Slot))));
      if (!slots_) throw std::bad_alloc();
      owner_ = g.serial();
    }
    // Two ways per set: the most recent word of the set first.
    Slot* set = slots_.get() + ((hash & (kSlots / 2 - 1)) * 2);
    auto holds = [&](const Slot& s) {
      return s.size == key.size() && s.hash == hash && s.size != 0 &&
             std::memcmp(s.key, key.data(), key.size()) == 0;
    };
    if (holds(set[0])) return set[0].entry;
    if (holds(set[1])) {
      std::swap(set[0], set[1]);
      return set[0].entry;
    }
    Entry e;
    e.word = g.lookup(key, hash);
    if (e.word.root != 0) {
      auto out = g.output(e.word.root);
      e.entry_begin = out.entry_begin;
      e.entry_count = out.entry_count;
      e.root_has_edges = g.has_edges(e.word.root);
    }
    if (key.size() > sizeof(Slot::key)) {
      uncached_ = e;
      return uncached_;
    }
    set[1] = set[0];
    Slot& s = set[0];
    s.entry = e;
    s.hash = hash;
    s.size = static_cast<std::uint8_t>(key.size());
    std::memcpy(s.key, key.data(), key.size());
    return s.entry;
  }

 private:
  struct Slot {
    Entry entry;  // valid only if size != 0
    std::uint32_t hash;
    std::uint8_t size;  // 0: empty (the empty key is never looked up)
    char key[23];
  };
  static_assert(std::is_trivially_copyable_v<Entry>);
  static constexpr std::size_t kSlots = 65536;
  std::uint64_t owner_ = 0;
  struct Free {
    void operator()(Slot* p) const { std::free(p); }
  };
  std::unique_ptr<Slot, Free> slots_;  // kSlots slots, all-zero bytes = empty
  Entry uncached_;
};

// Recent automaton transitions of one thread, for one gazetteer. After a
// word that can begin a name ("the", "new"), the next word usually leads
// nowhere, but finding that out means a binary search among thousands of
// edges and a walk down failure links; the same few pairs come up again
// and again.
class TransitionCache {
 public:
  std::uint32_t next_state(const Gazetteer& g, std::uint32_t state, Gazetteer::Word word) {
    if (owner_ != g.serial()) {
      slots_.assign(kSlots, Slot{});
      owner_ = g.serial();
    }
    std::uint32_t h = (state * 0x9E3779B1u) ^ (word.id * 0x85EBCA77u);
    Slot& s = slots_[(h ^ (h >> 15)) & (kSlots - 1)];
    if (s.state == state && s.word == word.id && s.state != 0) return s.target;
    std::uint32_t target = g.next_state(state, word);
    s = {state, word.id, target};
    return target;
  }

 private:
  struct Slot {
    std::uint32_t state = 0, word = 0, target = 0;  // state 0: empty (the root is never cached)
  };
  static constexpr std::size_t kSlots = 65536;
  std::uint64_t owner_ = 0;
  std::vector<Slot> slots_;
};

}  // namespace

void match_gazetteer(const Gazetteer& g, const TokenizedText& text,
                     std::vector<GazetteerHit>& hits) {
  hits.clear();
  if (g.entry_count() == 0) return;
  // Hits come out of the automaton by end token; a counting sort by begin
  // (linear, unlike a comparison sort) puts them in begin order. Hits of one
  // begin arrive shortest first, one state's entries at a time, so each
  // state's group is placed from the back of its bucket: longest first,
  // entries of a group in list order.
  thread_local std::vector<GazetteerHit> found;
  thread_local std::vector<std::uint32_t> bucket_end;
  thread_local WordCache caches[4];  // one per model layer, most runs have one or two
  thread_local TransitionCache transitions[4];
  WordCache& cache = caches[g.serial() % 4];
  TransitionCache& transition = transitions[g.serial() % 4];
  found.clear();
  const auto& tokens = text.tokens;
  const std::uint32_t n = static_cast<std::uint32_t>(tokens.size());
  std::uint32_t state = 0;
  // `state` is a first-level state no longer name continues from, so the
  // next word starts afresh from the root.
  bool at_leaf = true;
  for (std::uint32_t i = 0; i < n; ++i) {
    const Token& t = tokens[i];
    const WordCache::Entry& w = cache.lookup(g, text.key(t), t.key_hash);
    std::uint32_t next =
        (state == 0 || at_leaf) ? w.word.root : transition.next_state(g, state, w.word);
    if (w.word.id == Gazetteer::kNoWord) next = 0;
    if (next == 0) {
      state = 0;
      at_leaf = true;
      continue;
    }
    if (next == w.word.root) {  // the common case: outputs known without a node read
      state = next;
      at_leaf = !w.root_has_edges;
      for (std::uint32_t e = w.entry_begin; e < w.entry_begin + w.entry_count; ++e)
        found.push_back({i, i + 1, e});
      continue;
    }
    state = next;
    at_leaf = false;  // deeper states fail over to shorter names that may continue
    for (std::uint32_t s = state; s != 0;) {
      auto out = g.output(s);
      for (std::uint32_t e = out.entry_begin; e < out.entry_begin + out.entry_count; ++e)
        found.push_back({i + 1 - out.depth, i + 1, e});
      s = out.output_link;
    }
  }
  bucket_end.assign(n + 1, 0);
  for (const GazetteerHit& h : found) ++bucket_end[h.begin];
  std::uint32_t total = 0;
  for (std::uint32_t b = 0; b < n; ++b) {
    total += bucket_end[b];
    bucket_end[b] = total;  // one past the bucket's last slot
  }
  hits.resize(found.size());
  for (std::size_t i = 0; i < found.size();) {
    std::size_t j = i + 1;  // one group: same begin and end
    while (j < found.size() && found[j].begin == found[i].begin && found[j].end == found[i].end)
      ++j;
    std::uint32_t& end = bucket_end[found[i].begin];
    end -= static_cast<std::uint32_t>(j - i);
    std::copy(found.begin() + static_cast<std::ptrdiff_t>(i),
              found.begin() + static_cast<std::ptrdiff_t>(j), hits.begin() + end);
    i = j;
  }
}

}  // namespace nerx
