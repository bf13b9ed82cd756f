// Benchmark energies (DESIGN.md §5): the published reference sets' mean energies, gradients against finite
// differences, symmetries, and errors.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "ada/energy/Energy.h"
#include "ada/io/Npy.h"
#include "ada/io/SpecError.h"

namespace {
at::Tensor reference(const std::string& file) {
    const ada::NpyArray array = ada::readNpy(std::string(ADA_SHARED_DATA_DIR) + "/" + file);
    return torch::tensor(array.values, torch::kDouble).reshape({array.shape[0], array.shape[1]});
}
}  // namespace

TEST(Energies, ReferenceSetsHaveThePublishedMeanEnergies) {
    auto dw4 = ada::makeEnergy("dw4");
    EXPECT_NEAR(dw4->energy(reference("dw4_reference.npy")).mean().item<double>(), -22.450, 5e-4);
    auto lj13 = ada::makeEnergy("lj13");
    EXPECT_NEAR(lj13->energy(reference("lj13_reference.npy")).mean().item<double>(), -43.127, 5e-4);
    EXPECT_EQ(lj13->evaluations(), 10000);
}

TEST(Energies, GradientsMatchFiniteDifferencesAndSymmetries) {
    torch::manual_seed(3);
    for (const std::string name : {"dw4", "lj13", "lj55", "muller-brown"}) {
        auto e = ada::makeEnergy(name);
        const int64_t D = e->particles() * e->spatialDimension();
        at::Tensor x = name == "muller-brown" ? 0.5 * torch::randn({3, D}, torch::kDouble) : 2.0 * torch::randn({3, D}, torch::kDouble);
        if (name.rfind("lj", 0) == 0) {
            // A jittered cubic lattice of spacing 1.1: pair distances near the minimum, no overlaps.
            const int64_t side = static_cast<int64_t>(std::ceil(std::cbrt(double(e->particles()))));
            at::Tensor sites = torch::zeros({e->particles(), 3}, torch::kDouble);
            for (int64_t i = 0; i < e->particles(); ++i)
                for (int64_t k = 0, r = i; k < 3; ++k, r /= side)
                    sites[i][k] = 1.1 * double(r % side);
            x = (sites.unsqueeze(0) + 0.05 * torch::randn({3, e->particles(), 3}, torch::kDouble)).reshape({3, D});
        }
        auto [energy, grad] = e->energyAndGradient(x);
        const double h = 1e-6;
        for (int64_t k = 0; k < std::min<int64_t>(D, 12); ++k) {
            at::Tensor plus = x.clone(), minus = x.clone();
            plus.select(1, k) += h;
            minus.select(1, k) -= h;
            const at::Tensor fd = (e->energy(plus) - e->energy(minus)) / (2 * h);
            EXPECT_TRUE(torch::allclose(grad.select(1, k), fd, 1e-5, 1e-5)) << name << " coordinate " << k;
        }
        if (e->particles() > 1) {
            // Translating every particle together, or permuting them, leaves the energy unchanged.
            at::Tensor shifted = (x.reshape({3, e->particles(), -1}) + 0.37).reshape({3, D});
            EXPECT_TRUE(torch::allclose(e->energy(shifted), energy, 1e-9, 1e-9)) << name;
            at::Tensor permuted = x.reshape({3, e->particles(), -1}).flip(1).reshape({3, D});
            EXPECT_TRUE(torch::allclose(e->energy(permuted), energy, 1e-9, 1e-9)) << name;
        }
    }
    // The minimum of Mueller-Brown near (-0.558, 1.442) has V = -146.70.
    EXPECT_NEAR(ada::makeEnergy("muller-brown")->energy(torch::tensor({{-0.558224, 1.441726}}, torch::kDouble)).item<double>() * 20.0, -146.70, 0.01);
}

TEST(Energies, BadInputIsRejected) {
    try {
        ada::makeEnergy("lj38");
        FAIL();
    } catch (const ada::SpecError& e) {
        EXPECT_NE(std::string(e.what()).find("unknown energy \"lj38\""), std::string::npos);
    }
    EXPECT_THROW(ada::makeEnergy("dw4")->energy(torch::zeros({2, 9})), ada::SpecError);
}
