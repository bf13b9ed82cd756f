#pragma once
// Batched integration of dy/dt = f(y, t) from t0 to t1 (either direction) for a state y [B, ...]: the
// sampler of flow matching (dx/dt = v(x, t), DESIGN.md §3.1) and the augmented likelihood ODE.
//
// RK4: the classical fourth-order Runge–Kutta method on `steps` equal steps (4 evaluations per step).
// DormandPrince: the embedded 5(4) pair of Dormand & Prince (1980) with the Butcher tableau of
// Hairer, Nørsett & Wanner, "Solving ODEs I", §II.5 (first-same-as-last, so 6 new evaluations per step).
// The step is accepted when the error estimate e = y5 − y4 satisfies
//   err = max_b sqrt( mean_k ( e_bk / (atol + rtol·max(|y_bk|, |y'_bk|)) )² ) <= 1,
// i.e. every sample of the batch meets the tolerance (one step size is shared by the batch), and the next
// step is h·min(maxFactor, max(minFactor, safety·err^(−1/5))). The first step follows Hairer's heuristic
// (§II.4) unless initialStep is given.
#include <cstdint>
#include <functional>

#include <ATen/core/Tensor.h>

namespace ada {

enum class OdeMethod { RK4, DormandPrince };

struct OdeOptions {
    OdeMethod method = OdeMethod::DormandPrince;
    /** Number of equal steps (RK4). */
    int64_t steps = 100;
    /** Tolerances (DormandPrince). */
    double rtol = 1e-5, atol = 1e-5;
    /** First step size |h| (DormandPrince); 0 picks it automatically. */
    double initialStep = 0;
    /** Step control: safety factor and bounds on the step ratio. */
    double safety = 0.9, minFactor = 0.2, maxFactor = 10.0;
    /** Accepted + rejected steps after which integration fails (DormandPrince). */
    int64_t maxSteps = 100000;

    static OdeOptions rk4(int64_t steps) {
        OdeOptions o;
        o.method = OdeMethod::RK4;
        o.steps = steps;
        return o;
    }
    static OdeOptions dormandPrince(double rtol, double atol) {
        OdeOptions o;
        o.method = OdeMethod::DormandPrince;
        o.rtol = rtol;
        o.atol = atol;
        return o;
    }
};

struct OdeResult {
    at::Tensor state;                   // y(t1)
    int64_t functionEvaluations = 0;    // number of calls of f
    int64_t acceptedSteps = 0;
    int64_t rejectedSteps = 0;
};

/** f(y, t) → dy/dt with y's shape; t is a plain number shared by the batch. */
using OdeFunction = std::function<at::Tensor(const at::Tensor& y, double t)>;

/** Integrates from y(t0) = y0 to t1; throws std::runtime_error if DormandPrince exceeds maxSteps or the step underflows. */
OdeResult integrateOde(const OdeFunction& f, const at::Tensor& y0, double t0, double t1, const OdeOptions& options);

}  // namespace ada
