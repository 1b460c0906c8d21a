#include "nerx/document.hpp"

namespace nerx {

std::string_view to_string(EntityType type) {
  switch (type) {
    case EntityType::Person:
      return "PERSON";
    case EntityType::Location:
      return "LOCATION";
    case EntityType::Organization:
      return "ORGANIZATION";
  }
  return "?";
}

bool parse_entity_type(std::string_view name, EntityType& out) {
  if (name == "PERSON" || name == "PER") {
    out = EntityType::Person;
  } else if (name == "LOCATION" || name == "LOC") {
    out = EntityType::Location;
  } else if (name == "ORGANIZATION" || name == "ORG") {
    out = EntityType::Organization;
  } else {
    return false;
  }
  return true;
}

}  // namespace nerx
