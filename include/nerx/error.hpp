// The one exception type that leaves the nerx library.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace nerx {

// Thrown for any input the library cannot use: a malformed gazetteer or rule
// line, an unreadable file, a corrupt model. `where()` names the place
// ("file:line:column" as far as known) so the CLI can print one clear line.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, std::string file = "", std::size_t line = 0,
                 std::size_t column = 0);

  const std::string& file() const { return file_; }
  std::size_t line() const { return line_; }
  std::size_t column() const { return column_; }
  // The bare reason, without the location prefix that what() carries.
  const std::string& reason() const { return reason_; }

 private:
  std::string file_;
  std::size_t line_;
  std::size_t column_;
  std::string reason_;
};

}  // namespace nerx
