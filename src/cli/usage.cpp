#include "usage.hpp"

#include <algorithm>
#include <vector>

namespace nerx_cli {
namespace {

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

// The long option names of `app` and its subcommands.
void option_names(const CLI::App& app, std::vector<std::string>& out) {
  for (const CLI::Option* o : app.get_options())
    for (const std::string& name : o->get_lnames()) out.push_back("--" + name);
  for (const CLI::App* sub : app.get_subcommands({})) option_names(*sub, out);
}

// The closest known option to a mistyped one, or "".
std::string closest_option(const CLI::App& app, const std::string& typed) {
  std::string flag = typed.substr(0, typed.find('='));
  std::vector<std::string> names;
  option_names(app, names);
  std::string best;
  std::size_t best_distance = 3;  // at most two edits away
  for (const std::string& n : names) {
    std::size_t d = edit_distance(flag, n);
    bool prefix = flag.size() >= 4 && n.rfind(flag, 0) == 0;
    if (prefix) d = 1;
    if (d < best_distance) {
      best_distance = d;
      best = n;
    }
  }
  return best;
}

std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// "a,b,c" in CLI11's "{a,b,c}" as "a, b or c".
std::string choices(const std::string& braces) {
  std::string inner = braces.substr(1, braces.size() - 2), out;
  std::vector<std::string> items;
  std::size_t at = 0;
  while (at <= inner.size()) {
    std::size_t comma = inner.find(',', at);
    if (comma == std::string::npos) comma = inner.size();
    items.push_back(inner.substr(at, comma - at));
    at = comma + 1;
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " or " : ", ";
    out += items[i];
  }
  return out;
}

}  // namespace

std::string usage_error(const CLI::App& app, const CLI::ParseError& error) {
  const std::string help = "see 'nerx --help'";
  // The kind of error, by exit code (CLI11 names some errors after the app).
  auto is = [&](CLI::ExitCodes code) { return error.get_exit_code() == static_cast<int>(code); };
  std::string what = one_line(error.what());

  if (is(CLI::ExitCodes::ExtrasError)) {
    // CLI11 lists the extra arguments last first.
    std::string extras = what.substr(what.find(": ") + 2);
    std::string first = extras.substr(extras.rfind(' ') + 1);
    if (!first.empty() && first[0] == '-' && first != "-") {
      std::string guess = closest_option(app, first);
      return "unknown option '" + first + "'" +
             (guess.empty() ? "" : " (did you mean '" + guess + "'?)") + "; " + help;
    }
    return "unexpected argument '" + first + "'; " + help;
  }
  if (is(CLI::ExitCodes::RequiredError)) {
    if (what.rfind("gold ", 0) == 0) return "eval needs a gold file: nerx eval GOLD.conll";
    if (what.rfind("--output ", 0) == 0)
      return "compile needs the model file to write: nerx compile -o MODEL ...";
    return what + "; " + help;
  }
  auto colon = what.find(": ");
  std::string option = colon == std::string::npos ? "" : what.substr(0, colon);
  std::string detail = colon == std::string::npos ? what : what.substr(colon + 2);
  if (is(CLI::ExitCodes::ArgumentMismatch) && detail.find("required") != std::string::npos &&
      detail.find("missing") != std::string::npos) {
    auto open = detail.find('{'), close = detail.find('}');
    if (open != std::string::npos && close != std::string::npos && open < close)
      return option + " needs a value: " + choices(detail.substr(open, close - open + 1));
    return option + " needs a value; " + help;
  }
  if (is(CLI::ExitCodes::ValidationError)) {
    // "xml not in {text,lines,jsonl}"
    auto not_in = detail.find(" not in {");
    if (not_in != std::string::npos && detail.back() == '}')
      return option + ": '" + detail.substr(0, not_in) + "' is not one of " +
             choices(detail.substr(not_in + 8));
    // "Value abc not in range 1 to 256"
    if (detail.rfind("Value ", 0) == 0) {
      auto range = detail.find(" not in range ");
      if (range != std::string::npos) {
        std::string bounds = detail.substr(range + 14);
        auto to = bounds.find(" to ");
        return option + ": '" + detail.substr(6, range - 6) + "' is not a whole number from " +
               bounds.substr(0, to) + " to " + bounds.substr(to + 4);
      }
    }
    return what;  // "--gazetteer: File does not exist: x.tsv"
  }
  return what + "; " + help;
}

}  // namespace nerx_cli
