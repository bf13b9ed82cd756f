// ADAForce on every platform present, one suite parameterised over platforms and precisions (DESIGN.md §6):
// energies against independent calculations, forces against finite differences, agreement with Reference,
// the ada_lambda parameter and its derivative, force groups, periodic boxes, serialization round trips,
// energy conservation, and errors for atoms the System lacks. CUDA cases skip with a message where no GPU is.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ADAForce.h"
#include "openmm/Context.h"
#include "openmm/CustomBondForce.h"
#include "openmm/CustomTorsionForce.h"
#include "openmm/HarmonicAngleForce.h"
#include "openmm/HarmonicBondForce.h"
#include "openmm/NonbondedForce.h"
#include "openmm/OpenMMException.h"
#include "openmm/Platform.h"
#include "openmm/RGForce.h"
#include "openmm/State.h"
#include "openmm/System.h"
#include "openmm/VerletIntegrator.h"
#include "openmm/serialization/XmlSerializer.h"

using namespace OpenMM;
using OpenMMADA::ADAForce;
using nlohmann::json;

namespace {

constexpr double kGas = 0.00831446261815324;

struct PlatformCase {
    std::string platform;
    std::string precision;  // empty: the platform has no precision property
};

void PrintTo(const PlatformCase& c, std::ostream* out) { *out << c.platform << (c.precision.empty() ? "" : " " + c.precision); }

std::string caseName(const testing::TestParamInfo<PlatformCase>& info) {
    return info.param.platform + (info.param.precision.empty() ? "" : "_" + info.param.precision);
}

json splineOf(const std::function<double(double)>& f, double lo, double hi, int n) {
    json grid = json::array(), values = json::array();
    for (int k = 0; k <= n; ++k) {
        const double x = lo + (hi - lo) * k / n;
        grid.push_back(x);
        values.push_back(f(x));
    }
    return {{"type", "spline"}, {"grid", grid}, {"values", values}};
}

// A bias that exercises several observable and function types at once.
json richBias() {
    json dihedral = splineOf([](double x) { return 1.5 * std::cos(x - 0.7) + 0.4 * std::sin(2 * x); }, -M_PI, M_PI, 36);
    dihedral["values"].back() = dihedral["values"].front();
    json mlp = {{"type", "mlp"},
                {"layers", {{{"weight", {{2.0}, {-1.5}, {0.5}}}, {"bias", {-0.5, 0.3, 0.1}}, {"activation", "tanh"}},
                            {{"weight", {{0.8, -0.6, 1.2}}}, {"bias", {0.05}}}}}};
    // A CNN of the 3 x 3 contact map of atoms 0, 3, 7, as an image critic exports it: a 3 x 3 convolution to two
    // channels (stride 2, padding 1: [2, 2, 2]), then a dense layer.
    json pixels = {{"type", "mlp"},
                   {"layers", {{{"weight", {{0.9, -0.4, 0.3, 0.2, 0.5, -0.7, 0.1, 0.6, -0.2}, {-0.3, 0.8, 0.4, -0.6, 0.2, 0.5, 0.7, -0.1, 0.3}}},
                                {"bias", {0.1, -0.2}}, {"activation", "softplus"},
                                {"convolution", {{"input", {1, 3, 3}}, {"kernel", 3}, {"stride", 2}, {"padding", 1}}}},
                               {{"weight", {{1.3, -0.9, 0.4, 0.2, -0.5, 0.7, 0.3, -0.6}}}, {"bias", {0.0}}}}}};
    return {{"temperature", 300.0},
            {"terms",
             {{{"observable", {{"type", "distance"}, {"atoms", {0, 5}}}}, {"function", splineOf([](double r) { return 3 * (r - 0.6) * (r - 0.6); }, 0.0, 3.0, 60)}},
              {{"observable", {{"type", "dihedral"}, {"atoms", {1, 2, 3, 4}}}}, {"function", dihedral}},
              {{"observable", {{"type", "rg"}, {"atoms", {0, 1, 2, 3, 4, 5, 6, 7}}}}, {"function", mlp}},
              {{"observable", {{"type", "angle"}, {"atoms", {2, 3, 4}}}}, {"function", splineOf([](double t) { return std::sin(t); }, 0.0, M_PI, 30)}},
              {{"observable", {{"type", "jcoupling"}, {"atoms", {3, 4, 5, 6}}}},
               {"function", splineOf([](double j) { return 0.1 * (j - 5) * (j - 5); }, -5.0, 15.0, 40)}},
              {{"observable", {{"type", "contacts"}, {"groups", {{0, 1}, {6, 7}}}, {"r0", 0.5}}},
               {"function", splineOf([](double c) { return -c; }, -1.0, 5.0, 12)}},
              {{"observable", {{"type", "contact_map"}, {"atoms", {0, 3, 7}}, {"r0", 0.3}}}, {"function", pixels}}}}};
}

std::vector<Vec3> chainPositions(int n, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> g(0.0, 1.0);
    std::vector<Vec3> x(n);
    for (int i = 1; i < n; ++i) {
        Vec3 step(g(rng), g(rng), g(rng));
        x[i] = x[i - 1] + step * (0.15 / std::sqrt(step.dot(step)));
    }
    return x;
}

class ADAForceOnPlatform : public testing::TestWithParam<PlatformCase> {
protected:
    void SetUp() override {
        const PlatformCase& c = GetParam();
        try {
            platform_ = &Platform::getPlatformByName(c.platform);
        } catch (const OpenMMException&) {
            if (c.platform == "CUDA")
                GTEST_SKIP() << "CUDA platform not available: this machine has no GPU or CUDA driver (the CUDA plugin is "
                                "compiled and linked, but can only run where a GPU exists)";
            if (c.platform == "OpenCL" && std::getenv("ADA_REQUIRE_OPENCL") == nullptr)
                GTEST_SKIP() << "OpenCL platform not available (install pocl-opencl-icd)";
            FAIL() << c.platform << " platform is not available";
        }
        if (!c.precision.empty())
            properties_["Precision"] = c.precision;
    }
    bool doublePrecision() const { return GetParam().precision.empty() || GetParam().precision == "double"; }
    Context* makeContext(System& system, Integrator& integrator) { return new Context(system, integrator, *platform_, properties_); }
    Context* makeReferenceContext(System& system, Integrator& integrator) {
        return new Context(system, integrator, Platform::getPlatformByName("Reference"));
    }

    Platform* platform_ = nullptr;
    std::map<std::string, std::string> properties_;
};

TEST_P(ADAForceOnPlatform, ForcesMatchFiniteDifferences) {
    System system;
    for (int i = 0; i < 9; ++i)
        system.addParticle(12.0);
    auto* force = new ADAForce();
    force->setBiasFromJSON(richBias().dump());
    system.addForce(force);
    VerletIntegrator integrator(0.001);
    std::unique_ptr<Context> context(makeContext(system, integrator));
    const std::vector<Vec3> x = chainPositions(9, 11);
    context->setPositions(x);
    State state = context->getState(State::Forces | State::Energy);
    const std::vector<Vec3> forces = state.getForces();
    EXPECT_EQ(forces[8], Vec3(0, 0, 0));  // atom 8 is in no term
    // Directional derivative along the normalised force: dE/ds = -|F|.
    double norm2 = 0;
    for (const Vec3& f : forces)
        norm2 += f.dot(f);
    const double norm = std::sqrt(norm2);
    ASSERT_GT(norm, 1.0);
    const double step = doublePrecision() ? 1e-4 : 2e-3;
    std::vector<Vec3> plus(x), minus(x);
    for (size_t i = 0; i < x.size(); ++i) {
        plus[i] = x[i] + forces[i] * (step / norm);
        minus[i] = x[i] - forces[i] * (step / norm);
    }
    context->setPositions(plus);
    const double ePlus = context->getState(State::Energy).getPotentialEnergy();
    context->setPositions(minus);
    const double eMinus = context->getState(State::Energy).getPotentialEnergy();
    EXPECT_NEAR((ePlus - eMinus) / (2 * step), -norm, (doublePrecision() ? 1e-5 : 3e-3) * norm);
}

TEST_P(ADAForceOnPlatform, AgreesWithReference) {
    System system;
    for (int i = 0; i < 9; ++i)
        system.addParticle(12.0);
    auto* force = new ADAForce();
    force->setBiasFromJSON(richBias().dump());
    system.addForce(force);
    VerletIntegrator i1(0.001), i2(0.001);
    std::unique_ptr<Context> context(makeContext(system, i1)), reference(makeReferenceContext(system, i2));
    const double tol = doublePrecision() ? 1e-9 : 1e-5;
    for (unsigned seed = 1; seed <= 3; ++seed) {
        const std::vector<Vec3> x = chainPositions(9, seed);
        context->setPositions(x);
        reference->setPositions(x);
        State s = context->getState(State::Forces | State::Energy);
        State r = reference->getState(State::Forces | State::Energy);
        EXPECT_NEAR(s.getPotentialEnergy(), r.getPotentialEnergy(), tol * std::max(1.0, std::abs(r.getPotentialEnergy())));
        for (int i = 0; i < 9; ++i)
            for (int k = 0; k < 3; ++k)
                EXPECT_NEAR(s.getForces()[i][k], r.getForces()[i][k], tol * std::max(1.0, std::abs(r.getForces()[i][k])));
    }
}

TEST_P(ADAForceOnPlatform, DihedralSplineMatchesCustomTorsionForce) {
    // f(phi) = k (1 + cos(3 phi - 0.5)) / kT tabulated on a fine periodic grid, against CustomTorsionForce.
    const double k = 2.5, kT = kGas * 300.0;
    json function = splineOf([&](double p) { return k * (1 + std::cos(3 * p - 0.5)) / kT; }, -M_PI, M_PI, 720);
    function["values"].back() = function["values"].front();
    json bias = {{"temperature", 300.0}, {"terms", {{{"observable", {{"type", "dihedral"}, {"atoms", {0, 1, 2, 3}}}}, {"function", function}}}}};
    System system;
    for (int i = 0; i < 4; ++i)
        system.addParticle(1.0);
    auto* ada = new ADAForce();
    ada->setBiasFromJSON(bias.dump());
    ada->setForceGroup(1);
    system.addForce(ada);
    auto* torsion = new CustomTorsionForce("k*(1+cos(3*theta-0.5))");
    torsion->addGlobalParameter("k", k);
    torsion->addTorsion(0, 1, 2, 3);
    torsion->setForceGroup(2);
    system.addForce(torsion);
    VerletIntegrator integrator(0.001);
    std::unique_ptr<Context> context(makeContext(system, integrator));
    const double tol = doublePrecision() ? 2e-5 : 1e-4;
    for (unsigned seed = 1; seed <= 6; ++seed) {
        context->setPositions(chainPositions(4, seed));
        State a = context->getState(State::Energy | State::Forces, false, 1 << 1);
        State b = context->getState(State::Energy | State::Forces, false, 1 << 2);
        EXPECT_NEAR(a.getPotentialEnergy(), b.getPotentialEnergy(), tol * 5);
        for (int i = 0; i < 4; ++i)
            for (int c = 0; c < 3; ++c)
                EXPECT_NEAR(a.getForces()[i][c], b.getForces()[i][c], 1e-2 * std::max(1.0, std::abs(b.getForces()[i][c])));
    }
}

TEST_P(ADAForceOnPlatform, DistanceSplineMatchesCustomBondForceAndRgMatchesRGForce) {
    const double k = 400.0, r0 = 0.3, kT = kGas * 300.0;
    json harmonic = splineOf([&](double r) { return 0.5 * k * (r - r0) * (r - r0) / kT; }, 0.0, 1.5, 1500);
    json linear = {{"type", "spline"}, {"grid", {0.0, 2.0}}, {"values", {0.0, 2.0 / kT}}};  // f = Rg/kT
    json bias = {{"temperature", 300.0},
                 {"terms",
                  {{{"observable", {{"type", "distance"}, {"atoms", {0, 3}}}}, {"function", harmonic}},
                   {{"observable", {{"type", "rg"}, {"atoms", {0, 1, 2, 3, 4}}}}, {"function", linear}}}}};
    System system;
    for (int i = 0; i < 5; ++i)
        system.addParticle(1.0);
    auto* ada = new ADAForce();
    ada->setBiasFromJSON(bias.dump());
    ada->setForceGroup(1);
    system.addForce(ada);
    auto* bond = new CustomBondForce("0.5*k*(r-r0)^2");
    bond->addGlobalParameter("k", k);
    bond->addGlobalParameter("r0", r0);
    bond->addBond(0, 3);
    bond->setForceGroup(2);
    system.addForce(bond);
    auto* rg = new RGForce({0, 1, 2, 3, 4});
    rg->setForceGroup(2);
    system.addForce(rg);
    VerletIntegrator integrator(0.001);
    std::unique_ptr<Context> context(makeContext(system, integrator));
    for (unsigned seed = 1; seed <= 6; ++seed) {
        context->setPositions(chainPositions(5, seed));
        const double a = context->getState(State::Energy, false, 1 << 1).getPotentialEnergy();
        const double b = context->getState(State::Energy, false, 1 << 2).getPotentialEnergy();
        EXPECT_NEAR(a, b, doublePrecision() ? 1e-4 : 1e-3);
    }
}

TEST_P(ADAForceOnPlatform, LambdaScalesEnergyAndReportsDerivative) {
    System system;
    for (int i = 0; i < 9; ++i)
        system.addParticle(12.0);
    auto* force = new ADAForce();
    force->setBiasFromJSON(richBias().dump());
    force->setLambdaDerivativeRequested(true);
    force->setForceGroup(3);
    system.addForce(force);
    auto* bonds = new HarmonicBondForce();
    bonds->addBond(0, 1, 0.1, 1000.0);
    system.addForce(bonds);
    VerletIntegrator integrator(0.001);
    std::unique_ptr<Context> context(makeContext(system, integrator));
    context->setPositions(chainPositions(9, 5));
    const double tol = doublePrecision() ? 1e-9 : 1e-5;
    const double full = context->getState(State::Energy, false, 1 << 3).getPotentialEnergy();
    EXPECT_NEAR(context->getParameter("ada_lambda"), 1.0, 0.0);
    context->setParameter("ada_lambda", 0.25);
    State s = context->getState(State::Energy | State::ParameterDerivatives, false, 1 << 3);
    EXPECT_NEAR(s.getPotentialEnergy(), 0.25 * full, tol * std::abs(full) + 1e-6);
    EXPECT_NEAR(s.getEnergyParameterDerivatives().at("ada_lambda"), full, tol * std::abs(full) + 1e-6);
    // Group 0 holds only the bond (length 0.15 against 0.1: 0.5 * 1000 * 0.05^2 = 1.25 kJ/mol).
    EXPECT_NEAR(context->getState(State::Energy, false, 1 << 0).getPotentialEnergy(), 1.25, 1e-4);
    EXPECT_NEAR(context->getState(State::Energy).getPotentialEnergy(), 1.25 + 0.25 * full, 1e-4 + tol * std::abs(full));
}

TEST_P(ADAForceOnPlatform, PeriodicBoxUsesMinimumImage) {
    // The same molecule, whole and split across the boundary of a periodic box, has the same bias.
    System system;
    for (int i = 0; i < 9; ++i)
        system.addParticle(12.0);
    system.setDefaultPeriodicBoxVectors(Vec3(2.0, 0, 0), Vec3(0, 2.0, 0), Vec3(0, 0, 2.0));
    auto* force = new ADAForce();
    force->setBiasFromJSON(richBias().dump());
    force->setUsesPeriodicBoundaryConditions(true);
    system.addForce(force);
    VerletIntegrator integrator(0.001);
    std::unique_ptr<Context> context(makeContext(system, integrator));
    std::vector<Vec3> x = chainPositions(9, 7);
    context->setPositions(x);
    State whole = context->getState(State::Energy | State::Forces);
    for (size_t i = 0; i < x.size(); i += 2)
        x[i] += Vec3(2.0, i % 4 == 0 ? -2.0 : 0.0, 4.0);
    context->setPositions(x);
    State split = context->getState(State::Energy | State::Forces);
    const double tol = doublePrecision() ? 1e-9 : 2e-4;
    EXPECT_NEAR(split.getPotentialEnergy(), whole.getPotentialEnergy(), tol * std::max(1.0, std::abs(whole.getPotentialEnergy())));
    for (int i = 0; i < 9; ++i)
        for (int k = 0; k < 3; ++k)
            EXPECT_NEAR(split.getForces()[i][k], whole.getForces()[i][k], tol * 50 * std::max(1.0, std::abs(whole.getForces()[i][k])));
}

TEST_P(ADAForceOnPlatform, AgreesWithReferenceInLargeReorderedSystem) {
    // 300 particles with a cutoff NonbondedForce in a periodic box: GPU-style platforms reorder atoms; the
    // ADAForce (its own group) must still see and push the right ones after dynamics.
    const int n = 300;
    System system;
    system.setDefaultPeriodicBoxVectors(Vec3(3.0, 0, 0), Vec3(0, 3.0, 0), Vec3(0, 0, 3.0));
    auto* nb = new NonbondedForce();
    nb->setNonbondedMethod(NonbondedForce::CutoffPeriodic);
    nb->setCutoffDistance(0.9);
    std::mt19937 rng(2);
    std::uniform_real_distribution<double> u(0.0, 3.0);
    std::vector<Vec3> x(n);
    for (int i = 0; i < n; ++i) {
        system.addParticle(20.0);
        nb->addParticle(0.0, 0.2, 0.5);
        x[i] = Vec3(u(rng), u(rng), u(rng));
    }
    const std::vector<Vec3> chain = chainPositions(9, 3);
    const int atoms[9] = {250, 17, 133, 4, 299, 88, 160, 61, 202};
    for (int i = 0; i < 9; ++i)
        x[atoms[i]] = chain[i] + Vec3(1.5, 1.5, 1.5);
    json bias = richBias();
    for (auto& term : bias["terms"]) {
        auto& o = term["observable"];
        auto remap = [&](json& list) {
            for (auto& a : list)
                a = atoms[a.get<int>()];
        };
        if (o.contains("atoms"))
            remap(o["atoms"]);
        if (o.contains("groups"))
            for (auto& g : o["groups"])
                remap(g);
    }
    system.addForce(nb);
    auto* force = new ADAForce();
    force->setBiasFromJSON(bias.dump());
    force->setUsesPeriodicBoundaryConditions(true);
    force->setForceGroup(2);
    system.addForce(force);
    VerletIntegrator i1(0.0005), i2(0.0005);
    std::unique_ptr<Context> context(makeContext(system, i1)), reference(makeReferenceContext(system, i2));
    context->setPositions(x);
    context->setVelocitiesToTemperature(100.0, 1);
    i1.step(30);
    State moved = context->getState(State::Positions);
    reference->setPositions(moved.getPositions());
    State s = context->getState(State::Energy | State::Forces, false, 1 << 2);
    State r = reference->getState(State::Energy | State::Forces, false, 1 << 2);
    const double tol = doublePrecision() ? 1e-8 : 1e-4;
    EXPECT_NEAR(s.getPotentialEnergy(), r.getPotentialEnergy(), tol * std::max(1.0, std::abs(r.getPotentialEnergy())));
    for (int i = 0; i < n; ++i)
        for (int k = 0; k < 3; ++k)
            ASSERT_NEAR(s.getForces()[i][k], r.getForces()[i][k], tol * 10 * std::max(1.0, std::abs(r.getForces()[i][k]))) << "atom " << i;
}

TEST_P(ADAForceOnPlatform, SerializationRoundTripGivesIdenticalEnergies) {
    System system;
    for (int i = 0; i < 9; ++i)
        system.addParticle(12.0);
    auto* force = new ADAForce();
    force->setBiasFromJSON(richBias().dump());
    force->setForceGroup(5);
    force->setDefaultLambda(0.75);
    force->setName("my bias");
    system.addForce(force);
    std::stringstream xml;
    XmlSerializer::serialize<System>(&system, "System", xml);
    std::unique_ptr<System> copy(XmlSerializer::deserialize<System>(xml));
    const auto& restored = dynamic_cast<const ADAForce&>(copy->getForce(0));
    EXPECT_EQ(restored.getForceGroup(), 5);
    EXPECT_EQ(restored.getName(), "my bias");
    EXPECT_EQ(restored.getDefaultLambda(), 0.75);
    EXPECT_EQ(restored.getBiasJSON(), force->getBiasJSON());
    VerletIntegrator i1(0.001), i2(0.001);
    std::unique_ptr<Context> a(makeContext(system, i1)), b(makeContext(*copy, i2));
    const std::vector<Vec3> x = chainPositions(9, 4);
    a->setPositions(x);
    b->setPositions(x);
    EXPECT_EQ(a->getState(State::Energy).getPotentialEnergy(), b->getState(State::Energy).getPotentialEnergy());
    const double atDefault = a->getState(State::Energy).getPotentialEnergy();
    a->setParameter("ada_lambda", 1.0);
    EXPECT_NEAR(atDefault, 0.75 * a->getState(State::Energy).getPotentialEnergy(), 1e-9 + 1e-6 * std::abs(atDefault));
}

TEST_P(ADAForceOnPlatform, EnergyIsConservedUnderNVE) {
    // A bonded chain simulated with velocity Verlet, with and without the bias: the bias must not add
    // drift beyond that of the integrator itself.
    auto drift = [&](bool withBias) {
        System system;
        auto* bonds = new HarmonicBondForce();
        auto* angles = new HarmonicAngleForce();
        for (int i = 0; i < 9; ++i) {
            system.addParticle(12.0);
            if (i > 0)
                bonds->addBond(i - 1, i, 0.15, 2.0e4);
            if (i > 1)
                angles->addAngle(i - 2, i - 1, i, 1.9, 300.0);
        }
        system.addForce(bonds);
        system.addForce(angles);
        if (withBias) {
            auto* force = new ADAForce();
            force->setBiasFromJSON(richBias().dump());
            system.addForce(force);
        }
        VerletIntegrator integrator(0.0005);
        std::unique_ptr<Context> context(makeContext(system, integrator));
        context->setPositions(chainPositions(9, 8));
        context->setVelocitiesToTemperature(300.0, 3);
        integrator.step(100);
        auto total = [&] {
            State s = context->getState(State::Energy);
            return s.getPotentialEnergy() + s.getKineticEnergy();
        };
        const double e0 = total();
        double maxDeviation = 0;
        for (int block = 0; block < 40; ++block) {
            integrator.step(50);
            maxDeviation = std::max(maxDeviation, std::abs(total() - e0));
        }
        return maxDeviation;
    };
    const double without = drift(false), with = drift(true);
    RecordProperty("drift_without_bias", std::to_string(without));
    RecordProperty("drift_with_bias", std::to_string(with));
    EXPECT_LT(with, 3 * without + (doublePrecision() ? 0.02 : 0.2)) << "max |E - E0| without bias " << without << ", with " << with;
}

TEST_P(ADAForceOnPlatform, AtomOutOfRangeIsReportedWhenContextIsCreated) {
    System system;
    for (int i = 0; i < 5; ++i)
        system.addParticle(1.0);
    auto* force = new ADAForce();
    force->setBiasFromJSON(richBias().dump());  // uses atoms up to 7
    system.addForce(force);
    VerletIntegrator integrator(0.001);
    try {
        std::unique_ptr<Context> context(makeContext(system, integrator));
        FAIL() << "expected an exception";
    } catch (const OpenMMException& e) {
        EXPECT_NE(std::string(e.what()).find("atom index 5 is out of range (the system has 5 particles)"), std::string::npos) << e.what();
    }
}

TEST_P(ADAForceOnPlatform, UpdateParametersInContextChangesTheBias) {
    System system;
    for (int i = 0; i < 9; ++i)
        system.addParticle(12.0);
    auto* force = new ADAForce();
    force->setBiasFromJSON(richBias().dump());
    system.addForce(force);
    VerletIntegrator integrator(0.001);
    std::unique_ptr<Context> context(makeContext(system, integrator));
    context->setPositions(chainPositions(9, 6));
    const double before = context->getState(State::Energy).getPotentialEnergy();
    json single = richBias();
    single["terms"] = json::array({richBias()["terms"][0]});
    force->setBiasFromJSON(single.dump());
    force->updateParametersInContext(*context);
    const double after = context->getState(State::Energy).getPotentialEnergy();
    const std::vector<Vec3> x = chainPositions(9, 6);
    const double r = std::sqrt((x[5] - x[0]).dot(x[5] - x[0]));
    EXPECT_NE(before, after);
    EXPECT_NEAR(after, kGas * 300.0 * 3 * (r - 0.6) * (r - 0.6), 1e-3);
}

std::vector<PlatformCase> platformCases() {
    return {{"Reference", ""},      {"CPU", ""},           {"OpenCL", "single"}, {"OpenCL", "mixed"},
            {"OpenCL", "double"},   {"CUDA", "single"},    {"CUDA", "double"}};
}

INSTANTIATE_TEST_SUITE_P(Platforms, ADAForceOnPlatform, testing::ValuesIn(platformCases()), caseName);

}  // namespace

TEST(ADAForce, BadInputIsReportedClearly) {
    auto errorOf = [](const std::function<void()>& f) {
        try {
            f();
        } catch (const OpenMMException& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(errorOf([] { ADAForce("/nonexistent/bias.json"); }).find("/nonexistent/bias.json: cannot open bias specification"), std::string::npos);
    EXPECT_NE(errorOf([] { ADAForce().setBiasFromJSON("{\"terms\": [}"); }).find("malformed JSON"), std::string::npos);
}
