// The values that flow between pipeline stages.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace nerx {

enum class EntityType : std::uint8_t { Person, Location, Organization };

// "PERSON", "LOCATION", "ORGANIZATION".
std::string_view to_string(EntityType type);
// Accepts the names above (and PER/LOC/ORG); returns false for anything else.
bool parse_entity_type(std::string_view name, EntityType& out);

// One entity in a document. Offsets are bytes into the document text, end
// exclusive; writers convert them to the unit the user asked for.
struct Entity {
  std::size_t begin = 0;
  std::size_t end = 0;
  EntityType type = EntityType::Person;
  std::string subtype;    // "city", "country", "party", ... or empty
  std::string canonical;  // canonical name from a list, or empty
  std::string id;         // stable identifier from the source list, or empty
  std::string rule;       // the rule that produced it (for --explain)
  std::string list;       // the list the name is in, if any (for --explain)
};

// One input record. `fields` holds what the reader knows about where the
// record came from (path, line) or, for JSON Lines, the record's own fields
// other than the text; writers echo them.
struct Document {
  std::string text;
  nlohmann::ordered_json fields = nlohmann::ordered_json::object();
  std::string error;  // non-empty: the record could not be read; text is empty
  // A long text file comes in parts (see ReaderOptions::part_bytes) so that
  // memory stays bounded: `part` counts them from 0, `last_part` is false
  // while more follow, every part carries the same fields, and entity
  // offsets are bytes into the part. Writers join the parts into one record
  // with offsets into the whole text. A read error ends the parts.
  std::uint32_t part = 0;
  bool last_part = true;
};

}  // namespace nerx
