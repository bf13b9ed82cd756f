// OpenMMEnergy: any System as a batched energy oracle in units of kT, against Context.getState, with a
// pool of worker Contexts; and its errors.
#include <gtest/gtest.h>

#include <fstream>

#include <torch/torch.h>

#include "OpenMMEnergy.h"
#include "ada/io/SpecError.h"
#include "openmm/Context.h"
#include "openmm/HarmonicAngleForce.h"
#include "openmm/HarmonicBondForce.h"
#include "openmm/NonbondedForce.h"
#include "openmm/OpenMMException.h"
#include "openmm/Platform.h"
#include "openmm/State.h"
#include "openmm/VerletIntegrator.h"
#include "openmm/serialization/XmlSerializer.h"

using namespace OpenMM;

namespace {
System makeSystem() {
    System system;
    auto* bonds = new HarmonicBondForce();
    auto* angles = new HarmonicAngleForce();
    auto* nonbonded = new NonbondedForce();
    for (int i = 0; i < 5; ++i) {
        system.addParticle(12.0);
        nonbonded->addParticle(i % 2 ? 0.3 : -0.3, 0.3, 0.4);
        if (i > 0)
            bonds->addBond(i - 1, i, 0.15, 3000.0);
        if (i > 1)
            angles->addAngle(i - 2, i - 1, i, 1.9, 400.0);
    }
    system.addForce(bonds);
    system.addForce(angles);
    system.addForce(nonbonded);
    return system;
}
}  // namespace

TEST(OpenMMEnergy, AgreesWithContextEnergiesAndForces) {
    const System system = makeSystem();
    OpenMMADA::OpenMMEnergy energy(system, 300.0, 2);
    const double kT = 0.00831446261815324 * 300.0;
    torch::manual_seed(1);
    const at::Tensor x = 0.3 * torch::randn({7, 5, 3}, torch::kDouble);
    auto [e, g] = energy.energyAndGradient(x);
    EXPECT_EQ(energy.evaluations(), 7);
    VerletIntegrator integrator(0.001);
    Context context(const_cast<System&>(system), integrator, Platform::getPlatformByName("Reference"));
    for (int b = 0; b < 7; ++b) {
        std::vector<Vec3> positions(5);
        for (int i = 0; i < 5; ++i)
            positions[i] = Vec3(x[b][i][0].item<double>(), x[b][i][1].item<double>(), x[b][i][2].item<double>());
        context.setPositions(positions);
        const State state = context.getState(State::Energy | State::Forces);
        EXPECT_NEAR(e[b].item<double>(), state.getPotentialEnergy() / kT, 1e-9 * std::max(1.0, std::abs(state.getPotentialEnergy() / kT)));
        for (int i = 0; i < 5; ++i)
            for (int k = 0; k < 3; ++k)
                EXPECT_NEAR(g[b][i][k].item<double>(), -state.getForces()[i][k] / kT, 1e-8 * std::max(1.0, std::abs(state.getForces()[i][k] / kT)));
    }
    // The flattened layout [B, 3N] gives the same values.
    EXPECT_TRUE(torch::allclose(energy.energy(x.reshape({7, 15})), e));
}

TEST(OpenMMEnergy, ReadsSystemXmlAndReportsBadInput) {
    const std::string path = std::string(ADA_TEST_TMPDIR) + "/energy_system.xml";
    {
        const System system = makeSystem();
        std::ofstream out(path);
        XmlSerializer::serialize<System>(&system, "System", out);
    }
    auto energy = OpenMMADA::OpenMMEnergy::fromXmlFile(path, 300.0);
    EXPECT_EQ(energy->particles(), 5);
    try {
        OpenMMADA::OpenMMEnergy::fromXmlFile(path + ".missing", 300.0);
        FAIL();
    } catch (const OpenMMException& e) {
        EXPECT_NE(std::string(e.what()).find("cannot open System XML"), std::string::npos);
    }
    const std::string broken = std::string(ADA_TEST_TMPDIR) + "/broken_system.xml";
    std::ofstream(broken) << "<System version=\"1\"><Particles>";
    EXPECT_THROW(OpenMMADA::OpenMMEnergy::fromXmlFile(broken, 300.0), OpenMMException);
    try {
        energy->energy(torch::zeros({2, 4, 3}));
        FAIL();
    } catch (const ada::SpecError& e) {
        EXPECT_NE(std::string(e.what()).find("expected configurations of shape [B, 5, 3]"), std::string::npos);
    }
    EXPECT_THROW(OpenMMADA::OpenMMEnergy(makeSystem(), -1.0), OpenMMException);
}
