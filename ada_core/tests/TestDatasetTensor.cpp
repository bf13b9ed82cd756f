// The tensor bridge: a Dataset as [B, N, 3] or [B, 3N] tensors in float32/float64, and tensors back to a
// validated Dataset.
#include <gtest/gtest.h>

#include <cmath>

#include <ATen/ATen.h>

#include "ada/data/DatasetTensor.h"
#include "ada/io/SpecError.h"

TEST(DatasetTensor, ShapesAndDtypes) {
    std::vector<double> v(2 * 3 * 3);
    for (size_t k = 0; k < v.size(); ++k)
        v[k] = 0.1 * static_cast<double>(k) - 0.3;
    const ada::Dataset d = ada::Dataset::fromValues(v, {2, 3, 3}, "x.npy");
    const at::Tensor flat = ada::datasetTensor(d);
    EXPECT_EQ(flat.sizes().vec(), (std::vector<int64_t>{2, 9}));
    EXPECT_EQ(flat.scalar_type(), at::kFloat);
    EXPECT_FLOAT_EQ(flat[1][4].item<float>(), static_cast<float>(v[13]));
    const at::Tensor particles = ada::datasetTensor(d, ada::TensorShape::Particles, at::kDouble);
    EXPECT_EQ(particles.sizes().vec(), (std::vector<int64_t>{2, 3, 3}));
    EXPECT_EQ(particles[1][1][2].item<double>(), v[9 + 5]);
    // The tensor owns its data: changing it leaves the dataset alone.
    particles.zero_();
    EXPECT_EQ(d.values()[14], v[14]);
    EXPECT_THROW(ada::datasetTensor(d, ada::TensorShape::Flat, at::kInt), ada::SpecError);
    const ada::Dataset vectors = ada::Dataset::fromValues(v, {2, 9}, "v.npy");
    EXPECT_THROW(ada::datasetTensor(vectors, ada::TensorShape::Particles), ada::SpecError);
}

TEST(DatasetTensor, TensorsBackToDatasets) {
    at::Tensor x = at::randn({4, 5, 3}, at::kFloat);
    ada::Dataset d = ada::datasetFromTensor(x, "samples");
    EXPECT_EQ(d.shape(), (std::vector<int64_t>{4, 5, 3}));
    EXPECT_EQ(d.values()[7], static_cast<double>(x.reshape({-1})[7].item<float>()));
    x[3][2][1] = NAN;
    try {
        ada::datasetFromTensor(x, "samples");
        FAIL() << "no error";
    } catch (const ada::SpecError& e) {
        EXPECT_NE(std::string(e.what()).find("samples: NaN in frame 3, atom 2 (y coordinate)"), std::string::npos) << e.what();
    }
    EXPECT_THROW(ada::datasetFromTensor(at::zeros({4}, at::kFloat), "s"), ada::SpecError);
    EXPECT_THROW(ada::datasetFromTensor(at::zeros({4, 2}, at::kLong), "s"), ada::SpecError);
}
