// Vector fields saved as bundles: exact round trips (float32 and float64, MLP and EGNN) without knowing
// the architecture when loading, and clear errors for bundles that cannot be a vector field.
#include <gtest/gtest.h>

#include <fstream>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "ada/io/Bundle.h"
#include "ada/io/SpecError.h"
#include "ada/models/EGNNVectorField.h"
#include "ada/models/MLPVectorField.h"
#include "ada/models/ModelBundle.h"

namespace {

std::string tmpPath(const std::string& name) { return std::string(ADA_TEST_TMPDIR) + "/" + name; }

std::string loadError(const std::string& path) {
    try {
        ada::loadVectorField(path, at::kDouble);
    } catch (const ada::SpecError& e) {
        return e.what();
    }
    return "no error";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST(ModelBundle, RoundTripReproducesOutputsExactly) {
    at::Generator g = at::make_generator<at::CPUGeneratorImpl>(3);
    {
        ada::MLPVectorField mlp(ada::MLPVectorFieldOptions(4).hidden(24).layers(3).timeEmbedding(6).maxFrequency(20));  // float32
        const std::string path = tmpPath("mlp_field.adab");
        ada::saveVectorField(*mlp, path);
        std::shared_ptr<ada::VectorField> loaded = ada::loadVectorField(path);  // the saved dtype
        EXPECT_EQ(loaded->kind(), "mlp_vector_field");
        EXPECT_EQ(loaded->config(), mlp->config());
        EXPECT_EQ(loaded->tensorOptions().dtype(), at::kFloat);
        const at::Tensor x = at::randn({7, 4}, g, at::kFloat), t = at::rand({7}, g, at::kFloat);
        EXPECT_TRUE(at::equal(loaded->forward(x, t), mlp->forward(x, t)));
        // Loaded as float64 it computes the same function to float32 rounding.
        std::shared_ptr<ada::VectorField> asDouble = ada::loadVectorField(path, at::kDouble);
        EXPECT_TRUE(at::allclose(asDouble->forward(x.to(at::kDouble), t.to(at::kDouble)), mlp->forward(x, t).to(at::kDouble), 1e-5, 1e-5));
    }
    {
        ada::EGNNVectorField egnn(ada::EGNNVectorFieldOptions(4, 2).hidden(16).layers(2).distanceOffset(0.5));
        egnn->to(at::kDouble);
        const std::string path = tmpPath("egnn_field.adab");
        ada::saveVectorField(*egnn, path);
        std::shared_ptr<ada::VectorField> loaded = ada::loadVectorField(path, at::kDouble);
        EXPECT_EQ(loaded->kind(), "egnn_vector_field");
        EXPECT_TRUE(loaded->zeroCentreOfMass());
        EXPECT_EQ(loaded->eventShape(), (std::vector<int64_t>{4, 2}));
        const at::Tensor x = at::randn({3, 4, 2}, g, at::kDouble), t = at::rand({3}, g, at::kDouble);
        EXPECT_TRUE(at::equal(loaded->forward(x, t), egnn->forward(x, t)));
    }
}

TEST(ModelBundle, BadBundlesNameTheProblem) {
    ada::MLPVectorField mlp(ada::MLPVectorFieldOptions(2).hidden(8).layers(2).timeEmbedding(4));
    const ada::Bundle good = ada::vectorFieldBundle(*mlp);

    // Another format version: the version field (bytes 8..11) patched.
    good.write(tmpPath("field_v7.adab"));
    {
        std::fstream f(tmpPath("field_v7.adab"), std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(8);
        f.put(7);
    }
    EXPECT_TRUE(contains(loadError(tmpPath("field_v7.adab")), "bundle format version 7 is not supported")) << loadError(tmpPath("field_v7.adab"));

    ada::Bundle wrongKind = good;
    wrongKind.kind = "mlp";
    wrongKind.write(tmpPath("field_kind.adab"));
    const std::string kindError = loadError(tmpPath("field_kind.adab"));
    EXPECT_TRUE(contains(kindError, "field_kind.adab") && contains(kindError, "bundle kind \"mlp\" is not a vector field")) << kindError;

    ada::Bundle missing = good;
    missing.tensors.erase("layers.1.bias");
    missing.write(tmpPath("field_missing.adab"));
    const std::string missingError = loadError(tmpPath("field_missing.adab"));
    EXPECT_TRUE(contains(missingError, "field_missing.adab") && contains(missingError, "no tensor \"layers.1.bias\"")) << missingError;

    ada::Bundle misshapen = good;
    misshapen.tensors["output.weight"] = {{3, 8}, std::vector<double>(24, 0.0)};
    misshapen.write(tmpPath("field_shape.adab"));
    const std::string shapeError = loadError(tmpPath("field_shape.adab"));
    EXPECT_TRUE(contains(shapeError, "field_shape.adab") && contains(shapeError, "\"output.weight\" has shape [3, 8]") &&
                contains(shapeError, "needs [2, 8]"))
        << shapeError;

    ada::Bundle extra = good;
    extra.tensors["layers.9.weight"] = {{1}, {0.0}};
    extra.write(tmpPath("field_extra.adab"));
    EXPECT_TRUE(contains(loadError(tmpPath("field_extra.adab")), "unexpected tensor \"layers.9.weight\""));

    ada::Bundle badConfig = good;
    badConfig.config["hidden"] = "wide";
    badConfig.write(tmpPath("field_config.adab"));
    const std::string configError = loadError(tmpPath("field_config.adab"));
    EXPECT_TRUE(contains(configError, "field_config.adab: config.hidden") && contains(configError, "expected an integer")) << configError;

    ada::Bundle noDimension = good;
    noDimension.config.erase("dimension");
    noDimension.write(tmpPath("field_nodim.adab"));
    EXPECT_TRUE(contains(loadError(tmpPath("field_nodim.adab")), "config.dimension: required field is missing"));

    EXPECT_TRUE(contains(loadError(tmpPath("field_absent.adab")), "cannot open bundle file"));
}
