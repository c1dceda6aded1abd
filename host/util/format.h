// liqstress — numbers as text, one formatter for every table, message and scenario text:
// thousands separators, fixed and significant digits (on {fmt}), and the shortest exact
// forms (on std::to_chars).
#pragma once

#include <cstdint>
#include <string>

namespace liq {

/// "1,234.56" style: USD in millions with two decimals; "n/a" when not finite.
std::string millions(double usd);

/// An integer with thousands separators: 1234567 → "1,234,567".
std::string grouped(std::int64_t n);

/// A number rounded to a whole, with thousands separators: 1234567.4 → "1,234,567".
std::string format_count(double value);

/// "12.34%" for a fraction 0.1234, with `digits` decimals.
std::string format_percent(double fraction, int digits = 2);

/// A probability level as a percentage of up to four significant digits: 0.995 → "99.5%".
std::string level_percent(double p);

/// `digits` significant digits without trailing zeros (printf's %g): 1234.5, 3 → "1.23e+03".
std::string significant(double v, int digits);

/// A rate in engineering form: 1.23e9 → "1.23 G".
std::string format_si(double value, int digits = 3);

/// Seconds as "42 s", "3 min 05 s", "1 h 02 min".
std::string format_seconds(double seconds);

/// Shortest text that reads back as exactly `v` (std::to_chars: fixed or exponent, whichever
/// is shorter: "0.55", "4e+08"); "nan", "inf", "-inf".
std::string shortest(double v);

/// Shortest exact digits written as people write them: "4e8" rather than "4e+08".
std::string number_text(double v);

/// `v` as a TOML float literal (number_text's digits): a ".0" where the digits alone would
/// read as an integer.
std::string float_literal(double v);

/// Shortest exact digits, whole numbers below 1e16 without an exponent: messages quote USD
/// amounts as people write them ("1800000000", "0.004").
std::string amount_text(double v);

}  // namespace liq
