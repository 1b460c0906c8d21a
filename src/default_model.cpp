#include "nerx/default_model.hpp"

// Defined by the generated assembly file that .incbin's the model image.
extern "C" const char nerx_default_model_begin[];
extern "C" const char nerx_default_model_end[];

namespace nerx {

std::string_view default_model_image() {
  return std::string_view(
      nerx_default_model_begin,
      static_cast<std::size_t>(nerx_default_model_end - nerx_default_model_begin));
}

}  // namespace nerx
