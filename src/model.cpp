#include "nerx/model.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "nerx/error.hpp"
#include "nerx/rules.hpp"

namespace nerx {

std::shared_ptr<const Model> Model::view(std::string_view image, std::string name) {
  std::shared_ptr<Model> m(new Model());
  m->name_ = std::move(name);
  m->gazetteer_ = Gazetteer(image, m->name_, /*verify=*/false);
  return m;
}

std::shared_ptr<const Model> Model::own(std::string image, std::string name) {
  std::shared_ptr<Model> m(new Model());
  m->name_ = std::move(name);
  m->owned_ = std::move(image);
  m->gazetteer_ = Gazetteer(m->owned_, m->name_);
  return m;
}

std::shared_ptr<const Model> Model::load(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(std::string("cannot open model: ") + std::strerror(errno), path);
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
    ::close(fd);
    throw Error("not a regular, non-empty model file", path);
  }
  void* p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) throw Error(std::string("cannot map model: ") + std::strerror(errno), path);
  std::shared_ptr<Model> m(new Model());
  m->built_here_ = false;
  m->name_ = path;
  m->mapping_ = p;
  m->mapping_size_ = static_cast<std::size_t>(st.st_size);
  m->gazetteer_ = Gazetteer(std::string_view(static_cast<const char*>(p), m->mapping_size_), path);
  return m;
}

Model::~Model() {
  if (mapping_) ::munmap(mapping_, mapping_size_);
}

std::string Model::compile(const std::vector<std::string>& gazetteer_files,
                           const std::vector<std::string>& rule_files, bool user_lists) {
  GazetteerBuilder builder;
  for (const std::string& file : gazetteer_files) {
    for (GazetteerEntry& e : read_gazetteer_file(file)) {
      if (user_lists) e.flags |= kUserList;
      builder.add(e);
    }
  }
  LabelTable labels;  // only to check the rules parse
  for (const std::string& file : rule_files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(std::string("cannot open rules: ") + std::strerror(errno), file);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    RuleSet check;
    check.add(text, file, labels);
    if (!text.empty() && text.back() != '\n') text.push_back('\n');
    builder.add_rules_text(text);
  }
  return builder.build();
}

void save_model(const std::string& image, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(std::string("cannot write model: ") + std::strerror(errno), path);
  out.write(image.data(), static_cast<std::streamsize>(image.size()));
  out.close();
  if (!out) throw Error("cannot write model", path);
}

void check_list_classes(const std::vector<std::string>& gazetteer_files,
                        const std::vector<std::shared_ptr<const Model>>& models) {
  if (gazetteer_files.empty()) return;
  LabelTable used;  // every class the rules name, and little else
  for (const auto& model : models) {
    if (model->rules_text().empty()) continue;
    RuleSet rules;
    rules.add(model->rules_text(), model->name() + " (rules)", used);
  }
  for (const std::string& file : gazetteer_files) {
    std::ifstream in(file, std::ios::binary);
    std::string line;
    std::size_t line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line_no == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
      if (line.empty() || line[0] == '#') continue;
      std::size_t tab = line.find('\t');
      if (tab == std::string::npos) continue;
      std::size_t end = line.find('\t', tab + 1);
      std::string type = line.substr(tab + 1, end == std::string::npos ? end : end - tab - 1);
      std::size_t column = tab + 2;
      while (!type.empty() && type.front() == ' ') {
        type.erase(0, 1);
        ++column;
      }
      while (!type.empty() && type.back() == ' ') type.pop_back();
      EntityType entity_type;
      if (parse_entity_type(type, entity_type) || used.find(type) != LabelTable::kNone) continue;
      throw Error("type '" + type +
                      "' is neither PERSON, LOCATION nor ORGANIZATION, and no rule uses it (@" +
                      type + "), so these names would never be reported",
                  file, line_no, column);
    }
  }
}

}  // namespace nerx
