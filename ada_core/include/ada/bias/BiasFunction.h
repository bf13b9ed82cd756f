#pragma once
// A function f: R^d -> R applied to an observable's value, in units of kT (DESIGN.md §3.3, §4).
#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace ada {

class BiasFunction {
public:
    virtual ~BiasFunction() = default;
    virtual std::string type() const = 0;
    /** Dimension d of the input. */
    virtual int inputDimension() const = 0;
    /** f(y); writes df/dy (d values) when gradient is not null. */
    virtual double evaluate(const double* y, double* gradient) const = 0;
    /** Self-contained JSON (weights inline, no file references). */
    virtual nlohmann::json toJson() const = 0;
};

/**
 * Build a function from its JSON object. `angleInput` says the observable is an angle, which makes a
 * spline periodic unless the specification says otherwise; `baseDirectory` resolves relative "file" paths.
 */
std::unique_ptr<BiasFunction> makeBiasFunction(const nlohmann::json& spec, const std::string& where, bool angleInput,
                                               const std::string& baseDirectory);

}  // namespace ada
