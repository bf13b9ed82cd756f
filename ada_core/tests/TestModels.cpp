// Vector-field models: shapes and time handling of the MLP, and the symmetries of the EGNN (translation
// invariance, rotation/reflection and permutation equivariance, zero centre of mass) in S = 2 and 3.
#include <cmath>
#include <tuple>

#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "ada/io/SpecError.h"
#include "ada/models/EGNNVectorField.h"
#include "ada/models/MLPVectorField.h"
#include "ada/models/ModelBundle.h"

namespace {

at::Generator generator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

// A random orthogonal matrix (QR of a Gaussian matrix), forced to include a reflection when asked.
at::Tensor randomOrthogonal(int64_t s, at::Generator& g, bool reflection) {
    auto [q, r] = at::linalg_qr(at::randn({s, s}, g, at::kDouble));
    q = q * at::sign(at::diagonal(r)).unsqueeze(0);
    if ((at::det(q).item<double>() < 0) != reflection)
        q.select(1, 0).neg_();
    return q;
}

}  // namespace

TEST(MLPVectorField, ShapesTimesAndErrors) {
    ada::MLPVectorField field(ada::MLPVectorFieldOptions(3).hidden(16).layers(2).timeEmbedding(8));
    field->to(at::kDouble);
    at::Generator g = generator(1);
    const at::Tensor x = at::randn({5, 3}, g, at::kDouble);
    const at::Tensor v = field->forward(x, at::full({5}, 0.3, at::kDouble));
    EXPECT_EQ(v.sizes(), x.sizes());
    EXPECT_EQ(v.scalar_type(), at::kDouble);
    // A scalar time is the same as that time for every sample.
    EXPECT_TRUE(at::equal(field->forward(x, at::scalar_tensor(0.3, at::kDouble)), v));
    // Rows are independent: evaluating one sample alone gives its row.
    EXPECT_TRUE(at::allclose(field->forward(x.narrow(0, 2, 1), at::full({1}, 0.3, at::kDouble)), v.narrow(0, 2, 1), 1e-14, 1e-14));
    EXPECT_FALSE(at::allclose(field->forward(x, at::full({5}, 0.7, at::kDouble)), v));
    EXPECT_EQ(field->flatDimension(), 3);
    EXPECT_EQ(field->config()["hidden"], 16);
    EXPECT_THROW(field->forward(at::randn({5, 4}, at::kDouble), at::zeros({5}, at::kDouble)), ada::SpecError);
    EXPECT_THROW(field->forward(x, at::zeros({4}, at::kDouble)), ada::SpecError);
    EXPECT_THROW(ada::MLPVectorField(ada::MLPVectorFieldOptions(3).timeEmbedding(7)), ada::SpecError);
    // Named parameters as documented (the bundle tensor names).
    const auto names = field->named_parameters().keys();
    EXPECT_NE(std::find(names.begin(), names.end(), "layers.1.weight"), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), "output.bias"), names.end());
    EXPECT_TRUE(field->named_buffers().contains("time_embedding.frequencies"));
}

class EGNNSymmetry : public ::testing::TestWithParam<std::tuple<int64_t, bool>> {};

TEST_P(EGNNSymmetry, EquivariantInvariantAndCentred) {
    const int64_t s = std::get<0>(GetParam()), n = 5, batch = 4;
    ada::EGNNVectorField field(ada::EGNNVectorFieldOptions(n, s).hidden(32).layers(3).timeEmbedding(16).layerNorm(std::get<1>(GetParam())));
    field->to(at::kDouble);
    at::Generator g = generator(7 + s);
    const at::Tensor x = 1.5 * at::randn({batch, n, s}, g, at::kDouble);
    const at::Tensor t = at::rand({batch}, g, at::kDouble);
    const at::Tensor v = field->forward(x, t);
    ASSERT_EQ(v.sizes(), x.sizes());
    EXPECT_GT(v.abs().max().item<double>(), 1e-3);  // not trivially zero
    EXPECT_LT(v.sum(1).abs().max().item<double>(), 1e-12);  // zero centre of mass

    for (bool reflection : {false, true}) {
        const at::Tensor r = randomOrthogonal(s, g, reflection);
        const at::Tensor a = 3.0 * at::randn({batch, 1, s}, g, at::kDouble);
        // v(x Rᵀ + a, t) = v(x, t) Rᵀ (rows are particle positions)
        const at::Tensor moved = field->forward(at::matmul(x, r.t()) + a, t);
        EXPECT_LT((moved - at::matmul(v, r.t())).abs().max().item<double>(), 1e-5) << "reflection " << reflection;
    }
    const at::Tensor a = 3.0 * at::randn({batch, 1, s}, g, at::kDouble);
    EXPECT_LT((field->forward(x + a, t) - v).abs().max().item<double>(), 1e-10);

    const at::Tensor perm = at::randperm(n, g, at::kLong);
    const at::Tensor permuted = field->forward(x.index_select(1, perm), t);
    EXPECT_LT((permuted - v.index_select(1, perm)).abs().max().item<double>(), 1e-10);

    // A flattened input gives the flattened output.
    EXPECT_TRUE(at::allclose(field->forward(x.reshape({batch, n * s}), t), v.reshape({batch, n * s}), 1e-14, 1e-14));
    EXPECT_EQ(field->flatDimension(), n * s);
    EXPECT_TRUE(field->zeroCentreOfMass());
    // Gradients through coinciding particles stay finite (the √0 of the diagonal is avoided).
    at::Tensor y = x.clone();
    y.select(1, 1).copy_(y.select(1, 0));
    y.requires_grad_(true);
    field->forward(y, t).pow(2).sum().backward();
    EXPECT_TRUE(at::isfinite(y.grad()).all().item<bool>());
}

INSTANTIATE_TEST_SUITE_P(SpatialDimensions, EGNNSymmetry, ::testing::Combine(::testing::Values(2, 3), ::testing::Bool()),
                         [](const ::testing::TestParamInfo<std::tuple<int64_t, bool>>& info) {
                             return "S" + std::to_string(std::get<0>(info.param)) + (std::get<1>(info.param) ? "LayerNorm" : "");
                         });

TEST(EGNNVectorField, LayerNormIsPartOfTheConfigurationAndTheWeights) {
    const int64_t n = 4, s = 2;
    at::manual_seed(5);
    ada::EGNNVectorField normed(ada::EGNNVectorFieldOptions(n, s).hidden(8).layers(2).layerNorm(true));
    normed->to(at::kDouble);
    {
        // Move the normalisations' gains and shifts off their initial 1 and 0, so a lost weight would show.
        torch::NoGradGuard noGrad;
        for (auto& p : normed->named_parameters())
            if (p.key().find("norm") != std::string::npos)
                p.value().add_(0.3 * at::randn(p.value().sizes(), at::kDouble));
    }
    EXPECT_TRUE(normed->config().at("layer_norm").get<bool>());
    EXPECT_FALSE(ada::EGNNVectorField(ada::EGNNVectorFieldOptions(n, s))->config().contains("layer_norm"));
    // Layer 1 normalises the edge MLP (two), phi_x and phi_h; the last layer has no node update.
    int norms = 0;
    for (const auto& p : normed->named_parameters())
        norms += p.key().find("norm.weight") != std::string::npos;
    EXPECT_EQ(norms, 4 + 3);
    const std::string path = ::testing::TempDir() + "egnn_layer_norm.adab";
    ada::saveVectorField(*normed, path);
    std::shared_ptr<ada::VectorField> loaded = ada::loadVectorField(path, at::kDouble);
    const at::Tensor x = at::randn({3, n, s}, at::kDouble), t = at::rand({3}, at::kDouble);
    EXPECT_TRUE(at::equal(loaded->forward(x, t), normed->forward(x, t)));
    EXPECT_EQ(loaded->config(), normed->config());
}

TEST(EGNNVectorField, CoordinateRangeBoundsEveryParticlesUpdate) {
    const int64_t n = 6, s = 3, batch = 16;
    const double range = 0.5;
    at::Generator g = generator(11);
    at::manual_seed(2);
    ada::EGNNVectorField bounded(ada::EGNNVectorFieldOptions(n, s).hidden(16).layers(3).coordinateRange(range));
    bounded->to(at::kDouble);
    {
        // Large weights: unbounded, these coordinate updates would reach hundreds.
        torch::NoGradGuard noGrad;
        for (auto& p : bounded->parameters())
            p.mul_(8.0);
    }
    const at::Tensor x = 40.0 * at::randn({batch, n, s}, g, at::kDouble);
    const at::Tensor t = at::rand({batch}, g, at::kDouble);
    const at::Tensor v = bounded->forward(x, t);
    // |v_i| <= R for the raw update; removing the mean over particles adds at most another R.
    const double largest = v.norm(2, -1).max().item<double>();
    EXPECT_LE(largest, 2 * range);
    EXPECT_GT(largest, 0.2 * range);  // the tanh saturates: the bound is reached, not trivially met
    EXPECT_LT(v.sum(1).abs().max().item<double>(), 1e-12);
    const at::Tensor r = randomOrthogonal(s, g, true);
    EXPECT_LT((bounded->forward(at::matmul(x, r.t()), t) - at::matmul(v, r.t())).abs().max().item<double>(), 1e-9);
    // The range is part of the configuration; an unbounded field's configuration is what it was before the option.
    EXPECT_EQ(bounded->config().at("coordinate_range").get<double>(), range);
    EXPECT_FALSE(ada::EGNNVectorField(ada::EGNNVectorFieldOptions(n, s))->config().contains("coordinate_range"));
    EXPECT_THROW(ada::EGNNVectorField(ada::EGNNVectorFieldOptions(n, s).coordinateRange(-1)), ada::SpecError);
}

TEST(EGNNVectorField, GaussianRadialBasisValues) {
    // K = 3 up to r_c = 2: centres 0, 1, 2, width 1.
    const at::Tensor r = at::tensor({0.0, 1.0, 1.5}, at::kDouble).unsqueeze(-1);
    const at::Tensor rho = ada::gaussianRadialBasis(r, 3, 2.0);
    ASSERT_EQ(rho.sizes(), (std::vector<int64_t>{3, 3}));
    const at::Tensor expected = at::tensor({1.0, std::exp(-1.0), std::exp(-4.0),                      //
                                            std::exp(-1.0), 1.0, std::exp(-1.0),                      //
                                            std::exp(-2.25), std::exp(-0.25), std::exp(-0.25)}, at::kDouble).reshape({3, 3});
    EXPECT_TRUE(at::allclose(rho, expected, 1e-14, 1e-14));
    // K = 1: one function centred at 0 of width r_c.
    EXPECT_NEAR(ada::gaussianRadialBasis(at::full({1, 1}, 1.5, at::kDouble), 1, 3.0).item<double>(), std::exp(-0.25), 1e-14);
}

TEST(EGNNVectorField, RadialBasisIsPartOfTheConfigurationAndTheWeights) {
    const int64_t n = 5, s = 3, batch = 4, k = 6;
    at::Generator g = generator(13);
    at::manual_seed(3);
    ada::EGNNVectorField radial(ada::EGNNVectorFieldOptions(n, s).hidden(16).layers(2).timeEmbedding(8).radialBasis(k).radialCutoff(2.5));
    radial->to(at::kDouble);
    const at::Tensor x = 1.2 * at::randn({batch, n, s}, g, at::kDouble), t = at::rand({batch}, g, at::kDouble);
    const at::Tensor v = radial->forward(x, t);
    // Equivariant, permutation-equivariant and centred as without the basis (it depends on distances only).
    const at::Tensor r = randomOrthogonal(s, g, true);
    EXPECT_LT((radial->forward(at::matmul(x, r.t()) + 2.0, t) - at::matmul(v, r.t())).abs().max().item<double>(), 1e-10);
    const at::Tensor perm = at::randperm(n, g, at::kLong);
    EXPECT_LT((radial->forward(x.index_select(1, perm), t) - v.index_select(1, perm)).abs().max().item<double>(), 1e-10);
    EXPECT_LT(v.sum(1).abs().max().item<double>(), 1e-12);

    // The first edge layer holds K more columns after [h_i, h_j, d²]; with those columns zero the field is the
    // field without a basis that has the same other weights.
    ada::EGNNVectorField plain(ada::EGNNVectorFieldOptions(n, s).hidden(16).layers(2).timeEmbedding(8));
    plain->to(at::kDouble);
    {
        torch::NoGradGuard noGrad;
        auto radialParameters = radial->named_parameters();
        for (auto& p : plain->named_parameters()) {
            at::Tensor source = radialParameters[p.key()];
            if (p.key().find("edge_in.weight") != std::string::npos) {
                ASSERT_EQ(source.size(1), 2 * 16 + 1 + k) << p.key();
                EXPECT_GT(source.narrow(1, 33, k).abs().max().item<double>(), 0.0);
                source.narrow(1, 33, k).zero_();
                source = source.narrow(1, 0, 33);
            }
            p.value().copy_(source);
        }
    }
    EXPECT_GT((radial->forward(x, t) - v).abs().max().item<double>(), 1e-6);  // the basis mattered
    EXPECT_LT((radial->forward(x, t) - plain->forward(x, t)).abs().max().item<double>(), 1e-12);

    // Saved and loaded with the configuration; a field without the basis keeps its old configuration.
    EXPECT_EQ(radial->config().at("radial_basis").get<int64_t>(), k);
    EXPECT_EQ(radial->config().at("radial_cutoff").get<double>(), 2.5);
    EXPECT_FALSE(plain->config().contains("radial_basis"));
    const std::string path = ::testing::TempDir() + "egnn_radial_basis.adab";
    ada::saveVectorField(*radial, path);
    std::shared_ptr<ada::VectorField> loaded = ada::loadVectorField(path, at::kDouble);
    EXPECT_TRUE(at::equal(loaded->forward(x, t), radial->forward(x, t)));
    EXPECT_EQ(loaded->config(), radial->config());
    EXPECT_THROW(ada::EGNNVectorField(ada::EGNNVectorFieldOptions(n, s).radialBasis(-1)), ada::SpecError);
    EXPECT_THROW(ada::EGNNVectorField(ada::EGNNVectorFieldOptions(n, s).radialBasis(4).radialCutoff(0)), ada::SpecError);
    EXPECT_THROW(ada::EGNNVectorField(ada::EGNNVectorFieldOptions(n, s).radialBasis(4).radialCutoff(std::nan(""))), ada::SpecError);
}

TEST(EGNNVectorField, RejectsBadShapesAndOptions) {
    ada::EGNNVectorField field(ada::EGNNVectorFieldOptions(4, 3).hidden(8).layers(1));
    EXPECT_THROW(field->forward(at::randn({2, 4, 2}), at::zeros({2})), ada::SpecError);
    EXPECT_THROW(field->forward(at::randn({2, 11}), at::zeros({2})), ada::SpecError);
    EXPECT_THROW(ada::EGNNVectorField(ada::EGNNVectorFieldOptions(4, 4)), ada::SpecError);
    EXPECT_THROW(ada::EGNNVectorField(ada::EGNNVectorFieldOptions(1, 3)), ada::SpecError);
    // One layer: no node update, every parameter reaches the output.
    field->forward(at::randn({2, 4, 3}), at::rand({2})).pow(2).sum().backward();
    for (const auto& p : field->named_parameters())
        EXPECT_TRUE(p.value().grad().defined()) << p.key();
}
