// The default model (all of data/gazetteers and data/rules), compiled at
// build time and embedded in the executable. Link nerx::default_model.
#pragma once

#include <string_view>

namespace nerx {

std::string_view default_model_image();

}  // namespace nerx
