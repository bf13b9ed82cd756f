// Flow-matching training: the schedule, exact resume from a checkpoint (model, moving average, Adam state,
// loop state and RNGs), checkpoint errors, progress reports, and learning a 2-D mixture of 8 Gaussians well
// enough that 5000 samples are as close to the true density as an independent sample of the mixture is.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <sstream>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "ada/flow/FlowMatchingTrainer.h"
#include "ada/flow/LearningRateSchedule.h"
#include "ada/flow/OdeSampler.h"
#include "ada/io/Bundle.h"
#include "ada/io/SpecError.h"
#include "ada/models/EGNNVectorField.h"
#include "ada/models/MLPVectorField.h"
#include "ada/models/ModelBundle.h"

namespace {

std::string tmpPath(const std::string& name) { return std::string(ADA_TEST_TMPDIR) + "/" + name; }
at::Generator generator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

std::shared_ptr<ada::VectorField> copyOf(ada::VectorField& field) {
    ada::Bundle bundle = ada::vectorFieldBundle(field);
    return ada::vectorFieldFromBundle(bundle, "copy", field.tensorOptions());
}

double maxDifference(ada::VectorField& a, ada::VectorField& b) {
    double worst = 0;
    const auto pb = b.named_parameters();
    for (const auto& item : a.named_parameters())
        worst = std::max(worst, (item.value() - pb[item.key()]).abs().max().item<double>());
    return worst;
}

// Mixture of 8 isotropic Gaussians (std s) centred on a circle of radius r.
constexpr int kModes = 8;
constexpr double kRadius = 4.0, kStd = 0.5;

at::Tensor sampleMixture(int64_t n, at::Generator& g) {
    const at::Tensor mode = at::randint(kModes, {n}, g, at::kLong).to(at::kDouble);
    const at::Tensor angle = mode * (2 * M_PI / kModes);
    const at::Tensor centres = at::stack({kRadius * angle.cos(), kRadius * angle.sin()}, 1);
    return centres + kStd * at::randn({n, 2}, g, at::kDouble);
}

// The grid: [−L, L]² in bins of width w; bin probabilities of the mixture are exact (products of normal CDFs).
constexpr double kHalfWidth = 6.5;
constexpr int kBins = 26;  // w = 0.5 = s

double normalCdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

std::vector<double> trueBinProbabilities() {
    const double w = 2 * kHalfWidth / kBins;
    std::vector<double> p(kBins * kBins, 0.0);
    for (int m = 0; m < kModes; ++m) {
        const double cx = kRadius * std::cos(2 * M_PI * m / kModes), cy = kRadius * std::sin(2 * M_PI * m / kModes);
        for (int i = 0; i < kBins; ++i) {
            const double px = normalCdf((-kHalfWidth + (i + 1) * w - cx) / kStd) - normalCdf((-kHalfWidth + i * w - cx) / kStd);
            for (int j = 0; j < kBins; ++j) {
                const double py = normalCdf((-kHalfWidth + (j + 1) * w - cy) / kStd) - normalCdf((-kHalfWidth + j * w - cy) / kStd);
                p[i * kBins + j] += px * py / kModes;
            }
        }
    }
    return p;
}

// Bin probabilities of samples; samples outside the grid count as mass outside (their own bin).
std::vector<double> binProbabilities(const at::Tensor& samples) {
    const at::Tensor x = samples.to(at::kDouble).contiguous();
    const double w = 2 * kHalfWidth / kBins;
    std::vector<double> p(kBins * kBins + 1, 0.0);
    const double* data = x.data_ptr<double>();
    const int64_t n = x.size(0);
    for (int64_t k = 0; k < n; ++k) {
        const int i = static_cast<int>(std::floor((data[2 * k] + kHalfWidth) / w));
        const int j = static_cast<int>(std::floor((data[2 * k + 1] + kHalfWidth) / w));
        const bool inside = i >= 0 && i < kBins && j >= 0 && j < kBins;
        p[inside ? i * kBins + j : kBins * kBins] += 1.0 / static_cast<double>(n);
    }
    return p;
}

// ∫|p − q| for histogram densities on the grid = Σ_bins |P_k − Q_k| (+ mass outside the grid).
double l1(const std::vector<double>& p, const std::vector<double>& q) {
    double sum = 0;
    for (size_t k = 0; k < std::max(p.size(), q.size()); ++k)
        sum += std::abs((k < p.size() ? p[k] : 0.0) - (k < q.size() ? q[k] : 0.0));
    return sum;
}

}  // namespace

TEST(WarmupCosineSchedule, Values) {
    const ada::WarmupCosineSchedule s{1e-3, 10, 110, 0.1};
    EXPECT_DOUBLE_EQ(s(0), 1e-4);
    EXPECT_DOUBLE_EQ(s(9), 1e-3);
    EXPECT_DOUBLE_EQ(s(10), 1e-3);
    EXPECT_NEAR(s(60), 1e-4 + 0.9e-3 * 0.5, 1e-15);
    EXPECT_NEAR(s(110), 1e-4, 1e-15);
    EXPECT_NEAR(s(500), 1e-4, 1e-15);
}

TEST(FlowMatchingTrainer, ResumeEqualsUninterruptedTraining) {
    at::Generator g = generator(31);
    const at::Tensor training = at::randn({100, 3}, g, at::kDouble) * 2.0 + 1.0;  // 100/16: epochs end mid-run
    const at::Tensor validation = at::randn({40, 3}, g, at::kDouble);
    ada::MLPVectorField initial(ada::MLPVectorFieldOptions(3).hidden(32).layers(2).timeEmbedding(8));
    initial->to(at::kDouble);
    const auto options = ada::FlowMatchingTrainerOptions()
                             .steps(40)
                             .batchSize(16)
                             .learningRate(1e-2)
                             .warmupSteps(5)
                             .finalLearningRateFraction(0.1)
                             .gradientClip(5.0)
                             .emaDecay(0.9)
                             .validationEvery(7)
                             .progressEvery(0)
                             .seed(77);

    ada::FlowMatchingTrainer uninterrupted(copyOf(*initial), training, validation, options);
    uninterrupted.train();
    EXPECT_EQ(uninterrupted.state().step, 40);
    EXPECT_GT(uninterrupted.state().epoch, 6);

    ada::FlowMatchingTrainer first(copyOf(*initial), training, validation, options);
    first.train(20);
    EXPECT_EQ(first.state().step, 20);
    const std::string path = tmpPath("fm_checkpoint.adab");
    first.saveCheckpoint(path);
    std::unique_ptr<ada::FlowMatchingTrainer> resumed = ada::FlowMatchingTrainer::resume(path, training, validation);
    EXPECT_EQ(resumed->state().step, 20);
    resumed->train();
    EXPECT_EQ(resumed->state().step, 40);

    EXPECT_EQ(maxDifference(resumed->model(), uninterrupted.model()), 0.0);
    EXPECT_EQ(maxDifference(*resumed->emaModel(), *uninterrupted.emaModel()), 0.0);
    EXPECT_EQ(resumed->validationLoss(), uninterrupted.validationLoss());
    EXPECT_EQ(resumed->state().lastValidationLoss, uninterrupted.state().lastValidationLoss);
    // Something was learnt and the two models differ from the start.
    EXPECT_GT(maxDifference(resumed->model(), *initial), 1e-3);

    // Restoring into an existing trainer of the same architecture works as well.
    ada::FlowMatchingTrainer again(copyOf(*initial), training, validation, options);
    again.restoreCheckpoint(path);
    again.train();
    EXPECT_EQ(maxDifference(again.model(), uninterrupted.model()), 0.0);
}

TEST(FlowMatchingTrainer, ResumeEqualsUninterruptedTrainingForParticles) {
    at::Generator g = generator(32);
    const at::Tensor training = at::randn({50, 3, 2}, g, at::kDouble) + 3.0;  // centred by the trainer
    ada::EGNNVectorField initial(ada::EGNNVectorFieldOptions(3, 2).hidden(16).layers(2).timeEmbedding(8));
    initial->to(at::kDouble);
    const auto options = ada::FlowMatchingTrainerOptions().steps(12).batchSize(8).learningRate(1e-2).warmupSteps(2).emaDecay(0.9).progressEvery(0).seed(3);
    ada::FlowMatchingTrainer uninterrupted(copyOf(*initial), training, at::Tensor(), options);
    uninterrupted.train();
    ada::FlowMatchingTrainer first(copyOf(*initial), training, at::Tensor(), options);
    first.train(6);
    first.saveCheckpoint(tmpPath("fm_particles.adab"));
    auto resumed = ada::FlowMatchingTrainer::resume(tmpPath("fm_particles.adab"), training, at::Tensor());
    resumed->train();
    EXPECT_EQ(maxDifference(resumed->model(), uninterrupted.model()), 0.0);
    EXPECT_EQ(maxDifference(*resumed->emaModel(), *uninterrupted.emaModel()), 0.0);
}

TEST(FlowMatchingTrainer, CheckpointErrorsAndProgress) {
    at::Generator g = generator(33);
    const at::Tensor training = at::randn({64, 2}, g, at::kDouble);
    auto field = std::make_shared<ada::MLPVectorFieldImpl>(ada::MLPVectorFieldOptions(2).hidden(8).layers(1).timeEmbedding(4));
    field->to(at::kDouble);
    const std::string path = tmpPath("fm_progress.adab");
    ada::FlowMatchingTrainer trainer(
        field, training, training, ada::FlowMatchingTrainerOptions().steps(10).batchSize(16).progressEvery(4).validationEvery(5).checkpointEvery(5).checkpointPath(path));
    std::vector<ada::TrainingProgress> reports;
    trainer.setProgressCallback([&](const ada::TrainingProgress& p) { reports.push_back(p); });
    trainer.train();
    ASSERT_EQ(reports.size(), 3u);  // steps 4, 8 and the last, 10
    EXPECT_EQ(reports[0].step, 4);
    EXPECT_EQ(reports[2].step, 10);
    EXPECT_TRUE(std::isnan(reports[0].validationLoss));
    EXPECT_TRUE(std::isfinite(reports[2].validationLoss));
    EXPECT_GT(reports[1].samplesPerSecond, 0);
    EXPECT_GT(reports[0].etaSeconds, 0);
    EXPECT_EQ(ada::Bundle::read(path).config["loop"]["step"], 10);  // the final checkpoint

    std::ostringstream out;
    ada::printProgress(out)(reports[2]);
    EXPECT_NE(out.str().find("step 10/10"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("samples/s"), std::string::npos);
    EXPECT_NE(out.str().find("ETA"), std::string::npos);

    // Another architecture, other data, another kind: errors naming the file and the difference; the
    // trainer is unchanged.
    auto other = std::make_shared<ada::MLPVectorFieldImpl>(ada::MLPVectorFieldOptions(2).hidden(9).layers(1).timeEmbedding(4));
    other->to(at::kDouble);
    ada::FlowMatchingTrainer mismatched(other, training, at::Tensor(), ada::FlowMatchingTrainerOptions().batchSize(16));
    try {
        mismatched.restoreCheckpoint(path);
        ADD_FAILURE() << "no error";
    } catch (const ada::SpecError& e) {
        EXPECT_NE(std::string(e.what()).find("fm_progress.adab: the checkpoint holds a mlp_vector_field"), std::string::npos) << e.what();
    }
    EXPECT_EQ(mismatched.state().step, 0);
    EXPECT_THROW(ada::FlowMatchingTrainer::resume(path, training.narrow(0, 0, 50), training), ada::SpecError);
    ada::saveVectorField(*field, tmpPath("fm_not_a_checkpoint.adab"));
    try {
        ada::FlowMatchingTrainer::resume(tmpPath("fm_not_a_checkpoint.adab"), training, training);
        ADD_FAILURE() << "no error";
    } catch (const ada::SpecError& e) {
        EXPECT_NE(std::string(e.what()).find("bundle kind \"mlp_vector_field\" is not a flow_matching_checkpoint"), std::string::npos) << e.what();
    }
    ada::Bundle truncated = ada::Bundle::read(path);
    truncated.tensors.erase("adam.output.weight.exp_avg_sq");
    truncated.write(tmpPath("fm_missing.adab"));
    try {
        ada::FlowMatchingTrainer::resume(tmpPath("fm_missing.adab"), training, training);
        ADD_FAILURE() << "no error";
    } catch (const ada::SpecError& e) {
        EXPECT_NE(std::string(e.what()).find("no tensor \"adam.output.weight.exp_avg_sq\""), std::string::npos) << e.what();
    }
    // Bad data and options.
    EXPECT_THROW(ada::FlowMatchingTrainer(field, at::randn({64, 3}, at::kDouble), at::Tensor(), ada::FlowMatchingTrainerOptions().batchSize(16)), ada::SpecError);
    EXPECT_THROW(ada::FlowMatchingTrainer(field, training, at::Tensor(), ada::FlowMatchingTrainerOptions().batchSize(100)), ada::SpecError);
    EXPECT_THROW(ada::FlowMatchingTrainer(field, training, at::Tensor(), ada::FlowMatchingTrainerOptions().batchSize(16).validationEvery(5)), ada::SpecError);
}

TEST(FlowMatchingTrainer, LearnsEightGaussians) {
    // l1 = ∫|p − q| between histogram densities on a 26 x 26 grid of 0.5-wide bins over [−6.5, 6.5]² (plus
    // the mass outside the grid as one more bin), p from 5000 samples, q the exact bin probabilities.
    // Noise floor: the same l1 for 5000 exact samples of the mixture (floorTruth, ≈ 0.16), and between two
    // independent 5000-sample histograms (floorTwoSample, ≈ 0.21), averaged over 4 repetitions.
    // Threshold: floorTruth + 0.125, i.e. less than half of what losing one of the 8 modes costs (its 1/8 of
    // the mass misplaced adds ≈ 2 · 1/8 = 0.25). An untrained field gives l1 ≈ 1.9 and must fail clearly.
    const std::vector<double> truth = trueBinProbabilities();
    at::Generator g = generator(41);
    const int64_t n = 5000;
    double floorTruth = 0, floorTwoSample = 0;
    for (int r = 0; r < 4; ++r) {
        const std::vector<double> a = binProbabilities(sampleMixture(n, g)), b = binProbabilities(sampleMixture(n, g));
        floorTruth += 0.125 * (l1(a, truth) + l1(b, truth));
        floorTwoSample += 0.25 * l1(a, b);
    }
    const double threshold = floorTruth + 0.125;

    torch::manual_seed(2);
    auto field = std::make_shared<ada::MLPVectorFieldImpl>(ada::MLPVectorFieldOptions(2).hidden(64).layers(3).timeEmbedding(16).maxFrequency(30));
    // The untrained field (same architecture and initialisation) for comparison.
    const double untrained = l1(binProbabilities(ada::sampleByOde(*field, n, ada::OdeOptions::rk4(20), g).samples), truth);

    const at::Tensor training = sampleMixture(50000, g);
    const auto start = std::chrono::steady_clock::now();
    ada::FlowMatchingTrainer trainer(field, training, at::Tensor(),
                                     ada::FlowMatchingTrainerOptions().steps(3000).batchSize(256).learningRate(5e-3).warmupSteps(100).emaDecay(0.995).seed(6));
    trainer.train();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const ada::OdeSample sample = ada::sampleByOde(*trainer.emaModel(), n, ada::OdeOptions::rk4(20), g);
    const double trained = l1(binProbabilities(sample.samples), truth);
    std::cout << "8 Gaussians: l1(trained) " << trained << ", noise floor " << floorTruth << " (exact sample vs truth), " << floorTwoSample
              << " (two exact samples), threshold " << threshold << ", l1(untrained) " << untrained << "; training " << seconds << " s"
              << std::endl;
    RecordProperty("l1_trained", std::to_string(trained));
    RecordProperty("l1_noise_floor", std::to_string(floorTruth));
    EXPECT_LT(trained, threshold);
    EXPECT_GT(untrained, 3 * threshold);
}
