// SPDX-License-Identifier: GPL-3.0-or-later
// Piecewise-linear interpolation in a table with a strictly increasing abscissa, clamped
// to the end values outside it (magnetic field profiles, rate tables, anomalous-transport
// node profiles).
#pragma once
#include <algorithm>
#include <cstddef>
#include <span>

namespace hd {

// The interval [x[i], x[i+1]] holding xq and the weight w of x[i+1] in it, so that the
// interpolant is (1 - w) y[i] + w y[i+1]; outside the table w is 0 or 1 at an end.
struct Bracket {
  std::size_t i = 0;
  double w = 0.0;
};

inline Bracket bracket(std::span<const double> x, double xq) {
  if (x.size() < 2 || !(xq > x.front())) return {0, 0.0};
  if (xq >= x.back()) return {x.size() - 2, 1.0};
  const auto i = static_cast<std::size_t>(std::upper_bound(x.begin(), x.end(), xq) - x.begin()) - 1;
  return {i, (xq - x[i]) / (x[i + 1] - x[i])};
}

// y(xq), linear between the nodes, constant beyond them. A one-point table is constant.
inline double interpolate_clamped(std::span<const double> x, std::span<const double> y, double xq) {
  if (x.size() == 1) return y[0];
  const Bracket b = bracket(x, xq);
  return (1.0 - b.w) * y[b.i] + b.w * y[b.i + 1];
}

}  // namespace hd
