// Google Benchmark micro-benchmarks of each pipeline stage, in MB/s of input
// text. Input: the file named by NERX_BENCH_INPUT (first 4 MB), else
// examples/news.txt repeated to 1 MB. Run: ./build/bench/nerx_micro_bench
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "nerx/default_model.hpp"
#include "nerx/document.hpp"
#include "nerx/extractor.hpp"
#include "nerx/gazetteer.hpp"
#include "nerx/resolver.hpp"
#include "nerx/tokenizer.hpp"
#include "nerx/writer.hpp"

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Documents of about `size` bytes each, cut at paragraph breaks, as a batch
// job would see them.
const std::vector<std::string>& documents() {
  static const std::vector<std::string> docs = [] {
    std::string text;
    if (const char* path = std::getenv("NERX_BENCH_INPUT")) text = read_all(path);
    if (text.empty()) {
      std::string news = read_all(NERX_SOURCE_DIR "/examples/news.txt");
      while (text.size() < (1u << 20)) text += news + "\n\n";
    }
    if (text.size() > (4u << 20)) text.resize(4u << 20);
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t cut = text.find("\n\n", pos + 4096);
      if (cut == std::string::npos) cut = text.size();
      out.push_back(text.substr(pos, cut - pos));
      pos = cut;
    }
    return out;
  }();
  return docs;
}

std::size_t total_bytes() {
  std::size_t n = 0;
  for (const auto& d : documents()) n += d.size();
  return n;
}

std::shared_ptr<const nerx::Model> extractor_model() {
  static const auto model = nerx::Model::view(nerx::default_model_image(), "default");
  return model;
}

const nerx::Extractor& extractor() {
  static const nerx::Extractor e({extractor_model()});
  return e;
}

void BM_Tokenize(benchmark::State& state) {
  nerx::TokenizedText out;
  for (auto _ : state)
    for (const auto& d : documents()) {
      nerx::tokenize(d, out);
      benchmark::DoNotOptimize(out.tokens.data());
    }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * total_bytes()));
}
BENCHMARK(BM_Tokenize)->Unit(benchmark::kMillisecond);

// The gazetteer matcher alone (Aho-Corasick over the default lists), on
// documents already tokenized.
void BM_MatchLists(benchmark::State& state) {
  const nerx::Model& model = *extractor_model();
  std::vector<nerx::TokenizedText> texts(documents().size());
  for (std::size_t i = 0; i < texts.size(); ++i) nerx::tokenize(documents()[i], texts[i]);
  std::vector<nerx::GazetteerHit> hits;
  for (auto _ : state)
    for (const auto& t : texts) {
      nerx::match_gazetteer(model.gazetteer(), t, hits);
      benchmark::DoNotOptimize(hits.data());
    }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * total_bytes()));
}
BENCHMARK(BM_MatchLists)->Unit(benchmark::kMillisecond);

// Tokenize + gazetteer matching (the list stage of Extractor::analyse).
void BM_TokenizeAndMatchLists(benchmark::State& state) {
  nerx::Analysis doc;
  for (auto _ : state)
    for (const auto& d : documents()) {
      extractor().analyse(d, doc);
      benchmark::DoNotOptimize(doc.hits.data());
    }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * total_bytes()));
}
BENCHMARK(BM_TokenizeAndMatchLists)->Unit(benchmark::kMillisecond);

// The rule engine alone, on documents already analysed.
void BM_Rules(benchmark::State& state) {
  std::vector<nerx::Analysis> docs(documents().size());
  for (std::size_t i = 0; i < docs.size(); ++i) extractor().analyse(documents()[i], docs[i]);
  for (auto _ : state)
    for (const auto& doc : docs) benchmark::DoNotOptimize(extractor().candidates(doc).size());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * total_bytes()));
}
BENCHMARK(BM_Rules)->Unit(benchmark::kMillisecond);

// The resolver alone, on candidates already found.
void BM_Resolve(benchmark::State& state) {
  std::vector<nerx::Analysis> docs(documents().size());
  std::vector<std::vector<nerx::Candidate>> cands(docs.size());
  for (std::size_t i = 0; i < docs.size(); ++i) {
    extractor().analyse(documents()[i], docs[i]);
    cands[i] = extractor().candidates(docs[i]);
  }
  nerx::ResolverOptions options;
  for (auto _ : state)
    for (std::size_t i = 0; i < docs.size(); ++i)
      benchmark::DoNotOptimize(nerx::resolve(docs[i], cands[i], options).size());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * total_bytes()));
}
BENCHMARK(BM_Resolve)->Unit(benchmark::kMillisecond);

// The JSON Lines writer alone (codepoint offsets), on entities already found.
void BM_WriteJsonl(benchmark::State& state) {
  std::vector<nerx::Document> docs;
  std::vector<std::vector<nerx::Entity>> entities;
  for (const auto& d : documents()) {
    nerx::Document doc;
    doc.text = d;
    docs.push_back(std::move(doc));
    entities.push_back(extractor().extract(d));
  }
  auto writer = nerx::make_writer({});
  std::string out;
  for (auto _ : state) {
    for (std::size_t i = 0; i < docs.size(); ++i) {
      out.clear();
      writer->write(docs[i], entities[i], out);
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * total_bytes()));
}
BENCHMARK(BM_WriteJsonl)->Unit(benchmark::kMillisecond);

// Everything the library does for a document: extract + write.
void BM_ExtractAndWrite(benchmark::State& state) {
  auto writer = nerx::make_writer({});
  std::string out;
  for (auto _ : state)
    for (const auto& d : documents()) {
      nerx::Document doc;
      doc.text = d;
      out.clear();
      writer->write(doc, extractor().extract(d), out);
      benchmark::DoNotOptimize(out.data());
    }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * total_bytes()));
}
BENCHMARK(BM_ExtractAndWrite)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
