#include "ada/flow/OdeIntegrator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include <ATen/ATen.h>

#include "ada/io/SpecError.h"

namespace ada {

namespace {

OdeResult integrateRK4(const OdeFunction& f, const at::Tensor& y0, double t0, double t1, int64_t steps) {
    if (steps < 1)
        throw SpecError("RK4: steps must be positive, found " + std::to_string(steps));
    OdeResult result;
    at::Tensor y = y0;
    const double h = (t1 - t0) / static_cast<double>(steps);
    for (int64_t i = 0; i < steps; ++i) {
        const double t = t0 + h * static_cast<double>(i);
        const at::Tensor k1 = f(y, t);
        const at::Tensor k2 = f(y + (0.5 * h) * k1, t + 0.5 * h);
        const at::Tensor k3 = f(y + (0.5 * h) * k2, t + 0.5 * h);
        const at::Tensor k4 = f(y + h * k3, t + h);
        y = y + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
    }
    result.state = y;
    result.functionEvaluations = 4 * steps;
    result.acceptedSteps = steps;
    return result;
}

// Per-sample RMS of e / (atol + rtol·max(|a|, |b|)), maximised over the batch.
double errorNorm(const at::Tensor& error, const at::Tensor& a, const at::Tensor& b, double rtol, double atol) {
    const at::Tensor scale = atol + rtol * at::maximum(a.abs(), b.abs());
    const at::Tensor ratio = (error / scale).reshape({error.size(0), -1});
    return ratio.pow(2).mean(1).sqrt().max().item<double>();
}

// Hairer, Nørsett & Wanner, Solving ODEs I, §II.4: initial step for an order-p method.
double initialStep(const OdeFunction& f, const at::Tensor& y0, const at::Tensor& f0, double t0, double direction, double span, int order,
                   const OdeOptions& o, int64_t& evaluations) {
    const at::Tensor scale = o.atol + o.rtol * y0.abs();
    const double d0 = (y0 / scale).pow(2).mean().sqrt().item<double>();
    const double d1 = (f0 / scale).pow(2).mean().sqrt().item<double>();
    double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
    h0 = std::min(h0, span);
    const at::Tensor f1 = f(y0 + (direction * h0) * f0, t0 + direction * h0);
    ++evaluations;
    const double d2 = ((f1 - f0) / scale).pow(2).mean().sqrt().item<double>() / h0;
    const double h1 = std::max(d1, d2) <= 1e-15 ? std::max(1e-6, h0 * 1e-3) : std::pow(0.01 / std::max(d1, d2), 1.0 / (order + 1));
    return std::min({100 * h0, h1, span});
}

OdeResult integrateDormandPrince(const OdeFunction& f, const at::Tensor& y0, double t0, double t1, const OdeOptions& o) {
    if (!(o.rtol > 0) || !(o.atol > 0))
        throw SpecError("Dormand-Prince: rtol and atol must be positive");
    // Butcher tableau (Hairer, Nørsett & Wanner, Table 5.2).
    constexpr double c2 = 1.0 / 5, c3 = 3.0 / 10, c4 = 4.0 / 5, c5 = 8.0 / 9;
    constexpr double a21 = 1.0 / 5;
    constexpr double a31 = 3.0 / 40, a32 = 9.0 / 40;
    constexpr double a41 = 44.0 / 45, a42 = -56.0 / 15, a43 = 32.0 / 9;
    constexpr double a51 = 19372.0 / 6561, a52 = -25360.0 / 2187, a53 = 64448.0 / 6561, a54 = -212.0 / 729;
    constexpr double a61 = 9017.0 / 3168, a62 = -355.0 / 33, a63 = 46732.0 / 5247, a64 = 49.0 / 176, a65 = -5103.0 / 18656;
    constexpr double b1 = 35.0 / 384, b3 = 500.0 / 1113, b4 = 125.0 / 192, b5 = -2187.0 / 6784, b6 = 11.0 / 84;
    // e = b − b̂ (fifth- minus fourth-order weights); b̂7 = 1/40 multiplies the FSAL stage k7 = f(y_new).
    constexpr double e1 = 71.0 / 57600, e3 = -71.0 / 16695, e4 = 71.0 / 1920, e5 = -17253.0 / 339200, e6 = 22.0 / 525, e7 = -1.0 / 40;

    OdeResult result;
    const double span = std::abs(t1 - t0);
    if (span == 0) {
        result.state = y0;
        return result;
    }
    const double direction = t1 > t0 ? 1.0 : -1.0;
    at::Tensor y = y0;
    double t = t0;
    at::Tensor k1 = f(y, t);
    int64_t evaluations = 1;
    double h = o.initialStep > 0 ? std::min(o.initialStep, span) : initialStep(f, y, k1, t, direction, span, 5, o, evaluations);
    const double minStep = 16 * std::numeric_limits<double>::epsilon() * std::max(std::abs(t0), std::abs(t1));
    while (direction * (t1 - t) > 0) {
        if (result.acceptedSteps + result.rejectedSteps >= o.maxSteps)
            throw std::runtime_error("Dormand-Prince: no convergence within " + std::to_string(o.maxSteps) + " steps (t = " + std::to_string(t) + ")");
        bool last = false;
        if (h >= direction * (t1 - t)) {
            h = direction * (t1 - t);
            last = true;
        }
        const double s = direction * h;
        const at::Tensor k2 = f(y + s * a21 * k1, t + c2 * s);
        const at::Tensor k3 = f(y + s * (a31 * k1 + a32 * k2), t + c3 * s);
        const at::Tensor k4 = f(y + s * (a41 * k1 + a42 * k2 + a43 * k3), t + c4 * s);
        const at::Tensor k5 = f(y + s * (a51 * k1 + a52 * k2 + a53 * k3 + a54 * k4), t + c5 * s);
        const at::Tensor k6 = f(y + s * (a61 * k1 + a62 * k2 + a63 * k3 + a64 * k4 + a65 * k5), t + s);
        const at::Tensor yNew = y + s * (b1 * k1 + b3 * k3 + b4 * k4 + b5 * k5 + b6 * k6);
        const double tNew = last ? t1 : t + s;
        const at::Tensor k7 = f(yNew, tNew);
        evaluations += 6;
        const at::Tensor error = s * (e1 * k1 + e3 * k3 + e4 * k4 + e5 * k5 + e6 * k6 + e7 * k7);
        const double err = errorNorm(error, y, yNew, o.rtol, o.atol);
        if (!std::isfinite(err))
            throw std::runtime_error("Dormand-Prince: non-finite state at t = " + std::to_string(t));
        const double factor = err == 0 ? o.maxFactor : std::clamp(o.safety * std::pow(err, -0.2), o.minFactor, o.maxFactor);
        if (err <= 1) {
            y = yNew;
            t = tNew;
            k1 = k7;
            ++result.acceptedSteps;
            h = std::min(h * factor, span);
        } else {
            ++result.rejectedSteps;
            h *= std::min(1.0, factor);
            if (h < minStep)
                throw std::runtime_error("Dormand-Prince: step size underflow at t = " + std::to_string(t));
        }
    }
    result.state = y;
    result.functionEvaluations = evaluations;
    return result;
}

}  // namespace

OdeResult integrateOde(const OdeFunction& f, const at::Tensor& y0, double t0, double t1, const OdeOptions& options) {
    if (y0.dim() < 1)
        throw SpecError("ODE integration: the state must be batched, [B, ...]");
    return options.method == OdeMethod::RK4 ? integrateRK4(f, y0, t0, t1, options.steps) : integrateDormandPrince(f, y0, t0, t1, options);
}

}  // namespace ada
