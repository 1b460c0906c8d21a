// Helpers shared by the unit tests: temporary folders and files, small
// in-memory models built from a handful of list entries and rules.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nerx/analysis.hpp"
#include "nerx/extractor.hpp"
#include "nerx/gazetteer.hpp"
#include "nerx/model.hpp"

namespace nerx_test {

// Time limits here catch quadratic work, not slowness: sanitizer and
// unoptimised builds get ten times as long.
#if defined(__SANITIZE_ADDRESS__) || !defined(NDEBUG)
constexpr double kTimeScale = 10;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr double kTimeScale = 10;
#else
constexpr double kTimeScale = 1;
#endif
#else
constexpr double kTimeScale = 1;
#endif

// Seconds since `start`, in seconds of an optimised build.
inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
         kTimeScale;
}

// A fresh folder under the system temp folder, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "nerx-test-XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    if (!made) throw std::runtime_error("mkdtemp failed");
    path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `content` to `relative` (creating folders); returns the full path.
  std::string write(const std::string& relative, std::string_view content) const {
    std::filesystem::path p = path_ / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    return p.string();
  }
  std::string mkdir(const std::string& relative) const {
    std::filesystem::path p = path_ / relative;
    std::filesystem::create_directories(p);
    return p.string();
  }
  std::string operator/(const std::string& relative) const { return (path_ / relative).string(); }

 private:
  std::filesystem::path path_;
};

inline nerx::GazetteerEntry entry(std::string name, std::string type, std::string subtype = "",
                                  std::uint32_t population = 0, std::uint8_t flags = 0,
                                  std::string source = "test") {
  nerx::GazetteerEntry e;
  e.name = std::move(name);
  e.type = std::move(type);
  e.subtype = std::move(subtype);
  e.population = population;
  e.flags = flags;
  e.source = std::move(source);
  return e;
}

// A model image from entries and rule text, built in memory.
inline std::shared_ptr<const nerx::Model> make_model(
    const std::vector<nerx::GazetteerEntry>& entries, std::string_view rules,
    std::string name = "test") {
  nerx::GazetteerBuilder builder;
  for (const auto& e : entries) builder.add(e);
  builder.add_rules_text(rules);
  return nerx::Model::own(builder.build(), std::move(name));
}

// The text of a token span [begin, end) of an analysed document.
inline std::string span_text(const nerx::Analysis& doc, std::uint32_t begin, std::uint32_t end) {
  if (begin >= end || end > doc.size()) return "<bad span>";
  std::size_t b = doc.text.tokens[begin].begin, e = doc.text.tokens[end - 1].end;
  return std::string(doc.text.text.substr(b, e - b));
}

// Byte offset of the n-th (0-based) occurrence of `needle` in `text` that is
// a whole word (not preceded or followed by an ASCII letter or digit), or
// std::string::npos.
inline std::size_t nth_word(std::string_view text, std::string_view needle, int n) {
  auto is_alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  std::size_t at = 0;
  for (;;) {
    at = text.find(needle, at);
    if (at == std::string_view::npos) return at;
    bool left = at == 0 || !is_alnum(text[at - 1]);
    std::size_t end = at + needle.size();
    bool right = end >= text.size() || !is_alnum(text[end]);
    if (left && right) {
      if (n == 0) return at;
      --n;
    }
    at += 1;
  }
}

}  // namespace nerx_test
