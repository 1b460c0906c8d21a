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

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// The option of `app` that `given` was probably meant to be, or "".
std::string closest_option(const CLI::App& app, std::string given) {
  given = given.substr(0, given.find('='));
  std::string best;
  std::size_t best_distance = 3;  // at most two edits away
  for (const CLI::Option* opt : app.get_options()) {
    for (const std::string& name : opt->get_lnames()) {
      std::string candidate = "--" + name;
      std::size_t d = edit_distance(given, candidate);
      if (given.size() >= 4 && candidate.rfind(given, 0) == 0) d = 1;  // a prefix
      if (d < best_distance) {
        best_distance = d;
        best = candidate;
      }
    }
  }
  return best;
}

// A usage error as one line that says what is wrong and what to do.
std::string usage_message(const CLI::App& app, const CLI::ParseError& e) {
  const std::string what = e.what();
  const int kind = e.get_exit_code();
  std::string help = "nerx --help";
  const CLI::App* in = &app;
  for (const CLI::App* sub : app.get_subcommands())
    if (sub->parsed()) {
      in = sub;
      help = "nerx " + sub->get_name() + " --help";
    }
  if (kind ==
      static_cast<int>(
          CLI::ExitCodes::ExtrasError)) {  // "The following argument(s) was/were not expected: A B"
    // The args come last first; name an option among them if there is one.
    std::stringstream args(what.substr(what.find(": ") + 2));
    std::string first;
    for (std::string arg; args >> arg;)
      if (first.empty() || (arg.size() > 1 && arg[0] == '-')) first = arg;
    if (first.size() > 1 && first[0] == '-') {
      std::string guess = closest_option(*in, first);
      if (!guess.empty()) return "unknown option '" + first + "': did you mean '" + guess + "'?";
      return "unknown option '" + first + "': see '" + help + "' for the options";
    }
    return "unexpected argument '" + first + "': see '" + help + "'";
  }
  if (kind == static_cast<int>(CLI::ExitCodes::ArgumentMismatch)) {
    // "--format: 1 required TEXT:{a,b} missing"
    std::string option = what.substr(0, what.find(':'));
    if (const CLI::Option* opt = in->get_option_no_throw(option)) {
      std::string type = opt->get_type_name(), choices;
      if (auto open = type.find(":{"); open != std::string::npos) {
        std::stringstream list(type.substr(open + 2, type.size() - open - 3));
        std::vector<std::string> names;
        for (std::string name; std::getline(list, name, ',');) names.push_back(name);
        for (std::size_t i = 0; i < names.size(); ++i)
          choices += (i == 0 ? ": " : i + 1 == names.size() ? " or " : ", ") + names[i];
      }
      return option + " needs a value" + choices + " (see '" + help + "')";
    }
  }
  if (kind == static_cast<int>(CLI::ExitCodes::RequiredError)) {
    if (in->get_name() == "eval") return "nerx eval needs a gold file: nerx eval GOLD.conll";
    if (in->get_name() == "compile")
      return "nerx compile needs the file to write: nerx compile -o MODEL --gazetteer FILE";
  }
  return what + " (see '" + help + "')";
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
  CLI::App app{"nerx: find people, places and organisations in text; JSON out.",
               "nerx"};
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
Exit codes: 0 success, 1 some input could not be processed, 2 usage error.
See 'man nerx' for the details.)");
  app.set_version_flag("--version", std::string("nerx ") + NERX_VERSION);

  // Extraction (the default command).
  std::vector<std::string> paths;
  std::string input = "text", format = "jsonl", offsets = "codepoint", text_field = "text",
              types;
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
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "nerx: %s\n", usage_message(app, e).c_str());
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

    ProgressLine progress_line;
    auto warn = [&](const std::string& message) {
      if (quiet) return;
      progress_line.clear();
      std::fprintf(stderr, "nerx: warning: %s\n", message.c_str());
    };
    if (text_field != "text" && reader_options.mode != nerx::InputMode::Jsonl)
      warn("--text-field is used only with --input jsonl; ignoring it");

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
    bool output_ok = true;
    auto sink = [&](std::string_view data, bool flush) {
      output_ok = write_stdout(data, flush);
      return output_ok;
    };
    auto errors = [&](const std::string& message) {
      progress_line.clear();
      std::fprintf(stderr, "nerx: %s\n", message.c_str());
    };
    auto stats = nerx::run_pipeline(reader, extractor, *writer, sink, errors, pipeline_options);
    progress_line.clear();
    if (!output_ok) return report_output_error();
    return stats.failed > 0 ? kInputFailed : kOk;
  } catch (const CLI::ValidationError& e) {
    std::fprintf(stderr, "nerx: %s (see 'nerx --help')\n", e.what());
    return kUsage;
  } catch (const nerx::Error& e) {
    std::fprintf(stderr, "nerx: %s\n", e.what());
    return kInputFailed;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "nerx: out of memory\n");
    return kInputFailed;
  }
}
