#pragma once
// The bias specification of DESIGN.md §4 and its evaluation:
//   U_bias(x) / kT = sum_i f_i(o_i(x)),   d(U_bias/kT)/dx = sum_i J_i(x)^T grad f_i(o_i(x)),
// with o_i an Observable, J_i its Jacobian and f_i a BiasFunction. The force multiplies by lambda*kT.
// Parsing checks everything it can without a System (types, shapes, grids, NaN); atom indices are
// checked against a System by checkAtoms when a Context is created.
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ada/bias/BiasFunction.h"
#include "ada/observables/Observable.h"

namespace ada {

class BiasSpecification {
public:
    struct Term {
        std::unique_ptr<Observable> observable;
        std::unique_ptr<BiasFunction> function;
    };

    /** Molar gas constant in kJ/(mol K), the value OpenMM uses (BOLTZ). */
    static constexpr double gasConstant = 0.00831446261815324;

    BiasSpecification() = default;
    /** Read a JSON file; relative "file" entries resolve against the file's folder. */
    static BiasSpecification fromFile(const std::string& path);
    /** Parse JSON text; `source` names it in messages, `baseDirectory` resolves relative files. */
    static BiasSpecification fromJsonText(const std::string& text, const std::string& source, const std::string& baseDirectory = "");

    double temperature() const { return temperature_; }
    /** kT in kJ/mol. */
    double kT() const { return gasConstant * temperature_; }
    int numTerms() const { return static_cast<int>(terms_.size()); }
    const Term& term(int i) const { return terms_.at(i); }
    /** Sorted distinct particles that any term depends on. */
    const std::vector<int>& atoms() const { return atoms_; }

    /** Throws SpecError naming the term and atom if an index is out of range for numParticles. */
    void checkAtoms(int numParticles) const;
    /**
     * U_bias/kT at positions [numParticles][3] (nm). When gradient is not null, adds d(U_bias/kT)/dx into
     * gradient[3*atom + k] for the atoms() (other entries untouched). termValues (may be null) gets f_i.
     */
    double evaluate(const double* positions, const PeriodicBox& box, double* gradient, double* termValues = nullptr) const;
    /** Self-contained JSON (MLP weights inline), from which an identical specification can be parsed. */
    std::string toJsonText() const;

private:
    double temperature_ = 300.0;
    std::vector<Term> terms_;
    std::vector<int> atoms_;
    mutable std::vector<double> valueBuffer_, jacobianBuffer_, functionGradient_;
};

}  // namespace ada
