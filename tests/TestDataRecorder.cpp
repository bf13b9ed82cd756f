// DataRecorder on every platform present (one parameterised suite): frames every N steps equal to the State's
// positions of the chosen atoms, a file that is a valid NPY after every frame, overwrite and append, a file
// continued across Context.reinitialize, serialization round trips, and clear errors for bad input (frequency,
// atoms the System lacks, unwritable files, one file claimed by two Contexts) that leave existing files intact.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>

#include "DataRecorder.h"
#include "ada/io/Npy.h"
#include "openmm/Context.h"
#include "openmm/HarmonicBondForce.h"
#include "openmm/LangevinMiddleIntegrator.h"
#include "openmm/OpenMMException.h"
#include "openmm/Platform.h"
#include "openmm/State.h"
#include "openmm/System.h"
#include "openmm/VerletIntegrator.h"
#include "openmm/serialization/XmlSerializer.h"

using namespace OpenMM;
using OpenMMADA::DataRecorder;

namespace {

std::string tmpPath(const std::string& name) { return std::string(ADA_TEST_TMPDIR) + "/recorder_" + name; }

std::string readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const OpenMMException& e) {
        return e.what();
    }
    return "no error";
}

// A chain of 8 particles on springs, moving under Langevin dynamics.
std::unique_ptr<System> chainSystem(int n = 8) {
    auto system = std::make_unique<System>();
    auto* bonds = new HarmonicBondForce();
    for (int i = 0; i < n; ++i) {
        system->addParticle(12.0);
        if (i > 0)
            bonds->addBond(i - 1, i, 0.15, 5000.0);
    }
    system->addForce(bonds);
    return system;
}

std::vector<Vec3> chainPositions(int n = 8) {
    std::vector<Vec3> x(n);
    for (int i = 0; i < n; ++i)
        x[i] = Vec3(0.15 * i, 0.02 * (i % 3), -0.01 * i + 0.3);
    return x;
}

class DataRecorderOnPlatform : public testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        try {
            platform_ = &Platform::getPlatformByName(GetParam());
        } catch (const OpenMMException&) {
            if (GetParam() == "CUDA")
                GTEST_SKIP() << "CUDA platform not available: this machine has no GPU or CUDA driver";
            if (GetParam() == "OpenCL" && std::getenv("ADA_REQUIRE_OPENCL") == nullptr)
                GTEST_SKIP() << "OpenCL platform not available (install pocl-opencl-icd)";
            FAIL() << GetParam() << " platform is not available";
        }
    }
    std::unique_ptr<Context> makeContext(System& system, Integrator& integrator) {
        auto context = std::make_unique<Context>(system, integrator, *platform_);
        context->setPositions(chainPositions(system.getNumParticles()));
        context->setVelocitiesToTemperature(300.0, 7);
        return context;
    }
    std::string file(const std::string& name) const { return tmpPath(GetParam() + "_" + name); }

    Platform* platform_ = nullptr;
};

// Positions are float32 in the file: compare with a relative tolerance of float32's precision.
void expectFrameEquals(const ada::NpyArray& a, int frame, const std::vector<int>& atoms, const std::vector<Vec3>& positions) {
    const size_t m = atoms.size();
    for (size_t k = 0; k < m; ++k)
        for (int c = 0; c < 3; ++c) {
            const double expected = positions[static_cast<size_t>(atoms[k])][c];
            EXPECT_NEAR(a.values[(frame * m + k) * 3 + c], expected, 1e-7 * std::max(1.0, std::abs(expected)))
                << "frame " << frame << ", atom " << atoms[k];
        }
}

TEST_P(DataRecorderOnPlatform, RecordsEveryNStepsTheStatePositions) {
    std::unique_ptr<System> system = chainSystem();
    const std::vector<int> atoms = {6, 1, 3};
    auto* added = new DataRecorder(file("frames.npy"), 10, atoms);
    added->setForceGroup(5);
    system->addForce(added);
    LangevinMiddleIntegrator integrator(300.0, 5.0, 0.002);
    integrator.setRandomNumberSeed(3);
    std::unique_ptr<Context> context = makeContext(*system, integrator);
    const auto& recorder = dynamic_cast<const DataRecorder&>(system->getForce(1));
    std::vector<std::vector<Vec3>> expected;
    for (int chunk = 0; chunk < 10; ++chunk) {
        integrator.step(10);
        expected.push_back(context->getState(State::Positions).getPositions());
        // The frame of a step is written when the next step begins: the file lags by one frame until flush.
        ASSERT_EQ(recorder.getNumFramesRecorded(*context), chunk);
        ASSERT_EQ(ada::readNpy(file("frames.npy")).shape, (std::vector<int64_t>{chunk, 3, 3}));
    }
    dynamic_cast<DataRecorder&>(system->getForce(1)).flush(*context);
    dynamic_cast<DataRecorder&>(system->getForce(1)).flush(*context);  // nothing more is due
    EXPECT_EQ(recorder.getNumFramesRecorded(*context), 10);
    const ada::NpyArray a = ada::readNpy(file("frames.npy"));
    ASSERT_EQ(a.shape, (std::vector<int64_t>{10, 3, 3}));
    EXPECT_EQ(a.dtype, "<f4");
    for (int f = 0; f < 10; ++f)
        expectFrameEquals(a, f, atoms, expected[f]);
    // The recorder adds no energy and no force.
    State s = context->getState(State::Energy | State::Forces, false, 1 << 5);
    EXPECT_EQ(s.getPotentialEnergy(), 0.0);
    EXPECT_EQ(s.getForces()[3], Vec3());
}

TEST_P(DataRecorderOnPlatform, OneRunOfHundredStepsGivesTenFramesAfterFlush) {
    std::unique_ptr<System> system = chainSystem();
    auto* recorder = new DataRecorder(file("all.npy"), 10);  // all particles
    system->addForce(recorder);
    VerletIntegrator integrator(0.001);
    std::unique_ptr<Context> context = makeContext(*system, integrator);
    integrator.step(100);
    EXPECT_EQ(recorder->getNumFramesRecorded(*context), 9);
    recorder->flush(*context);
    const ada::NpyArray a = ada::readNpy(file("all.npy"));
    ASSERT_EQ(a.shape, (std::vector<int64_t>{10, 8, 3}));
    expectFrameEquals(a, 9, {0, 1, 2, 3, 4, 5, 6, 7}, context->getState(State::Positions).getPositions());
}

TEST_P(DataRecorderOnPlatform, OverwriteAppendAndReinitialize) {
    std::unique_ptr<System> system = chainSystem();
    auto* recorder = new DataRecorder(file("continued.npy"), 5, {0, 7});
    system->addForce(recorder);
    {
        VerletIntegrator integrator(0.001);
        std::unique_ptr<Context> context = makeContext(*system, integrator);
        integrator.step(21);  // frames of steps 5, 10, 15, 20
        context->reinitialize(true);  // the new Context continues the file, it does not replace it
        EXPECT_EQ(recorder->getNumFramesRecorded(*context), 0);
        integrator.step(10);  // steps 21..30: frames 25, 30 (30 on flush)
        recorder->flush(*context);
        EXPECT_EQ(recorder->getNumFramesRecorded(*context), 2);
    }
    EXPECT_EQ(ada::readNpy(file("continued.npy")).shape[0], 6);
    {
        // Another Context for the same recorder continues too.
        VerletIntegrator integrator(0.001);
        std::unique_ptr<Context> context = makeContext(*system, integrator);
        integrator.step(5);
        recorder->flush(*context);
    }
    EXPECT_EQ(ada::readNpy(file("continued.npy")).shape[0], 7);
    // A new recorder (e.g. a new run of a script) replaces the file unless it appends.
    for (bool append : {false, true}) {
        std::unique_ptr<System> again = chainSystem();
        auto* fresh = new DataRecorder(file("continued.npy"), 5, {0, 7});
        fresh->setAppend(append);
        again->addForce(fresh);
        VerletIntegrator i2(0.001);
        std::unique_ptr<Context> context = makeContext(*again, i2);
        i2.step(5);
        fresh->flush(*context);
        EXPECT_EQ(ada::readNpy(file("continued.npy")).shape[0], append ? 2 : 1);
    }
}

TEST_P(DataRecorderOnPlatform, BadInputIsReportedAtContextCreationAndChangesNothing) {
    {
        VerletIntegrator integrator(0.001);
        std::unique_ptr<System> system = chainSystem();
        system->addForce(new DataRecorder(file("range.npy"), 10, {2, 8}));
        EXPECT_NE(errorOf([&] { Context c(*system, integrator, *platform_); })
                      .find("DataRecorder: atom index 8 (entry 1) is out of range: the System has 8 particles"),
                  std::string::npos);
    }
    {
        VerletIntegrator integrator(0.001);
        std::unique_ptr<System> system = chainSystem();
        system->addForce(new DataRecorder(tmpPath("no/such/directory/frames.npy"), 10));
        const std::string message = errorOf([&] { Context c(*system, integrator, *platform_); });
        EXPECT_NE(message.find("DataRecorder: " + tmpPath("no/such/directory/frames.npy") + ": cannot create the file"), std::string::npos)
            << message;
    }
    {
        // One file, two live Contexts: the second is refused; once the first is gone the file is free again.
        std::unique_ptr<System> system = chainSystem();
        system->addForce(new DataRecorder(file("shared.npy"), 10));
        VerletIntegrator i1(0.001), i2(0.001), i3(0.001);
        auto first = std::make_unique<Context>(*system, i1, *platform_);
        EXPECT_NE(errorOf([&] { Context c(*system, i2, *platform_); }).find("is already being recorded into by another Context"),
                  std::string::npos);
        first.reset();
        EXPECT_EQ(errorOf([&] { Context c(*system, i3, *platform_); }), "no error");
    }
    {
        // Appending frames of 3 atoms to a file of 2-atom frames is refused; the file is left as it was.
        ada::NpyArray existing;
        existing.shape = {4, 2, 3};
        existing.values.assign(24, 0.5);
        existing.dtype = "<f4";
        ada::writeNpy(file("other.npy"), existing);
        const std::string before = readAll(file("other.npy"));
        std::unique_ptr<System> system = chainSystem();
        auto* recorder = new DataRecorder(file("other.npy"), 10, {0, 1, 2});
        recorder->setAppend(true);
        system->addForce(recorder);
        VerletIntegrator integrator(0.001);
        EXPECT_NE(errorOf([&] { Context c(*system, integrator, *platform_); })
                      .find("cannot append frames of shape [3, 3] (<f4) to the array of shape [4, 2, 3] (<f4)"),
                  std::string::npos);
        EXPECT_EQ(readAll(file("other.npy")), before);
    }
}

INSTANTIATE_TEST_SUITE_P(Platforms, DataRecorderOnPlatform, testing::Values("Reference", "CPU", "OpenCL", "CUDA"),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace

TEST(DataRecorder, SettersRejectBadValues) {
    EXPECT_NE(errorOf([] { DataRecorder("x.npy", 0); }).find("DataRecorder: the frequency must be a positive number of steps, found 0"),
              std::string::npos);
    EXPECT_NE(errorOf([] { DataRecorder("x.npy", 10).setFrequency(-5); }).find("found -5"), std::string::npos);
    EXPECT_NE(errorOf([] { DataRecorder("x.npy", 10, {1, -2}); }).find("atom index -2 (entry 1) is negative"), std::string::npos);
    EXPECT_NE(errorOf([] { DataRecorder("x.npy", 10, {4, 1, 4}); }).find("atom index 4 is listed twice"), std::string::npos);
    EXPECT_NE(errorOf([] { DataRecorder("", 10); }).find("the file name is empty"), std::string::npos);
}

TEST(DataRecorder, SerializationRoundTrip) {
    std::unique_ptr<System> system = chainSystem();
    auto* recorder = new DataRecorder(tmpPath("serialized.npy"), 4, {5, 2});
    recorder->setAppend(true);
    recorder->setForceGroup(3);
    recorder->setName("dataset");
    system->addForce(recorder);
    std::stringstream xml;
    XmlSerializer::serialize<System>(system.get(), "System", xml);
    EXPECT_NE(xml.str().find("<Atom index=\"5\""), std::string::npos);
    std::unique_ptr<System> copy(XmlSerializer::deserialize<System>(xml));
    const auto& r = dynamic_cast<const DataRecorder&>(copy->getForce(1));
    EXPECT_EQ(r.getFile(), tmpPath("serialized.npy"));
    EXPECT_EQ(r.getFrequency(), 4);
    EXPECT_EQ(r.getAtoms(), (std::vector<int>{5, 2}));
    EXPECT_TRUE(r.getAppend());
    EXPECT_EQ(r.getForceGroup(), 3);
    EXPECT_EQ(r.getName(), "dataset");
    // All particles (no atoms) survives the round trip too, and the copy records.
    std::remove(tmpPath("serialized.npy").c_str());
    dynamic_cast<DataRecorder&>(copy->getForce(1)).setAtoms({});
    std::stringstream xml2;
    XmlSerializer::serialize<System>(copy.get(), "System", xml2);
    std::unique_ptr<System> copy2(XmlSerializer::deserialize<System>(xml2));
    EXPECT_TRUE(dynamic_cast<const DataRecorder&>(copy2->getForce(1)).getAtoms().empty());
    VerletIntegrator integrator(0.001);
    Context context(*copy2, integrator, Platform::getPlatformByName("Reference"));
    context.setPositions(chainPositions());
    integrator.step(9);
    EXPECT_EQ(ada::readNpy(tmpPath("serialized.npy")).shape, (std::vector<int64_t>{2, 8, 3}));
}
