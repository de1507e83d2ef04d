// SPDX-License-Identifier: GPL-3.0-or-later
// Writes the damaged and inconsistent input files of the command-line bad-input corpus
// (tests/cli/CMakeLists.txt) into one folder: hallsim output files with wrong shapes,
// NaN or a failed status, garbage reference curves, normalized datasets that are not HDF5,
// of another format or with a NaN row, splits that overlap or point past the data, and
// the training configs that use them.
//
//   make_bad_inputs OUT_FOLDER
#include <H5Cpp.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "hd/dataset/normalized.hpp"
#include "hd/hdf5/hdf5.hpp"

namespace fs = std::filesystem;

namespace {

constexpr int kCells = 16;

std::vector<double> linear(std::size_t n, double from, double to) {
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i)
    v[i] = from + (to - from) * static_cast<double>(i) / std::max<double>(1, n - 1);
  return v;
}

// A hallsim output file with what hallsim_plot reads, and one thing changed by `damage`.
template <class Damage>
void plot_input(const fs::path& path, Damage damage) {
  H5::H5File h5(path.string(), H5F_ACC_TRUNC);
  H5::Group root = h5.openGroup("/");
  H5::Group average = h5.createGroup("/average");
  std::vector<double> z = linear(kCells, 0.0025, 0.0775);
  std::string status = "ok";
  std::vector<std::pair<std::string, std::vector<double>>> fields{
      {"Tev", linear(kCells, 2, 30)},     {"E", linear(kCells, 1e3, 4e4)},
      {"phi", linear(kCells, 300, 10)},   {"ne", linear(kCells, 1e17, 1e18)},
      {"nn", linear(kCells, 1e19, 1e17)}, {"ionization_rate", linear(kCells, 1e22, 1e23)}};
  damage(z, fields, status);
  if (z.size() == 1 && z[0] < 0) {  // a 2-D z
    const hsize_t dims[2] = {4, kCells / 4};
    const auto values = linear(kCells, 0.0025, 0.0775);
    H5::DataSet set = root.createDataSet("z", H5::PredType::IEEE_F64LE, H5::DataSpace(2, dims));
    set.write(values.data(), H5::PredType::NATIVE_DOUBLE);
  } else {
    hd::hdf5::write_vector(root, "z", z, "m");
  }
  for (const auto& [name, values] : fields) hd::hdf5::write_vector(average, name, values, "1");
  hd::hdf5::write_string(root, "status", status);
  hd::hdf5::write_string(root, "status_reason",
                         status == "ok" ? "" : "non-finite heavy-species state at t = 1e-4 s");
}

hd::dataset::Metadata dataset_metadata() {
  hd::dataset::Metadata m;
  m.fields = {{"ne", "ui_1"}, {40.0, 1e4}, {2.0, 2e4}, {true, false}, {"m^-3", "m/s"}};
  m.params = {
      {"discharge_voltage_v", "magnetic_field_scale"}, {400, 1}, {200, 0.5}, {false, false}, {"V", "1"}};
  m.scalars = {{"discharge_current_a"}, {1.5}, {1.0}, {true}, {"A"}};
  m.z_m = linear(kCells, 0.0025, 0.0775);
  return m;
}

void normalized_dataset(const fs::path& path, int rows) {
  const auto m = dataset_metadata();
  hd::dataset::Writer writer(path, m, 16);
  std::vector<float> fields(static_cast<std::size_t>(rows * 2 * kCells)), params(2 * rows), scalars(rows);
  for (std::size_t i = 0; i < fields.size(); ++i) fields[i] = static_cast<float>(std::sin(0.1 * i)) * 0.5f;
  std::vector<std::int64_t> simulation(rows);
  std::iota(simulation.begin(), simulation.end(), 0);
  writer.append(fields, params, scalars, simulation);
  writer.close();
}

void text(const fs::path& path, const std::string& contents) {
  std::ofstream(path) << contents;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_bad_inputs OUT_FOLDER\n");
    return 2;
  }
  const fs::path out = argv[1];
  fs::remove_all(out);
  fs::create_directories(out / "reference_garbage");
  using Fields = std::vector<std::pair<std::string, std::vector<double>>>;
  auto field = [](Fields& f, const std::string& name) -> std::vector<double>& {
    for (auto& [n, v] : f)
      if (n == name) return v;
    throw std::runtime_error(name);
  };

  // hallsim_plot inputs
  plot_input(out / "plot_ok.h5", [](auto&, auto&, auto&) {});
  plot_input(out / "plot_phi_empty.h5", [&](auto&, Fields& f, auto&) { field(f, "phi").clear(); });
  plot_input(out / "plot_phi_short.h5", [&](auto&, Fields& f, auto&) { field(f, "phi").resize(10); });
  plot_input(out / "plot_z_huge.h5",
             [](std::vector<double>& z, auto&, auto&) { z = linear(5'000'000, 0, 0.08); });
  plot_input(out / "plot_z_2d.h5", [](std::vector<double>& z, auto&, auto&) { z = {-1.0}; });
  plot_input(out / "plot_z_empty.h5", [](std::vector<double>& z, auto&, auto&) { z.clear(); });
  plot_input(out / "plot_nan.h5",
             [&](auto&, Fields& f, auto&) { field(f, "E")[3] = std::numeric_limits<double>::quiet_NaN(); });
  plot_input(out / "plot_failed.h5", [](auto&, auto&, std::string& status) { status = "nonfinite"; });
  text(out / "reference_garbage" / "energy_fluid_1.csv", "0.001, 3.5\nnot, numbers\n");
  text(out / "not_hdf5.h5", "this is not an HDF5 file\n");

  // train inputs
  normalized_dataset(out / "dataset.h5", 40);
  {
    std::vector<std::int64_t> train(32), val(8);
    std::iota(train.begin(), train.end(), 0);
    std::iota(val.begin(), val.end(), 32);
    hd::dataset::write_split(out / "train.h5", train, "dataset.h5");
    hd::dataset::write_split(out / "val.h5", val, "dataset.h5");
    hd::dataset::write_split(out / "val_overlap.h5", std::vector<std::int64_t>{30, 31, 32}, "dataset.h5");
    hd::dataset::write_split(out / "val_beyond.h5", std::vector<std::int64_t>{38, 39, 40}, "dataset.h5");
    hd::dataset::write_split(out / "empty.h5", std::vector<std::int64_t>{}, "dataset.h5");
  }
  {
    // Random bytes with an HDF5 name, a dataset of another format, one with a NaN row.
    std::ofstream bytes(out / "dataset_bytes.h5", std::ios::binary);
    for (int i = 0; i < 4096; ++i) bytes.put(static_cast<char>((i * 2654435761u) >> 13));
  }
  normalized_dataset(out / "dataset_format.h5", 40);
  {
    H5::H5File file((out / "dataset_format.h5").string(), H5F_ACC_RDWR);
    file.removeAttr("format");
    hd::hdf5::write_string(file, "format", "someone.else/3");
  }
  normalized_dataset(out / "dataset_nan.h5", 40);
  {
    H5::H5File file((out / "dataset_nan.h5").string(), H5F_ACC_RDWR);
    H5::DataSet set = file.openDataSet("fields");
    const float nan = std::numeric_limits<float>::quiet_NaN();
    hsize_t start[3] = {5, 1, 3}, count[3] = {1, 1, 1};
    H5::DataSpace space = set.getSpace();
    space.selectHyperslab(H5S_SELECT_SET, count, start);
    set.write(&nan, H5::PredType::NATIVE_FLOAT, H5::DataSpace(3, count), space);
  }
  text(out / "checkpoint.pt", "not a checkpoint");
  text(out / "tiny_model.toml",
       "[model]\nchannels = 2\nlength = 16\nbase_channels = 16\nchannel_mult = [1, 2]\nnum_blocks = 1\n"
       "attention_resolutions = [8]\nchannels_per_head = 16\nlabel_dim = 2\n");
  auto train_config = [&](const std::string& name, const std::string& dataset, const std::string& train,
                          const std::string& val, const std::string& labels) {
    text(out / name, "[model]\nconfig = \"tiny_model.toml\"\n[data]\ndataset = \"" + dataset +
                         "\"\ntrain_split = \"" + train + "\"\nval_split = \"" + val +
                         "\"\nlabels = " + labels +
                         "\nchunk_rows = 8\nwindow_chunks = 2\n[training]\nbatch_size = 8\ntotal_steps = "
                         "2\nlr_ref = 0.01\n"
                         "lr_decay_steps = 100\nlog_interval_steps = 1\n[validation]\nsigmas = "
                         "[0.5]\ninterval_steps = 10\n"
                         "[ema]\nsnapshot_interval_steps = 1\n[checkpoint]\ninterval_steps = 1\n");
  };
  const std::string labels = "[\"discharge_voltage_v\", \"discharge_current_a\"]";
  train_config("train_ok.toml", "dataset.h5", "train.h5", "val.h5", labels);
  train_config("train_bytes.toml", "dataset_bytes.h5", "train.h5", "val.h5", labels);
  train_config("train_format.toml", "dataset_format.h5", "train.h5", "val.h5", labels);
  train_config("train_nan.toml", "dataset_nan.h5", "train.h5", "val.h5", labels);
  train_config("train_empty_split.toml", "dataset.h5", "empty.h5", "val.h5", labels);
  train_config("train_overlap.toml", "dataset.h5", "train.h5", "val_overlap.h5", labels);
  train_config("train_beyond.toml", "dataset.h5", "train.h5", "val_beyond.h5", labels);
  train_config("train_no_split.toml", "dataset.h5", "no_such_split.h5", "val.h5", labels);
  train_config("train_unknown_label.toml", "dataset.h5", "train.h5", "val.h5",
               "[\"discharge_voltage_v\", \"thrust_n\"]");
  train_config("train_label_count.toml", "dataset.h5", "train.h5", "val.h5", "[\"discharge_voltage_v\"]");
  return 0;
}
