#include "nerx/analysis.hpp"

namespace nerx {

std::uint32_t LabelTable::intern(std::string_view name) {
  auto [it, inserted] = ids_.emplace(std::string(name), static_cast<std::uint32_t>(names_.size()));
  if (inserted) names_.emplace_back(name);
  return it->second;
}

std::uint32_t LabelTable::find(std::string_view name) const {
  auto it = ids_.find(std::string(name));
  return it == ids_.end() ? kNone : it->second;
}

void Analysis::index_hits() {
  hit_start.assign(size() + 1, 0);
  for (const ListHit& h : hits) ++hit_start[h.begin + 1];
  for (std::size_t i = 1; i < hit_start.size(); ++i) hit_start[i] += hit_start[i - 1];
}

}  // namespace nerx
