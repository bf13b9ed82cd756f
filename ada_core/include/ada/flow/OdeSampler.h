#pragma once
// Sampling a flow-matching model by its probability-flow ODE (DESIGN.md §3.1):
//   x(0) = x0 ~ p0 (GaussianBase),   dx/dt = v(x, t),   x(1) ~ p1 ≈ data,
// integrated with RK4 or adaptive Dormand–Prince (OdeIntegrator.h) without gradients, in the dtype and on
// the device of the field's parameters.
#include <cstdint>

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include "ada/flow/OdeIntegrator.h"
#include "ada/models/VectorField.h"

namespace ada {

struct OdeSample {
    at::Tensor samples;               // x(1)  [count, event...]
    at::Tensor noise;                 // x(0)  [count, event...]
    int64_t functionEvaluations = 0;  // calls of v (each on the whole batch)
};

/** Draws `count` base samples with `generator` and transports them from t = 0 to 1. */
OdeSample sampleByOde(VectorField& field, int64_t count, const OdeOptions& options, at::Generator& generator);
/** Transports x(t0) = x to t1 along dx/dt = v(x, t) (either direction), without gradients. */
OdeResult transport(VectorField& field, const at::Tensor& x, double t0, double t1, const OdeOptions& options);

}  // namespace ada
