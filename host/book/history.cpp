// liqstress — books in equilibrium (history.h).
#include "host/book/history.h"

#include <cmath>

#include "kernels/distributions.h"
#include "kernels/fmath.h"

namespace liq {

Opening surviving_opening(Side side, double liq_over_entry, const HistoryLaw& law,
                          const std::function<U32x4(std::uint32_t)>& draw) {
  const double nu = law.drift - 0.5 * law.vol * law.vol;  // per year, forward in time
  const double ln_c = std::log(liq_over_entry);
  for (std::uint32_t k = 0; k < kHistoryAttempts; ++k) {
    const U32x4 w = draw(k);
    const double age_s = law.history_s * u01(w.v[0]);
    const double years = age_s / kSecondsPerYear;
    const double var = law.vol * law.vol * years;
    // Backward from ln(spot) = 0: the log price at the opening, then the path's extreme
    // between the opening and now.
    const double e = -nu * years + std::sqrt(var) * box_muller(u01(w.v[1]), u01(w.v[2])).z0;
    const double log_u = fm::log_normal(u01(w.v[3]));
    const bool survived = side == Side::long_side ? bridge_min(e, 0.0, var, log_u) > e + ln_c
                                                  : bridge_max(e, 0.0, var, log_u) < e + ln_c;
    if (survived) return Opening{e, age_s};
  }
  return Opening{0.0, 0.0};
}

}  // namespace liq
