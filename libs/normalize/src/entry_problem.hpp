// SPDX-License-Identifier: GPL-3.0-or-later
// The check of one quantity's numbers, shared by `validate` and the file readers so every
// reader says the same thing about the same bad value.
#pragma once
#include <string>

namespace hd::normalize {

// "" when mean is finite and std finite and positive, else the problem in words.
std::string entry_problem(double mean, double std);

}  // namespace hd::normalize
