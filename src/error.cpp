#include "nerx/error.hpp"

#include <utility>

namespace nerx {
namespace {

std::string with_location(const std::string& message, const std::string& file, std::size_t line,
                          std::size_t column) {
  if (file.empty()) return message;
  std::string where = file;
  if (line > 0) where.append(":").append(std::to_string(line));
  if (column > 0) where.append(":").append(std::to_string(column));
  where.append(": ").append(message);
  return where;
}

}  // namespace

Error::Error(const std::string& message, std::string file, std::size_t line, std::size_t column)
    : std::runtime_error(with_location(message, file, line, column)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      reason_(message) {}

}  // namespace nerx
