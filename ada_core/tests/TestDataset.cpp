// Datasets of configurations: loading NPY and DCD with shape and value checks, atom selection, centre-of-mass
// removal, Kabsch alignment recovering a known rotation, and seeded train/validation splits.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include <Eigen/Geometry>

#include "ada/io/Dataset.h"
#include "ada/io/Dcd.h"
#include "ada/io/Kabsch.h"
#include "ada/io/Npy.h"
#include "ada/io/SpecError.h"

#include "SpecErrorMessage.h"

namespace {

std::string tmpPath(const std::string& name) { return std::string(ADA_TEST_TMPDIR) + "/dataset_" + name; }

std::vector<double> randomValues(size_t n, unsigned seed, double scale = 1.0) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> g(0.0, scale);
    std::vector<double> v(n);
    for (double& x : v)
        x = g(rng);
    return v;
}

std::string npyFile(const std::string& name, const std::vector<int64_t>& shape, std::vector<double> values, const std::string& dtype = "<f4") {
    ada::NpyArray a;
    a.shape = shape;
    a.values = std::move(values);
    a.dtype = dtype;
    ada::writeNpy(tmpPath(name), a);
    return tmpPath(name);
}

Eigen::Matrix3d knownRotation() {
    return (Eigen::AngleAxisd(1.1, Eigen::Vector3d(0.3, -0.5, 0.8).normalized()) * Eigen::AngleAxisd(-2.4, Eigen::Vector3d::UnitX())).toRotationMatrix();
}

}  // namespace

TEST(Dataset, LoadsParticlesAndVectors) {
    const std::vector<double> v = randomValues(5 * 4 * 3, 1);
    ada::Dataset p = ada::Dataset::load(npyFile("p.npy", {5, 4, 3}, v, "<f8"));
    EXPECT_EQ(p.layout(), ada::Dataset::Layout::Particles);
    EXPECT_EQ(p.shape(), (std::vector<int64_t>{5, 4, 3}));
    EXPECT_EQ(p.numAtoms(), 4);
    EXPECT_EQ(p.frameSize(), 12);
    EXPECT_EQ(p.values(), v);

    ada::Dataset flat = ada::Dataset::fromNpy(npyFile("flat.npy", {5, 12}, v, "<f8"));
    EXPECT_EQ(flat.layout(), ada::Dataset::Layout::Vectors);
    EXPECT_THROW(flat.numAtoms(), ada::SpecError);
    // Flattened particles (as the LJ-13 reference samples [B, 39] are stored) read as particles on request.
    ada::Dataset reshaped = ada::Dataset::fromNpy(tmpPath("flat.npy"), ada::Dataset::Expect::Particles);
    EXPECT_EQ(reshaped.shape(), (std::vector<int64_t>{5, 4, 3}));
    EXPECT_EQ(reshaped.values(), v);
    EXPECT_EQ(ada::Dataset::fromNpy(tmpPath("p.npy"), ada::Dataset::Expect::Vectors).shape(), (std::vector<int64_t>{5, 12}));

    ada::DcdTrajectory t;
    t.numAtoms = 4;
    t.positions = v;
    ada::writeDcd(tmpPath("t.dcd"), t);
    ada::Dataset d = ada::Dataset::load(tmpPath("t.dcd"));
    EXPECT_EQ(d.shape(), (std::vector<int64_t>{5, 4, 3}));
    for (size_t k = 0; k < v.size(); ++k)
        EXPECT_NEAR(d.values()[k], v[k], 1e-6);
}

TEST(Dataset, WrongShapesAreReported) {
    const std::vector<double> v(5 * 4 * 4, 0.5);
    EXPECT_NE(errorOf([&] { ada::Dataset::load(npyFile("dim4.npy", {5, 4, 4}, v)); })
                  .find("dataset_dim4.npy: shape [5, 4, 4]: expected particle frames [frames, atoms, 3] or vectors [frames, dimension], "
                        "but the last dimension is 4, not 3"),
              std::string::npos);
    EXPECT_NE(errorOf([&] { ada::Dataset::load(npyFile("rank1.npy", {80}, v)); }).find("shape [80] has rank 1"), std::string::npos);
    EXPECT_NE(errorOf([&] { ada::Dataset::fromNpy(npyFile("dw4.npy", {10, 8}, std::vector<double>(80, 0.0)), ada::Dataset::Expect::Particles); })
                  .find("8 values per frame are not a multiple of 3"),
              std::string::npos);
    EXPECT_NE(errorOf([&] { ada::Dataset::load(npyFile("empty.npy", {0, 4, 3}, {})); }).find("the dataset holds no frames"), std::string::npos);
    EXPECT_NE(errorOf([&] { ada::Dataset::load(tmpPath("absent.npy")); }).find("cannot open NPY file"), std::string::npos);
}

TEST(Dataset, NonFiniteValuesNameFrameAndAtom) {
    std::vector<double> v(6 * 5 * 3, 0.25);
    v[(2 * 5 + 4) * 3 + 1] = std::nan("");
    EXPECT_NE(errorOf([&] { ada::Dataset::load(npyFile("nan.npy", {6, 5, 3}, v)); })
                  .find("dataset_nan.npy: NaN in frame 2, atom 4 (y coordinate)"),
              std::string::npos);
    std::vector<double> w(3 * 7, 1.0);
    w[7 + 6] = -INFINITY;
    EXPECT_NE(errorOf([&] { ada::Dataset::load(npyFile("inf.npy", {3, 7}, w, "<f8")); }).find("infinite value in frame 1, component 6"),
              std::string::npos);
}

TEST(Dataset, SelectsAtomsAndChecksIndices) {
    const std::vector<double> v = randomValues(3 * 22 * 3, 2);
    ada::Dataset d = ada::Dataset::fromValues(v, {3, 22, 3}, "alanine.npy");
    ada::Dataset s = d.selectAtoms({14, 4, 6});
    EXPECT_EQ(s.shape(), (std::vector<int64_t>{3, 3, 3}));
    for (int a = 0; a < 3; ++a) {
        EXPECT_EQ(s.frame(2)[a], d.frame(2)[3 * 14 + a]);
        EXPECT_EQ(s.frame(2)[3 + a], d.frame(2)[3 * 4 + a]);
    }
    EXPECT_NE(errorOf([&] { d.selectAtoms({0, 25}); })
                  .find("alanine.npy: atom selection: atom index 25 (entry 1) is out of range: the dataset has 22 atoms (indices 0 to 21)"),
              std::string::npos);
    EXPECT_NE(errorOf([&] { d.selectAtoms({-1}); }).find("atom index -1"), std::string::npos);
    EXPECT_NE(errorOf([&] { d.selectAtoms({3, 3}); }).find("atom index 3 is listed twice"), std::string::npos);
    EXPECT_NE(errorOf([&] { ada::Dataset::fromValues(v, {3, 66}, "v.npy").selectAtoms({0}); }).find("holds vectors"), std::string::npos);
}

TEST(Dataset, RemovesCentreOfMass) {
    ada::Dataset d = ada::Dataset::fromValues(randomValues(4 * 6 * 3, 3, 2.0), {4, 6, 3}, "x");
    ada::Dataset all = d;
    all.removeCentreOfMass();
    for (int64_t b = 0; b < 4; ++b)
        for (int a = 0; a < 3; ++a) {
            double c = 0;
            for (int i = 0; i < 6; ++i)
                c += all.frame(b)[3 * i + a];
            EXPECT_NEAR(c, 0.0, 1e-12);
            // Differences between particles are unchanged.
            EXPECT_NEAR(all.frame(b)[3 * 5 + a] - all.frame(b)[a], d.frame(b)[3 * 5 + a] - d.frame(b)[a], 1e-12);
        }
    ada::Dataset some = d;
    some.removeCentreOfMass({1, 2});
    for (int a = 0; a < 3; ++a)
        EXPECT_NEAR(some.frame(3)[3 + a] + some.frame(3)[6 + a], 0.0, 1e-12);
    EXPECT_THROW(some.removeCentreOfMass({6}), ada::SpecError);
}

TEST(Kabsch, RecoversAKnownRotationWithoutReflection) {
    const int n = 10;
    const std::vector<double> y = randomValues(3 * n, 4);
    ada::PointMatrix ym = Eigen::Map<const ada::PointMatrix>(y.data(), n, 3);
    const Eigen::Matrix3d q = knownRotation();
    const Eigen::RowVector3d shift(0.3, -1.2, 2.0);
    ada::PointMatrix x = (ym * q.transpose()).rowwise() + shift;  // x_i = Q y_i + t
    // R takes the centred x onto the centred y: R = Q^T.
    EXPECT_LT((ada::kabschRotation(x, ym) - q.transpose()).norm(), 1e-10);
    // A mirror image is not a rotation: the proper fit has det +1 and leaves a residual; with reflections it is exact.
    ada::PointMatrix mirror = ym;
    mirror.col(2) *= -1;
    const Eigen::Matrix3d proper = ada::kabschRotation(mirror, ym);
    EXPECT_NEAR(proper.determinant(), 1.0, 1e-12);
    const Eigen::Matrix3d improper = ada::kabschRotation(mirror, ym, true);
    EXPECT_NEAR(improper.determinant(), -1.0, 1e-12);
    EXPECT_LT((mirror * improper.transpose() - ym).norm(), 1e-10);
}

TEST(Dataset, AlignmentRecoversTheReference) {
    const int n = 10, frames = 4;
    const std::vector<double> y = randomValues(3 * n, 5);
    Eigen::Map<const ada::PointMatrix> ym(y.data(), n, 3);
    std::vector<double> values;
    for (int b = 0; b < frames; ++b) {
        const Eigen::Matrix3d q = Eigen::AngleAxisd(0.7 * b + 0.2, Eigen::Vector3d(b, 1.0, -0.5).normalized()).toRotationMatrix() * knownRotation();
        ada::PointMatrix x = (ym * q.transpose()).rowwise() + Eigen::RowVector3d(b, -2.0 * b, 0.5);
        values.insert(values.end(), x.data(), x.data() + 3 * n);
    }
    ada::Dataset d = ada::Dataset::fromValues(values, {frames, n, 3}, "rotated");
    d.alignTo(y);
    for (int b = 0; b < frames; ++b)
        for (int k = 0; k < 3 * n; ++k)
            ASSERT_NEAR(d.frame(b)[k], y[k], 1e-10) << "frame " << b;

    // Fitted on atoms 0..5 only: those land on the reference even though atoms 6..9 moved.
    std::vector<double> moved = values;
    for (int k = 18; k < 30; ++k)
        moved[k] += 0.5;
    ada::Dataset partial = ada::Dataset::fromValues(moved, {frames, n, 3}, "rotated");
    partial.alignTo(y, {0, 1, 2, 3, 4, 5});
    for (int k = 0; k < 18; ++k)
        EXPECT_NEAR(partial.frame(0)[k], y[k], 1e-10);
    EXPECT_NE(errorOf([&] { d.alignTo(std::vector<double>(9, 0.0)); }).find("alignment reference has 9 coordinates, expected 30"),
              std::string::npos);
    EXPECT_NE(errorOf([&] { d.alignTo(y, {0, 10}); }).find("atom index 10 (entry 1) is out of range: the dataset has 10 atoms"),
              std::string::npos);
}

TEST(Dataset, SeededSplitIsReproducibleAndDisjoint) {
    std::vector<double> v(20 * 2);
    for (size_t k = 0; k < v.size(); ++k)
        v[k] = static_cast<double>(k / 2);  // frame b holds (b, b)
    ada::Dataset d = ada::Dataset::fromValues(v, {20, 2}, "v");
    const ada::DatasetSplit s = d.split(0.25, 42);
    EXPECT_EQ(s.validation.numFrames(), 5);
    EXPECT_EQ(s.training.numFrames(), 15);
    std::vector<int64_t> all = s.trainingFrames;
    all.insert(all.end(), s.validationFrames.begin(), s.validationFrames.end());
    std::sort(all.begin(), all.end());
    for (int64_t b = 0; b < 20; ++b)
        EXPECT_EQ(all[static_cast<size_t>(b)], b);
    for (size_t k = 0; k < s.validationFrames.size(); ++k)
        EXPECT_EQ(s.validation.frame(static_cast<int64_t>(k))[0], static_cast<double>(s.validationFrames[k]));
    EXPECT_EQ(d.split(0.25, 42).validationFrames, s.validationFrames);
    EXPECT_NE(d.split(0.25, 43).validationFrames, s.validationFrames);
    // Pinned: the shuffle is specified (Fisher-Yates on mt19937_64), not left to the standard library.
    EXPECT_EQ(s.validationFrames, (std::vector<int64_t>{1, 2, 7, 11, 13}));
    EXPECT_EQ(d.split(0.0, 1).validation.numFrames(), 0);
    EXPECT_THROW(d.split(1.0, 1), ada::SpecError);
    EXPECT_THROW(d.split(-0.1, 1), ada::SpecError);
}

TEST(Dataset, WritesNpy) {
    const std::vector<double> v = randomValues(2 * 3 * 3, 6);
    ada::Dataset d = ada::Dataset::fromValues(v, {2, 3, 3}, "x");
    d.writeNpy(tmpPath("out.npy"), "<f8");
    EXPECT_EQ(ada::Dataset::load(tmpPath("out.npy")).values(), v);
}
