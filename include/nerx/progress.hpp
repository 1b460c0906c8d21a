// Progress: how much input a run has, and a one-line report of how far it
// has got (files or records, megabytes, rate, time left) for a terminal.
// The library only makes the line; the caller decides where it goes.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "nerx/pipeline.hpp"

namespace nerx {

// What a DocumentReader over some paths will read.
struct InputSize {
  std::uint64_t files = 0;  // documents in text mode: files, and paths that fail
  std::uint64_t bytes = 0;  // bytes of the regular files
  bool known = true;        // false if an input is a pipe or terminal, or counting stopped
};

// Walks `paths` the way DocumentReader reads them ("-", or no paths, is
// stdin; folders only when `recursive`), without opening files. Stops early
// (known = false) when `cancel` becomes true.
InputSize measure_inputs(const std::vector<std::string>& paths, bool recursive,
                         const std::atomic<bool>* cancel = nullptr);

struct ProgressReport {
  std::uint64_t documents = 0;  // records written
  std::uint64_t bytes = 0;      // input bytes of those records
  double seconds = 0;           // since the run started
  InputSize total;              // what the whole run reads, where known
  bool total_known = false;     // `total` has been measured (and total.known)
  bool files = false;           // one document per file: count files, not records
};

// The report as one line of at most `width` - 1 columns, e.g.
//   [=========>         ]  42%  1,234/5,000 files  45.2/180.0 MB  12.3 MB/s  0:11 left
//   12,345 records  45.2 MB  12.3 MB/s                  (input of unknown size)
std::string format_progress(const ProgressReport& report, std::size_t width);

// Measures the input in the background and says when to redraw.
class ProgressMeter {
 public:
  struct Options {
    std::vector<std::string> paths;  // as given to DocumentReader
    bool recursive = false;
    bool files = false;                          // text input: documents are files
    std::chrono::milliseconds interval{100};     // redraw at most this often
    std::chrono::milliseconds first_delay{200};  // quick runs show no progress at all
  };
  explicit ProgressMeter(Options options);
  ~ProgressMeter();
  ProgressMeter(const ProgressMeter&) = delete;
  ProgressMeter& operator=(const ProgressMeter&) = delete;

  // Sets `line` to the report for `progress` and returns true when it is
  // time to redraw; false otherwise (line unchanged).
  bool update(const PipelineProgress& progress, std::size_t width, std::string& line);

 private:
  Options options_;
  std::chrono::steady_clock::time_point start_, next_draw_;
  std::atomic<bool> cancel_{false}, measured_{false};
  InputSize total_;  // written by the measuring thread before measured_
  std::thread measure_;
};

}  // namespace nerx
