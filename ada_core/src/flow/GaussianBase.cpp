#include "ada/flow/GaussianBase.h"

#include <cmath>

#include <ATen/ATen.h>

#include "ada/io/SpecError.h"
#include "ada/models/VectorField.h"

namespace ada {

GaussianBase::GaussianBase(std::vector<int64_t> eventShape, bool zeroCentreOfMass)
    : eventShape_(std::move(eventShape)), zeroCentreOfMass_(zeroCentreOfMass) {
    if (eventShape_.empty())
        throw SpecError("Gaussian base: empty event shape");
    if (zeroCentreOfMass_ && (eventShape_.size() != 2 || eventShape_[0] < 2))
        throw SpecError("Gaussian base: the zero-centre-of-mass subspace needs an event shape [N, S] with N >= 2");
}

GaussianBase GaussianBase::of(const VectorField& field) { return GaussianBase(field.eventShape(), field.zeroCentreOfMass()); }

int64_t GaussianBase::flatDimension() const {
    int64_t d = 1;
    for (int64_t s : eventShape_)
        d *= s;
    return d;
}

int64_t GaussianBase::dimension() const { return zeroCentreOfMass_ ? (eventShape_[0] - 1) * eventShape_[1] : flatDimension(); }

at::Tensor GaussianBase::sample(int64_t count, const at::TensorOptions& options, at::Generator& generator) const {
    std::vector<int64_t> shape{count};
    shape.insert(shape.end(), eventShape_.begin(), eventShape_.end());
    return project(at::randn(shape, generator, options));
}

at::Tensor GaussianBase::project(const at::Tensor& x) const {
    if (!zeroCentreOfMass_)
        return x;
    const at::Tensor particles = x.reshape({x.size(0), eventShape_[0], eventShape_[1]});
    return (particles - particles.mean(1, true)).reshape(x.sizes());
}

at::Tensor GaussianBase::logDensity(const at::Tensor& x) const {
    const at::Tensor flat = project(x).reshape({x.size(0), -1});
    if (flat.size(1) != flatDimension())
        throw SpecError("Gaussian base: samples have " + std::to_string(flat.size(1)) + " coordinates, expected " + std::to_string(flatDimension()));
    return -0.5 * static_cast<double>(dimension()) * std::log(2.0 * M_PI) - 0.5 * flat.pow(2).sum(1);
}

}  // namespace ada
