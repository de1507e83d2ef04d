// SPDX-License-Identifier: GPL-3.0-or-later
// The 1D finite-volume grid. Heavy species live on N cells; every cell-centred array carries
// one ghost entry on each side (index 0 and N+1). Electron quantities use the same N+2
// layout but their end entries are the values on the boundary faces (node positions
// z_node[0] = z_left and z_node[N+1] = z_right), see docs/physics.md section 13.
#pragma once
#include <cstddef>
#include <vector>

namespace hd::hallsim {

enum class GridKind { even, uneven };

struct Grid {
  std::vector<double> z_face_m;            // N+1 face positions
  std::vector<double> z_node_m;            // N+2: left face, N cell centres, right face
  std::vector<double> dz_m;                // N+2 cell widths; ghosts mirror their neighbour
  std::vector<double> inv_dz_m;            // 1 / dz_m (the flux loops multiply instead of divide)
  std::vector<double> inv_node_spacing_m;  // N+1: 1 / (z_node[f+1] - z_node[f])
  std::size_t num_cells() const { return z_face_m.size() - 1; }
};

// Uniform cells on [z_left, z_right].
Grid make_even_grid(std::size_t num_cells, double z_left_m, double z_right_m);
// Cells twice as fine for z < 1.5 L_ch, grading smoothly to the even spacing downstream.
Grid make_uneven_grid(std::size_t num_cells, double z_left_m, double z_right_m, double channel_length_m);
Grid make_grid(GridKind kind, std::size_t num_cells, double z_left_m, double z_right_m,
               double channel_length_m);

}  // namespace hd::hallsim
