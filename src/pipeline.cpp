#include "nerx/pipeline.hpp"

#include <pthread.h>
#include <signal.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace nerx {
namespace {

struct Batch {
  std::vector<Document> documents;
  std::vector<std::uint64_t> input_ends;  // reader.bytes_read() after each document
  std::vector<std::vector<Entity>> entities;
};

void extract_batch(const Extractor& extractor, Batch& batch) {
  batch.entities.resize(batch.documents.size());
  for (std::size_t i = 0; i < batch.documents.size(); ++i)
    if (batch.documents[i].error.empty())
      batch.entities[i] = extractor.extract(batch.documents[i].text);
}

// A fixed set of threads that run batches handed to them.
class WorkerPool {
 public:
  WorkerPool(int n, const Extractor& extractor) : extractor_(extractor) {
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { work(); });
  }
  ~WorkerPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
  }
  std::future<void> submit(Batch& batch) {
    std::packaged_task<void()> task([this, &batch] { extract_batch(extractor_, batch); });
    std::future<void> done = task.get_future();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      tasks_.push_back(std::move(task));
    }
    wake_.notify_one();
    return done;
  }

 private:
  void work() {
    sigset_t signals;
    sigemptyset(&signals);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&signals, s);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    for (;;) {
      std::packaged_task<void()> task;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }
  const Extractor& extractor_;
  std::vector<std::thread> threads_;
  std::deque<std::packaged_task<void()>> tasks_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
};

}  // namespace

PipelineStats run_pipeline(DocumentReader& reader, const Extractor& extractor, RecordWriter& writer,
                           const OutputSink& sink, const ErrorSink& errors,
                           const PipelineOptions& options) {
  PipelineStats stats;
  std::string out;
  writer.begin(out);
  bool ok = true;
  auto stop_requested = [&] {
    if (options.stop && options.stop->load(std::memory_order_relaxed)) stats.interrupted = true;
    return stats.interrupted;
  };

  PipelineProgress progress;
  bool record_open = false;  // a long text's parts are being written
  // Writes one record (or one part of one); false if it was an error that
  // ends the run.
  auto emit = [&](const Document& doc, const std::vector<Entity>& entities,
                  std::uint64_t input_end) {
    if (stats.stopped_on_error) return false;
    bool stop_after = false;
    if (!doc.error.empty()) {
      ++stats.failed;
      errors(doc.error);
      if (options.stop_on_error) {
        stats.stopped_on_error = true;
        if (doc.part == 0) return false;
        stop_after = true;  // write it: it closes the record already begun
      }
    }
    if (doc.last_part) ++stats.documents;  // a long text's parts make one record
    stats.bytes += doc.text.size();
    writer.write(doc, entities, out);
    if (options.progress) {
      progress.documents = stats.documents;
      progress.bytes = input_end;
      options.progress(progress);
    }
    record_open = !doc.last_part;
    return !stop_after;
  };
  auto send = [&](bool flush) {
    if (ok && (!out.empty() || flush)) ok = sink(out, flush);
    out.clear();
  };

  // A live stream with nothing more to read yet: write what we have rather
  // than hold records back (tail -f | nerx). A busy pipe is batched.
  auto input_idle = [&] { return reader.interactive() && !reader.input_ready(); };
  if (options.jobs <= 1) {
    Document doc;
    std::vector<Entity> none;
    while (ok && !stop_requested() && reader.next(doc)) {
      if (stop_requested()) break;  // read after the stop: dropped
      std::uint64_t input_end = reader.bytes_read();
      bool go_on = doc.error.empty() ? emit(doc, extractor.extract(doc.text), input_end)
                                     : emit(doc, none, input_end);
      if (!go_on) break;
      if (input_idle()) {
        send(true);
      } else if (out.size() >= (1 << 16)) {
        send(false);
      }
    }
  } else {
    WorkerPool pool(options.jobs, extractor);
    // Batches in flight, oldest first; written as soon as the oldest is done.
    std::deque<std::pair<std::unique_ptr<Batch>, std::future<void>>> in_flight;
    const std::size_t max_in_flight = static_cast<std::size_t>(options.jobs) * 2;
    auto write_oldest = [&] {
      auto& [batch, done] = in_flight.front();
      done.get();
      for (std::size_t i = 0; i < batch->documents.size(); ++i)
        if (!emit(batch->documents[i], batch->entities[i], batch->input_ends[i])) break;
      in_flight.pop_front();
      send(input_idle());
    };
    bool more = true;
    while (ok && more && !stats.stopped_on_error) {
      auto batch = std::make_unique<Batch>();
      std::size_t bytes = 0;
      Document doc;
      while (batch->documents.size() < options.batch_documents && bytes < options.batch_bytes) {
        if (stop_requested() || !reader.next(doc) || stop_requested()) {
          more = false;
          break;
        }
        bytes += doc.text.size();
        batch->documents.push_back(std::move(doc));
        batch->input_ends.push_back(reader.bytes_read());
        doc = Document();
        if (input_idle()) break;  // do not hold back records on a live stream
      }
      if (!batch->documents.empty()) {
        Batch& ref = *batch;
        in_flight.emplace_back(std::move(batch), pool.submit(ref));
      }
      // On a live stream, write each record before waiting for more input.
      bool drain = !more || input_idle();
      while (ok && !stats.stopped_on_error &&
             (in_flight.size() >= max_in_flight || (drain && !in_flight.empty())))
        write_oldest();
    }
    // Sink failed or a bad record ended the run: let workers finish before
    // the pool goes.
    while (!in_flight.empty()) {
      in_flight.front().second.wait();
      in_flight.pop_front();
    }
  }
  if (record_open) {  // stopped between the parts of a long text: close its record
    Document end;
    end.part = 1;
    end.error = "stopped before the end of the text";
    writer.write(end, {}, out);
  }
  writer.end(out);
  send(true);
  return stats;
}

}  // namespace nerx
