// SPDX-License-Identifier: GPL-3.0-or-later
#include "numerics/serial_vector.hpp"

#include <nvector/nvector_serial.h>

#include <algorithm>
#include <cmath>

namespace hd::hallsim {
namespace {

sunindextype size(N_Vector v) {
  return NV_LENGTH_S(v);
}
double* data(N_Vector v) {
  return NV_DATA_S(v);
}

// z = a x + b y
void linear_sum(double a, N_Vector x, double b, N_Vector y, N_Vector z) {
  const double *xd = data(x), *yd = data(y);
  double* zd = data(z);
  for (sunindextype i = 0, n = size(x); i < n; ++i) zd[i] = a * xd[i] + b * yd[i];
}

void constant(double c, N_Vector z) {
  std::fill_n(data(z), size(z), c);
}

void product(N_Vector x, N_Vector y, N_Vector z) {
  const double *xd = data(x), *yd = data(y);
  double* zd = data(z);
  for (sunindextype i = 0, n = size(x); i < n; ++i) zd[i] = xd[i] * yd[i];
}

void divide(N_Vector x, N_Vector y, N_Vector z) {
  const double *xd = data(x), *yd = data(y);
  double* zd = data(z);
  for (sunindextype i = 0, n = size(x); i < n; ++i) zd[i] = xd[i] / yd[i];
}

void scale(double c, N_Vector x, N_Vector z) {
  const double* xd = data(x);
  double* zd = data(z);
  // ARKODE copies vectors as N_VScale(1, x, z): five times per ERK step.
  if (c == 1.0) {
    if (zd != xd) std::copy_n(xd, size(x), zd);
    return;
  }
  for (sunindextype i = 0, n = size(x); i < n; ++i) zd[i] = c * xd[i];
}

void absolute(N_Vector x, N_Vector z) {
  const double* xd = data(x);
  double* zd = data(z);
  for (sunindextype i = 0, n = size(x); i < n; ++i) zd[i] = std::abs(xd[i]);
}

void inverse(N_Vector x, N_Vector z) {
  const double* xd = data(x);
  double* zd = data(z);
  for (sunindextype i = 0, n = size(x); i < n; ++i) zd[i] = 1.0 / xd[i];
}

void add_constant(N_Vector x, double b, N_Vector z) {
  const double* xd = data(x);
  double* zd = data(z);
  for (sunindextype i = 0, n = size(x); i < n; ++i) zd[i] = xd[i] + b;
}

double max_norm(N_Vector x) {
  const double* xd = data(x);
  double m = 0.0;
  for (sunindextype i = 0, n = size(x); i < n; ++i) m = std::max(m, std::abs(xd[i]));
  return m;
}

double weighted_square_sum(N_Vector x, N_Vector w) {
  // Four partial sums: one chain of dependent additions would be latency-bound.
  const double *xd = data(x), *wd = data(w);
  const sunindextype n = size(x);
  double s[4] = {0.0, 0.0, 0.0, 0.0};
  sunindextype i = 0;
  for (; i + 4 <= n; i += 4) {
    for (sunindextype k = 0; k < 4; ++k) s[k] += (xd[i + k] * wd[i + k]) * (xd[i + k] * wd[i + k]);
  }
  for (; i < n; ++i) s[0] += (xd[i] * wd[i]) * (xd[i] * wd[i]);
  return (s[0] + s[1]) + (s[2] + s[3]);
}

double weighted_rms_norm(N_Vector x, N_Vector w) {
  return std::sqrt(weighted_square_sum(x, w) / static_cast<double>(size(x)));
}

double minimum(N_Vector x) {
  const double* xd = data(x);
  return *std::min_element(xd, xd + size(x));
}

// z = sum_j c_j X_j; z may be X_0 (SUNDIALS allows that, not the other X_j).
int linear_combination(int nvec, double* c, N_Vector* x, N_Vector z) {
  double* zd = data(z);
  const sunindextype n = size(z);
  const double* x0 = data(x[0]);
  if (nvec == 1) {
    for (sunindextype i = 0; i < n; ++i) zd[i] = c[0] * x0[i];
    return 0;
  }
  if (nvec == 2) {  // the first ERK stage
    const double* x1 = data(x[1]);
    for (sunindextype i = 0; i < n; ++i) zd[i] = c[0] * x0[i] + c[1] * x1[i];
    return 0;
  }
  // The later stages and the solution of SSPRK(s,2): three terms per pass over z, added to
  // the running sum. (Loops over a variable number of terms in one pass were vectorized
  // across the terms, with gathers, and ran slower.)
  const double *x1 = data(x[1]), *x2 = data(x[2]);
  for (sunindextype i = 0; i < n; ++i) zd[i] = c[0] * x0[i] + c[1] * x1[i] + c[2] * x2[i];
  int j = 3;
  for (; j + 3 <= nvec; j += 3) {
    const double *a = data(x[j]), *b = data(x[j + 1]), *d = data(x[j + 2]);
    const double ca = c[j], cb = c[j + 1], cd = c[j + 2];
    for (sunindextype i = 0; i < n; ++i) zd[i] += ca * a[i] + cb * b[i] + cd * d[i];
  }
  for (; j < nvec; ++j) {
    const double* xj = data(x[j]);
    const double cj = c[j];
    for (sunindextype i = 0; i < n; ++i) zd[i] += cj * xj[i];
  }
  return 0;
}

// Z_j = a_j x + Y_j
int scale_add_multi(int nvec, double* a, N_Vector x, N_Vector* y, N_Vector* z) {
  const double* xd = data(x);
  const sunindextype n = size(x);
  for (int j = 0; j < nvec; ++j) {
    const double* yd = data(y[j]);
    double* zd = data(z[j]);
    for (sunindextype i = 0; i < n; ++i) zd[i] = a[j] * xd[i] + yd[i];
  }
  return 0;
}

}  // namespace

N_Vector make_serial_vector(sunindextype length, SUNContext context) {
  N_Vector v = N_VNew_Serial(length, context);
  if (v == nullptr) return nullptr;
  N_Vector_Ops ops = v->ops;
  ops->nvlinearsum = linear_sum;
  ops->nvconst = constant;
  ops->nvprod = product;
  ops->nvdiv = divide;
  ops->nvscale = scale;
  ops->nvabs = absolute;
  ops->nvinv = inverse;
  ops->nvaddconst = add_constant;
  ops->nvmaxnorm = max_norm;
  ops->nvmaxnormlocal = max_norm;
  ops->nvwrmsnorm = weighted_rms_norm;
  ops->nvwsqrsumlocal = weighted_square_sum;
  ops->nvmin = minimum;
  ops->nvminlocal = minimum;
  ops->nvlinearcombination = linear_combination;
  ops->nvscaleaddmulti = scale_add_multi;
  return v;
}

}  // namespace hd::hallsim
