// The batch pipeline: read -> extract -> write, optionally on several
// threads, always writing records in input order.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "nerx/extractor.hpp"
#include "nerx/reader.hpp"
#include "nerx/writer.hpp"

namespace nerx {

// How far a run has got, for a progress display.
struct PipelineProgress {
  std::uint64_t documents = 0;  // records written so far
  std::uint64_t bytes = 0;      // input bytes of those records (DocumentReader::bytes_read)
};
// Told after each record is written; callers that draw throttle themselves.
using ProgressSink = std::function<void(const PipelineProgress& progress)>;

struct PipelineOptions {
  int jobs = 1;           // worker threads; output is identical for any value
  ProgressSink progress;  // optional: told after each record is written
  // Documents (or bytes of text) handed to a worker at once when jobs > 1.
  std::size_t batch_documents = 256;
  std::size_t batch_bytes = 1 << 20;
  // Stop at the first record that has an error: it is reported but not
  // written; the records before it are (--on-error fail).
  bool stop_on_error = false;
  // When set and it becomes true, no more input is read; the records already
  // read are finished and written, then run_pipeline returns. Give the
  // reader the same flag so that it stops waiting for input too.
  const std::atomic<bool>* stop = nullptr;
};

struct PipelineStats {
  std::uint64_t documents = 0;
  std::uint64_t failed = 0;  // records that came back with an error
  std::uint64_t bytes = 0;
  bool stopped_on_error = false;  // stop_on_error ended the run early
  bool interrupted = false;       // `stop` ended the run early
};

// Where output goes. Returns false if the output cannot be written.
using OutputSink = std::function<bool(std::string_view data, bool flush)>;
// Told about each failed record (to print it on stderr).
using ErrorSink = std::function<void(const std::string& message)>;

// Runs the whole pipeline. Output is sent on after each record when the
// reader is interactive (a pipe or terminal), so `tail -f | nerx` streams.
// Returns normally also when the sink refuses output (stats say how far it got).
// Worker threads block SIGINT, SIGTERM, SIGHUP and SIGQUIT, so that those
// signals reach the calling thread.
PipelineStats run_pipeline(DocumentReader& reader, const Extractor& extractor, RecordWriter& writer,
                           const OutputSink& sink, const ErrorSink& errors,
                           const PipelineOptions& options);

}  // namespace nerx
