#include "nerx/progress.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <utility>

namespace nerx {
namespace {

struct Walker {
  bool recursive;
  const std::atomic<bool>* cancel;
  InputSize size;
  std::set<std::pair<dev_t, ino_t>> visited;

  bool cancelled() const { return cancel && cancel->load(std::memory_order_relaxed); }

  void stdin_size() {
    struct stat st;
    ++size.files;
    if (::fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode)) {
      size.bytes += static_cast<std::uint64_t>(st.st_size);  // a file: nerx < file
    } else {
      size.known = false;
    }
  }

  void path(const std::string& p) {
    if (cancelled()) {
      size.known = false;
      return;
    }
    if (p == "-") return stdin_size();
    struct stat st;
    if (::stat(p.c_str(), &st) != 0 || (S_ISDIR(st.st_mode) && !recursive)) {
      ++size.files;  // the reader's error record
      return;
    }
    if (!S_ISDIR(st.st_mode)) {
      ++size.files;
      if (S_ISREG(st.st_mode)) {
        size.bytes += static_cast<std::uint64_t>(st.st_size);
      } else {
        size.known = false;  // a fifo or device
      }
      return;
    }
    if (!visited.insert({st.st_dev, st.st_ino}).second) return;
    DIR* dir = ::opendir(p.c_str());
    if (!dir) {
      ++size.files;
      return;
    }
    std::vector<std::string> names;
    while (dirent* e = ::readdir(dir)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    std::string prefix = p.back() == '/' ? p : p + "/";
    for (const auto& name : names) path(prefix + name);
  }
};

// 1234567 -> "1,234,567"
std::string grouped(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Megabytes below 10 GB, gigabytes above; `scale_of` picks the unit so that
// "done/total" share one.
std::string size_text(std::uint64_t bytes, std::uint64_t scale_of, bool unit) {
  char buf[32];
  if (scale_of >= 10'000'000'000ull) {
    std::snprintf(buf, sizeof buf, unit ? "%.2f GB" : "%.2f", double(bytes) / 1e9);
  } else {
    std::snprintf(buf, sizeof buf, unit ? "%.1f MB" : "%.1f", double(bytes) / 1e6);
  }
  return buf;
}

std::string duration_text(double seconds) {
  auto s = static_cast<std::uint64_t>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu", static_cast<unsigned long long>(s / 3600),
                  static_cast<unsigned long long>(s / 60 % 60),
                  static_cast<unsigned long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%llu:%02llu", static_cast<unsigned long long>(s / 60),
                  static_cast<unsigned long long>(s % 60));
  }
  return buf;
}

}  // namespace

InputSize measure_inputs(const std::vector<std::string>& paths, bool recursive,
                         const std::atomic<bool>* cancel) {
  Walker w{recursive, cancel, {}, {}};
  if (paths.empty()) {
    w.path("-");
  } else {
    for (const auto& p : paths) w.path(p);
  }
  return w.size;
}

std::string format_progress(const ProgressReport& r, std::size_t width) {
  const bool known = r.total_known && r.total.known;
  const std::string noun = r.files ? " files" : " records";
  std::string text;
  auto add = [&](const std::string& part) {
    if (!text.empty()) text += "  ";
    text += part;
  };

  // Fraction done: by bytes where the input has any, else by files.
  double fraction = -1;
  if (known && r.total.bytes > 0) {
    fraction = double(std::min(r.bytes, r.total.bytes)) / double(r.total.bytes);
  } else if (known && r.files && r.total.files > 0) {
    fraction = double(std::min(r.documents, r.total.files)) / double(r.total.files);
  }
  if (fraction >= 0) {
    char pct[8];
    std::snprintf(pct, sizeof pct, "%3d%%", static_cast<int>(fraction * 100));
    add(pct);
  }
  if (known && r.files) {
    add(grouped(r.documents) + "/" + grouped(r.total.files) + noun);
  } else {
    add(grouped(r.documents) + noun);
  }
  if (known && r.total.bytes > 0) {
    add(size_text(r.bytes, r.total.bytes, false) + "/" +
        size_text(r.total.bytes, r.total.bytes, true));
  } else {
    add(size_text(r.bytes, r.bytes, true));
  }
  if (r.seconds > 0) add(size_text(std::uint64_t(double(r.bytes) / r.seconds), 0, true) + "/s");
  // Time left, once there is enough behind to go by.
  if (fraction > 0 && fraction < 1 && r.seconds >= 1) {
    add(duration_text(r.seconds * (1 - fraction) / fraction) + " left");
  }

  const std::size_t limit = width > 1 ? width - 1 : 0;  // never touch the last column
  if (fraction >= 0 && text.size() + 14 <= limit) {
    std::size_t inner = std::min<std::size_t>(30, limit - text.size() - 4);
    std::size_t filled = static_cast<std::size_t>(fraction * double(inner));
    std::string bar = "[" + std::string(filled, '=');
    if (filled < inner) bar += '>' + std::string(inner - filled - 1, ' ');
    bar += "]";
    text = bar + "  " + text;
  }
  if (text.size() > limit) text.resize(limit);
  return text;
}

ProgressMeter::ProgressMeter(Options options)
    : options_(std::move(options)), start_(std::chrono::steady_clock::now()) {
  next_draw_ = start_ + options_.first_delay;
  measure_ = std::thread([this] {
    total_ = measure_inputs(options_.paths, options_.recursive, &cancel_);
    measured_.store(true, std::memory_order_release);
  });
}

ProgressMeter::~ProgressMeter() {
  cancel_ = true;
  measure_.join();
}

bool ProgressMeter::update(const PipelineProgress& progress, std::size_t width, std::string& line) {
  auto now = std::chrono::steady_clock::now();
  if (now < next_draw_) return false;
  next_draw_ = now + options_.interval;
  ProgressReport r;
  r.documents = progress.documents;
  r.bytes = progress.bytes;
  r.seconds = std::chrono::duration<double>(now - start_).count();
  r.files = options_.files;
  if (measured_.load(std::memory_order_acquire)) {
    r.total = total_;
    r.total_known = total_.known;
  }
  line = format_progress(r, width);
  return true;
}

}  // namespace nerx
