// The nerx command: parses flags, builds the extractor, picks reader and
// writer, and maps errors to exit codes (0 ok, 1 some input failed, 2 usage).
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "nerx/default_model.hpp"
#include "nerx/error.hpp"
#include "nerx/eval.hpp"
#include "nerx/extractor.hpp"
#include "nerx/model.hpp"
#include "nerx/pipeline.hpp"
#include "nerx/reader.hpp"
#include "nerx/writer.hpp"

#ifndef NERX_VERSION
#define NERX_VERSION "0.0.0"
#endif

namespace {

constexpr int kOk = 0, kInputFailed = 1, kUsage = 2;

// Where the models come from: the embedded default plus the user's own.
struct ModelFlags {
  std::vector<std::string> gazetteers, rules, models;
  bool no_default = false;

  void add_to(CLI::App& app) {
    app.add_option("--gazetteer", gazetteers,
                   "Add a list (TSV: name, TYPE, subtype, canonical, attributes); repeatable")
        ->check(CLI::ExistingFile)
        ->allow_extra_args(false);
    app.add_option("--rules", rules, "Add a rule file (see docs/rules.md); repeatable")
        ->check(CLI::ExistingFile)
        ->allow_extra_args(false);
    app.add_option("--model", models, "Add a model compiled by 'nerx compile'; repeatable")
        ->check(CLI::ExistingFile)
        ->allow_extra_args(false);
    app.add_flag("--no-default-model", no_default, "Do not use the built-in lists and rules");
  }

  std::vector<std::shared_ptr<const nerx::Model>> load() const {
    std::vector<std::shared_ptr<const nerx::Model>> out;
    if (!no_default) out.push_back(nerx::Model::view(nerx::default_model_image(), "default"));
    for (const auto& m : models) out.push_back(nerx::Model::load(m));
    if (!gazetteers.empty() || !rules.empty())
      out.push_back(nerx::Model::own(nerx::Model::compile(gazetteers, rules, true), "user"));
    return out;
  }
};

std::vector<nerx::EntityType> parse_types(const std::string& list) {
  std::vector<nerx::EntityType> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    nerx::EntityType t;
    if (!nerx::parse_entity_type(item, t))
      throw CLI::ValidationError("--types",
                                 "unknown type '" + item + "': use PERSON, LOCATION, ORGANIZATION");
    out.push_back(t);
  }
  return out;
}

bool write_stdout(std::string_view data, bool flush) {
  if (!data.empty() && std::fwrite(data.data(), 1, data.size(), stdout) != data.size())
    return false;
  if (flush && std::fflush(stdout) != 0) return false;
  return !std::ferror(stdout);
}

int report_output_error() {
  std::fprintf(stderr, "nerx: cannot write output: %s\n", std::strerror(errno ? errno : EIO));
  return kInputFailed;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"nerx: find people, places and organisations in text; JSON out.",
               "nerx"};
  app.footer(R"(Examples:
  echo "Ishaq Dar visited Kabul." | nerx
  nerx -r articles/ > entities.jsonl
  tail -f feed.log | nerx --input lines
  nerx --input jsonl --text-field body < records.jsonl
  nerx eval gold.conll --errors

Exit codes: 0 success, 1 some input could not be processed, 2 usage error.)");
  app.set_version_flag("--version", std::string("nerx ") + NERX_VERSION);

  // Extraction (the default command).
  std::vector<std::string> paths;
  std::string input = "text", format = "jsonl", offsets = "codepoint", text_field = "text",
              types;
  bool recursive = false, explain = false, canonical = false, no_propagate = false;
  int jobs = 1;
  ModelFlags model_flags;
  app.add_option("paths", paths, "Files, folders (with -r), or - for stdin (default: stdin)");
  app.add_flag("-r,--recursive", recursive, "Read the files in folders, recursively");
  app.add_option("--input", input, "Input mode: text (one document per file), lines, jsonl")
      ->check(CLI::IsMember({"text", "lines", "jsonl"}));
  app.add_option("--text-field", text_field, "jsonl: the field holding the text (default: text)");
  app.add_option("--format", format, "Output format: jsonl, json, tsv")
      ->check(CLI::IsMember({"jsonl", "json", "tsv"}));
  app.add_option("--offsets", offsets, "Offset unit: codepoint (default), byte, utf16")
      ->check(CLI::IsMember({"codepoint", "byte", "utf16"}));
  app.add_option("--types", types, "Report only these types, e.g. PERSON,LOCATION");
  app.add_flag("--explain", explain, "Add the rule and list behind each entity");
  app.add_flag("--canonical", canonical, "Add canonical names and identifiers where known");
  app.add_flag("--no-propagate", no_propagate, "Do not propagate names within a document");
  app.add_option("-j,--jobs", jobs, "Worker threads (output is the same for any value)")
      ->check(CLI::Range(1, 256));
  model_flags.add_to(app);

  // nerx eval
  CLI::App* eval = app.add_subcommand("eval", "Score nerx on gold CoNLL data (P/R/F1 per type)");
  std::string gold_path;
  bool show_errors = false;
  ModelFlags eval_models;
  eval->add_option("gold", gold_path, "Gold file: TOKEN<TAB>IOB2-TAG lines")
      ->required()
      ->check(CLI::ExistingFile);
  eval->add_flag("--errors", show_errors, "List misses and false hits with their context");
  eval_models.add_to(*eval);

  // nerx compile
  CLI::App* compile = app.add_subcommand("compile", "Compile lists and rules into a model file");
  std::string model_out;
  ModelFlags compile_inputs;
  compile->add_option("-o,--output", model_out, "The model file to write")->required();
  compile->add_option("--gazetteer", compile_inputs.gazetteers, "A list to compile; repeatable")
      ->check(CLI::ExistingFile)
      ->allow_extra_args(false);
  compile->add_option("--rules", compile_inputs.rules, "A rule file to compile; repeatable")
      ->check(CLI::ExistingFile)
      ->allow_extra_args(false);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    std::fprintf(stderr, "nerx: %s\nTry 'nerx --help'.\n", what.c_str());
    return kUsage;
  }

  try {
    if (*compile) {
      std::string image = nerx::Model::compile(compile_inputs.gazetteers, compile_inputs.rules, true);
      nerx::save_model(image, model_out);
      return kOk;
    }

    nerx::ExtractorOptions options;
    options.resolver.propagate_names = !no_propagate;
    if (!types.empty()) options.types = parse_types(types);

    if (*eval) {
      nerx::Extractor extractor(eval_models.load(), options);
      std::ifstream in(gold_path, std::ios::binary);
      if (!in) throw nerx::Error(std::strerror(errno), gold_path);
      auto docs = nerx::read_conll(in, gold_path);
      nerx::EvalScores scores;
      for (const auto& doc : docs) {
        auto predicted = extractor.extract(doc.text);
        nerx::score_document(doc.entities, predicted, scores);
        if (show_errors) nerx::print_errors(doc, predicted, std::cout);
      }
      nerx::print_scores(scores, std::cout);
      return kOk;
    }

    nerx::Extractor extractor(model_flags.load(), options);
    nerx::ReaderOptions reader_options;
    nerx::parse_input_mode(input, reader_options.mode);
    reader_options.text_field = text_field;
    reader_options.recursive = recursive;
    nerx::DocumentReader reader(paths, reader_options);

    nerx::WriterOptions writer_options;
    nerx::parse_output_format(format, writer_options.format);
    nerx::parse_offset_unit(offsets, writer_options.offsets);
    writer_options.explain = explain;
    writer_options.canonical = canonical;
    auto writer = nerx::make_writer(writer_options);

    nerx::PipelineOptions pipeline_options;
    pipeline_options.jobs = jobs;
    bool output_ok = true;
    auto sink = [&](std::string_view data, bool flush) {
      output_ok = write_stdout(data, flush);
      return output_ok;
    };
    auto errors = [](const std::string& message) {
      std::fprintf(stderr, "nerx: %s\n", message.c_str());
    };
    auto stats = nerx::run_pipeline(reader, extractor, *writer, sink, errors, pipeline_options);
    if (!output_ok) return report_output_error();
    return stats.failed > 0 ? kInputFailed : kOk;
  } catch (const CLI::ValidationError& e) {
    std::fprintf(stderr, "nerx: %s\nTry 'nerx --help'.\n", e.what());
    return kUsage;
  } catch (const nerx::Error& e) {
    std::fprintf(stderr, "nerx: %s\n", e.what());
    return kInputFailed;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "nerx: out of memory\n");
    return kInputFailed;
  }
}
