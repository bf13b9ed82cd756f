#pragma once
// A fine-tunable copy of a frozen field: v_θ(x, t) = v_base(x, t) + c_θ(x, t), with c_θ an MLPVectorField whose
// output layer starts at zero, so that v_θ = v_base exactly at initialisation (what adjoint matching, DESIGN.md
// §3.2, requires of the model it fine-tunes). Used where the base has no trainable weights of its own (an
// analytic field such as GaussianMixtureField) or where fine-tuning should leave the base weights untouched.
// The base is registered as submodule "base" with its parameters frozen (requires_grad false: optimisers given
// the trainable parameters never see them), c_θ as "correction". For particle fields c_θ acts on the
// flattened coordinates and its output is projected onto the zero-centre-of-mass subspace.
// Bundle config: {"base": {"kind", "config"}, "correction": MLPVectorFieldOptions}; tensors "base.*" and
// "correction.*", so ModelBundle stores and restores both.
#include <memory>

#include "ada/models/MLPVectorField.h"
#include "ada/models/VectorField.h"

namespace ada {

class ResidualVectorField : public VectorField {
public:
    static constexpr const char* bundleKind = "residual_vector_field";

    /** correction: options of c_θ (its dimension must be the base's flat dimension); built in the base's dtype. */
    ResidualVectorField(std::shared_ptr<VectorField> base, const MLPVectorFieldOptions& correction);

    at::Tensor forward(const at::Tensor& x, const at::Tensor& t) override;
    std::string kind() const override { return bundleKind; }
    nlohmann::json config() const override;
    std::vector<int64_t> eventShape() const override { return base_->eventShape(); }
    bool zeroCentreOfMass() const override { return base_->zeroCentreOfMass(); }

    VectorField& base() { return *base_; }
    std::shared_ptr<VectorField> sharedBase() const { return base_; }
    MLPVectorField& correction() { return correction_; }

private:
    std::shared_ptr<VectorField> base_;
    MLPVectorField correction_{nullptr};
};

}  // namespace ada
