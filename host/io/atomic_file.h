// liqstress — small text files (JSON summaries, sweep tables) written atomically.
#pragma once

#include <string>

namespace liq {

/// Writes `text` to `path` atomically (temporary file beside it, then rename); an existing
/// file is replaced only with `force` (InputError otherwise).
void write_text_file_atomically(const std::string& path, const std::string& text, bool force);

}  // namespace liq
