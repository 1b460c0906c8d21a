#include "nerx/reader.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "nerx/tokenizer.hpp"

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

bool parse_binary_files(std::string_view name, BinaryFiles& out) {
  if (name == "skip") {
    out = BinaryFiles::Skip;
  } else if (name == "text") {
    out = BinaryFiles::Text;
  } else {
    return false;
  }
  return true;
}

namespace {

constexpr std::size_t kBinaryProbe = 64 * 1024;  // bytes searched for a NUL
constexpr std::size_t kChunk = 64 * 1024;
const char* const kBinaryMessage = "binary file (a NUL byte in its first 64 KiB)";

bool stopped(const std::atomic<bool>* stop) {
  return stop && stop->load(std::memory_order_relaxed);
}

bool has_nul(std::string_view data) {
  return std::memchr(data.data(), '\0', std::min(data.size(), kBinaryProbe)) != nullptr;
}

enum class ReadStatus { Data, End, Error, Stopped };

// One read() of up to kChunk bytes appended to `out`. Retries when a signal
// interrupts it, unless `stop` is set; waits in slices of 100 ms when a stop
// flag is given and the input may block, so that setting it is seen soon.
ReadStatus read_chunk(int fd, bool may_block, const std::atomic<bool>* stop, std::string& out,
                      std::string& error) {
  char chunk[kChunk];
  for (;;) {
    if (stopped(stop)) return ReadStatus::Stopped;
    if (stop && may_block) {
      pollfd p{fd, POLLIN, 0};
      int ready = ::poll(&p, 1, 100);
      if (ready == 0 || (ready < 0 && errno == EINTR)) continue;
    }
    ssize_t got = ::read(fd, chunk, sizeof chunk);
    if (got > 0) {
      out.append(chunk, static_cast<std::size_t>(got));
      return ReadStatus::Data;
    }
    if (got == 0) return ReadStatus::End;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {  // a non-blocking descriptor: wait for data
      pollfd p{fd, POLLIN, 0};
      ::poll(&p, 1, 100);
      continue;
    }
    if (errno == EINTR) continue;
    error = std::strerror(errno);
    return ReadStatus::Error;
  }
}

// Reads lines from a file descriptor as they arrive, so that a reader on a
// pipe sees each line as soon as it is written.
class LineSource {
 public:
  LineSource(int fd, bool may_block, const std::atomic<bool>* stop)
      : fd_(fd), may_block_(may_block), stop_(stop) {}

  // Next line without its terminator ("\n" or "\r\n"; a lone "\r" is not a
  // line end). Data: a line; End: no more input.
  ReadStatus next(std::string& line, std::string& error) {
    for (;;) {
      std::size_t nl = buffer_.find('\n', scan_);
      if (nl != std::string::npos) {
        line.assign(buffer_, start_, nl - start_);
        consumed_ += nl + 1 - start_;
        start_ = scan_ = nl + 1;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return ReadStatus::Data;
      }
      scan_ = buffer_.size();  // a long line is searched once, not once per chunk
      if (eof_) {
        if (start_ >= buffer_.size()) return ReadStatus::End;
        consumed_ += buffer_.size() - start_;
        if (start_ == 0) {
          line = std::move(buffer_);  // last line without newline
          buffer_.clear();
        } else {
          line.assign(buffer_, start_, std::string::npos);
        }
        start_ = scan_ = buffer_.size();
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return ReadStatus::Data;
      }
      if (start_ > 0) {
        buffer_.erase(0, start_);
        scan_ -= start_;
        start_ = 0;
      }
      ReadStatus s = fill(error);
      if (s == ReadStatus::Error || s == ReadStatus::Stopped) return s;
    }
  }
  // Bytes of the lines returned so far, with their line breaks.
  std::uint64_t consumed() const { return consumed_; }
  // Can next() return without reading: a whole line buffered, or the end?
  bool line_buffered() const { return eof_ || buffer_.find('\n', scan_) != std::string::npos; }

  // Is the input binary? Looks at its first 64 KiB (from a pipe or terminal:
  // at what the first read returns, so as not to wait for more).
  ReadStatus probe_binary(bool& binary, std::string& error) {
    while (!eof_ && buffer_.size() < kBinaryProbe) {
      ReadStatus s = fill(error);
      if (s == ReadStatus::Error || s == ReadStatus::Stopped) return s;
      if (may_block_) break;
    }
    binary = has_nul(buffer_);
    return ReadStatus::Data;
  }

 private:
  ReadStatus fill(std::string& error) {
    ReadStatus s = read_chunk(fd_, may_block_, stop_, buffer_, error);
    if (s == ReadStatus::End) eof_ = true;
    return s;
  }

  int fd_;
  bool may_block_;
  const std::atomic<bool>* stop_;
  std::string buffer_;
  std::size_t start_ = 0;  // start of the next line in buffer_
  std::size_t scan_ = 0;   // where to look for the next '\n'
  std::uint64_t consumed_ = 0;
  bool eof_ = false;
};

// Reads from `fd` onto the end of `out` until it holds more than `want`
// bytes or the input ends (sets `eof`).
ReadStatus read_more(int fd, bool may_block, const std::atomic<bool>* stop, std::size_t want,
                     std::string& out, bool& eof, std::string& error) {
  while (!eof && out.size() <= want) {
    ReadStatus s = read_chunk(fd, may_block, stop, out, error);
    if (s == ReadStatus::End) eof = true;
    if (s == ReadStatus::Error || s == ReadStatus::Stopped) return s;
  }
  return ReadStatus::Data;
}

// The deepest nesting of arrays and objects in a JSON text, stopping as soon
// as it passes `limit`.
std::size_t json_depth(std::string_view s, std::size_t limit) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) break;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

// nlohmann's message without its prefix, its line (input is one line) and
// the bytes it last read (which may not be valid UTF-8):
// "invalid JSON at column 16: syntax error while parsing value - invalid
// string: ill-formed UTF-8 byte".
std::string json_error_reason(const nlohmann::json::exception& e) {
  std::string what = e.what();
  if (auto p = what.find("] "); p != std::string::npos) what.erase(0, p + 2);
  if (auto p = what.find("; last read"); p != std::string::npos) what.resize(p);
  std::string column;
  if (what.rfind("parse error at line ", 0) == 0) {
    auto col = what.find("column ");
    auto colon = what.find(": ");
    if (col != std::string::npos && colon != std::string::npos && col < colon) {
      column = what.substr(col + 7, colon - col - 7);
      what.erase(0, colon + 2);
    }
  } else if (what.rfind("parse error: ", 0) == 0) {
    what.erase(0, 13);
  }
  return "invalid JSON" + (column.empty() ? std::string() : " at column " + column) + ": " + what;
}

// What an errno means for a path that cannot be read, in a few words.
std::string cannot_read(const std::string& path, int err) {
  struct stat st;
  if (err == ENOENT && ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
    return "cannot read: broken symbolic link (its target does not exist)";
  if (err == ELOOP) return "cannot read: symbolic link loop";
  return std::string("cannot read: ") + std::strerror(err);
}

const char* file_kind(mode_t mode) {
  if (S_ISFIFO(mode)) return "a named pipe (FIFO)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

// A folder being read, and the folders it is in: a folder met again below
// itself is a symbolic link loop.
struct Ancestor {
  dev_t dev;
  ino_t ino;
  std::shared_ptr<const Ancestor> up;
};

struct Pending {
  std::string path;
  std::shared_ptr<const Ancestor> folder;  // the folder it was found in; null: named by the user
};

}  // namespace

struct DocumentReader::Impl {
  ReaderOptions options;
  std::vector<Pending> pending;  // paths still to read, next at the back
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
  std::string pending_text;            // read but not yet returned
  std::uint32_t part = 0;              // number of the next part
  nlohmann::ordered_json part_fields;  // fields of the file's first part
  bool at_eof = false;

  ~Impl() { close_current(); }

  void close_current() {
    if (lines) bytes_done += lines->consumed();
    if (fd >= 0 && !fd_is_stdin) ::close(fd);
    fd = -1;
    lines.reset();
  }

  std::string name() const { return path.empty() ? std::string("stdin") : path; }

  void start_fields(Document& doc) {
    doc.text.clear();
    doc.error.clear();
    doc.fields = nlohmann::ordered_json::object();
  }

  void warn(const std::string& message) {
    if (options.warn) options.warn(message);
  }

  // Opens the next path; returns false when none is left. Paths that cannot
  // be opened produce an error document via `doc` (and return true).
  bool open_next(Document& doc, bool& produced) {
    produced = false;
    while (!pending.empty()) {
      if (stopped(options.stop)) return false;
      Pending next = std::move(pending.back());
      pending.pop_back();
      const std::string& p = next.path;
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
        error_doc(doc, p, cannot_read(p, errno));
        produced = true;
        return true;
      }
      if (S_ISDIR(st.st_mode)) {
        if (!options.recursive) {
          error_doc(doc, p, "is a folder: use -r to read the files in it");
          produced = true;
          return true;
        }
        bool loop = false;
        for (const Ancestor* a = next.folder.get(); a && !loop; a = a->up.get())
          loop = a->dev == st.st_dev && a->ino == st.st_ino;
        if (loop) {
          warn(p + ": symbolic link loop (it leads back to a folder being read): not followed");
          continue;
        }
        auto self = std::make_shared<const Ancestor>(Ancestor{st.st_dev, st.st_ino, next.folder});
        if (!expand_folder(p, self)) {
          error_doc(doc, p, std::string("cannot read folder: ") + std::strerror(errno));
          produced = true;
          return true;
        }
        continue;
      }
      // Special files met in a folder are not read (a FIFO would wait for a
      // writer forever); named on the command line they are.
      if (next.folder && !S_ISREG(st.st_mode)) {
        skipped_doc(doc, p, std::string(file_kind(st.st_mode)) + " found in a folder");
        produced = true;
        return true;
      }
      int f;
      do {
        f = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);  // blocks on a FIFO until a writer comes
      } while (f < 0 && errno == EINTR && !stopped(options.stop));
      if (f < 0) {
        if (stopped(options.stop)) return false;
        error_doc(doc, p, cannot_read(p, errno));
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

  bool expand_folder(const std::string& folder, const std::shared_ptr<const Ancestor>& self) {
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
    for (auto it = names.rbegin(); it != names.rend(); ++it)
      pending.push_back({prefix + *it, self});
    return true;
  }

  void number(Document& doc) {
    if (options.mode != InputMode::Jsonl) doc.fields["id"] = ++record_count;
  }

  void error_doc(Document& doc, const std::string& p, const std::string& why) {
    start_fields(doc);
    number(doc);
    doc.fields["path"] = p;
    doc.error = p + ": " + why;
  }

  // A record for input deliberately not read: "skipped" says why, and it
  // has no text (so no entities).
  void skipped_doc(Document& doc, const std::string& p, const std::string& why) {
    start_fields(doc);
    number(doc);
    if (!p.empty()) doc.fields["path"] = p;
    doc.fields["skipped"] = why;
    warn((p.empty() ? std::string("stdin") : p) + ": " + why + ": skipped");
  }

  bool next(Document& doc) {
    for (;;) {
      if (stopped(options.stop)) {
        close_current();
        return false;
      }
      if (fd < 0) {
        bool produced;
        if (!open_next(doc, produced)) return false;
        if (produced) return true;
        line_no = 0;
        if (options.mode != InputMode::Text) {
          lines = std::make_unique<LineSource>(fd, fd_interactive, options.stop);
          if (options.mode == InputMode::Lines && options.binary == BinaryFiles::Skip) {
            bool binary = false;
            std::string error;
            ReadStatus s = lines->probe_binary(binary, error);
            if (s == ReadStatus::Stopped) continue;
            if (binary) {
              std::string p = path;
              close_current();
              skipped_doc(doc, p, kBinaryMessage);
              return true;
            }
            // A read error shows up again on the next read.
          }
        }
      }
      if (options.mode == InputMode::Text) {
        // Whole files, or parts of at most part_bytes for long ones.
        const std::size_t part_bytes = std::max<std::size_t>(options.part_bytes, 64);
        std::string error;
        ReadStatus s =
            read_more(fd, fd_interactive, options.stop, part_bytes, pending_text, at_eof, error);
        std::string p = path, where = name();
        auto end_parts = [&] {
          part = 0;
          at_eof = false;
          pending_text.clear();
          pending_text.shrink_to_fit();
          close_current();
        };
        if (s == ReadStatus::Stopped) {
          end_parts();
          return false;
        }
        if (part == 0 && s != ReadStatus::Error && options.binary == BinaryFiles::Skip &&
            has_nul(pending_text)) {
          end_parts();
          skipped_doc(doc, p, kBinaryMessage);
          return true;
        }
        if (part == 0) {
          start_fields(doc);
          number(doc);
          if (!p.empty()) doc.fields["path"] = p;
          part_fields = doc.fields;
        } else {
          doc.fields = part_fields;
          doc.error.clear();
        }
        doc.part = part;
        if (s == ReadStatus::Error) {
          doc.text.clear();
          doc.error = where + ": cannot read: " + error;
          doc.last_part = true;
        } else {
          std::size_t cut = split_point(pending_text, part_bytes);
          doc.text.assign(pending_text, 0, cut);
          pending_text.erase(0, cut);
          bytes_done += doc.text.size();
          doc.last_part = at_eof && pending_text.empty();
        }
        if (doc.last_part) {
          end_parts();
        } else {
          ++part;
        }
        return true;
      }
      std::string line, error;
      ReadStatus s = lines->next(line, error);
      if (s == ReadStatus::Stopped) {
        close_current();
        return false;
      }
      if (s != ReadStatus::Data) {
        std::string where = name();
        std::string p = path;
        close_current();
        if (s == ReadStatus::Error) {
          start_fields(doc);
          number(doc);
          if (!p.empty()) doc.fields["path"] = p;
          doc.error = where + ": cannot read: " + error;
          return true;
        }
        continue;
      }
      ++line_no;
      start_fields(doc);
      if (options.mode == InputMode::Lines) {
        number(doc);
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
    std::string where = name() + ":" + std::to_string(line_no);
    auto fail = [&](const std::string& why) {
      doc.text.clear();
      doc.fields = nlohmann::ordered_json::object();
      if (!path.empty()) doc.fields["path"] = path;
      doc.fields["line"] = line_no;
      doc.error = where + ": " + why;
    };
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      return fail("blank line, expected a JSON object");
    if (json_depth(line, options.max_json_depth) > options.max_json_depth)
      return fail("JSON nested deeper than " + std::to_string(options.max_json_depth) + " levels");
    nlohmann::ordered_json record;
    try {
      record = nlohmann::ordered_json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      return fail(json_error_reason(e));
    }
    if (!record.is_object())
      return fail("expected a JSON object, not " + std::string(record.type_name()));
    auto it = record.find(options.text_field);
    if (it == record.end()) return fail("no \"" + options.text_field + "\" field");
    if (!it->is_string())
      return fail("field \"" + options.text_field + "\" is " + it->type_name() + ", not a string");
    doc.text = it->get<std::string>();
    record.erase(it);
    doc.fields = std::move(record);
  }
};

DocumentReader::DocumentReader(std::vector<std::string> paths, ReaderOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  if (paths.empty()) paths.push_back("-");
  for (auto it = paths.rbegin(); it != paths.rend(); ++it) impl_->pending.push_back({*it, nullptr});
}

DocumentReader::~DocumentReader() = default;

bool DocumentReader::next(Document& doc) {
  return impl_->next(doc);
}

bool DocumentReader::interactive() const {
  return impl_->fd < 0 || impl_->fd_interactive;
}

bool DocumentReader::input_ready() const {
  if (impl_->fd < 0) return false;
  if (impl_->lines && impl_->lines->line_buffered()) return true;
  if (!impl_->fd_interactive) return true;
  pollfd p{impl_->fd, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;  // data, end of input or an error: read() will not wait
}

std::uint64_t DocumentReader::bytes_read() const {
  return impl_->bytes_done + (impl_->lines ? impl_->lines->consumed() : 0);
}

}  // namespace nerx
