// Log-likelihoods by the instantaneous change of variables against closed forms: a Gaussian in D = 4 with
// the exact interpolant field (per-sample agreement), the zero-centre-of-mass normalisation for particles,
// Hutchinson's estimator, and a briefly trained MLP field within 1% of the analytic mean log-density.
#include <gtest/gtest.h>

#include <cmath>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "AnalyticFields.h"
#include "ada/flow/FlowMatchingTrainer.h"
#include "ada/flow/LogLikelihood.h"
#include "ada/flow/OdeSampler.h"
#include "ada/models/EGNNVectorField.h"
#include "ada/models/MLPVectorField.h"

namespace {

at::Generator generator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

double maxAbs(const at::Tensor& a) { return a.abs().max().item<double>(); }

// A correlated covariance in D = 4: Σ = M Mᵀ + 0.2 I.
at::Tensor covariance4() {
    const at::Tensor m = at::tensor({0.9, 0.1, -0.3, 0.0, 0.4, 0.7, 0.0, 0.2, 0.0, -0.5, 0.6, 0.1, 0.2, 0.0, 0.3, 1.1}, at::kDouble).reshape({4, 4});
    return at::matmul(m, m.t()) + 0.2 * at::eye(4, at::kDouble);
}
const at::Tensor& mean4() {
    static const at::Tensor mu = at::tensor({1.0, -2.0, 0.5, 3.0}, at::kDouble);
    return mu;
}

}  // namespace

TEST(LogLikelihood, ExactForTheGaussianInterpolantField) {
    adatest::GaussianField field(mean4(), covariance4());
    at::Generator g = generator(21);
    const at::Tensor x1 = field.sample(500, g);
    const ada::LikelihoodResult result = ada::logLikelihood(field, x1, {ada::OdeOptions::dormandPrince(1e-8, 1e-8)});
    const at::Tensor analytic = field.logDensity(x1);
    EXPECT_FALSE(result.approximate);
    EXPECT_LT(maxAbs(result.logLikelihood - analytic), 1e-5);
    const double mean = result.logLikelihood.mean().item<double>(), expected = analytic.mean().item<double>();
    EXPECT_LT(std::abs(mean - expected), 0.01 * std::abs(expected));
    // The noise is where the flow started: transporting it forwards returns x1.
    const ada::OdeResult forward = ada::transport(field, result.noise, 0.0, 1.0, ada::OdeOptions::dormandPrince(1e-8, 1e-8));
    EXPECT_LT(maxAbs(forward.state - x1), 1e-5);
    // The divergence integral is the log-determinant of the affine flow: ln|Σ|/2 for every sample.
    const double halfLogDet = 0.5 * at::logdet(covariance4()).item<double>();
    EXPECT_LT(maxAbs(result.divergenceIntegral - halfLogDet), 1e-5);
    // Exact divergence is the trace: Σ_k g_k(t) at t = 0.5.
    const at::Tensor lambda = at::linalg_eigvalsh(covariance4());
    const double trace = ((0.5 * lambda - 0.5) / (0.25 * lambda + 0.25)).sum().item<double>();
    EXPECT_LT(maxAbs(ada::exactDivergence(field, x1.narrow(0, 0, 3), 0.5) - trace), 1e-12);
}

TEST(LogLikelihood, ZeroCentreOfMassNormalisation) {
    // N = 4 particles in 3-D: the density lives on the 9-dimensional subspace U.
    adatest::IsotropicParticleField field(4, 3, 0.6);
    at::Generator g = generator(4);
    at::Tensor x1 = 0.6 * at::randn({200, 4, 3}, g, at::kDouble);
    x1 = x1 + 5.0;  // an offset centre of mass: the likelihood is that of the centred configuration
    const ada::LikelihoodResult result = ada::logLikelihood(field, x1, {ada::OdeOptions::dormandPrince(1e-8, 1e-8)});
    EXPECT_LT(maxAbs(result.logLikelihood - field.logDensity(x1)), 1e-5);
    EXPECT_LT(maxAbs(result.noise.sum(1)), 1e-10);
    // Flattened input gives the same.
    const ada::LikelihoodResult flat = ada::logLikelihood(field, x1.reshape({200, 12}), {ada::OdeOptions::dormandPrince(1e-8, 1e-8)});
    EXPECT_LT(maxAbs(flat.logLikelihood - result.logLikelihood), 1e-10);
}

TEST(LogLikelihood, EGNNDensityIsInvariant) {
    // DESIGN §3.1: with an equivariant field and the zero-CoM base, the model density is invariant to
    // rotations, reflections, translations and permutations of identical particles.
    torch::manual_seed(3);
    ada::EGNNVectorField field(ada::EGNNVectorFieldOptions(4, 3).hidden(16).layers(2).timeEmbedding(8));
    field->to(at::kDouble);
    at::Generator g = generator(24);
    const at::Tensor x = at::randn({6, 4, 3}, g, at::kDouble);
    auto [q, r] = at::linalg_qr(at::randn({3, 3}, g, at::kDouble));
    const at::Tensor moved = at::matmul(x, q.t()) + at::randn({6, 1, 3}, g, at::kDouble);
    const at::Tensor permuted = x.index_select(1, at::tensor({2, 0, 3, 1}, at::kLong));
    // Fixed RK4 steps: the transformed problems are then solved by exactly the transformed computation.
    const ada::LikelihoodOptions options{ada::OdeOptions::rk4(10)};
    const at::Tensor logp = ada::logLikelihood(*field, x, options).logLikelihood;
    EXPECT_LT(maxAbs(ada::logLikelihood(*field, moved, options).logLikelihood - logp), 1e-8);
    EXPECT_LT(maxAbs(ada::logLikelihood(*field, permuted, options).logLikelihood - logp), 1e-8);
    // Hutchinson with many probes agrees with the exact trace on the subspace.
    ada::LikelihoodOptions hutchinson = options;
    hutchinson.divergence = ada::DivergenceMethod::Hutchinson;
    hutchinson.probes = 200;
    const ada::LikelihoodResult estimate = ada::logLikelihood(*field, x, hutchinson);
    std::cout << "EGNN Hutchinson (200 probes) vs exact: max difference " << maxAbs(estimate.logLikelihood - logp) << std::endl;
    EXPECT_LT(maxAbs(estimate.logLikelihood - logp), 0.1);
}

TEST(LogLikelihood, HutchinsonIsADeclaredApproximation) {
    adatest::GaussianField field(mean4(), covariance4());
    at::Generator g = generator(22);
    const at::Tensor x1 = field.sample(2000, g);
    ada::LikelihoodOptions options;
    options.ode = ada::OdeOptions::rk4(20);
    options.divergence = ada::DivergenceMethod::Hutchinson;
    options.probes = 4;
    options.seed = 3;
    const ada::LikelihoodResult estimate = ada::logLikelihood(field, x1, options);
    EXPECT_TRUE(estimate.approximate);
    const at::Tensor analytic = field.logDensity(x1);
    // Unbiased: the mean error over samples is small, the per-sample error is not zero.
    const at::Tensor error = estimate.logLikelihood - analytic;
    EXPECT_LT(std::abs(error.mean().item<double>()), 0.05);
    EXPECT_GT(error.std().item<double>(), 1e-3);
    // Seeded: the same seed gives the same estimate.
    EXPECT_TRUE(at::equal(ada::logLikelihood(field, x1, options).logLikelihood, estimate.logLikelihood));
}

TEST(LogLikelihood, TrainedFieldMatchesTheAnalyticGaussian) {
    // Train an MLP field on N(μ, Σ) in D = 4 and compare the mean model log-likelihood of held-out points
    // with the mean of log N(x; μ, Σ) over the same points (so that sampling noise cancels): within 1%.
    adatest::GaussianField truth(mean4(), covariance4());
    at::Generator g = generator(23);
    const at::Tensor training = truth.sample(20000, g), test = truth.sample(1000, g);
    torch::manual_seed(1);
    auto field = std::make_shared<ada::MLPVectorFieldImpl>(ada::MLPVectorFieldOptions(4).hidden(64).layers(3).timeEmbedding(16).maxFrequency(30));
    field->to(at::kDouble);
    ada::FlowMatchingTrainer trainer(field, training, at::Tensor(),
                                     ada::FlowMatchingTrainerOptions().steps(1500).batchSize(256).learningRate(3e-3).warmupSteps(50).emaDecay(0.99).seed(5));
    trainer.train();
    const ada::LikelihoodResult result = ada::logLikelihood(*trainer.emaModel(), test, {ada::OdeOptions::dormandPrince(1e-5, 1e-5)});
    const double model = result.logLikelihood.mean().item<double>();
    const double analytic = truth.logDensity(test).mean().item<double>();
    RecordProperty("model_mean_loglik", std::to_string(model));
    RecordProperty("analytic_mean_loglik", std::to_string(analytic));
    std::cout << "trained mean log-likelihood " << model << ", analytic " << analytic << " (expected value " << truth.expectedLogDensity()
              << "), " << result.functionEvaluations << " evaluations" << std::endl;
    EXPECT_LT(std::abs(model - analytic), 0.01 * std::abs(analytic));
}
