// SPDX-License-Identifier: GPL-3.0-or-later
// `sample` and `evaluate` end to end on a tiny model: a Gaussian-process dataset with
// channels named like real ones (z in metres), a few hundred training steps, the exported
// model folder, then the apps. sample's output file must hold every dataset with its shape
// and units, and measuring a profile must narrow the samples there below the prior's;
// evaluate must score held-out rows, resume without redoing a case, and refuse to mix
// settings.
#include <H5Cpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

#include "hd/dataset/normalized.hpp"
#include "hd/edm2/model_file.hpp"
#include "hd/edm2/trainer.hpp"
#include "hd/hdf5/hdf5.hpp"

namespace hd::inverse {
namespace {

namespace fs = std::filesystem;

constexpr int kLength = 32, kRows = 2048;

dataset::Metadata metadata() {
  dataset::Metadata m;
  // Normalized values have std 0.5 (the model's sigma_data); the transforms make them
  // physical: B ~ 10 mT, nu_an ~ 1e7 /s, ne ~ 1e17 m^-3 (log), ui_1 ~ 10 km/s (linear).
  m.fields = {{"B", "nu_an", "ne", "ui_1"},
              {std::log(0.01), std::log(1e7), std::log(1e17), 1e4},
              {1.0, 2.0, 2.0, 1e4},
              {true, true, true, false},
              {"T", "1/s", "m^-3", "m/s"}};
  m.params = {{"anode_mass_flow_rate_kg_s", "discharge_voltage_v"},
              {5e-6, 400.0},
              {2e-6, 200.0},
              {false, false},
              {"kg/s", "V"}};
  for (int i = 0; i < kLength; ++i) m.z_m.push_back(0.08 * (i + 0.5) / kLength);
  return m;
}

// Four GP channels (length scale 0.15 of the axis) with cross-channel correlation; ui_1
// rises along z and with the discharge voltage, so the labels matter to the profiles.
void write_dataset(const fs::path& dir) {
  torch::manual_seed(3);
  auto z = torch::linspace(0, 1, kLength, torch::kFloat64);
  auto k = torch::exp(-0.5 * (z.unsqueeze(0) - z.unsqueeze(1)).square() / (0.15 * 0.15)) +
           1e-6 * torch::eye(kLength, torch::kFloat64);
  auto chol = torch::linalg_cholesky(k);
  auto gp = [&] { return torch::matmul(torch::randn({kRows, kLength}, torch::kFloat64), chol.t()); };
  auto params = 0.5 * torch::randn({kRows, 2}, torch::kFloat64);
  auto a = gp(), b = gp(), c = gp(), d = gp();
  auto ui = 0.3 * (0.6 * a + 0.8 * d) + 0.4 * torch::tanh(8.0 * (z - 0.35)) +
            0.3 * params.select(1, 1).unsqueeze(1);
  auto fields =
      torch::stack({0.5 * b, 0.5 * (0.6 * a + 0.8 * c), 0.5 * c, ui}, 1).to(torch::kFloat32).contiguous();
  auto p = params.to(torch::kFloat32).contiguous();
  std::vector<std::int64_t> simulation(kRows);
  std::iota(simulation.begin(), simulation.end(), 0);
  const std::vector<float> no_scalars;
  dataset::Writer writer(dir / "gp.h5", metadata(), 64);
  writer.append({fields.data_ptr<float>(), static_cast<std::size_t>(fields.numel())},
                {p.data_ptr<float>(), static_cast<std::size_t>(p.numel())}, no_scalars, simulation);
  writer.close();
  std::vector<std::int64_t> train, val;
  for (std::int64_t r = 0; r < kRows; ++r) (r < kRows - 256 ? train : val).push_back(r);
  dataset::write_split(dir / "gp.train.h5", train, "gp.h5");
  dataset::write_split(dir / "gp.val.h5", val, "gp.h5");
}

class SampleApp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("hd_sample_app_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    write_dataset(dir_);
    std::ofstream(dir_ / "tiny.toml")
        << "[model]\nchannels = 4\nlength = 32\nbase_channels = 32\n"
           "channel_mult = [1, 2]\nnum_blocks = 1\nattention_resolutions = [16]\n"
           "channels_per_head = 32\nlabel_dim = 2\njoint_labels = true\n";
    std::ofstream(dir_ / "train.toml") << R"([model]
config = "tiny.toml"
[data]
dataset = "gp.h5"
train_split = "gp.train.h5"
val_split = "gp.val.h5"
labels = ["discharge_voltage_v", "anode_mass_flow_rate_kg_s"]
chunk_rows = 64
window_chunks = 4
[training]
batch_size = 64
total_steps = 400
lr_ref = 0.01
lr_decay_steps = 200
lr_warmup_steps = 20
log_interval_steps = 100
[validation]
sigmas = [0.5]
interval_steps = 400
[ema]
sigma_rels = [0.10]
snapshot_interval_steps = 50
[checkpoint]
interval_steps = 400
)";
    torch::set_num_threads(1);
    {
      edm2::Trainer trainer(edm2::read_train_config(config::Document::load(dir_ / "train.toml")),
                            edm2::RunFolder{dir_ / "run"}, /*fresh=*/true);
      std::atomic<bool> stop{false};
      ASSERT_TRUE(trainer.run(stop, [](const edm2::StepReport&) {}));
    }
    edm2::export_sampling_model(edm2::RunFolder{dir_ / "run"}, 0.10, edm2::ModelFolder{dir_ / "model"});
    // Eight ui_1 measurements with a tenth of the prior's spread (0.1 x 0.5 x 1e4 m/s).
    std::ofstream(dir_ / "obs.toml") << R"(base_sim = "somewhere/else"
[params]
discharge_voltage_v = 300.0
[fields.ui_1]
x = [0.005, 0.015, 0.025, 0.03, 0.035, 0.045, 0.06, 0.075]
y = [4000.0, 5000.0, 8000.0, 10000.0, 12000.0, 14000.0, 15000.0, 15500.0]
stddev = 500.0
)";
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  // Runs the app; returns its exit status (its output goes to OUT.log).
  static int sample(const fs::path& out, const std::string& extra) {
    const std::string command = std::string(HD_SAMPLE_APP) + " --model " + (dir_ / "model").string() +
                                " --observation " + (dir_ / "obs.toml").string() + " --out " + out.string() +
                                " --num-samples 64 --threads 1 --seed 5 " + extra + " > " + out.string() +
                                ".log 2>&1";
    return std::system(command.c_str());
  }

  static fs::path dir_;
};
fs::path SampleApp::dir_;

std::vector<hsize_t> shape_of(const H5::H5File& file, const std::string& name) {
  return hdf5::shape(file.openDataSet(name));
}

std::string units_of(const H5::H5File& file, const std::string& name) {
  return hdf5::read_string(file.openDataSet(name), "units");
}

std::vector<double> read_all(const H5::H5File& file, const std::string& name) {
  const auto set = file.openDataSet(name);
  std::size_t n = 1;
  for (auto d : hdf5::shape(set)) n *= d;
  std::vector<double> values(n);
  set.read(values.data(), H5::PredType::NATIVE_DOUBLE);
  return values;
}

// The spread of ui_1 between the 5 and 95 % quantiles at cell j.
double band(const std::vector<double>& quantiles, int j) {
  return quantiles[4 * kLength + j] - quantiles[0 * kLength + j];
}

TEST_F(SampleApp, WritesEveryDatasetWithShapeAndUnitsAndNarrowsTheObservedProfile) {
  const auto out = dir_ / "posterior.h5", prior = dir_ / "prior.h5";
  ASSERT_EQ(sample(out, "--plots " + (dir_ / "plots").string() +
                            " --check-simulate 2 --data-config tests/datagen/data/small.toml"),
            0)
      << std::ifstream(out.string() + ".log").rdbuf();
  ASSERT_EQ(sample(prior, "--method prior"), 0) << std::ifstream(prior.string() + ".log").rdbuf();
  std::cout << std::ifstream(out.string() + ".log").rdbuf();

  H5::H5File file(out.string(), H5F_ACC_RDONLY);
  EXPECT_EQ(shape_of(file, "/z"), (std::vector<hsize_t>{kLength}));
  EXPECT_EQ(units_of(file, "/z"), "m");
  for (const auto& [channel, units] : std::vector<std::pair<std::string, std::string>>{
           {"B", "T"}, {"nu_an", "1/s"}, {"ne", "m^-3"}, {"ui_1", "m/s"}}) {
    EXPECT_EQ(shape_of(file, "/samples/" + channel), (std::vector<hsize_t>{64, kLength})) << channel;
    EXPECT_EQ(units_of(file, "/samples/" + channel), units);
    EXPECT_EQ(shape_of(file, "/quantiles/" + channel), (std::vector<hsize_t>{5, kLength}));
    EXPECT_EQ(units_of(file, "/quantiles/" + channel), units);
    EXPECT_TRUE(fs::is_regular_file(dir_ / "plots" / (channel + ".png"))) << channel;
  }
  EXPECT_EQ(hdf5::read_numbers<double>(file.openDataSet("/quantiles/ui_1"), "levels"),
            (std::vector<double>{0.05, 0.25, 0.5, 0.75, 0.95}));
  // The unknown label is inferred; the known one is not an output.
  EXPECT_EQ(shape_of(file, "/samples/anode_mass_flow_rate_kg_s"), (std::vector<hsize_t>{64}));
  EXPECT_EQ(units_of(file, "/samples/anode_mass_flow_rate_kg_s"), "kg/s");
  EXPECT_EQ(shape_of(file, "/quantiles/anode_mass_flow_rate_kg_s"), (std::vector<hsize_t>{5}));
  EXPECT_FALSE(file.nameExists("/samples/discharge_voltage_v"));
  // The measurements as given, and what produced the file.
  EXPECT_EQ(read_all(file, "/observations/fields/ui_1/y").size(), 8u);
  EXPECT_EQ(units_of(file, "/observations/fields/ui_1/stddev"), "m/s");
  EXPECT_EQ(read_all(file, "/observations/params/discharge_voltage_v"), (std::vector<double>{300.0}));
  EXPECT_EQ(hdf5::read_string(file, "method"), "mmps");
  EXPECT_EQ(hdf5::read_number<std::uint64_t>(file, "seed"), 5u);
  EXPECT_NE(hdf5::read_string(file, "observation").find("base_sim"), std::string::npos);
  EXPECT_NE(hdf5::read_string(file, "sample_config").find("cg_iterations = 2"), std::string::npos);
  EXPECT_EQ(hdf5::read_number<double>(file, "network_evaluations_per_sample"), 31.0);  // Heun, 16 steps
  EXPECT_EQ(hdf5::read_number<double>(file, "vector_jacobian_products_per_sample"), 31.0 * 3);
  EXPECT_FALSE(hdf5::read_strings(file, "notes").empty());  // base_sim ignored
  // The predictive check: two simulations, each scored (or its failure recorded).
  EXPECT_EQ(shape_of(file, "/check/chi2_ui_1"), (std::vector<hsize_t>{2}));
  EXPECT_EQ(shape_of(file, "/check/relative_l2_ui_1"), (std::vector<hsize_t>{2}));
  const auto status = hdf5::read_string(file.openGroup("/check"), "status");
  std::cout << "predictive check status: " << status << "\n";
  EXPECT_FALSE(status.empty());

  // At the measured cells the 90 % band narrows far below the prior's: the noise std is a
  // tenth of the prior's there, so an exact posterior would be ~0.1-0.2 of the prior's
  // width; a few hundred training steps and 64 samples give a rough one, so < 0.5.
  H5::H5File prior_file(prior.string(), H5F_ACC_RDONLY);
  const auto posterior_q = read_all(file, "/quantiles/ui_1"),
             prior_q = read_all(prior_file, "/quantiles/ui_1");
  double ratio_sum = 0.0;
  const std::vector<int> observed_cells{2, 6, 10, 12, 14, 18, 24, 30};  // centres at or next to x
  for (int j : observed_cells) {
    const double ratio = band(posterior_q, j) / band(prior_q, j);
    std::cout << "cell " << j << ": 90 % band " << band(posterior_q, j) << " m/s, prior " << band(prior_q, j)
              << " m/s, ratio " << ratio << "\n";
    EXPECT_LT(ratio, 0.5) << "cell " << j;
    ratio_sum += ratio;
  }
  std::cout << "mean ratio " << ratio_sum / observed_cells.size() << "\n";
  EXPECT_EQ(hdf5::read_string(prior_file, "method"), "prior");
}

std::string read_text(const fs::path& path) {
  std::ostringstream text;
  text << std::ifstream(path).rdbuf();
  return text.str();
}

// evaluate on the 256 held-out rows' first 12: the template measures ui_1 at 8 points with
// 500 m/s noise and gives the discharge voltage; the flow rate is inferred.
TEST_F(SampleApp, EvaluateScoresHeldOutCasesResumesAndRefusesOtherSettings) {
  std::ofstream(dir_ / "template.toml") << R"([params]
discharge_voltage_v = 300.0
[fields.ui_1]
x = [0.005, 0.015, 0.025, 0.03, 0.035, 0.045, 0.06, 0.075]
y = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
stddev = 500.0
)";
  const fs::path out = dir_ / "evaluation";
  const auto evaluate = [&](const std::string& extra) {
    const std::string command = std::string(HD_EVALUATE_APP) + " --model " + (dir_ / "model").string() +
                                " --data " + (dir_ / "gp.val.h5").string() + " --observation-template " +
                                (dir_ / "template.toml").string() + " --out " + out.string() +
                                " --threads 1 --methods mmps,sir --set sir.prior_samples=256 --plot-cases 1 " +
                                extra + " > " + out.string() + ".log 2>&1";
    return std::system(command.c_str());
  };
  ASSERT_EQ(evaluate("--num-cases 12 --num-samples 32"), 0) << read_text(out.string() + ".log");
  std::cout << read_text(out / "report.md");

  // Every method scored every quantity: the four profiles and the inferred flow rate.
  const std::string metrics = read_text(out / "metrics.csv");
  for (const std::string method : {"mmps", "sir"})
    for (const std::string quantity : {"B", "nu_an", "ne", "ui_1", "anode_mass_flow_rate_kg_s"})
      EXPECT_NE(metrics.find(method + "," + quantity + ","), std::string::npos) << method << " " << quantity;
  for (const std::string plot : {"sbc_mmps.png", "sbc_sir.png", "mmps_case0_ui_1.png", "sir_case0_ui_1.png"})
    EXPECT_TRUE(fs::is_regular_file(out / "plots" / plot)) << plot;
  // The observed profile is far better known than the prior's spread: MMPS's posterior
  // mean is within a quarter of it (relative L2 of ui_1 against its ~1e4 m/s scale).
  std::istringstream rows(metrics);
  std::string row;
  while (std::getline(rows, row))
    if (row.rfind("mmps,ui_1,", 0) == 0) {
      std::vector<std::string> cells;
      std::istringstream cell(row);
      for (std::string c; std::getline(cell, c, ',');) cells.push_back(c);
      const double relative_l2 = std::stod(cells[5]), coverage_90 = std::stod(cells[8]);
      std::cout << "mmps ui_1: relative L2 " << relative_l2 << ", 90 % coverage " << coverage_90 << "\n";
      EXPECT_LT(relative_l2, 0.25);
      EXPECT_GT(coverage_90, 0.5);
    }

  // A rerun with more cases keeps the 12 scored ones as they are and adds 4.
  const auto first_case = out / "cases" / "mmps" / ("case-" + std::to_string(kRows - 256) + ".json");
  const std::string scored = read_text(first_case);
  const auto written = fs::last_write_time(first_case);
  ASSERT_EQ(evaluate("--num-cases 16 --num-samples 32"), 0) << read_text(out.string() + ".log");
  EXPECT_EQ(fs::last_write_time(first_case), written);
  EXPECT_EQ(read_text(first_case), scored);
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& f : fs::directory_iterator(out / "cases" / "sir")) ++files;
  EXPECT_EQ(files, 16u);

  // Another sample count would mix experiments: refused, and the report is left alone.
  const std::string report = read_text(out / "report.md");
  EXPECT_NE(evaluate("--num-cases 16 --num-samples 16"), 0);
  EXPECT_NE(read_text(out.string() + ".log").find("holds an evaluation with another num_samples"),
            std::string::npos)
      << read_text(out.string() + ".log");
  EXPECT_EQ(read_text(out / "report.md"), report);
}

}  // namespace
}  // namespace hd::inverse
