// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/common/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "hd/common/error.hpp"
#include "hd/testing/errors.hpp"

namespace {

using hd::config::Document;
using hd::config::Range;
using ::testing::HasSubstr;
using ::testing::Not;

namespace fs = std::filesystem;

using hd::testing::error_message;

class ConfigFile : public ::testing::Test {
 protected:
  fs::path write(const std::string& text) {
    fs::path p = fs::temp_directory_path() / ("hd_config_test_" + std::to_string(::getpid()) + "_" +
                                              std::to_string(counter_++) + ".toml");
    std::ofstream(p) << text;
    files_.push_back(p);
    return p;
  }
  void TearDown() override {
    for (auto& f : files_) fs::remove(f);
  }
  std::vector<fs::path> files_;
  int counter_ = 0;
};

constexpr const char* kSimulation = R"(# a comment
[simulation]
num_cells = 200
duration_s = 2e-3
model = "Mitchner"
flags = [1, 2, 3]
)";

// Reads every key of kSimulation, so that finish() objects only to what a test adds.
void read_simulation_keys(const Document& doc) {
  auto sim = doc.root().table("simulation");
  sim.get_int("num_cells");
  sim.get_double("duration_s");
  sim.get_string("model");
  sim.get_ints("flags");
}

TEST_F(ConfigFile, ReadsTypedValuesAndAcceptsIntegersAsNumbers) {
  Document doc = Document::load(write(kSimulation));
  auto sim = doc.root().table("simulation");
  EXPECT_EQ(sim.get_int("num_cells", {1, 1e5}), 200);
  EXPECT_DOUBLE_EQ(sim.get_double("duration_s", Range::positive()), 2e-3);
  EXPECT_DOUBLE_EQ(sim.get_double("num_cells"), 200.0);
  EXPECT_EQ(sim.get_choice("model", {"LANDMARK", "Mitchner"}), "Mitchner");
  EXPECT_EQ(sim.get_ints("flags"), (std::vector<long long>{1, 2, 3}));
  EXPECT_NO_THROW(doc.root().finish());
}

TEST_F(ConfigFile, MissingFileNamesTheFile) {
  const std::string msg = error_message([] { Document::load("/nonexistent/run.toml"); });
  EXPECT_EQ(msg, "/nonexistent/run.toml: config file not found");
}

TEST_F(ConfigFile, MalformedTomlNamesFileAndLine) {
  const fs::path p = write("[simulation]\nnum_cells = = 3\n");
  const std::string msg = error_message([&] { Document::load(p); });
  EXPECT_THAT(msg, HasSubstr(p.string() + ":2: malformed TOML"));
  EXPECT_THAT(msg, Not(HasSubstr("\n")));
}

TEST_F(ConfigFile, UnknownKeyNamesFileLineAndKey) {
  const fs::path p = write(std::string(kSimulation) + "num_cels = 3\n");
  Document doc = Document::load(p);
  read_simulation_keys(doc);
  const std::string msg = error_message([&] { doc.root().finish(); });
  EXPECT_THAT(msg, HasSubstr(p.string() + ":7: unknown key simulation.num_cels"));
  EXPECT_THAT(msg, HasSubstr("known keys here: duration_s, flags, model, num_cells"));
}

TEST_F(ConfigFile, UnknownTopLevelTableIsRejected) {
  const fs::path p = write(std::string(kSimulation) + "[extra]\nx = 1\n");
  Document doc = Document::load(p);
  read_simulation_keys(doc);
  EXPECT_THAT(error_message([&] { doc.root().finish(); }), HasSubstr("unknown key extra"));
}

TEST_F(ConfigFile, WrongTypeNamesKeyAndBothTypes) {
  const fs::path p = write("[simulation]\nnum_cells = \"many\"\n");
  Document doc = Document::load(p);
  EXPECT_EQ(error_message([&] { doc.root().table("simulation").get_int("num_cells"); }),
            p.string() + ":2: simulation.num_cells must be an integer, not a string");
}

TEST_F(ConfigFile, OutOfRangeNamesValueAndRange) {
  const fs::path p = write("[simulation]\nnum_cells = 0\n");
  Document doc = Document::load(p);
  EXPECT_EQ(error_message([&] {
              doc.root().table("simulation").get_int("num_cells", {1, 100000});
            }),
            p.string() + ":2: simulation.num_cells = 0 is out of range [1, 100000]");
}

TEST_F(ConfigFile, NanIsRejectedWhateverTheRange) {
  const fs::path p = write("x = nan\n");
  Document doc = Document::load(p);
  EXPECT_THAT(error_message([&] { doc.root().get_double("x"); }),
              HasSubstr("x = nan is not a finite number"));
}

TEST_F(ConfigFile, MissingRequiredKeyIsNamed) {
  const fs::path p = write("[simulation]\n");
  Document doc = Document::load(p);
  EXPECT_THAT(error_message([&] { doc.root().table("simulation").get_double("duration_s"); }),
              HasSubstr("missing required key simulation.duration_s"));
}

TEST_F(ConfigFile, UnknownChoiceListsTheChoices) {
  const fs::path p = write(kSimulation);
  Document doc = Document::load(p);
  EXPECT_THAT(error_message([&] {
                doc.root().table("simulation").get_choice("model", {"LANDMARK", "Braginskii"});
              }),
              HasSubstr("simulation.model = \"Mitchner\" is not one of: LANDMARK, Braginskii"));
}

TEST_F(ConfigFile, OverridesReplaceValuesAndPassTheSameChecks) {
  Document doc =
      Document::load(write(kSimulation), {"simulation.num_cells=400", "simulation.model=LANDMARK"});
  auto sim = doc.root().table("simulation");
  EXPECT_EQ(sim.get_int("num_cells", {1, 1e5}), 400);
  EXPECT_EQ(sim.get_string("model"), "LANDMARK");  // a bare word is a string

  Document bad = Document::load(write(kSimulation), {"simulation.num_cells=-1"});
  EXPECT_EQ(error_message([&] {
              bad.root().table("simulation").get_int("num_cells", {1, 1e5});
            }),
            "--set simulation.num_cells=-1: simulation.num_cells = -1 is out of range [1, 100000]");
}

TEST_F(ConfigFile, OverrideOfAnUnknownKeyIsReportedAsUnknown) {
  Document doc = Document::load(write(kSimulation), {"simulation.num_cels=400"});
  read_simulation_keys(doc);
  EXPECT_THAT(error_message([&] { doc.root().finish(); }),
              HasSubstr("--set simulation.num_cels=400: unknown key"));
}

// A misspelt table name creates a new table; the error still names the override.
TEST_F(ConfigFile, OverrideThatCreatesAnUnknownTableNamesTheOverride) {
  Document doc = Document::load(write(kSimulation), {"simulaton.num_cells=400"});
  read_simulation_keys(doc);
  EXPECT_THAT(error_message([&] { doc.root().finish(); }),
              HasSubstr("--set simulaton.num_cells=400: unknown key simulaton"));
}

// Values that are not TOML (a bare word, a cut-off array, an integer too large for 64 bits)
// become strings; the type error then names the override, not the file.
TEST_F(ConfigFile, AnOverrideOfTheWrongTypeIsBlamedOnTheOverride) {
  for (const std::string value : {"abc", "[1,", "99999999999999999999"}) {
    Document doc = Document::load(write(kSimulation), {"simulation.num_cells=" + value});
    EXPECT_EQ(
        error_message([&] { doc.root().table("simulation").get_int("num_cells"); }),
        "--set simulation.num_cells=" + value + ": simulation.num_cells must be an integer, not a string");
  }
  Document word = Document::load(write(kSimulation), {"simulation.model=Mitchnr"});
  EXPECT_THAT(error_message([&] {
                word.root().table("simulation").get_choice("model", {"LANDMARK", "Mitchner"});
              }),
              HasSubstr("--set simulation.model=Mitchnr: simulation.model = \"Mitchnr\" is not one of"));
}

TEST_F(ConfigFile, AnOverrideReachesATableOfAnArrayOfTables) {
  Document doc = Document::load(write("[[gas]]\nflow = 1.0\n[[gas]]\nflow = 2.0\n"), {"gas[1].flow=3.5"});
  EXPECT_DOUBLE_EQ(doc.root().tables("gas")[1].get_double("flow"), 3.5);
  EXPECT_DOUBLE_EQ(doc.root().tables("gas")[0].get_double("flow"), 1.0);
  EXPECT_THAT(error_message([&] { Document::load(write("[[gas]]\nflow = 1.0\n"), {"gas[2].flow=1"}); }),
              HasSubstr("--set gas[2].flow=1: gas has no table [2]"));
  EXPECT_THAT(error_message([&] { Document::load(write("[[gas]]\nflow = 1.0\n"), {"gas[x].flow=1"}); }),
              HasSubstr("malformed key"));
}

TEST_F(ConfigFile, ProgramSetValuesReadBackExactlyAndNameTheirOrigin) {
  Document doc = Document::load(write(kSimulation));
  const double v = 0.1 + 0.2;
  const std::vector<double> values{1.0 / 3.0, 5e-324, 3.0, -2.5e300};
  doc.set("simulation.cfl", v, "sample 7: params.cfl");
  doc.set("simulation.profile", values, "sample 7: anomalous profile");
  EXPECT_EQ(doc.root().table("simulation").get_double("cfl"), v);
  EXPECT_EQ(doc.root().table("simulation").get_doubles("profile"), values);
  doc.set("simulation.num_cells", 3.0, "sample 7: params.num_cells");
  EXPECT_EQ(error_message([&] { doc.root().table("simulation").get_int("num_cells"); }),
            "sample 7: params.num_cells: simulation.num_cells must be an integer, not a number");
}

// A saved config (in an output file or a run folder) must run again from anywhere: the
// paths it read are written absolute.
TEST_F(ConfigFile, SerializedConfigHoldsReadPathsAbsolute) {
  const auto file = write("[data]\nrates = \"rates/xe.dat\"\nlabel = \"keep/as/is\"\n");
  Document doc = Document::load(file);
  const auto rates = doc.root().table("data").get_path("rates");
  doc.root().table("data").get_string("label");
  const std::string expected = fs::absolute(file.parent_path() / "rates/xe.dat").lexically_normal().string();
  EXPECT_EQ(fs::absolute(rates).lexically_normal().string(), expected);
  EXPECT_THAT(doc.to_toml(), HasSubstr(expected));
  EXPECT_THAT(doc.to_toml(), HasSubstr("keep/as/is"));
  EXPECT_THAT(doc.root().table("data").to_toml(), HasSubstr(expected));
  Document again = Document::parse(doc.to_toml(), "again.toml");
  EXPECT_EQ(again.root().table("data").get_path("rates").string(), expected);
}

TEST_F(ConfigFile, MalformedOverrideIsAnError) {
  EXPECT_THAT(error_message([&] { Document::load(write(kSimulation), {"simulation.num_cells"}); }),
              HasSubstr("expected key=value"));
  EXPECT_THAT(error_message([&] { Document::load(write(kSimulation), {"simulation.num_cells.x=3"}); }),
              HasSubstr("simulation.num_cells is not a table"));
}

TEST_F(ConfigFile, DefaultsAreWrittenIntoTheSerializedConfig) {
  Document doc = Document::load(write("[simulation]\nnum_cells = 100\n"));
  auto sim = doc.root().table("simulation");
  EXPECT_DOUBLE_EQ(sim.get_double_or("cfl", 0.799, Range::positive()), 0.799);
  sim.get_int("num_cells");
  const std::string text = doc.to_toml();
  EXPECT_THAT(text, HasSubstr("cfl = 0.799"));

  // The serialized text reads back to the same values.
  Document again = Document::parse(text, "roundtrip");
  EXPECT_DOUBLE_EQ(again.root().table("simulation").get_double("cfl"), 0.799);
  EXPECT_EQ(again.root().table("simulation").get_int("num_cells"), 100);
}

TEST_F(ConfigFile, DefaultsAreCheckedLikeGivenValues) {
  Document doc = Document::parse("", "defaults");
  EXPECT_THAT(error_message([&] {
                doc.root().get_int_or("n", 0, {1, 10});
              }),
              HasSubstr("n = 0 is out of range"));
}

TEST_F(ConfigFile, RelativePathsResolveAgainstTheConfigFolder) {
  const fs::path p = write("rates = \"data/rates.csv\"\n");
  Document doc = Document::load(p);
  EXPECT_EQ(doc.root().get_path("rates"), p.parent_path() / "data/rates.csv");
}

TEST_F(ConfigFile, ArraysOfTablesAreCheckedForUnknownKeys) {
  const fs::path p = write("[[propellants]]\ngas = \"Xe\"\n[[propellants]]\ngas = \"Kr\"\nflow = 1\n");
  Document doc = Document::load(p);
  for (const auto& t : doc.root().tables("propellants")) t.get_string("gas");
  EXPECT_THAT(error_message([&] { doc.root().finish(); }), HasSubstr(":5: unknown key propellants[1].flow"));
}

}  // namespace

namespace {

TEST(ConfigArrays, BadElementIsNamedWithItsIndex) {
  auto doc = hd::config::Document::parse("z_m = [0.0, \"x\", 0.02]\nc = [1, -2]\n", "arrays.toml");
  EXPECT_EQ(error_message([&] { doc.root().get_doubles("z_m"); }),
            "arrays.toml:1: z_m[1] must be a number, not a string");
  EXPECT_EQ(error_message([&] { doc.root().get_ints("c", hd::config::Range::non_negative()); }),
            "arrays.toml:2: c[1] = -2 is out of range [0, inf]");
}

}  // namespace
