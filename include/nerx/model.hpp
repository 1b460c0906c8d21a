// A model: compiled gazetteers plus rule source, in one binary image that is
// used in place (embedded in the executable, or mapped from a file).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nerx/gazetteer.hpp"

namespace nerx {

class Model {
 public:
  // Uses `image` in place; it must outlive the model and be trusted (the
  // embedded default model): it is not verified entry by entry.
  static std::shared_ptr<const Model> view(std::string_view image, std::string name);
  // Takes ownership of an image built in memory.
  static std::shared_ptr<const Model> own(std::string image, std::string name);
  // Maps a model file written by `save` / `nerx compile`.
  static std::shared_ptr<const Model> load(const std::string& path);

  // Compiles TSV lists and rule files into an image. Rules are parsed here
  // too, so errors in them are reported with their own file names. Entries
  // of `user_lists` win ties against the default model's.
  static std::string compile(const std::vector<std::string>& gazetteer_files,
                             const std::vector<std::string>& rule_files, bool user_lists);

  ~Model();
  const Gazetteer& gazetteer() const { return gazetteer_; }
  std::string_view rules_text() const { return gazetteer_.rules_text(); }
  const std::string& name() const { return name_; }
  // Built by this program (embedded or compiled in memory), not read from a
  // file: its rules were checked when it was compiled.
  bool built_here() const { return built_here_; }

 private:
  Model() = default;
  std::string name_;
  bool built_here_ = true;
  std::string owned_;
  void* mapping_ = nullptr;
  std::size_t mapping_size_ = 0;
  Gazetteer gazetteer_;
};

// Writes an image to `path`; throws nerx::Error on failure.
void save_model(const std::string& image, const std::string& path);

// Checks that the names in `gazetteer_files` can be reported: a class that is
// not PERSON, LOCATION or ORGANIZATION must be one that a rule of `models`
// uses (@CLASS); otherwise its names are never reported, which is most
// likely a misspelt type. Throws nerx::Error naming the file, line and
// column of the first such entry.
void check_list_classes(const std::vector<std::string>& gazetteer_files,
                        const std::vector<std::shared_ptr<const Model>>& models);

}  // namespace nerx
