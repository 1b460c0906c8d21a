// Command-line mistakes as one line that says what was wrong and what to do.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace nerx_cli {

// "unknown option '--offset' (did you mean '--offsets'?); see 'nerx --help'"
// for a CLI11 parse error of `app` (the command line, or a subcommand).
std::string usage_error(const CLI::App& app, const CLI::ParseError& error);

}  // namespace nerx_cli
