// liqstress — version and the git commit the binary was built from (generated at build time).
#pragma once

namespace liq {
const char* liqstress_version();
const char* git_commit();
}  // namespace liq
