#include "nerx/reader.hpp"
#include "nerx/tokenizer.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <utility>

namespace nerx {

bool parse_input_mode(std::string_view name, InputMode& out) {
  if (name == "text") {
    out = InputMode::Text;
  } else if (name == "lines") {
    out = InputMode::Lines;
  } else if (name == "jsonl") {
    out = InputMode::Jsonl;
  } else {
    return false;
  }
  return true;
}

namespace {

// Reads lines from a file descriptor as they arrive, so that a reader on a
// pipe sees each line as soon as it is written.
class LineSource {
 public:
  explicit LineSource(int fd) : fd_(fd) {}
  // Next line without its terminator ("\n" or "\r\n"). False at end of input.
  // Sets `error` on a read error.
  bool next(std::string& line, std::string& error) {
    for (;;) {
      std::size_t nl = buffer_.find('\n', start_);
      if (nl != std::string::npos) {
        line.assign(buffer_, start_, nl - start_);
        consumed_ += nl + 1 - start_;
        start_ = nl + 1;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return true;
      }
      if (eof_) {
        if (start_ >= buffer_.size()) return false;
        line.assign(buffer_, start_, std::string::npos);  // last line without newline
        consumed_ += buffer_.size() - start_;
        start_ = buffer_.size();
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return true;
      }
      if (start_ > 0) {
        buffer_.erase(0, start_);
        start_ = 0;
      }
      char chunk[1 << 16];
      ssize_t got = ::read(fd_, chunk, sizeof chunk);
      if (got < 0) {
        if (errno == EINTR) continue;
        error = std::strerror(errno);
        eof_ = true;
      } else if (got == 0) {
        eof_ = true;
      } else {
        buffer_.append(chunk, static_cast<std::size_t>(got));
      }
    }
  }
  // Bytes of the lines returned so far, with their line breaks.
  std::uint64_t consumed() const { return consumed_; }

 private:
  int fd_;
  std::string buffer_;
  std::size_t start_ = 0;
  std::uint64_t consumed_ = 0;
  bool eof_ = false;
};

// Reads from `fd` onto the end of `out` until it holds more than `want`
// bytes or the input ends (sets `eof`). False on a read error.
bool read_more(int fd, std::string& out, std::size_t want, bool& eof, std::string& error) {
  char chunk[1 << 16];
  while (out.size() <= want) {
    ssize_t got = ::read(fd, chunk, sizeof chunk);
    if (got < 0) {
      if (errno == EINTR) continue;
      error = std::strerror(errno);
      return false;
    }
    if (got == 0) {
      eof = true;
      return true;
    }
    out.append(chunk, static_cast<std::size_t>(got));
  }
  return true;
}

}  // namespace

struct DocumentReader::Impl {
  ReaderOptions options;
  std::vector<std::string> pending;  // paths still to read, next at the back
  std::set<std::pair<dev_t, ino_t>> visited_dirs;
  std::uint64_t record_count = 0;

  // The file being read line by line (lines and jsonl modes).
  int fd = -1;
  bool fd_is_stdin = false;
  bool fd_interactive = false;
  std::string path;  // "" for stdin
  std::unique_ptr<LineSource> lines;
  std::uint64_t line_no = 0;
  std::uint64_t bytes_done = 0;  // bytes_read() of the files already closed
  // Text mode: the file being read in parts.
  std::string pending_text;  // read but not yet returned
  std::uint32_t part = 0;    // number of the next part
  bool at_eof = false;

  ~Impl() { close_current(); }

  void close_current() {
    if (lines) bytes_done += lines->consumed();
    if (fd >= 0 && !fd_is_stdin) ::close(fd);
    fd = -1;
    lines.reset();
  }

  void start_fields(Document& doc) {
    doc.text.clear();
    doc.error.clear();
    doc.fields = nlohmann::ordered_json::object();
  }

  // Opens the next path; returns false when none is left. Paths that cannot
  // be opened produce an error document via `doc` (and return true).
  bool open_next(Document& doc, bool& produced) {
    produced = false;
    while (!pending.empty()) {
      std::string p = std::move(pending.back());
      pending.pop_back();
      if (p == "-") {
        fd = STDIN_FILENO;
        fd_is_stdin = true;
        path.clear();
        struct stat st;
        fd_interactive = !(::fstat(fd, &st) == 0 && S_ISREG(st.st_mode));
        return true;
      }
      struct stat st;
      if (::stat(p.c_str(), &st) != 0) {
        error_doc(doc, p, std::string("cannot read: ") + std::strerror(errno));
        produced = true;
        return true;
      }
      if (S_ISDIR(st.st_mode)) {
        if (!options.recursive) {
          error_doc(doc, p, "is a folder: use -r to read the files in it");
          produced = true;
          return true;
        }
        if (!visited_dirs.insert({st.st_dev, st.st_ino}).second) continue;  // symlink loop
        if (!expand_folder(p)) {
          error_doc(doc, p, std::string("cannot read folder: ") + std::strerror(errno));
          produced = true;
          return true;
        }
        continue;
      }
      int f = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
      if (f < 0) {
        error_doc(doc, p, std::string("cannot read: ") + std::strerror(errno));
        produced = true;
        return true;
      }
      fd = f;
      fd_is_stdin = false;
      fd_interactive = !S_ISREG(st.st_mode);
      path = p;
      return true;
    }
    return false;
  }

  bool expand_folder(const std::string& folder) {
    DIR* dir = ::opendir(folder.c_str());
    if (!dir) return false;
    std::vector<std::string> names;
    while (dirent* e = ::readdir(dir)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      names.push_back(name);
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    std::string prefix = folder.back() == '/' ? folder : folder + "/";
    for (auto it = names.rbegin(); it != names.rend(); ++it) pending.push_back(prefix + *it);
    return true;
  }

  void error_doc(Document& doc, const std::string& p, const std::string& why) {
    start_fields(doc);
    if (options.mode == InputMode::Text) doc.fields["id"] = ++record_count;
    doc.fields["path"] = p;
    doc.error = p + ": " + why;
  }

  bool next(Document& doc) {
    for (;;) {
      if (fd < 0) {
        bool produced;
        if (!open_next(doc, produced)) return false;
        if (produced) return true;
        line_no = 0;
        if (options.mode != InputMode::Text) lines = std::make_unique<LineSource>(fd);
      }
      if (options.mode == InputMode::Text) {
        // Whole files, or parts of at most part_bytes for long ones.
        if (part == 0) ++record_count;
        start_fields(doc);
        doc.fields["id"] = record_count;
        if (!path.empty()) doc.fields["path"] = path;
        doc.part = part;
        std::string error;
        const std::size_t part_bytes = std::max<std::size_t>(options.part_bytes, 64);
        if (!read_more(fd, pending_text, part_bytes, at_eof, error)) {
          doc.error = (path.empty() ? std::string("stdin") : path) + ": cannot read: " + error;
          doc.last_part = true;
        } else {
          std::size_t cut = split_point(pending_text, part_bytes);
          doc.text.assign(pending_text, 0, cut);
          pending_text.erase(0, cut);
          bytes_done += doc.text.size();
          doc.last_part = at_eof && pending_text.empty();
        }
        if (doc.last_part) {
          part = 0;
          at_eof = false;
          pending_text.clear();
          close_current();
        } else {
          ++part;
        }
        return true;
      }
      std::string line, error;
      if (!lines->next(line, error)) {
        close_current();
        if (!error.empty()) {
          start_fields(doc);
          if (!path.empty()) doc.fields["path"] = path;
          doc.error = (path.empty() ? std::string("stdin") : path) + ": cannot read: " + error;
          return true;
        }
        continue;
      }
      ++line_no;
      start_fields(doc);
      if (options.mode == InputMode::Lines) {
        doc.fields["id"] = ++record_count;
        if (!path.empty()) doc.fields["path"] = path;
        doc.fields["line"] = line_no;
        doc.text = std::move(line);
        return true;
      }
      parse_json_line(line, doc);
      return true;
    }
  }

  void parse_json_line(const std::string& line, Document& doc) {
    std::string where = (path.empty() ? std::string("stdin") : path) + ":" + std::to_string(line_no);
    auto fail = [&](const std::string& why) {
      doc.fields = nlohmann::ordered_json::object();
      if (!path.empty()) doc.fields["path"] = path;
      doc.fields["line"] = line_no;
      doc.error = where + ": " + why;
    };
    if (line.find_first_not_of(" \t") == std::string::npos) return fail("blank line, expected a JSON object");
    nlohmann::ordered_json record;
    try {
      record = nlohmann::ordered_json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      std::string what = e.what();
      if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
      return fail("invalid JSON: " + what);
    }
    if (!record.is_object()) return fail("expected a JSON object");
    auto it = record.find(options.text_field);
    if (it == record.end()) return fail("no \"" + options.text_field + "\" field");
    if (!it->is_string()) return fail("field \"" + options.text_field + "\" is not a string");
    doc.text = it->get<std::string>();
    record.erase(it);
    doc.fields = std::move(record);
  }
};

DocumentReader::DocumentReader(std::vector<std::string> paths, ReaderOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  if (paths.empty()) paths.push_back("-");
  impl_->pending.assign(paths.rbegin(), paths.rend());
}

DocumentReader::~DocumentReader() = default;

bool DocumentReader::next(Document& doc) { return impl_->next(doc); }

bool DocumentReader::interactive() const { return impl_->fd < 0 || impl_->fd_interactive; }

std::uint64_t DocumentReader::bytes_read() const {
  return impl_->bytes_done + (impl_->lines ? impl_->lines->consumed() : 0);
}

}  // namespace nerx
