// SPDX-License-Identifier: GPL-3.0-or-later
#include "predictive_check.hpp"

#include <atomic>
#include <cmath>
#include <limits>
#include <mutex>
#include <thread>

#include "hd/common/error.hpp"
#include "hd/common/interpolate.hpp"
#include "hd/common/rng.hpp"
#include "hd/datagen/factory.hpp"
#include "hd/datagen/given.hpp"
#include "hd/hallsim/simulation/simulation.hpp"

namespace hd::sample {

namespace {

constexpr double kElectronMass = 9.1093837015e-31;     // kg
constexpr double kElementaryCharge = 1.602176634e-19;  // C
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

const inverse::Quantity* find(const std::vector<inverse::Quantity>& quantities, const std::string& name) {
  for (const auto& q : quantities)
    if (q.name == name) return &q;
  return nullptr;
}

std::vector<double> row(const inverse::Quantity& q, std::int64_t i) {
  const auto begin = q.values.begin() + i * q.length;
  return {begin, begin + q.length};
}

// A measurement in physical units: value and noise std per point.
struct PhysicalMeasurement {
  std::string name;
  std::vector<double> x_m, y, stddev;  // x empty for a scalar
};

std::vector<PhysicalMeasurement> physical_measurements(const inverse::ObservationFile& o,
                                                       const inverse::ModelSpace& space) {
  std::vector<PhysicalMeasurement> out;
  for (const auto& f : o.fields) {
    const std::size_t c = space.channel(f.channel);
    PhysicalMeasurement m{f.channel, f.all_cells ? space.z_m : f.x_m, {}, {}};
    for (std::size_t k = 0; k < f.y.size(); ++k) {
      const double s =
          f.error_type == inverse::ErrorType::relative ? f.stddev[k] * std::abs(f.y[k]) : f.stddev[k];
      // Normalized values and noise come back through the model's normalization.
      const double y_n = f.normalized ? f.y[k] : space.fields.forward(c, f.y[k]);
      const auto physical = inverse::physical_measurement(space.fields, c, y_n, s);
      m.y.push_back(f.normalized ? physical.value : f.y[k]);
      m.stddev.push_back(f.stddev_normalized ? physical.noise_std : s);
    }
    out.push_back(std::move(m));
  }
  for (const auto& s : o.scalars) out.push_back({s.name, {}, {s.value}, {s.stddev}});
  return out;
}

}  // namespace

PredictiveCheck::PredictiveCheck(const std::filesystem::path& data_config, const inverse::ModelSpace& space,
                                 const inverse::ObservationFile& observations)
    : config_(datagen::load_data_config(data_config)), space_(space), observations_(observations) {
  if (space.channel("nu_an") == space.channels.size())
    throw Error(
        "--check-simulate needs a model that generates nu_an (the anomalous profile hallsim is given)");
  datagen::GivenValues probe{
      .parameters = {}, .z_m = space.z_m, .c = std::vector<double>(space.z_m.size(), 0.01)};
  for (const auto& p : observations.params)
    if (config_.prior.index_of(p.name)) probe.parameters[p.name] = p.value;
  datagen::configure_given(config_, probe);
}

CheckReport PredictiveCheck::run(const inverse::PhysicalSamples& samples, std::int64_t n, int threads,
                                 std::uint64_t seed,
                                 const std::function<void(std::int64_t done)>& progress) const {
  const auto measurements = physical_measurements(observations_, space_);
  CheckReport report;
  report.status.assign(static_cast<std::size_t>(n), "not run");
  for (const auto& m : measurements) report.chi2.push_back({m.name, "1", 1, std::vector<double>(n, kNan)});
  for (const auto& p : samples.profiles)
    report.relative_l2.push_back({p.name, "1", 1, std::vector<double>(n, kNan)});
  const auto* nu_an = find(samples.profiles, "nu_an");
  const auto* b_field = find(samples.profiles, "B");
  if (b_field == nullptr)
    report.notes.push_back("B from the data config's simulation (the model has no B channel)");

  // One sample's simulation: its operating point and c(z), then the scores.
  auto simulate = [&](std::int64_t i) {
    datagen::GivenValues values{.parameters = {},
                                .z_m = space_.z_m,
                                .c = {},
                                .seed = stream_seed(seed, i, purpose_tag("sample.check"))};
    for (const auto& p : observations_.params)
      if (config_.prior.index_of(p.name)) values.parameters[p.name] = p.value;
    for (const auto& s : samples.scalars)
      if (config_.prior.index_of(s.name)) values.parameters[s.name] = s.values[i];
    const auto nu = row(*nu_an, i);
    std::vector<double> b;
    if (b_field != nullptr) {
      b = row(*b_field, i);
    } else {
      // One step of the configured simulation gives B on its grid.
      values.c.assign(nu.size(), 0.01);
      auto probe = datagen::configure_given(config_, values).config;
      probe.duration_s = probe.min_dt_s;
      probe.average_start_time_s = 0.0;
      probe.num_save = 2;
      const auto result = hallsim::Simulation(probe).run();
      for (double z : space_.z_m)
        b.push_back(interpolate_clamped(result.z_m, result.average.at("B").values, z));
    }
    values.c.clear();
    // nu_an = c omega_ce = c e B / m_e.
    for (std::size_t k = 0; k < nu.size(); ++k)
      values.c.push_back(nu[k] * kElectronMass / (kElementaryCharge * b[k]));
    const auto result = datagen::simulate(
        config_, [&](datagen::Attempt attempt) { return datagen::configure_given(config_, values, attempt).config; });
    if (result.status != hallsim::Status::ok)
      return result.reason.empty() ? std::string("failed") : result.reason;
    for (std::size_t m = 0; m < measurements.size(); ++m) {
      const auto& meas = measurements[m];
      double sum = 0.0;
      if (meas.x_m.empty()) {
        const auto it = result.scalars.find(meas.name);
        if (it == result.scalars.end()) continue;
        sum = std::pow((it->second.value - meas.y[0]) / meas.stddev[0], 2);
      } else {
        const auto it = result.average.find(meas.name);
        if (it == result.average.end()) continue;
        for (std::size_t k = 0; k < meas.y.size(); ++k)
          sum += std::pow(
              (interpolate_clamped(result.z_m, it->second.values, meas.x_m[k]) - meas.y[k]) / meas.stddev[k],
              2);
      }
      report.chi2[m].values[i] = sum / static_cast<double>(meas.y.size());
    }
    for (std::size_t c = 0; c < samples.profiles.size(); ++c) {
      const auto it = result.average.find(samples.profiles[c].name);
      if (it == result.average.end()) continue;
      const auto sampled = row(samples.profiles[c], i);
      double difference = 0.0, norm = 0.0;
      for (std::size_t k = 0; k < sampled.size(); ++k) {
        const double simulated = interpolate_clamped(result.z_m, it->second.values, space_.z_m[k]);
        difference += (sampled[k] - simulated) * (sampled[k] - simulated);
        norm += simulated * simulated;
      }
      report.relative_l2[c].values[i] = std::sqrt(difference / norm);
    }
    return std::string("ok");
  };

  std::atomic<std::int64_t> next{0};
  std::int64_t done = 0;
  std::mutex mutex;
  auto worker = [&] {
    for (std::int64_t i = next++; i < n; i = next++) {
      std::string status;
      try {
        status = simulate(i);
      } catch (const std::exception& e) {
        status = e.what();
      }
      const std::lock_guard lock(mutex);
      report.status[i] = status;
      if (progress) progress(++done);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, threads); ++t) pool.emplace_back(worker);
  worker();
  for (auto& thread : pool) thread.join();
  return report;
}

}  // namespace hd::sample
