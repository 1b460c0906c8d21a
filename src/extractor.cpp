#include "nerx/extractor.hpp"

#include <algorithm>

namespace nerx {

Extractor::Extractor(std::vector<std::shared_ptr<const Model>> models, ExtractorOptions options)
    : options_(std::move(options)) {
  for (auto& model : models) {
    Layer layer{model, {}};
    const Gazetteer& g = model->gazetteer();
    for (std::uint32_t i = 0; i < g.label_count(); ++i)
      layer.labels.push_back(labels_.intern(g.label(i)));
    layers_.push_back(std::move(layer));
  }
  for (const Layer& layer : layers_)
    if (!layer.model->rules_text().empty())
      rules_.add(layer.model->rules_text(), layer.model->name() + " (rules)", labels_,
                 layer.model->built_here());
}

Extractor::~Extractor() = default;

void Extractor::analyse(std::string_view text, Analysis& doc) const {
  tokenize(text, doc.text);
  doc.hits.clear();
  thread_local std::vector<GazetteerHit> found;
  for (const Layer& layer : layers_) {
    const Gazetteer& g = layer.model->gazetteer();
    match_gazetteer(g, doc.text, found);
    const std::size_t layer_begin = doc.hits.size();
    for (const GazetteerHit& h : found) {
      const Gazetteer::Entry& e = g.entry(h.entry);
      ListHit hit;
      hit.begin = h.begin;
      hit.end = h.end;
      hit.cls = layer.labels[e.class_label];
      hit.subtype = layer.labels[e.subtype_label];
      hit.population = e.population;
      hit.flags = e.flags;
      hit.gazetteer = &g;
      hit.entry = h.entry;
      doc.hits.push_back(hit);
    }
    // Each layer's hits come sorted (by begin, longest first): merging them
    // is linear, and keeps earlier layers first among equals.
    if (layer_begin > 0)
      std::inplace_merge(doc.hits.begin(),
                         doc.hits.begin() + static_cast<std::ptrdiff_t>(layer_begin),
                         doc.hits.end(), [](const ListHit& a, const ListHit& b) {
                           return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
                         });
  }
  doc.index_hits();
}

std::vector<Candidate> Extractor::candidates(const Analysis& doc) const {
  std::vector<Candidate> out;
  rules_.apply(doc, out);
  return out;
}

std::vector<Entity> Extractor::extract(std::string_view text) const {
  std::vector<Entity> entities;
  std::size_t offset = 0;
  const std::size_t part_bytes = std::max<std::size_t>(options_.part_bytes, 64);
  do {
    std::size_t size = split_point(text.substr(offset), part_bytes);
    extract_part(text.substr(offset, size), offset, entities);
    offset += size;
  } while (offset < text.size());
  return entities;
}

void Extractor::extract_part(std::string_view text, std::size_t offset,
                             std::vector<Entity>& entities) const {
  thread_local Analysis doc;
  analyse(text, doc);
  std::vector<Candidate> accepted = resolve(doc, candidates(doc), options_.resolver);
  for (const Candidate& c : accepted) {
    if (!options_.types.empty() &&
        std::find(options_.types.begin(), options_.types.end(), c.type) == options_.types.end())
      continue;
    Entity e;
    e.begin = offset + doc.text.tokens[c.begin].begin;
    e.end = offset + doc.text.tokens[c.end - 1].end;
    e.type = c.type;
    e.subtype = c.subtype;
    e.canonical = c.canonical;
    e.id = c.id;
    e.rule = c.rule;
    e.list = c.list;
    entities.push_back(std::move(e));
  }
}

}  // namespace nerx
