// The batched, differentiable observable used for training: values equal the direct evaluation, and
// autograd gradients equal finite differences of a scalar loss.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "ada/observables/Observable.h"
#include "ada/torch/ObservableOp.h"

TEST(ObservableOp, BatchedValuesAndGradients) {
    torch::manual_seed(0);
    auto o = ada::makeObservable({{"type", "dihedral"}, {"atoms", {0, 1, 2, 3}}}, "t");
    auto rg = ada::makeObservable({{"type", "rg"}, {"atoms", {0, 1, 2, 3, 4}}}, "t");
    torch::Tensor x = (0.3 * torch::randn({4, 5, 3}, torch::kDouble)).requires_grad_(true);
    torch::Tensor phi = ada::evaluateObservable(*o, x);
    ASSERT_EQ(phi.sizes(), (std::vector<int64_t>{4, 1}));
    for (int b = 0; b < 4; ++b) {
        double direct;
        torch::Tensor xb = x[b].detach().contiguous();
        o->evaluate(xb.data_ptr<double>(), ada::PeriodicBox(), &direct, nullptr);
        EXPECT_DOUBLE_EQ(phi[b][0].item<double>(), direct);
    }
    auto loss = [&](const torch::Tensor& pos) {
        return (torch::sin(ada::evaluateObservable(*o, pos)) * ada::evaluateObservable(*rg, pos)).sum();
    };
    torch::Tensor grad = torch::autograd::grad({loss(x)}, {x})[0];
    const double h = 1e-6;
    auto xd = x.detach().clone();
    for (int b = 0; b < 4; b += 3)
        for (int i = 0; i < 5; ++i)
            for (int k = 0; k < 3; ++k) {
                auto plus = xd.clone(), minus = xd.clone();
                plus[b][i][k] += h;
                minus[b][i][k] -= h;
                const double fd = (loss(plus).item<double>() - loss(minus).item<double>()) / (2 * h);
                EXPECT_NEAR(grad[b][i][k].item<double>(), fd, 1e-6);
            }
    // float32 input gives float32 output.
    EXPECT_EQ(ada::evaluateObservable(*o, x.detach().to(torch::kFloat)).scalar_type(), torch::kFloat);
    EXPECT_ANY_THROW(ada::evaluateObservable(*o, torch::zeros({2, 3, 3})));  // atom 3 out of range
    EXPECT_ANY_THROW(ada::evaluateObservable(*o, torch::zeros({2, 5})));     // wrong shape
}
