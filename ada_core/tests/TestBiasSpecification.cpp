// Bias specifications: parsing, evaluation of sum_i f_i(o_i(x)) and its gradient, the self-contained JSON
// round trip, and every kind of bad input naming the problem (DESIGN.md §4).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "ada/bias/BiasSpecification.h"
#include "ada/bias/MLPFunction.h"
#include "ada/io/Bundle.h"
#include "ada/io/SpecError.h"

using nlohmann::json;

namespace {

std::string tmpPath(const std::string& name) { return std::string(ADA_TEST_TMPDIR) + "/" + name; }

json exampleSpec() {
    json dihedralGrid = json::array(), dihedralValues = json::array();
    for (int k = 0; k <= 24; ++k) {
        const double x = -M_PI + 2 * M_PI * k / 24;
        dihedralGrid.push_back(x);
        dihedralValues.push_back(k == 24 ? std::cos(-M_PI - 0.4) : std::cos(x - 0.4));
    }
    return {{"temperature", 310.0},
            {"terms",
             {{{"observable", {{"type", "distance"}, {"atoms", {0, 5}}}},
               {"function", {{"type", "spline"}, {"grid", {0.0, 0.5, 1.0, 1.5, 3.0}}, {"values", {3.0, 1.0, 0.0, 1.0, 4.0}}}}},
              {{"observable", {{"type", "dihedral"}, {"atoms", {0, 1, 2, 3}}}},
               {"function", {{"type", "spline"}, {"grid", dihedralGrid}, {"values", dihedralValues}}}},
              {{"observable", {{"type", "rg"}, {"atoms", {0, 1, 2, 3, 4, 5}}}},
               {"function", {{"type", "mlp"}, {"layers", {{{"weight", {{1.0}, {-2.0}}}, {"bias", {0.1, 0.2}}, {"activation", "tanh"}},
                                                         {{"weight", {{0.7, 0.3}}}, {"bias", {0.0}}}}}}}}}}};
}

std::string errorOf(const std::string& text) {
    try {
        ada::BiasSpecification::fromJsonText(text, "bias.json", tmpPath(""));
    } catch (const ada::SpecError& e) {
        return e.what();
    }
    return "no error";
}

json withTerm0(const json& observable, const json& function) {
    json spec = exampleSpec();
    spec["terms"][0]["observable"] = observable;
    spec["terms"][0]["function"] = function;
    return spec;
}

}  // namespace

TEST(BiasSpecification, GradientMatchesFiniteDifferencesAndRoundTrips) {
    auto spec = ada::BiasSpecification::fromJsonText(exampleSpec().dump(), "example");
    EXPECT_EQ(spec.numTerms(), 3);
    EXPECT_NEAR(spec.kT(), 0.00831446261815324 * 310.0, 1e-15);
    EXPECT_EQ(spec.atoms(), (std::vector<int>{0, 1, 2, 3, 4, 5}));
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> u(-0.5, 0.5);
    std::vector<double> x(3 * 7);
    for (double& v : x)
        v = u(rng);
    std::vector<double> grad(x.size(), 0.0), terms(3);
    const double e = spec.evaluate(x.data(), ada::PeriodicBox(), grad.data(), terms.data());
    EXPECT_NEAR(e, terms[0] + terms[1] + terms[2], 1e-12);
    EXPECT_EQ(grad[18], 0.0);  // atom 6 is in no term
    const double h = 1e-6;
    for (size_t i = 0; i < 18; ++i) {
        const double saved = x[i];
        x[i] = saved + h;
        const double plus = spec.evaluate(x.data(), ada::PeriodicBox(), nullptr);
        x[i] = saved - h;
        const double minus = spec.evaluate(x.data(), ada::PeriodicBox(), nullptr);
        x[i] = saved;
        EXPECT_NEAR(grad[i], (plus - minus) / (2 * h), 1e-6);
    }
    auto copy = ada::BiasSpecification::fromJsonText(spec.toJsonText(), "copy");
    EXPECT_DOUBLE_EQ(copy.evaluate(x.data(), ada::PeriodicBox(), nullptr), e);
    EXPECT_EQ(copy.toJsonText(), spec.toJsonText());
}

TEST(BiasSpecification, MlpFileIsEmbedded) {
    auto inline_ = ada::BiasSpecification::fromJsonText(exampleSpec().dump(), "example");
    ada::MLPFunction::fromJson(exampleSpec()["terms"][2]["function"], "t").toBundle().write(tmpPath("critic_rg.adab"));
    json spec = exampleSpec();
    spec["terms"][2]["function"] = {{"type", "mlp"}, {"file", "critic_rg.adab"}};
    {
        std::ofstream out(tmpPath("bias_with_file.json"));
        out << spec.dump(2);
    }
    auto fromFile = ada::BiasSpecification::fromFile(tmpPath("bias_with_file.json"));
    std::remove(tmpPath("critic_rg.adab").c_str());
    auto embedded = ada::BiasSpecification::fromJsonText(fromFile.toJsonText(), "embedded");
    std::vector<double> x = {0.1, 0.2, 0.3, 0.4, -0.1, 0.2, 0.5, 0.5, 0.1, -0.3, 0.2, 0.0, 0.2, -0.2, 0.2, 0.6, 0.1, -0.4};
    EXPECT_DOUBLE_EQ(embedded.evaluate(x.data(), ada::PeriodicBox(), nullptr), inline_.evaluate(x.data(), ada::PeriodicBox(), nullptr));
}

TEST(BiasSpecification, BadInputNamesTheProblem) {
    EXPECT_NE(errorOf("{\"terms\": [").find("bias.json: malformed JSON"), std::string::npos);
    EXPECT_NE(errorOf("{\"temperature\": 300}").find("bias.json.terms: required field is missing"), std::string::npos);
    EXPECT_NE(errorOf(withTerm0({{"type", "torsion"}, {"atoms", {0, 1, 2, 3}}}, exampleSpec()["terms"][0]["function"]).dump())
                  .find("terms[0].observable.type: unknown observable type \"torsion\""),
              std::string::npos);
    EXPECT_NE(errorOf(withTerm0(exampleSpec()["terms"][0]["observable"], {{"type", "bspline"}}).dump())
                  .find("terms[0].function.type: unknown function type \"bspline\""),
              std::string::npos);
    json notIncreasing = exampleSpec();
    notIncreasing["terms"][0]["function"]["grid"] = {0.0, 0.5, 0.5, 1.5, 3.0};
    EXPECT_NE(errorOf(notIncreasing.dump()).find("terms[0].function.grid: must be strictly increasing"), std::string::npos);
    json nullValue = exampleSpec();
    nullValue["terms"][0]["function"]["values"][2] = nullptr;  // what serialisers write for NaN
    EXPECT_NE(errorOf(nullValue.dump()).find("terms[0].function.values[2]"), std::string::npos);
    EXPECT_NE(errorOf("{\"terms\": [{\"observable\": {\"type\": \"distance\", \"atoms\": [0, 1]}, "
                      "\"function\": {\"type\": \"spline\", \"grid\": [0, 1, 2], \"values\": [0, NaN, 1]}}]}")
                  .find("malformed JSON"),
              std::string::npos);
    json missingFile = exampleSpec();
    missingFile["terms"][2]["function"] = {{"type", "mlp"}, {"file", "no_such_critic.adab"}};
    EXPECT_NE(errorOf(missingFile.dump()).find("no_such_critic.adab: cannot open bundle file"), std::string::npos);
    json wrongDimension = exampleSpec();
    wrongDimension["terms"][0]["observable"] = {{"type", "coordinates"}, {"atoms", {0}}, {"components", "xy"}};
    EXPECT_NE(errorOf(wrongDimension.dump()).find("takes 1 input(s) but the coordinates observable has dimension 2"), std::string::npos);
    json shortTurn = exampleSpec();
    shortTurn["terms"][1]["function"] = {{"type", "spline"}, {"grid", {-3.0, -1.0, 1.0, 3.0}}, {"values", {0.0, 1.0, 2.0, 0.0}}};
    EXPECT_NE(errorOf(shortTurn.dump()).find("must span one turn"), std::string::npos);

    auto spec = ada::BiasSpecification::fromJsonText(exampleSpec().dump(), "example");
    try {
        spec.checkAtoms(5);
        FAIL();
    } catch (const ada::SpecError& e) {
        EXPECT_NE(std::string(e.what()).find("atom index 5 is out of range (the system has 5 particles)"), std::string::npos) << e.what();
    }
    EXPECT_THROW(ada::BiasSpecification::fromFile(tmpPath("missing_bias.json")), ada::SpecError);
}
