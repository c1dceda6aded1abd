// liqstress — text files written atomically (see atomic_file.h).
#include "host/io/atomic_file.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "host/util/errors.h"

namespace liq {

namespace fs = std::filesystem;

void write_text_file_atomically(const std::string& path, const std::string& text, bool force) {
  const fs::path target(path);
  std::error_code ec;
  if (!force && fs::exists(target, ec))
    throw InputError(path + ": exists; pass --force to replace it");
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::is_directory(parent, ec)) throw InputError(path + ": folder does not exist");
  fs::path temp = target;
  temp += ".tmp." + std::to_string(::getpid());
  {
    std::ofstream f(temp, std::ios::binary | std::ios::trunc);
    f << text;
    f.flush();
    if (!f) {
      fs::remove(temp, ec);
      throw RuntimeFailure(temp.string() + ": writing failed (" + std::strerror(errno) + ")");
    }
  }
  if (!force) {
    // Keep a file that appeared meanwhile: link without replacing, then drop the temporary.
    if (::link(temp.c_str(), target.c_str()) != 0) {
      const int err = errno;
      fs::remove(temp, ec);
      if (err == EEXIST) throw InputError(path + ": exists; pass --force to replace it");
      throw RuntimeFailure(path + ": creating failed (" + std::strerror(err) + ")");
    }
    fs::remove(temp, ec);
    return;
  }
  fs::rename(temp, target, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw RuntimeFailure(path + ": renaming failed (" + ec.message() + ")");
  }
}

}  // namespace liq
