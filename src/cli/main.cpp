// The nerx command: parses flags, builds the extractor, picks reader and
// writer, and maps errors to exit codes (0 ok, 1 some input failed, 2 usage).
#include <sys/ioctl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
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
#include "nerx/progress.hpp"
#include "nerx/reader.hpp"
#include "nerx/writer.hpp"
#include "process.hpp"
#include "usage.hpp"

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
    nerx::check_list_classes(gazetteers, out);
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

int report_output_error(int err) {
  std::fprintf(stderr, "nerx: cannot write output: %s\n", std::strerror(err ? err : EIO));
  return kInputFailed;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "nerx: %s\n", message.c_str());
  return kUsage;
}

// Options that contradict each other or the command: a one-line error, or
// "". Options that merely do not apply to the run are ignored_options().
std::string conflicting_options(const CLI::App& app, const CLI::App& eval, const CLI::App& compile,
                                const ModelFlags& models) {
  const CLI::App* sub = eval ? &eval : compile ? &compile : nullptr;
  if (sub) {
    // Options of the extraction command, given with a subcommand, would be ignored.
    const char* extraction_only[] = {"paths",    "--recursive", "--input",   "--text-field",
                                     "--format", "--offsets",   "--explain", "--canonical",
                                     "--jobs",   "--on-error",  "--binary"};
    for (const char* o : extraction_only)
      if (app.count(o) > 0)
        return std::string(o == std::string("paths") ? "a PATH" : o) + " does not apply to 'nerx " +
               sub->get_name() + "'; see 'nerx " + sub->get_name() + " --help'";
    // Model options belong after the subcommand ('nerx eval --model m gold'):
    // before it they would be silently ignored.
    const bool compiling = sub == &compile;
    for (const char* o :
         {"--gazetteer", "--rules", "--model", "--no-default-model", "--types", "--no-propagate"}) {
      const std::string name = o;
      bool extraction_setting = name == "--types" || name == "--no-propagate";
      if (app.count(o) == 0 || (extraction_setting && !compiling)) continue;
      return name + " does not apply to 'nerx " + sub->get_name() + "' when given before it" +
             (extraction_setting ? std::string()
                                 : ": write 'nerx " + sub->get_name() + " " + name +
                                       (name == "--no-default-model" ? "" : " FILE") + " ...'");
    }
    return "";
  }
  if (models.no_default && models.gazetteers.empty() && models.rules.empty() &&
      models.models.empty())
    return "--no-default-model leaves no lists or rules: add --gazetteer, --rules or --model";
  return "";
}

// Extraction options that have no effect with the input mode: the run is the
// same without them, so each is a one-line warning (what is ignored, and why),
// not an error.
std::vector<std::string> ignored_options(const CLI::App& app, const std::string& input) {
  std::vector<std::string> out;
  if (app.count("--text-field") > 0 && input != "jsonl")
    out.push_back("--text-field applies only to --input jsonl; ignored");
  if (app.count("--binary") > 0 && input == "jsonl")
    out.push_back(
        "--binary applies only to --input text and lines, not jsonl (a JSON record is never "
        "binary); ignored");
  return out;
}

// A check that a value is one of `choices`; the message lists them.
CLI::Validator one_of(const std::vector<std::string>& choices, const std::string& what) {
  std::string list, braces;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    list += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
    braces += (i == 0 ? "" : ",") + choices[i];
  }
  return CLI::Validator(
      [choices, what, list](std::string& value) -> std::string {
        if (std::find(choices.begin(), choices.end(), value) != choices.end()) return "";
        return "'" + value + "' is not " + what + ": use " + list;
      },
      "{" + braces + "}");
}

// A check that a value is a whole number in [low, high].
CLI::Validator number_in(int low, int high, const std::string& what) {
  return CLI::Validator(
      [=](std::string& value) -> std::string {
        char* end = nullptr;
        errno = 0;
        long n = std::strtol(value.c_str(), &end, 10);
        if (!value.empty() && *end == '\0' && errno == 0 && n >= low && n <= high) return "";
        return "'" + value + "' is not " + what + " from " + std::to_string(low) + " to " +
               std::to_string(high);
      },
      std::to_string(low) + "-" + std::to_string(high));
}

// The progress line on stderr, drawn over itself; cleared before any other
// message and at the end.
class ProgressLine {
 public:
  ~ProgressLine() { clear(); }
  void draw(const std::string& line) {
    std::string s = "\r" + line + "\x1b[K";
    std::fputs(s.c_str(), stderr);
    shown_ = true;
  }
  void clear() {
    if (shown_) std::fputs("\r\x1b[K", stderr);
    shown_ = false;
  }
  static std::size_t width() {
    struct winsize ws;
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 80;
  }

 private:
  bool shown_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  bool stdout_open = nerx_cli::reserve_standard_descriptors();
  CLI::App app{"nerx: find people, places and organisations in text; JSON out.", "nerx"};
  app.footer(R"(Examples:
  echo "Ishaq Dar visited Kabul." | nerx
  nerx -r articles/ -j 4 > entities.jsonl           # a folder tree, 4 threads
  tail -f feed.log | nerx --input lines             # a live stream, a record per line
  nerx --input jsonl --text-field body < records.jsonl > tagged.jsonl
  nerx --format tsv -r articles/ | cut -f4,5 | sort | uniq -c | sort -rn | head
  nerx --types PERSON --canonical news.txt | jq -r '.entities[].text'
  nerx --format html -r articles/ > entities.html   # highlighted, to read in a browser
  nerx --format conll story.txt > story.conll && nerx eval story.conll
  parallel --pipe -k --block 10M nerx --input jsonl < big.jsonl > out.jsonl
  nerx eval gold.conll --errors                     # score on gold CoNLL data

A progress line is shown on stderr when it is a terminal and stdout is not.
Exit codes: 0 success, 1 some input could not be processed (or output could
not be written), 2 usage error, 130/143 stopped by SIGINT/SIGTERM.
See 'man nerx' for the details.)");
  app.set_version_flag("--version", std::string("nerx ") + NERX_VERSION);

  // Extraction (the default command).
  std::vector<std::string> paths;
  std::string input = "text", format = "jsonl", offsets = "codepoint", text_field = "text", types,
              on_error = "record", binary = "skip";
  bool recursive = false, explain = false, canonical = false, no_propagate = false, quiet = false;
  int jobs = 1;
  ModelFlags model_flags;
  app.add_option("paths", paths, "Files, folders (with -r), or - for stdin (default: stdin)");
  app.add_flag("-r,--recursive", recursive, "Read the files in folders, recursively");
  app.add_option("--input", input,
                 "Input mode: text (one document per file; default), lines, jsonl")
      ->check(one_of({"text", "lines", "jsonl"}, "an input mode"));
  app.add_option("--text-field", text_field, "jsonl: the field holding the text (default: text)");
  app.add_option("--format", format,
                 "Output format: jsonl (default), json, tsv, conll (IOB2 tokens), html (a page)")
      ->check(one_of({"jsonl", "json", "tsv", "conll", "html"}, "an output format"));
  app.add_option("--offsets", offsets, "Offset unit: codepoint (default), byte, utf16")
      ->check(one_of({"codepoint", "byte", "utf16"}, "an offset unit"));
  app.add_option("--types", types, "Report only these types, e.g. PERSON,LOCATION");
  app.add_flag("--explain", explain, "Add the rule and list behind each entity");
  app.add_flag("--canonical", canonical, "Add canonical names and identifiers where known");
  app.add_flag("--no-propagate", no_propagate, "Do not propagate names within a document");
  app.add_option("-j,--jobs", jobs, "Worker threads (output is the same for any value)")
      ->check(number_in(1, 256, "a number of threads"));
  app.add_flag("-q,--quiet", quiet, "No progress line and no warnings; errors are still shown");
  app.add_option("--on-error", on_error,
                 "A record that cannot be read: record (default: an error record in its place, "
                 "go on) or fail (stop there, exit 1)")
      ->check(one_of({"record", "fail"}, "an --on-error choice"));
  app.add_option("--binary", binary,
                 "Binary files (a NUL byte in the first 64 KiB): skip (default: a record with "
                 "\"skipped\" and a warning) or text (read them)")
      ->check(one_of({"skip", "text"}, "a --binary choice"));
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
  eval->footer(R"(Examples:
  nerx eval gold.conll --errors | grep ^MISS
  nerx --format conll story.txt > story.conll && nerx eval story.conll)");
  eval_models.add_to(*eval);

  // nerx compile
  CLI::App* compile = app.add_subcommand("compile", "Compile lists and rules into a model file");
  std::string model_out;
  ModelFlags compile_inputs;
  compile->add_option("-o,--output", model_out, "The model file to write")->required();
  compile->footer(R"(Example:
  nerx compile -o my.model --gazetteer names.tsv --rules my.rules && nerx --model my.model x.txt)");
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
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return usage_error(nerx_cli::usage_error(app, e));
  }
  if (std::string conflict = conflicting_options(app, *eval, *compile, model_flags);
      !conflict.empty())
    return usage_error(conflict);
  if (!stdout_open) return report_output_error(EBADF);

  try {
    if (*compile) {
      std::string image =
          nerx::Model::compile(compile_inputs.gazetteers, compile_inputs.rules, true);
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
      std::cout.flush();
      if (!std::cout) return report_output_error(errno);
      return kOk;
    }

    ProgressLine progress_line;
    auto warn = [&](const std::string& message) {
      if (quiet) return;
      progress_line.clear();
      std::fprintf(stderr, "nerx: warning: %s\n", message.c_str());
    };
    for (const std::string& message : ignored_options(app, input)) warn(message);
    nerx::Extractor extractor(model_flags.load(), options);
    nerx_cli::install_stop_handlers();
    nerx::ReaderOptions reader_options;
    nerx::parse_input_mode(input, reader_options.mode);
    nerx::parse_binary_files(binary, reader_options.binary);
    reader_options.text_field = text_field;
    reader_options.recursive = recursive;
    reader_options.warn = warn;
    reader_options.stop = &nerx_cli::stop_flag();
    nerx::DocumentReader reader(paths, reader_options);

    nerx::WriterOptions writer_options;
    nerx::parse_output_format(format, writer_options.format);
    nerx::parse_offset_unit(offsets, writer_options.offsets);
    writer_options.explain = explain;
    writer_options.canonical = canonical;
    auto writer = nerx::make_writer(writer_options);

    nerx::PipelineOptions pipeline_options;
    pipeline_options.jobs = jobs;
    // A progress line for batch runs, on a terminal that the results do not
    // go to; not when typing into stdin, nor for one document from stdin.
    const bool stdin_only = paths.empty() || (paths.size() == 1 && paths[0] == "-");
    const bool reads_stdin = stdin_only || std::count(paths.begin(), paths.end(), "-") > 0;
    std::unique_ptr<nerx::ProgressMeter> meter;
    if (!quiet && ::isatty(STDERR_FILENO) && !::isatty(STDOUT_FILENO) &&
        !(reads_stdin && ::isatty(STDIN_FILENO)) &&
        !(stdin_only && reader_options.mode == nerx::InputMode::Text)) {
      nerx::ProgressMeter::Options o;
      o.paths = paths;
      o.recursive = recursive;
      o.files = reader_options.mode == nerx::InputMode::Text;
      meter = std::make_unique<nerx::ProgressMeter>(std::move(o));
      pipeline_options.progress = [&](const nerx::PipelineProgress& p) {
        std::string line;
        if (meter->update(p, ProgressLine::width(), line)) progress_line.draw(line);
      };
    }
    pipeline_options.stop_on_error = on_error == "fail";
    pipeline_options.stop = &nerx_cli::stop_flag();
    bool output_ok = true;
    int output_errno = 0;
    auto sink = [&](std::string_view data, bool) {
      if (output_ok && !nerx_cli::write_stdout(data)) {
        output_ok = false;
        output_errno = errno;
      }
      return output_ok;
    };
    auto errors = [&](const std::string& message) {
      progress_line.clear();
      std::fprintf(stderr, "nerx: %s\n", message.c_str());
    };
    auto stats = nerx::run_pipeline(reader, extractor, *writer, sink, errors, pipeline_options);
    progress_line.clear();
    if (!output_ok) return report_output_error(output_errno);
    if (nerx_cli::stop_flag().load()) nerx_cli::exit_by_signal(nerx_cli::stop_signal());
    if (stats.stopped_on_error)
      std::fprintf(stderr, "nerx: stopped at the first record that failed (--on-error fail)\n");
    return stats.failed > 0 ? kInputFailed : kOk;
  } catch (const CLI::ValidationError& e) {
    return usage_error(std::string(e.what()) + "; see 'nerx --help'");
  } catch (const nerx::Error& e) {
    std::fprintf(stderr, "nerx: %s\n", e.what());
    return kInputFailed;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "nerx: out of memory\n");
    return kInputFailed;
  }
}
