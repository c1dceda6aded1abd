// liqstress — numbers as people read them, one formatter for every table and message.
#pragma once

#include <string>

namespace liq {

/// "1,234.56" style: USD in millions with two decimals.
std::string millions(double usd);

}  // namespace liq
