// Adjoint Sampling with an EGNN control on DW-4 (DESIGN.md §3.4, §5):
// - a checkpoint restores the control and its moving average, Adam, the replay buffer, the generator and the
//   counters (the learning-rate schedule is a function of them): a run
//   interrupted and resumed is bitwise equal to the uninterrupted run (weights and the next samples);
// - a loss that is no longer finite stops training with a reason instead of training on NaN;
// - within the test budget the sampler's energy distribution moves from the base process's towards the
//   published reference samples' (energy W2), and its samples are no longer those of the base process.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "ada/energy/Energy.h"
#include "ada/io/Npy.h"
#include "ada/io/SpecError.h"
#include "ada/metrics/GeometricWasserstein.h"
#include "ada/models/EGNNVectorField.h"
#include "ada/soc/AdjointSamplingTrainer.h"

namespace {

std::string tmpPath(const std::string& name) { return std::string(ADA_TEST_TMPDIR) + "/adjoint_sampling_" + name; }

std::shared_ptr<ada::EGNNVectorFieldImpl> control(uint64_t seed, int64_t hidden, int64_t layers) {
    torch::manual_seed(seed);
    return std::make_shared<ada::EGNNVectorFieldImpl>(ada::EGNNVectorFieldOptions(4, 2).hidden(hidden).layers(layers));
}

std::vector<double> values(const at::Tensor& x) {
    const at::Tensor c = x.to(at::kDouble).contiguous();
    return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

}  // namespace

TEST(AdjointSamplingEGNN, ResumedRunIsBitwiseEqualToTheUninterruptedOne) {
    const auto dw4 = ada::makeEnergy("dw4");
    const auto options = ada::AdjointSamplingOptions().iterations(4).samplesPerIteration(16).updatesPerIteration(5).batchSize(16)
                             .bufferSize(40).sdeSteps(20).sigmaMax(2.0).seed(3).finalLearningRateFraction(0.1).emaDecay(0.9)
                             .timeDensityPower(2.0);  // saved with the checkpoint: a resumed run that lost it would draw other times
    auto fieldA = control(1, 16, 2);
    ada::AdjointSamplingTrainer uninterrupted(fieldA, *dw4, options);
    uninterrupted.train();

    const std::string checkpoint = tmpPath("resume.adab");
    std::remove(checkpoint.c_str());
    {
        ada::AdjointSamplingTrainer first(control(1, 16, 2), *dw4, ada::AdjointSamplingOptions(options).checkpointPath(checkpoint));
        first.train(3);  // the buffer has wrapped around (48 samples into 40 places)
    }
    const auto resumed = ada::AdjointSamplingTrainer::resume(checkpoint, *dw4);
    EXPECT_EQ(resumed->iteration(), 3);
    resumed->train();

    EXPECT_EQ(resumed->iteration(), uninterrupted.iteration());
    EXPECT_EQ(resumed->energyEvaluations(), uninterrupted.energyEvaluations());
    EXPECT_EQ(resumed->gradientUpdates(), uninterrupted.gradientUpdates());
    const auto a = uninterrupted.control()->parameters(), b = resumed->control()->parameters();
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i)
        EXPECT_TRUE(at::equal(a[i], b[i])) << "parameter " << i;
    EXPECT_TRUE(at::equal(uninterrupted.sample(8), resumed->sample(8)));
    // The moving average, saved as the sampler, resumes too, and differs from the weights it averages.
    const auto emaA = uninterrupted.samplingControl()->parameters(), emaB = resumed->samplingControl()->parameters();
    ASSERT_EQ(emaA.size(), a.size());
    for (size_t i = 0; i < emaA.size(); ++i)
        EXPECT_TRUE(at::equal(emaA[i], emaB[i])) << "average of parameter " << i;
    EXPECT_FALSE(at::equal(emaA.back(), a.back()));
    // The learning rate decays by a cosine to 0.1 of its peak over the 4 x 5 updates.
    EXPECT_NEAR(uninterrupted.learningRate(), 1e-4, 1e-12);

    // A checkpoint for another energy or architecture is refused with the file named.
    const auto lj13 = ada::makeEnergy("lj13");
    try {
        ada::AdjointSamplingTrainer other(control(1, 8, 2), *dw4, options);
        other.restoreCheckpoint(checkpoint);
        FAIL() << "restored a checkpoint of another architecture";
    } catch (const ada::SpecError& e) {
        EXPECT_NE(std::string(e.what()).find(checkpoint), std::string::npos) << e.what();
    }
}

TEST(AdjointSamplingEGNN, RegressionTimesFollowTheirDensity) {
    // Density a t^(a-1): P(t < s) = s^a and mean a / (a + 1); a = 1 is uniform.
    at::Generator g = at::detail::createCPUGenerator(9);
    const at::TensorOptions opts = at::TensorOptions().dtype(at::kDouble);
    for (double a : {1.0, 3.0}) {
        const at::Tensor t = ada::AdjointSamplingTrainer::regressionTimes(200000, a, g, opts);
        ASSERT_EQ(t.size(0), 200000);
        EXPECT_GE(t.min().item<double>(), 1e-4);
        EXPECT_LE(t.max().item<double>(), 1 - 1e-4);
        EXPECT_NEAR(t.mean().item<double>(), a / (a + 1), 0.003) << "a = " << a;
        EXPECT_NEAR((t < 0.5).to(at::kDouble).mean().item<double>(), std::pow(0.5, a), 0.003) << "a = " << a;
    }
    const auto dw4 = ada::makeEnergy("dw4");
    for (double bad : {0.0, -1.0, std::nan("")})
        EXPECT_THROW(ada::AdjointSamplingTrainer(control(0, 8, 1), *dw4, ada::AdjointSamplingOptions().timeDensityPower(bad)), ada::SpecError);
}

// DW-4 whose gradient is NaN for configurations with a particle in the upper half plane: the loss turns NaN.
class BrokenDW4 : public ada::Energy {
public:
    std::string name() const override { return "broken-dw4"; }
    int64_t particles() const override { return 4; }
    int64_t spatialDimension() const override { return 2; }
    at::Tensor energy(const at::Tensor& x) const override {
        const at::Tensor p = particlesView(x);
        return dw4_->energy(x) + p.select(2, 1).clamp_min(0).sqrt().sum(1) * std::nan("");
    }

private:
    std::unique_ptr<ada::Energy> dw4_ = ada::makeEnergy("dw4");
};

TEST(AdjointSamplingEGNN, NonFiniteLossStopsWithAReason) {
    BrokenDW4 energy;
    ada::AdjointSamplingTrainer trainer(control(0, 8, 1), energy,
                                        ada::AdjointSamplingOptions().iterations(2).samplesPerIteration(8).updatesPerIteration(2).batchSize(8).sdeSteps(5));
    try {
        trainer.train();
        FAIL() << "trained on a NaN loss";
    } catch (const ada::SpecError& e) {
        EXPECT_NE(std::string(e.what()).find("the loss became"), std::string::npos) << e.what();
    }
    EXPECT_EQ(trainer.gradientUpdates(), 0);
}

TEST(AdjointSamplingEGNN, LearnsTowardsTheDW4EnergyDistribution) {
    const auto dw4 = ada::makeEnergy("dw4");
    const ada::NpyArray reference = ada::readNpy(std::string(ADA_SHARED_DATA_DIR) + "/dw4_reference.npy");
    ASSERT_EQ(reference.shape, (std::vector<int64_t>{10000, 8}));
    const at::Tensor ref = at::from_blob(const_cast<double*>(reference.values.data()), {10000, 8}, at::kDouble).narrow(0, 0, 1000).clone();
    const std::vector<double> referenceEnergies = values(dw4->energy(ref));

    ada::AdjointSamplingTrainer trainer(control(0, 32, 3), *dw4,
                                        ada::AdjointSamplingOptions().iterations(40).samplesPerIteration(64).updatesPerIteration(50)
                                            .batchSize(64).bufferSize(2000).sdeSteps(50).learningRate(1e-3).gradientClip(10).sigmaMax(2.0).sigmaMin(1e-3).seed(0));
    const auto energyW2 = [&] { return ada::energyW2(values(dw4->energy(trainer.sample(1000))), referenceEnergies); };
    const double before = energyW2();
    trainer.train();
    const double after = energyW2();
    std::cout << "DW-4 energy W2 against the reference: untrained " << before << ", after " << trainer.iteration() << " iterations ("
              << trainer.energyEvaluations() << " energy evaluations, " << trainer.gradientUpdates() << " updates) " << after << "\n";
    // Measured 3.3 (from 334); an untrained or wrongly trained sampler stays in the hundreds.
    EXPECT_LT(after, 10.0);
    EXPECT_LT(after, 0.1 * before);
}
